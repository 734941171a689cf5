// Browser test of the built-in basemap's place names (basemap/places.json,
// GeoNames): text in the page, thinned by zoom, never overlapping, and
// leaving out the places the dataset's towns layer names itself.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openMap, shot } from '../testlib/helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The place names shown, with their boxes. */
function shown(page) {
  return page.evaluate(() => [...document.querySelectorAll('.basemap-place')].filter((e) => !e.hidden)
    .map((e) => { const r = e.getBoundingClientRect(); return { name: e.textContent, box: [r.left, r.top, r.right, r.bottom] }; }));
}

test('the basemap names places around Gaza, thinned by zoom, without overlaps', async () => {
  const v = await openMap(browser, '/#map=11/31.42/34.42');
  try {
    const { page } = v;
    await page.waitForFunction(() => document.querySelectorAll('.basemap-place:not([hidden])').length > 0, null, { timeout: 15000 });
    const near = await shown(page);
    const names = near.map((p) => p.name);
    for (const n of ['An Nusayrat', 'Netivot', 'Bayt Hanun']) assert.ok(names.includes(n), `${n} named at zoom 11 (${names.join(', ')})`);
    // The dataset names these itself: the basemap does not name them twice.
    for (const n of ['Khan Yunis', 'Gaza', 'Rafah', 'Deir al-Balah', 'Dayr al Balah', 'Jabalya']) assert.ok(!names.includes(n), `${n} not named by the basemap`);
    for (let i = 0; i < near.length; i++) {
      for (let j = i + 1; j < near.length; j++) {
        const a = near[i].box, b = near[j].box;
        assert.ok(a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1], `${near[i].name} overlaps ${near[j].name}`);
      }
    }
    await shot(page, 'basemap-places-z11');
    // Zoomed out, only larger places keep their names.
    await page.evaluate(() => window.strata.map.setView([31.4, 34.4], 8, { animate: false }));
    await page.waitForFunction((n) => document.querySelectorAll('.basemap-place:not([hidden])').length < n, near.length, { timeout: 10000 });
    const far = (await shown(page)).map((p) => p.name);
    assert.ok(far.includes('Beersheba') || far.includes('Ashdod'), `large places at zoom 8: ${far.join(', ')}`);
    assert.ok(!far.includes('Al Burayj'), 'small places are left out at zoom 8');
    assert.deepEqual(v.errors, []);
  } finally { await v.close(); }
});
