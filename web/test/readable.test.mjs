// Browser tests of a map people can read (issue 13): place names as text
// without overlaps, the view centred where the address says, a chooser
// for points that share a spot, approximate halos that do not cover the
// map, a timeline fitted to the data, and a phone layout; on the explore
// map, in the presenter, in print and in the exported file with the
// network off. Each runs on a desktop (1280×800) and a phone (390×844).
// Run against a live server at STRATA_URL (web/browser_test.go).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, openMap, idle, shot, reportCSP, strata, BASE } from '../testlib/helpers.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const SIZES = [['desktop', DESKTOP], ['phone', PHONE]];
const TOWNS = ['Gaza City', 'Khan Yunis', 'Rafah', 'Deir al-Balah'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Runs axe-core on the page once transitions have ended; returns the violations. */
async function axe(page) {
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))));
  await page.evaluate(AXE);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * The place names shown on the map: their text and boxes on the screen,
 * and the boxes of the marker symbols (their SVG) drawn.
 * @param {import('playwright-core').Page} page
 */
function shownLabels(page) {
  return page.evaluate(() => {
    const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; };
    const labels = [...document.querySelectorAll('.strata-label')].filter((e) => !e.hidden && e.getClientRects().length).map((e) => ({ text: e.textContent, for: e.dataset.labelFor, ...box(e), style: getComputedStyle(e).textShadow }));
    const markers = [...document.querySelectorAll('.leaflet-marker-icon[data-feature-id]')].map((e) => ({ for: `${e.dataset.layer}/${e.dataset.featureId}`, ...box(e.querySelector('svg')) }));
    const map = box(document.querySelector('.leaflet-container'));
    const covers = [...document.querySelectorAll('.leaflet-control, [data-over-map]')].map(box).filter((b) => b.w && b.h);
    return { labels, markers, map, covers };
  });
}

const overlap = (a, b) => a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5;

/** Checks names: the towns shown, no two overlapping, none over a marker, a control or off the map. */
function checkLabels(got, want, where) {
  const texts = got.labels.map((l) => l.text);
  for (const t of want) assert.ok(texts.includes(t), `${where}: "${t}" is shown (shown: ${texts.join(', ')})`);
  for (let i = 0; i < got.labels.length; i++) {
    const a = got.labels[i];
    assert.match(a.style, /rgb\(255, 255, 255\)/, `${where}: "${a.text}" has a white halo`);
    assert.ok(a.x >= got.map.x && a.y >= got.map.y && a.x + a.w <= got.map.x + got.map.w && a.y + a.h <= got.map.y + got.map.h, `${where}: "${a.text}" is inside the map`);
    for (let j = i + 1; j < got.labels.length; j++) assert.ok(!overlap(a, got.labels[j]), `${where}: "${a.text}" overlaps "${got.labels[j].text}"`);
    for (const m of got.markers) if (m.for !== a.for) assert.ok(!overlap(a, m), `${where}: "${a.text}" covers the marker of ${m.for}`);
    for (const c of got.covers) assert.ok(!overlap(a, c), `${where}: "${a.text}" lies under a control or panel`);
  }
}

for (const [name, size] of SIZES) {
  test(`${name}: town names are text on the map at the default view, without overlaps, and axe passes`, async () => {
    const m = await openMap(browser, '/', size);
    try {
      const { page } = m;
      await page.waitForFunction(() => document.querySelectorAll('.strata-label:not([hidden])').length >= 4);
      checkLabels(await shownLabels(page), TOWNS, name);
      await shot(page, `readable-labels-${name}`);
      // Zooming in names more places; zooming out leaves the most important.
      await page.evaluate(() => window.strata.map.setZoom(7, { animate: false }));
      await idle(page);
      await page.waitForTimeout(100);
      const out = await shownLabels(page);
      checkLabels(out, [], `${name} zoom 7`);
      assert.ok(out.labels.length >= 1 && out.labels.length < 12, `${name}: zoom 7 thins the names (${out.labels.length})`);
      await shot(page, `readable-labels-z7-${name}`);
      assert.deepEqual(await axe(page), []);
      assert.deepEqual(m.errors, []);
    } finally { await m.close(); }
  });

  test(`${name}: #map=12/31.34444/34.30306 puts Khan Yunis at the visible centre, also after the layout changes`, async () => {
    const m = await openMap(browser, '/#map=12/31.34444/34.30306', size);
    try {
      const { page } = m;
      const centre = () => page.evaluate(() => {
        const map = window.strata.map, r = map.getContainer().getBoundingClientRect();
        const top = Math.max(0, r.top), bottom = Math.min(innerHeight, r.bottom);
        const p = map.latLngToContainerPoint([31.34444, 34.30306]);
        return { dx: r.left + p.x - (r.left + r.right) / 2, dy: r.top + p.y - (top + bottom) / 2, size: map.getSize(), box: [r.width, bottom - top] };
      });
      let c = await centre();
      assert.deepEqual([c.size.x, c.size.y], c.box.map(Math.round), `${name}: Leaflet measures the map as it shows`);
      assert.ok(Math.abs(c.dx) <= 2 && Math.abs(c.dy) <= 2, `${name}: Khan Yunis is ${c.dx}, ${c.dy} px from the centre`);
      // A notice above the map takes height from it: the centre stays.
      await page.evaluate(() => { const b = document.getElementById('banner'); b.hidden = false; b.textContent = 'A notice that takes some of the map\'s height.'; });
      await page.waitForFunction(() => window.strata.map.getSize().y === window.strata.map.getContainer().clientHeight);
      c = await centre();
      assert.ok(Math.abs(c.dx) <= 2 && Math.abs(c.dy) <= 2, `${name}: after the layout changed, Khan Yunis is ${c.dx}, ${c.dy} px from the centre`);
      assert.deepEqual(m.errors, []);
    } finally { await m.close(); }
  });

  test(`${name}: the CMCC point on 2025-11-20 opens a chooser between the facility and the events there`, async () => {
    const m = await openMap(browser, '/#map=11/31.6/34.75&date=2025-11-20', size);
    try {
      const { page } = m;
      // What is on top at the CMCC's place, as a user sees and clicks it.
      await page.locator('[data-feature-id="cmcc_kiryat_gat"]').waitFor();
      const at = await page.evaluate(() => {
        const r = document.querySelector('[data-feature-id="cmcc_kiryat_gat"] svg').getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        return { x, y, id: document.elementFromPoint(x, y)?.closest('.leaflet-marker-icon')?.dataset.featureId };
      });
      const top = page.locator(`.leaflet-marker-icon[data-feature-id="${at.id}"]`);
      const n = Number(await top.getAttribute('data-stack'));
      assert.ok(n >= 3, `a count badge on ${at.id} (${n})`);
      assert.equal(await top.locator('.strata-stack-badge').innerText(), String(n));
      await page.mouse.click(at.x, at.y);
      const list = page.locator('.leaflet-popup .stack-chooser');
      await list.waitFor();
      const items = await list.locator('.stack-item').evaluateAll((bs) => bs.map((b) => b.dataset.featureRef));
      assert.equal(items.length, n);
      assert.ok(items.includes('facilities/cmcc_kiryat_gat'), `the facility is listed: ${items}`);
      assert.ok(items.some((i) => i.startsWith('events/')), `the events are listed: ${items}`);
      await page.waitForTimeout(300);
      await shot(page, `readable-chooser-${name}`);
      assert.deepEqual(await axe(page), []);
      await list.locator('.stack-item[data-feature-ref="facilities/cmcc_kiryat_gat"]').click();
      const popup = page.locator('.leaflet-popup .feature-popup');
      await popup.waitFor();
      assert.match(await popup.locator('.fp-name').innerText(), /Civil-Military Coordination Center/);
      await insideScreen(page, name);
      await page.locator('.leaflet-popup .stack-back').click();
      await list.waitFor();
      await page.locator('.leaflet-popup .stack-item', { hasText: 'Media visits' }).click();
      await popup.waitFor();
      assert.match(await popup.locator('.fp-name').innerText(), /Media visits/);
      assert.deepEqual(m.errors, []);
    } finally { await m.close(); }
  });

  test(`${name}: approximate halos never cover the area of interest`, async () => {
    for (const z of [10, 12]) {
      const m = await openMap(browser, `/#map=${z}/31.42/34.38&date=2025-11-20`, size);
      try {
        const { page } = m;
        const halos = await page.evaluate(() => [...document.querySelectorAll('path[data-part="band"].is-approximate')].map((p) => {
          const r = p.getBoundingClientRect();
          return { layer: p.dataset.layer, w: r.width, cx: Math.round(r.left + r.width / 2), cy: Math.round(r.top + r.height / 2), fill: p.getAttribute('fill') === 'none' ? 0 : Number(p.getAttribute('fill-opacity')), circle: p.getAttribute('stroke-dasharray') === '4 4', stroke: Number(p.getAttribute('stroke-opacity')), sw: Number(p.getAttribute('stroke-width')) };
        }));
        const circles = halos.filter((h) => h.circle);
        assert.ok(circles.length >= 1, `zoom ${z}: halos are drawn`);
        for (const h of circles) {
          if (h.w > 120) assert.ok(h.fill === 0 || h.fill === null, `zoom ${z}: a ${Math.round(h.w)} px halo of ${h.layer} is not filled (${h.fill})`);
          if (h.w > 300) assert.ok(h.stroke <= 0.6, `zoom ${z}: a ${Math.round(h.w)} px halo of ${h.layer} is faint (${h.stroke})`);
        }
        // One halo per place and layer: the events at one spot share it.
        const seen = new Set();
        for (const h of circles) {
          const k = `${h.layer}|${h.cx}|${h.cy}|${Math.round(h.w)}`;
          assert.ok(!seen.has(k), `zoom ${z}: halos stacked at ${k}`);
          seen.add(k);
        }
        // Bands grow fainter as they grow wider.
        for (const h of halos.filter((x) => !x.circle && x.sw > 40)) assert.ok(h.stroke < 0.16, `zoom ${z}: a ${h.sw} px band of ${h.layer} is fainter (${h.stroke})`);
        await shot(page, `readable-halos-z${z}-${name}`);
      } finally { await m.close(); }
    }
  });

  test(`${name}: the timeline fits where the data changes, and reaches the rest`, async () => {
    const m = await openMap(browser, '/', size);
    try {
      const { page } = m;
      const span = () => page.evaluate(() => {
        const t = window.strata.timeline, f = (d) => new Date(d * 864e5).toISOString().slice(0, 10);
        return { min: f(t.span.min), max: f(t.span.max), dataMin: f(t.summary.min) };
      });
      let s = await span();
      assert.ok(s.dataMin < '2025-01-01', `the data starts in ${s.dataMin}`);
      assert.ok(s.min >= '2025-09-01' && s.min <= '2025-09-29', `the timeline starts at ${s.min}, near the first change`);
      // Month labels keep apart.
      const pips = await page.locator('.tl-slider .noUi-value').evaluateAll((es) => es.map((e) => { const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height, t: e.textContent }; }));
      assert.ok(pips.length >= 3, `month labels: ${pips.map((p) => p.t)}`);
      for (let i = 1; i < pips.length; i++) assert.ok(pips[i].x >= pips[i - 1].x + pips[i - 1].w + 4, `"${pips[i - 1].t}" and "${pips[i].t}" collide`);
      // The rest is reachable: All dates, and a date typed outside.
      await page.locator('.tl-span').click();
      s = await span();
      assert.equal(s.min, s.dataMin, 'All dates shows the whole extent');
      await page.locator('.tl-span').click();
      s = await span();
      assert.ok(s.min >= '2025-09-01', 'Fit to data fits again');
      await page.locator('.tl-date').fill('2024-06-01');
      await page.locator('.tl-date').press('Enter');
      await idle(page, '2024-06-01');
      s = await span();
      assert.ok(s.min <= '2024-06-01', `a date before the window widens it (${s.min})`);
      // The wheel over the timeline zooms it.
      const before = await page.evaluate(() => window.strata.timeline.span.max - window.strata.timeline.span.min);
      await page.locator('.tl-hist').hover();
      await page.mouse.wheel(0, -300);
      await page.waitForFunction((b) => window.strata.timeline.span.max - window.strata.timeline.span.min < b, before);
      assert.deepEqual(m.errors, []);
    } finally { await m.close(); }
  });
}

/** Checks that the open popup lies inside the screen. */
async function insideScreen(page, where) {
  const r = await page.locator('.leaflet-popup').evaluate((e) => { const b = e.getBoundingClientRect(); return { l: b.left, r: b.right, t: b.top, b: b.bottom, w: innerWidth, h: innerHeight }; });
  assert.ok(r.l >= 0 && r.r <= r.w && r.t >= 0 && r.b <= r.h, `${where}: the popup ${JSON.stringify(r)} is inside the screen`);
}

test('phone: popups fit and lead with a summary, credits fold, the briefing menu is on screen, the timeline takes at most a quarter', async () => {
  const m = await openMap(browser, '/#map=11/31.6/34.75&date=2025-11-20&layers=facilities', PHONE);
  try {
    const { page } = m;
    const tl = await page.locator('#timeline').boundingBox();
    assert.ok(tl.height <= 844 / 4, `the timeline is ${tl.height} px tall`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'nothing wider than the screen');
    // Credits: folded behind a button.
    const credits = page.locator('.leaflet-control-attribution');
    assert.equal(await credits.isVisible(), false, 'credits folded');
    await page.locator('.credits-toggle').click();
    assert.equal(await credits.isVisible(), true, 'credits shown on demand');
    assert.equal(await page.locator('.credits-toggle').getAttribute('aria-expanded'), 'true');
    await page.locator('.credits-toggle').click();
    // The CMCC popup: a summary first, the long parts folded.
    await page.locator('[data-feature-id="cmcc_kiryat_gat"]').click();
    const popup = page.locator('.leaflet-popup .feature-popup');
    await popup.waitFor();
    await page.waitForTimeout(400);
    await insideScreen(page, 'phone');
    const first = await popup.evaluate((e) => [...e.children].slice(0, 3).map((c) => c.className));
    assert.deepEqual(first, ['fp-name', 'fp-kind', 'fp-summary']);
    assert.match(await popup.locator('.fp-summary').innerText(), /17 October 2025 – still valid · ± 3 km \(approximate\)/);
    const total = await popup.evaluate((e) => e.textContent.length);
    const shown = (await popup.innerText()).length;
    assert.ok(shown < total / 2 && shown < 2500, `the popup shows ${shown} of ${total} characters at first`);
    assert.equal(await popup.locator('ol.fp-sources').first().locator('li').count(), 3, 'three sources, the rest folded');
    await popup.locator('.fp-sources-more summary').click();
    assert.ok(await popup.locator('.fp-sources-more li').first().isVisible(), 'the other sources unfold');
    await shot(page, 'readable-popup-phone');
    assert.deepEqual(await axe(page), []);
    await page.evaluate(() => window.strata.map.closePopup());
    // The briefing menu opens on screen.
    await page.locator('.app-briefings-menu summary').click();
    const menu = await page.locator('.app-briefings-menu ul').boundingBox();
    assert.ok(menu.x >= 0 && menu.x + menu.width <= 390, `the menu (${menu.x}–${menu.x + menu.width}) is on screen`);
    await shot(page, 'readable-menu-phone');
    assert.deepEqual(m.errors, []);
  } finally { await m.close(); }
});

/**
 * Opens the presenter (online or a file with the network off) and waits
 * for its step.
 */
async function presenter(url, size, offline = false) {
  const context = await browser.newContext({ ...size, reducedMotion: 'reduce' });
  await reportCSP(context);
  if (offline) await context.route('**', (r) => (r.request().url().startsWith('file:') ? r.continue() : r.abort()));
  const page = await context.newPage();
  const errors = [];
  page.on('console', (x) => { if (x.type() === 'error') errors.push(x.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await step(page);
  return { page, errors, close: () => context.close() };
}

async function step(page, n) {
  await page.waitForFunction((k) => { const p = window.strata?.presenter; return p && (k === undefined || p.index === k - 1) && !p.busy(); }, n, { timeout: 15000 });
  await page.waitForFunction(() => document.querySelectorAll('.strata-label:not([hidden])').length > 0);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

for (const [name, size] of SIZES) {
  test(`${name}: the presenter names the towns clear of its panel, draws the emphasised on top, and axe passes`, async () => {
    const v = await presenter(`${BASE}/present.html#briefing=cmcc-ceasefire&step=1`, size);
    try {
      const { page } = v;
      checkLabels(await shownLabels(page), TOWNS, `${name} presenter`);
      await shot(page, `readable-present-${name}`);
      assert.deepEqual(await axe(page), []);
      // Step 10 emphasises the Zikim crossing: it is named, and what is
      // on top at its place is emphasised.
      await page.goto(`${BASE}/present.html#briefing=cmcc-ceasefire&step=10`);
      await step(page, 10);
      const got = await shownLabels(page);
      checkLabels(got, ['Zikim crossing'], `${name} presenter step 10`);
      const onTop = await page.evaluate(() => {
        const m = document.querySelector('[data-feature-id="zikim_crossing"] svg').getBoundingClientRect();
        return document.elementFromPoint(m.left + m.width / 2, m.top + m.height / 2)?.closest('.leaflet-marker-icon')?.classList.contains('is-highlighted');
      });
      assert.equal(onTop, true, 'an emphasised marker is on top at the crossing');
      assert.deepEqual(v.errors, []);
    } finally { await v.close(); }
  });
}

test('print names the places and draws halos by the same rule', async () => {
  const v = await presenter(`${BASE}/present.html#briefing=cmcc-ceasefire&step=1`, DESKTOP);
  try {
    const { page } = v;
    await page.evaluate(() => window.strata.presenter.print.prepare());
    const first = page.locator('.print-page').first();
    const texts = await first.locator('text.print-label').allTextContents();
    for (const t of TOWNS) assert.ok(texts.includes(t), `print names ${t} (${texts.join(', ')})`);
    await page.emulateMedia({ media: 'print' });
    const boxes = await first.locator('text.print-label').evaluateAll((ts) => ts.map((t) => { const b = t.getBBox(); return { x: b.x, y: b.y, w: b.width, h: b.height, t: t.textContent }; }));
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) assert.ok(!overlap(boxes[i], boxes[j]), `print: "${boxes[i].t}" overlaps "${boxes[j].t}"`);
    // The 20 km halo of step 1's event is an outline, not a filled disc.
    const halos = await first.locator('circle[stroke-dasharray]').evaluateAll((cs) => cs.map((c) => ({ r: Number(c.getAttribute('r')), fill: Number(c.getAttribute('fill-opacity')) })));
    assert.ok(halos.length >= 1, 'a halo');
    for (const h of halos) if (h.r > 60) assert.equal(h.fill, 0, `a ${h.r} px halo is not filled`);
    assert.deepEqual(v.errors, []);
  } finally { await v.close(); }
});

test('the exported briefing names the towns with the network off, desktop and phone', async (t) => {
  if (!process.env.STRATA_BIN || !process.env.STRATA_DB) {
    t.skip('STRATA_BIN and STRATA_DB are not set (web/browser_test.go sets them)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'strata-labels-'));
  try {
    const file = join(dir, 'briefing.html');
    writeFileSync(file, await strata('export-briefing', '-db', process.env.STRATA_DB, 'cmcc-ceasefire'));
    for (const [name, size] of SIZES) {
      const v = await presenter(`${pathToFileURL(file).href}#briefing=cmcc-ceasefire&step=1`, size, true);
      try {
        checkLabels(await shownLabels(v.page), TOWNS, `${name} export`);
        await shot(v.page, `readable-export-${name}`);
        assert.deepEqual(v.errors, []);
      } finally { await v.close(); }
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
