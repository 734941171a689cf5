// pages.test.mjs browses the HTML pages of the API's resources in
// Chromium as a reader would: /collections, a collection, its features,
// one feature, each with axe-core finding no violation, no
// Content-Security-Policy violation, and a small map drawn; the same on a
// phone's screen; and the xss layer's feature page shows its markup as
// text and runs none of it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, shot, openPage, foreign, BASE } from '../testlib/helpers.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * Opens path as openPage does, with motion reduced.
 * @param {string} path
 * @param {object} [options] context options, e.g. { viewport }
 */
function open(path, options = {}) {
  return openPage(browser, path, { viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce', ...options });
}

/** Runs axe-core on the page; returns the violations, summarised. */
async function axe(page) {
  await page.evaluate(AXE);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Waits for the small map to have drawn its features and basemap. */
async function mapDrawn(page) {
  await page.waitForFunction(() => document.querySelectorAll('#page-map .leaflet-overlay-pane path').length > 0
    && document.querySelectorAll('#page-map [data-basemap-tile]').length > 0, null, { timeout: 15000 });
  await page.waitForLoadState('networkidle');
}

test('a reader follows /collections to a collection, its features and a feature', async () => {
  const m = await open('/collections');
  try {
    const { page } = m;
    assert.equal(await page.locator('h1').textContent(), 'Collections');
    assert.deepEqual(await axe(page), [], 'axe: collections');
    await shot(page, 'pages-collections');

    await page.locator('article h2 a', { hasText: 'Events' }).click();
    await page.waitForURL(/\/collections\/events\?f=html$/);
    assert.equal(await page.locator('h1').textContent(), 'Events');
    assert.deepEqual(await axe(page), [], 'axe: a collection');
    await shot(page, 'pages-collection');

    await page.locator('.links a', { hasText: /^The features of Events$/ }).click();
    await page.waitForURL(/\/collections\/events\/items\?f=html$/);
    await mapDrawn(page);
    const rows = await page.locator('tbody tr').count();
    assert.ok(rows > 0, 'the table lists the features');
    assert.equal(await page.locator('#page-map .leaflet-overlay-pane path').count(), rows, 'one mark per feature of the page');
    assert.deepEqual(await axe(page), [], 'axe: items');
    await shot(page, 'pages-items');

    // Paging: the next page's link is the JSON's next link, as HTML.
    const next = page.locator('nav.paging a[rel=next]').first();
    if (await next.count()) {
      await next.click();
      await page.waitForURL(/offset=/);
      assert.match(await page.locator('main > p').first().textContent(), /^Features \d+ to \d+ of \d+/);
      await page.goBack();
    }

    const first = page.locator('tbody tr td a').first();
    const name = await first.textContent();
    const href = await first.getAttribute('href');
    assert.match(href, /\/collections\/events\/items\/[^/?]+\?f=html$/);
    await first.click();
    await page.waitForURL(href);
    assert.equal(await page.locator('h1').textContent(), name);
    await mapDrawn(page);
    assert.ok(await page.locator('.sources li').count() > 0, 'the sources are listed');
    assert.equal(await page.locator('a', { hasText: 'Every version of this feature' }).count(), 1, 'the history is linked');
    assert.deepEqual(await axe(page), [], 'axe: a feature');
    await shot(page, 'pages-feature');

    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
    assert.deepEqual(foreign(m.requests), [], 'no request leaves the site');
    assert.deepEqual(m.errors, []);
  } finally { await m.close(); }
});

test('the pages read on a phone', async () => {
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const items = await (await fetch(`${BASE}/collections/events/items?limit=1`)).json();
  const m = await open(`/collections/events/items/${encodeURIComponent(items.features[0].id)}?f=html`, phone);
  try {
    const { page } = m;
    await mapDrawn(page);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width}px wide, wider than the phone`);
    assert.deepEqual(await axe(page), [], 'axe: a feature on a phone');
    await shot(page, 'pages-feature-phone');
    await page.goto(`${BASE}/collections/events/items?f=html&limit=20`);
    await mapDrawn(page);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'the items page fits the phone (its table scrolls)');
    await shot(page, 'pages-items-phone');
    assert.deepEqual(m.errors, []);
  } finally { await m.close(); }
});

test('the landing, conformance and API pages link to each other and to the map', async () => {
  const m = await open('/?f=html');
  try {
    const { page } = m;
    assert.equal(await page.locator('h1').textContent(), 'Strata');
    assert.deepEqual(await axe(page), [], 'axe: landing');
    await shot(page, 'pages-landing');
    await page.locator('.site a', { hasText: 'Conformance' }).click();
    await page.waitForURL(/\/conformance\?f=html$/);
    assert.ok(await page.locator('code', { hasText: '/conf/html' }).count() === 1);
    assert.deepEqual(await axe(page), [], 'axe: conformance');
    await page.locator('.site a', { hasText: 'API' }).click();
    await page.waitForURL(/\/api\?f=html$/);
    assert.ok(await page.locator('section.op').count() > 5, 'the operations are listed');
    assert.deepEqual(await axe(page), [], 'axe: API');
    await shot(page, 'pages-api');
    await page.locator('.site a', { hasText: 'Map' }).click();
    await page.waitForFunction(() => window.strata?.ready);
    assert.equal(await page.title(), 'Strata map');
    // The map's header leads back to the landing page.
    await page.locator('.app-sub a', { hasText: 'Data and API' }).click();
    await page.waitForURL(/\/\?f=html$/);
    assert.equal(await page.locator('h1').textContent(), 'Strata');
    assert.deepEqual(m.errors, []);
  } finally { await m.close(); }
});

test('a feature page shows markup in properties and sources as text', async (t) => {
  const cols = await (await fetch(`${BASE}/collections`)).json();
  if (!cols.collections.some((c) => c.id === 'xss')) {
    if (process.env.STRATA_XSS === 'required') assert.fail('the xss test layer is missing');
    t.skip('no xss layer on this server (web/browser_test.go imports one)');
    return;
  }
  const m = await open('/collections/xss/items/xss_point');
  try {
    const { page } = m;
    await mapDrawn(page);
    assert.equal(await page.locator('h1').textContent(), '<img src=x onerror=alert(1)>');
    assert.equal(await page.locator('main img, main script, main b, main i').count(), 0, 'no element made from data');
    assert.equal(await page.locator('.sources li').count(), 2);
    assert.equal(await page.locator('.sources a').count(), 1, 'the javascript: URL is not a link');
    await page.waitForTimeout(300);
    assert.deepEqual(m.dialogs, [], 'no script ran');
    assert.deepEqual(m.errors, []);
    await shot(page, 'pages-xss');
  } finally { await m.close(); }
});
