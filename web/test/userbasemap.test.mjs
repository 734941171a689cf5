// Browser tests of a user's own vector basemap (strata serve -basemap
// FILE.pmtiles, a small file web/browser_test.go makes with the package
// data/tilefile/tilefiletest): the map, the presenter and the exported
// briefing draw it with only the server (or the file) reachable; and the
// online OpenStreetMap choice says when its tiles cannot load. Run against
// STRATA_USER_BASEMAP_URL, a server started with -basemap; skipped without
// it unless STRATA_USER_BASEMAP=required.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, shot, reportCSP } from '../testlib/helpers.mjs';

const URL_ = (process.env.STRATA_USER_BASEMAP_URL || '').replace(/\/$/, '');
const ID = 'cmcc-ceasefire';
const ATTRIBUTION = 'Test basemap © Strata tests'; // tilefiletest.Attribution

let browser;
before(async () => { if (URL_) browser = await launch(); });
after(async () => { await browser?.close(); });

function skip(t) {
  if (URL_) return false;
  if (process.env.STRATA_USER_BASEMAP === 'required') throw new Error('STRATA_USER_BASEMAP_URL is not set');
  t.skip('STRATA_USER_BASEMAP_URL is not set (web/browser_test.go sets it)');
  return true;
}

/**
 * Opens url in a context where only `allowed(url)` requests go through:
 * the network is off but for the server (or the file).
 */
async function open(url, allowed) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  await reportCSP(context);
  const refused = [];
  await context.route('**', (r) => {
    if (allowed(r.request().url())) return r.continue();
    refused.push(r.request().url());
    return r.abort('internetdisconnected');
  });
  const page = await context.newPage();
  const errors = [], userTiles = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (r.url().includes('basemap/user/')) userTiles.push(r.url()); });
  await page.goto(url);
  return { page, errors, refused, userTiles, close: () => context.close() };
}

/**
 * Waits until the user basemap's layer has drawn tiles, and returns how
 * many tiles of the zoom level shown are in view, and how many colours
 * cover at least 1% of them (earth, water, road…): empty (204) tiles
 * are transparent and count none.
 */
async function drawn(page) {
  await page.waitForFunction(() => document.querySelectorAll('.strata-user-basemap canvas').length > 0, null, { timeout: 15000 });
  // protomaps-leaflet draws a few frames after the tiles arrive.
  await page.waitForTimeout(800);
  return page.evaluate(() => {
    // Leaflet gives the shown zoom level's container the highest z-index.
    const levels = [...document.querySelectorAll('.strata-user-basemap .leaflet-tile-container')];
    const shown = levels.sort((a, b) => Number(b.style.zIndex) - Number(a.style.zIndex))[0];
    const counts = new Map();
    let tiles = 0, samples = 0;
    for (const c of shown ? shown.querySelectorAll('canvas') : []) {
      const r = c.getBoundingClientRect();
      if (!c.width || r.right < 0 || r.bottom < 0 || r.left > innerWidth || r.top > innerHeight) continue;
      tiles++;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4 * 13) {
        samples++;
        if (d[i + 3] < 200) continue;
        const k = `${d[i] >> 3},${d[i + 1] >> 3},${d[i + 2] >> 3}`;
        counts.set(k, (counts.get(k) || 0) + 1);
      }
    }
    const colours = [...counts.values()].filter((n) => n >= samples / 100).length;
    // Nothing else in the basemap pane (the built-in tiles, or its SVG
    // drawn from the files) covers it.
    const layer = document.querySelector('.strata-user-basemap');
    const z = (e) => Number(getComputedStyle(e).zIndex) || 0;
    const covered = [...layer.parentElement.children].filter((e) => e !== layer && z(e) >= z(layer)).map((e) => e.tagName);
    return { tiles, colours, covered };
  });
}

const sameOrigin = (u) => u.startsWith(URL_) || u.startsWith('data:');

test('the map draws the user basemap with only the server reachable', async (t) => {
  if (skip(t)) return;
  const v = await open(`${URL_}/#map=11/31.42/34.42`, sameOrigin);
  try {
    const { page } = v;
    await page.waitForFunction(() => window.strata?.ready);
    const d = await drawn(page);
    assert.ok(d.tiles >= 4, `user basemap tiles: ${d.tiles}`);
    assert.ok(d.colours >= 2, `the tiles hold land and sea: ${d.colours} colours`);
    assert.deepEqual(d.covered, [], 'nothing covers it');
    assert.ok(v.userTiles.length >= 4, 'tiles asked from /basemap/user/');
    assert.match(await page.locator('.leaflet-control-attribution').innerText(), new RegExp(ATTRIBUTION));
    // The built-in basemap is still there under it (the world outside the file).
    assert.ok(await page.locator('.leaflet-basemap-pane canvas[data-basemap-tile]').count() > 0, 'built-in basemap');
    await shot(page, 'user-basemap-map');
    assert.deepEqual(v.errors, []);
    assert.deepEqual(v.refused, [], 'nothing asked off the server');
  } finally { await v.close(); }
});

test('the presenter draws the user basemap', async (t) => {
  if (skip(t)) return;
  const v = await open(`${URL_}/present.html#briefing=${ID}&step=1`, sameOrigin);
  try {
    const { page } = v;
    await page.waitForFunction(() => window.strata?.presenter && !window.strata.presenter.busy(), null, { timeout: 15000 });
    const d = await drawn(page);
    assert.ok(d.tiles >= 1 && d.colours >= 2, `presenter: ${JSON.stringify(d)}`);
    assert.deepEqual(d.covered, [], 'nothing covers it');
    await shot(page, 'user-basemap-presenter');
    assert.deepEqual(v.errors, []);
    assert.deepEqual(v.refused, []);
  } finally { await v.close(); }
});

test('the exported briefing draws the user basemap with the network off', async (t) => {
  if (skip(t)) return;
  const res = await fetch(`${URL_}/briefings/${ID}/export.html`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /"user_tiles":\{"\d+\/\d+\/\d+":"/, 'the tiles of the step views are in the file');
  const dir = mkdtempSync(join(tmpdir(), 'strata-userbasemap-'));
  try {
    const file = join(dir, 'briefing.html');
    writeFileSync(file, html);
    const v = await open(pathToFileURL(file).href, (u) => u.startsWith('file:') || u.startsWith('data:'));
    try {
      const { page } = v;
      await page.waitForFunction(() => window.strata?.presenter && !window.strata.presenter.busy(), null, { timeout: 15000 });
      const d = await drawn(page);
      assert.ok(d.tiles >= 1 && d.colours >= 2, `export: ${JSON.stringify(d)}`);
      assert.deepEqual(d.covered, [], 'nothing covers it');
      assert.match(await page.locator('.leaflet-control-attribution').innerText(), new RegExp(ATTRIBUTION));
      await shot(page, 'user-basemap-export');
      assert.deepEqual(v.errors, []);
      assert.deepEqual(v.refused, []);
    } finally { await v.close(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the online map says when its tiles cannot load', async (t) => {
  if (skip(t)) return;
  const v = await open(`${URL_}/#map=10/31.4/34.4`, sameOrigin);
  try {
    const { page } = v;
    await page.waitForFunction(() => window.strata?.ready);
    const box = page.locator('input[data-basemap="online"]');
    const status = page.locator('.basemap-status');
    if (!(await box.isVisible())) await page.locator('.leaflet-control-layers-toggle, .layer-control-toggle, [aria-controls*="layer"]').first().click().catch(() => {});
    assert.equal(await status.isHidden(), true, 'no message before');
    await box.check({ force: true });
    await status.waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await status.innerText(), /online map cannot be loaded/);
    assert.equal(await status.getAttribute('aria-live'), 'polite');
    assert.ok(v.refused.some((u) => u.includes('tile.openstreetmap.org')), 'the tiles were asked for and failed');
    await shot(page, 'user-basemap-osm-failed');
    await box.uncheck({ force: true });
    await status.waitFor({ state: 'hidden' });
  } finally { await v.close(); }
});
