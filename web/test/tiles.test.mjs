// Browser tests of large layers drawn from vector tiles, run against the
// server at STRATA_BENCH_URL: web/browser_test.go serves one whose database
// holds the seed plus "bench_points", 200,000 synthetic points imported
// with the source "Synthetic benchmark data".

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from '../../static/js/time.js';

// The helpers open pages at STRATA_URL; here that is the bench server.
// (node --test runs each file in its own process.)
if (process.env.STRATA_BENCH_URL) process.env.STRATA_URL = process.env.STRATA_BENCH_URL;
const { launch, openMap, idle, setDate, shot, foreign, BASE } = await import('../testlib/helpers.mjs');

const LAYER = 'bench_points';

let browser, skip = '';
before(async () => {
  const cols = await (await fetch(`${BASE}/collections`)).json();
  const col = cols.collections.find((c) => c.id === LAYER);
  if (!col) {
    if (process.env.STRATA_BENCH === 'required') assert.fail(`the ${LAYER} layer is missing at ${BASE}`);
    skip = `no ${LAYER} layer at ${BASE} (web/browser_test.go imports one)`;
    return;
  }
  assert.ok(col.feature_count >= 200000, `feature_count ${col.feature_count}`);
  browser = await launch();
});
after(async () => { await browser?.close(); });

/** Tile requests of the layer, as {z, x, y, datetime}. */
function tileRequests(requests) {
  const re = new RegExp(`/collections/${LAYER}/xyz/(\\d+)/(\\d+)/(\\d+)\\.mvt(?:\\?(.*))?$`);
  return requests.map((u) => re.exec(u)).filter(Boolean)
    .map((m) => ({ z: +m[1], x: +m[2], y: +m[3], datetime: new URLSearchParams(m[4] || '').get('datetime') }));
}

/**
 * Requests for the layer's items other than single features by id or
 * pages of at most 100: a tiled layer never fetches its items whole.
 */
function bulkItemRequests(requests) {
  return requests.filter((u) => {
    const url = new URL(u);
    if (!url.pathname.endsWith(`/collections/${LAYER}/items`)) return false;
    const limit = Number(url.searchParams.get('limit') ?? 10);
    return !(limit <= 100);
  });
}

/** What the layer's tiles show: per tile its datetime and items, and the inked pixels. */
function tileState(page) {
  return page.evaluate((id) => {
    const tiles = [...document.querySelectorAll(`[data-layer="${id}"][data-tile]`)];
    let ink = 0;
    for (const t of tiles) {
      const c = t.querySelector('canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 16) if (d[i] > 0) ink++;
    }
    const l = window.strata.layers.get(id);
    return {
      tiled: l.tiled,
      count: l.state.count,
      ink,
      tiles: tiles.map((t) => ({ tile: t.dataset.tile, datetime: t.dataset.datetime, features: Number(t.dataset.features) })),
    };
  }, LAYER);
}

test('a 200,000-point layer is drawn from tiles, not items', async (t) => {
  if (skip) return t.skip(skip);
  const m = await openMap(browser, '/#map=10/31.42/34.45&date=2025-10-10');
  try {
    const { page } = m;
    const st = await tileState(page);
    assert.equal(st.tiled, true, 'drawn from tiles');
    assert.ok(st.tiles.length >= 4, `tiles drawn: ${st.tiles.length}`);
    assert.ok(st.tiles.every((x) => x.datetime === '2025-10-10'), JSON.stringify(st.tiles));
    assert.ok(st.tiles.reduce((n, x) => n + x.features, 0) > 100, 'features in the tiles');
    assert.ok(st.ink > 1000, `pixels drawn: ${st.ink}`);
    // The layer control shows how many points the view's tiles stand for.
    assert.ok(st.count > 5000 && st.count < 200000, `count ${st.count}`);
    assert.equal(await page.locator(`.layer-item[data-layer="${LAYER}"] .layer-status`).innerText(), String(st.count));

    const reqs = tileRequests(m.requests);
    assert.ok(reqs.length >= st.tiles.length, `tile requests: ${reqs.length}`);
    assert.ok(reqs.every((r) => r.z === 10 && r.datetime === '2025-10-10'), JSON.stringify(reqs.slice(0, 5)));
    assert.deepEqual(bulkItemRequests(m.requests), [], 'no request for the layer\'s items');
    // The small layers still come as GeoJSON.
    assert.ok(m.requests.some((u) => u.includes('/collections/lines/items')), 'lines from items');
    assert.equal(await page.locator('[data-feature-id="yellow_line_2025_10_10"]').count(), 1);
    assert.deepEqual(m.errors, []);
    assert.deepEqual(foreign(m.requests), []);
    await shot(page, 'tiles-2025-10-10');
  } finally { await m.close(); }
});

test('the timeline counts the tiled layer from the server\'s histogram', async (t) => {
  if (skip) return t.skip(skip);
  const m = await openMap(browser, '/#map=10/31.42/34.45&date=2025-10-10');
  try {
    const { page } = m;
    const h = await (await fetch(`${BASE}/collections/${LAYER}/histogram`)).json();
    assert.equal(h.features, 200000);
    const s = await page.evaluate(() => {
      const { min, max, counts, changes } = window.strata.summary;
      return { min, max, counts: [...counts], changes: changes.length };
    });
    // The synthetic points run from 2023-10 to 2026-06: the timeline spans them.
    const day = (d) => Date.parse(d) / DAY_MS;
    assert.ok(s.min <= day(h.first) && s.max >= day(h.last), `timeline ${s.min}..${s.max}, histogram ${h.first}..${h.last}`);
    // On a day in 2024 only the synthetic layer has features: the
    // timeline's count is at least the server's.
    const d = day('2024-06-01');
    const server = h.valid[d - day(h.first)];
    assert.ok(server > 1000, `server count ${server}`);
    assert.ok(s.counts[d - s.min] >= server, `timeline ${s.counts[d - s.min]} < server ${server}`);
    assert.ok(s.changes > 100, `changes ${s.changes}`);
    assert.ok(m.requests.some((u) => u.endsWith(`/collections/${LAYER}/histogram`)), 'histogram requested');
    assert.deepEqual(bulkItemRequests(m.requests), [], 'no request for the layer\'s items');
    assert.deepEqual(m.errors, []);
  } finally { await m.close(); }
});

test('the timeline sets the tiles\' datetime and what they show', async (t) => {
  if (skip) return t.skip(skip);
  const m = await openMap(browser, `/#map=11/31.45/34.42&date=2025-10-10&layers=${LAYER}`);
  try {
    const { page } = m;
    const a = await tileState(page);
    const before = m.requests.length;
    await setDate(page, '2024-03-01');
    const b = await tileState(page);
    const reqs = tileRequests(m.requests.slice(before));
    assert.ok(reqs.length >= b.tiles.length, `new tile requests: ${reqs.length}`);
    assert.ok(reqs.every((r) => r.datetime === '2024-03-01'), JSON.stringify(reqs.slice(0, 5)));
    assert.ok(b.tiles.every((x) => x.datetime === '2024-03-01'), JSON.stringify(b.tiles));
    assert.notEqual(b.count, a.count, 'another set of points');
    assert.notDeepEqual(b.tiles.map((x) => x.features), a.tiles.map((x) => x.features));
    await shot(page, 'tiles-2024-03-01');

    // Two quick changes: the tiles end on the last date, whatever order
    // the answers come in (stale requests are aborted).
    await page.locator('.tl-date').fill('2025-01-15');
    await page.locator('.tl-date').press('Enter');
    await page.locator('.tl-date').fill('2025-12-01');
    await page.locator('.tl-date').press('Enter');
    await idle(page, '2025-12-01');
    const c = await tileState(page);
    assert.ok(c.tiles.every((x) => x.datetime === '2025-12-01'), JSON.stringify(c.tiles));

    // Range mode asks for an interval.
    const n = m.requests.length;
    await page.locator('.tl-mode-option', { hasText: 'Range' }).click();
    await idle(page, '2025-12-01/');
    const ranged = tileRequests(m.requests.slice(n));
    assert.ok(ranged.length > 0 && ranged.every((r) => /^2025-12-01\/\d{4}-\d{2}-\d{2}$/.test(r.datetime)), JSON.stringify(ranged.slice(0, 3)));
    assert.deepEqual(bulkItemRequests(m.requests), []);
    assert.deepEqual(m.errors, []);
    assert.deepEqual(foreign(m.requests), []);
  } finally { await m.close(); }
});

/**
 * Finds a drawn symbol of the layer well inside the map, where nothing
 * else is on top, and returns its screen position and properties.
 * @param {boolean} cluster whether to look for a cluster
 */
function findSymbol(page, cluster) {
  return page.evaluate(([id, cluster]) => {
    const l = window.strata.layers.get(id);
    const map = window.strata.map;
    const box = document.getElementById('map').getBoundingClientRect();
    const panel = document.querySelector('.leaflet-control-layers, .layer-control, .leaflet-top.leaflet-right')?.getBoundingClientRect();
    for (const t of l.tiles.currentTiles()) {
      for (const it of t.items) {
        if (it.type !== 1 || !it.own || !!it.props.cluster !== cluster) continue;
        const ll = l.tiles.itemLatLng({ item: it, tile: t.coords });
        const p = map.latLngToContainerPoint(ll);
        const x = box.left + p.x, y = box.top + p.y;
        if (p.x < 80 || p.y < 80 || p.x > box.width - 80 || p.y > box.height - 80) continue;
        if (panel && x > panel.left - 30 && y < panel.bottom + 30) continue;
        const under = document.elementFromPoint(x, y);
        if (under?.closest('.leaflet-interactive, .leaflet-marker-icon, .leaflet-control')) continue;
        return { x, y, props: { ...it.props } };
      }
    }
    return null;
  }, [LAYER, cluster]);
}

test('clicking a tiled point opens its popup with its sources', async (t) => {
  if (skip) return t.skip(skip);
  const m = await openMap(browser, '/#map=14/31.5150/34.4300&date=2025-10-10');
  try {
    const { page } = m;
    const s = await findSymbol(page, false);
    assert.ok(s, 'a single point in view');
    await page.mouse.click(s.x, s.y);
    const popup = page.locator('.leaflet-popup .feature-popup');
    await popup.waitFor();
    assert.equal(await popup.locator('.fp-name').innerText(), s.props.name);
    assert.match(await popup.locator('.fp-kind').innerText(), /Synthetic points/);
    assert.match(await popup.locator('.fp-sources-title').innerText(), /Sources \(1\)/);
    assert.equal(await popup.locator('.fp-sources li').innerText(), 'Synthetic benchmark data');
    assert.ok(m.requests.some((u) => u.endsWith(`/collections/${LAYER}/items/${encodeURIComponent(s.props.id)}`)), 'the whole feature fetched by id');
    await page.waitForTimeout(400); // the popup fades in
    await shot(page, 'tiles-popup');
    // "Go to start" moves the timeline as it does for GeoJSON features.
    await popup.locator('.fp-goto-start').click();
    await idle(page, s.props.valid_from);
    assert.deepEqual(bulkItemRequests(m.requests), []);
    assert.deepEqual(m.errors, []);
    assert.deepEqual(foreign(m.requests), []);
  } finally { await m.close(); }
});

test('the keyboard reaches tiled points: Enter opens the one at the centre', async (t) => {
  if (skip) return t.skip(skip);
  const m = await openMap(browser, `/#map=14/31.5150/34.4300&date=2025-10-10&layers=${LAYER}`);
  try {
    const { page } = m;
    const s = await findSymbol(page, false);
    assert.ok(s, 'a single point in view');
    // Move the map (as the arrow keys would) so that the point is a few
    // pixels from the centre, then press Enter on the focused map.
    await page.evaluate(([x, y]) => {
      const map = window.strata.map, box = document.getElementById('map').getBoundingClientRect();
      const ll = map.containerPointToLatLng([x - box.left + 5, y - box.top - 5]);
      map.setView(ll, map.getZoom(), { animate: false });
    }, [s.x, s.y]);
    await idle(page);
    await page.focus('#map');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'map');
    await shot(page, 'tiles-keyboard');
    await page.keyboard.press('Enter');
    const popup = page.locator('.leaflet-popup .feature-popup');
    await popup.waitFor();
    assert.equal(await popup.locator('.fp-name').innerText(), s.props.name);
    assert.match(await popup.locator('.fp-sources-title').innerText(), /Sources \(1\)/);
    assert.deepEqual(m.errors, []);
    assert.deepEqual(foreign(m.requests), []);
  } finally { await m.close(); }
});

test('clicking a cluster zooms in', async (t) => {
  if (skip) return t.skip(skip);
  const m = await openMap(browser, `/#map=9/31.4/34.4&date=2025-10-10&layers=${LAYER}`);
  try {
    const { page } = m;
    const s = await findSymbol(page, true);
    assert.ok(s && s.props.point_count > 1, JSON.stringify(s));
    await shot(page, 'tiles-clusters');
    await page.mouse.click(s.x, s.y);
    await page.waitForFunction(() => window.strata.map.getZoom() === 11);
    await idle(page);
    assert.equal(await page.locator('.leaflet-popup').count(), 0, 'no popup for a cluster');
    const st = await tileState(page);
    assert.ok(st.tiles.some((x) => x.tile.startsWith('11/')), JSON.stringify(st.tiles));
    assert.deepEqual(m.errors, []);
    assert.deepEqual(foreign(m.requests), []);
  } finally { await m.close(); }
});
