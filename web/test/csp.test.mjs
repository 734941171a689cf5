// Browser tests of the Content-Security-Policy the server sends: every
// page works under it with no violation reported, and it does block an
// inline script, so the check above can fail.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, reportCSP, BASE } from '../testlib/helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * Opens path in a fresh context that reports CSP violations and waits for
 * ready (a function run in the page) to hold.
 * @param {string} path
 * @param {() => unknown} ready
 */
async function open(path, ready) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  await reportCSP(context);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const res = await page.goto(BASE + path);
  await page.waitForFunction(ready, null, { timeout: 15000 });
  // Let late loads (tiles, fonts, the basemap) happen.
  await page.waitForLoadState('networkidle');
  return { page, errors, csp: (await res.allHeaders())['content-security-policy'] ?? '', close: () => context.close() };
}

const pages = [
  ['the map', '/#map=10/31.42/34.38&date=2025-10-17', () => window.strata?.ready && document.querySelectorAll('.leaflet-basemap-pane canvas.leaflet-tile-loaded').length >= 4],
  ['the presenter', '/present.html#briefing=cmcc-ceasefire&step=3', () => window.strata?.presenter && document.querySelector('.leaflet-container')],
  ['the speaker window', '/speaker.html#briefing=cmcc-ceasefire&step=3', () => document.querySelector('.speaker-app') && !document.querySelector('.pr-loading')],
  ['the API summary', '/api.html', () => document.querySelector('h1')?.textContent === 'Strata API'],
];

for (const [name, path, ready] of pages) {
  test(`${name} works under the Content-Security-Policy with no violation`, async () => {
    const m = await open(path, ready);
    try {
      assert.match(m.csp, /script-src 'self' 'sha256-[^']+'(;|$)/, `script-src in ${m.csp}`);
      assert.doesNotMatch(m.csp, /unsafe/);
      assert.match(m.csp, /frame-ancestors 'self'/);
      assert.deepEqual(await m.page.evaluate(() => window.cspViolations), []);
      assert.deepEqual(m.errors, []);
    } finally { await m.close(); }
  });
}

test('the policy blocks an inline script and an inline handler', async () => {
  const m = await open('/#date=2025-10-17', () => window.strata?.ready);
  try {
    const ran = await m.page.evaluate(async () => {
      window.injected = false;
      const s = document.createElement('script');
      s.textContent = 'window.injected = true';
      document.head.append(s);
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.injected = true');
      img.src = 'data:,';
      document.body.append(img);
      await new Promise((r) => setTimeout(r, 200));
      return window.injected;
    });
    assert.equal(ran, false, 'an injected inline script ran');
    const v = await m.page.evaluate(() => window.cspViolations);
    assert.ok(v.some((x) => x.startsWith('script-src')), `violations: ${v}`);
  } finally { await m.close(); }
});
