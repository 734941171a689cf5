// axe.mjs runs axe-core (vendored from npm) on a page.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page; returns the violations, summarised.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<string[]>}
 */
export async function axe(page) {
  // Let transitions end first (a popup fading out is half transparent,
  // and its text would be judged at that contrast).
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))));
  await page.evaluate(AXE);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
