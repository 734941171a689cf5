// helpers.mjs starts headless Chromium with playwright-core and opens the
// map at STRATA_URL, recording console errors, page errors and every
// request so tests can check the page stays on its own origin.

import { chromium } from 'playwright-core';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Base URL of the server under test, without a trailing slash. */
export const BASE = (process.env.STRATA_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');

/** Folder for screenshots (gitignored). */
export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');

/**
 * Launches Chromium.
 * @returns {Promise<import('playwright-core').Browser>}
 */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Makes every page of a browser context report Content-Security-Policy
 * violations as console errors ("CSP violation: ..."), which the tests'
 * error lists collect, and keep them in window.cspViolations.
 * @param {import('playwright-core').BrowserContext} context
 */
export async function reportCSP(context) {
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      const v = `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`;
      window.cspViolations.push(v);
      console.error(`CSP violation: ${v}`);
    });
  });
}

/**
 * Opens the map at BASE + path and waits until it is live and idle.
 * @param {import('playwright-core').Browser} browser
 * @param {string} [path] e.g. "/#date=2025-10-10"
 * @param {object} [contextOptions] e.g. { viewport }
 * @returns {Promise<{page: import('playwright-core').Page, errors: string[], requests: string[], dialogs: string[], close: () => Promise<void>}>}
 */
export async function openMap(browser, path = '/', contextOptions = {}) {
  const m = await openPage(browser, path, contextOptions);
  await m.page.waitForFunction(() => window.strata?.timeline?.summary !== undefined || window.strata?.summary);
  await m.page.evaluate(() => window.strata.ready);
  await idle(m.page);
  return m;
}

/**
 * Opens BASE + path in a fresh context that records console errors, page
 * errors, failed answers, every request, dialogs and CSP violations.
 * @param {import('playwright-core').Browser} browser
 * @param {string} path
 * @param {object} [contextOptions] e.g. { viewport }
 * @returns {Promise<{page: import('playwright-core').Page, errors: string[], requests: string[], dialogs: string[], close: () => Promise<void>}>}
 */
export async function openPage(browser, path, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  await reportCSP(context);
  const page = await context.newPage();
  const errors = [], requests = [], dialogs = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.goto(BASE + path);
  return { page, errors, requests, dialogs, close: () => context.close() };
}

/**
 * Waits until the URL shows the expected date (if given) and no layer is
 * loading.
 * @param {import('playwright-core').Page} page
 * @param {string} [date] "YYYY-MM-DD" or "A/B"
 */
export async function idle(page, date) {
  await page.waitForFunction((d) => {
    if (d && !location.hash.includes(`date=${d}`)) return false;
    const layers = window.strata?.layers;
    if (!layers) return false;
    for (const l of layers.values()) if (l.visible && (l.state.loading || !l.key)) return false;
    return document.querySelectorAll('.layer-item.is-loading').length === 0;
  }, date, { timeout: 15000 });
  // Let Leaflet add the drawn elements.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * Types a date into the timeline's date box and waits for the map.
 * @param {import('playwright-core').Page} page
 * @param {string} date "YYYY-MM-DD"
 */
export async function setDate(page, date) {
  await page.locator('.tl-date').fill(date);
  await page.locator('.tl-date').press('Enter');
  await idle(page, date);
}

/**
 * Counts drawn elements of a feature (its main shape).
 * @param {import('playwright-core').Page} page
 * @param {string} id feature id
 */
export function drawn(page, id) {
  return page.locator(`[data-feature-id="${id}"]`).count();
}

/**
 * Saves a screenshot of the page into SHOTS.
 * @param {import('playwright-core').Page} page
 * @param {string} name file name without extension
 */
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/**
 * Lists requests that left the page's origin.
 * @param {string[]} requests
 */
export function foreign(requests) {
  const origin = new URL(BASE).origin;
  return requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
}

/**
 * Runs the strata binary (STRATA_BIN) and returns its standard output.
 * @param {...string} args
 * @returns {Promise<Buffer>}
 */
export function strata(...args) {
  return new Promise((resolve, reject) => {
    execFile(process.env.STRATA_BIN, args, { maxBuffer: 256 << 20, encoding: 'buffer' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}
