// Browser tests of the explore map, run against a live server at
// STRATA_URL (see web/browser_test.go, which starts one with a seeded
// database and an extra "xss" layer): node --test web/test/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openMap, idle, setDate, drawn, shot, foreign, BASE } from '../testlib/helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the page loads with no console errors and no request outside its origin', async () => {
  const m = await openMap(browser, '/');
  try {
    const { page } = m;
    // The layer control lists every collection, grouped.
    const ids = await page.evaluate(() => window.strata.collections.map((c) => String(c.id)));
    assert.ok(ids.includes('lines') && ids.includes('events'), `collections: ${ids}`);
    for (const id of ids) assert.equal(await page.locator(`.layer-item[data-layer="${id}"]`).count(), 1, `layer item ${id}`);
    assert.ok(await page.locator('.layer-group legend').count() >= 2, 'group headings');
    // The offline basemap is drawn, from its vector tiles.
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-basemap-pane canvas.leaflet-tile-loaded').length >= 4);
    // Scale bar, fullscreen, attribution with the OSM credit.
    assert.equal(await page.locator('.leaflet-control-scale').count(), 1);
    assert.equal(await page.locator('.leaflet-control-zoom-fullscreen').count(), 1);
    assert.match(await page.locator('.leaflet-control-attribution').innerText(), /OpenStreetMap contributors/);
    assert.deepEqual(m.errors, []);
    assert.deepEqual(foreign(m.requests), []);
    assert.ok(m.requests.some((u) => u.includes('/basemap/tiles/')), 'basemap tiles requested from the server');
    await shot(page, 'load');
  } finally { await m.close(); }
});

test('the yellow line is hidden on 2025-10-09 and shown on 2025-10-10', async () => {
  const m = await openMap(browser, '/#map=10/31.42/34.38&date=2025-10-20');
  try {
    await setDate(m.page, '2025-10-09');
    assert.equal(await drawn(m.page, 'yellow_line_2025_10_10'), 0);
    await shot(m.page, 'date-2025-10-09');
    await setDate(m.page, '2025-10-10');
    assert.equal(await drawn(m.page, 'yellow_line_2025_10_10'), 1);
    const stroke = await m.page.locator('[data-feature-id="yellow_line_2025_10_10"]').getAttribute('stroke');
    const color = await m.page.evaluate(() => window.strata.collections.find((c) => c.id === 'lines').style.color);
    assert.equal(stroke.toLowerCase(), color.toLowerCase(), 'drawn in the layer colour');
    assert.deepEqual(m.errors, []);
  } finally { await m.close(); }
});

test('the CMCC appears from 2025-10-17 and not before', async () => {
  const m = await openMap(browser, '/#map=9/31.5/34.6&date=2025-10-16');
  try {
    assert.equal(await drawn(m.page, 'cmcc_kiryat_gat'), 0);
    await setDate(m.page, '2025-10-17');
    assert.equal(await drawn(m.page, 'cmcc_kiryat_gat'), 1);
    // Drawn as approximate: a halo around the point.
    assert.ok(await m.page.locator('[data-layer="facilities"][data-part="band"].is-approximate').count() >= 1, 'halo');
    await shot(m.page, 'date-2025-10-17');
  } finally { await m.close(); }
});

test('a popup lists the feature\'s sources and moves the timeline', async () => {
  const m = await openMap(browser, '/#map=10/31.5/34.6&date=2025-11-20&layers=facilities');
  try {
    const { page } = m;
    await page.locator('[data-feature-id="cmcc_kiryat_gat"]').click();
    const popup = page.locator('.leaflet-popup .feature-popup');
    await popup.waitFor();
    assert.match(await popup.locator('.fp-name').innerText(), /CMCC|Civil-Military/);
    assert.match(await popup.locator('.fp-facts').innerText(), /17 October 2025/);
    assert.match(await popup.locator('.fp-facts').innerText(), /± 3 km \(approximate\)/);
    const n = await popup.locator('.fp-sources li').count();
    assert.ok(n >= 1, 'numbered sources');
    for (const href of await popup.locator('.fp-sources a').evaluateAll((as) => as.map((a) => a.href))) {
      assert.match(href, /^https?:\/\//);
    }
    await page.waitForTimeout(400); // the popup fades in
    await shot(page, 'popup');
    await popup.locator('.fp-goto-start').click();
    await idle(page, '2025-10-17');
    assert.equal(await page.locator('.tl-date').inputValue(), '2025-10-17');
  } finally { await m.close(); }
});

test('an item\'s "On the map" link opens the feature at its start date', async () => {
  // The link the API gives for the feature on the map (its related link;
  // the alternate one is its HTML page).
  const feature = await (await fetch(`${BASE}/collections/facilities/items/cmcc_kiryat_gat`)).json();
  const link = feature.links.find((l) => l.rel === 'related' && l.type === 'text/html');
  assert.ok(link, JSON.stringify(feature.links));
  const href = new URL(link.href);
  assert.match(href.hash, /feature=cmcc_kiryat_gat/);
  const m = await openMap(browser, '/' + href.search + href.hash);
  try {
    const { page } = m;
    const popup = page.locator('.leaflet-popup .feature-popup');
    await popup.waitFor();
    assert.match(await popup.locator('.fp-name').innerText(), /CMCC|Civil-Military/);
    // The link gives no date: time moves to the feature's start.
    await idle(page, '2025-10-17');
    assert.equal(await page.locator('.tl-date').inputValue(), '2025-10-17');
    // The map frames it, and it is drawn and highlighted there.
    const [lon, lat] = feature.geometry.coordinates;
    assert.ok(await page.evaluate(([lat, lon]) => window.strata.map.getBounds().contains([lat, lon]), [lat, lon]));
    assert.equal(await page.locator('[data-feature-id="cmcc_kiryat_gat"].is-highlighted').count() >= 1, true);
    assert.doesNotMatch(await page.evaluate(() => location.hash), /feature=/, 'read once, not written back');
    assert.deepEqual(m.errors, []);
  } finally { await m.close(); }
});

test('a URL with map, date and layers restores that state', async () => {
  const m = await openMap(browser, '/#map=11/31.3500/34.3000&date=2025-10-09&layers=lines,towns');
  try {
    const { page } = m;
    const st = await page.evaluate(() => {
      const c = window.strata.map.getCenter();
      return { zoom: window.strata.map.getZoom(), lat: c.lat, lon: c.lng, t: window.strata.timeline.value };
    });
    assert.equal(st.zoom, 11);
    assert.ok(Math.abs(st.lat - 31.35) < 0.01 && Math.abs(st.lon - 34.3) < 0.01, JSON.stringify(st));
    assert.equal(await page.locator('.tl-date').inputValue(), '2025-10-09');
    const checked = await page.locator('.layer-item[data-layer] input[type=checkbox]:checked').evaluateAll((is) => is.map((i) => i.value).filter(Boolean));
    assert.deepEqual(checked.sort(), ['lines', 'towns']);
    assert.equal(await drawn(page, 'yellow_line_2025_10_10'), 0);
    assert.ok(await page.locator('[data-layer="towns"][data-part="main"]').count() >= 1);
    assert.equal(await page.locator('[data-layer="facilities"][data-part]').count(), 0);
    assert.match(await page.evaluate(() => location.hash), /^#map=11\/31\.3500\/34\.3000&date=2025-10-09&layers=towns,lines$/);
    // Range mode is kept in the URL too.
    await page.locator('.tl-mode-option', { hasText: 'Range' }).click();
    await idle(page, '2025-10-09/2025-11-08');
  } finally { await m.close(); }
});

test('the timeline works with the keyboard alone', async () => {
  const m = await openMap(browser, '/#map=10/31.42/34.38&date=2025-10-09&layers=lines');
  try {
    const { page } = m;
    // Tab to the slider handle.
    let found = false;
    for (let i = 0; i < 80 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.classList.contains('noUi-handle'));
    }
    assert.ok(found, 'slider handle reachable with Tab');
    const handle = page.locator('.noUi-handle');
    assert.equal(await handle.getAttribute('role'), 'slider');
    assert.equal(await handle.getAttribute('aria-label'), 'Date shown');
    await page.keyboard.press('ArrowRight');
    await idle(page, '2025-10-10');
    assert.equal(await handle.getAttribute('aria-valuetext'), '10 October 2025');
    assert.equal(await page.locator('.tl-current').innerText(), 'Showing 10 October 2025');
    assert.equal(await page.locator('.tl-current').getAttribute('aria-live'), 'polite');
    assert.equal(await drawn(page, 'yellow_line_2025_10_10'), 1);
    await page.keyboard.press('PageUp');
    await idle(page, '2025-10-17');
    await page.keyboard.press('ArrowLeft');
    await idle(page, '2025-10-16');
    // Shift+Tab back to the controls: "next change" by keyboard.
    await page.locator('.tl-next').focus();
    await page.keyboard.press('Enter');
    await idle(page, '2025-10-17');
    await page.locator('.tl-prev').focus();
    await page.keyboard.press('Space');
    await idle(page, '2025-10-13');
    // Type a date.
    await page.locator('.tl-date').focus();
    await page.keyboard.type('10092025');
    await page.keyboard.press('Enter');
    await idle(page, '2025-10-09');
    assert.equal(await drawn(page, 'yellow_line_2025_10_10'), 0);
    assert.deepEqual(m.errors, []);
  } finally { await m.close(); }
});

test('feature properties are shown as text, never as HTML', async (t) => {
  const cols = await (await fetch(`${BASE}/collections`)).json();
  if (!cols.collections.some((c) => c.id === 'xss')) {
    if (process.env.STRATA_XSS === 'required') assert.fail('the xss test layer is missing');
    t.skip('no xss layer on this server (web/browser_test.go imports one)');
    return;
  }
  const m = await openMap(browser, '/#map=12/31.5/34.45&date=2025-10-20&layers=xss');
  try {
    const { page } = m;
    const marker = page.locator('[data-feature-id="xss_point"]');
    assert.equal(await marker.getAttribute('title'), '<img src=x onerror=alert(1)>');
    await marker.click();
    const popup = page.locator('.leaflet-popup .feature-popup');
    await popup.waitFor();
    assert.equal(await popup.locator('.fp-name').textContent(), '<img src=x onerror=alert(1)>');
    assert.match(await popup.locator('.fp-description').textContent(), /<script>alert\(3\)<\/script> & <b>not bold<\/b>/);
    assert.equal(await popup.locator('img, script, svg:not([aria-hidden]), b, i').count(), 0, 'no element made from data');
    assert.equal(await popup.locator('.fp-sources li').count(), 2);
    assert.equal(await popup.locator('.fp-sources a').count(), 1, 'the javascript: URL is not a link');
    assert.equal(await popup.locator('.fp-sources a').getAttribute('href'), 'https://example.org/a?b=%3Cc%3E');
    assert.match(await popup.locator('.fp-other').textContent(), /<a href="javascript:alert\(5\)">link<\/a>/);
    await page.waitForTimeout(400);
    assert.deepEqual(m.dialogs, [], 'no script ran');
    assert.deepEqual(m.errors, []);
    await shot(page, 'xss');
  } finally { await m.close(); }
});

test('a clear message shows when the server cannot be reached', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.route('**/collections', (r) => r.abort('connectionrefused'));
    await page.goto(BASE + '/');
    await page.locator('#banner').waitFor({ state: 'visible' });
    assert.match(await page.locator('#banner').innerText(), /cannot be reached/);
    await page.unroute('**/collections');
  } finally { await context.close(); }
});

test('screenshots at three dates, and on a phone', async () => {
  for (const date of ['2025-10-05', '2025-10-24', '2026-01-20']) {
    const m = await openMap(browser, `/#map=10/31.42/34.45&date=${date}`);
    try {
      await shot(m.page, `map-${date}`);
      assert.deepEqual(m.errors, []);
    } finally { await m.close(); }
  }
  // The basemap at the ends of the zoom range it must serve.
  for (const [name, view] of [['zoom-6', '6/30.6/33.8'], ['zoom-14', '14/31.5150/34.4300']]) {
    const z = await openMap(browser, `/#map=${view}&date=2025-10-24`);
    try { await shot(z.page, `basemap-${name}`); } finally { await z.close(); }
  }
  const m = await openMap(browser, '/#map=9/31.4/34.4&date=2025-10-24', { viewport: { width: 390, height: 800 }, hasTouch: true, isMobile: true });
  try {
    // Touch targets of at least 44 px in the timeline.
    for (const sel of ['.tl-play', '.tl-prev', '.tl-next', '.tl-date', '.layer-toggle']) {
      const box = await m.page.locator(sel).first().boundingBox();
      assert.ok(box && box.height >= 44 && box.width >= 44, `${sel}: ${JSON.stringify(box)}`);
    }
    await shot(m.page, 'phone');
  } finally { await m.close(); }
});
