// Browser tests of finding things (js/find/): the search box, the event
// list, the timeline's event marks and the compare mode, on a desktop
// (1280×800) and a phone (390×844), each checked with axe-core. Run
// against a live server at STRATA_URL (see web/browser_test.go).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openMap, idle, shot } from '../testlib/helpers.mjs';
import { axe } from '../testlib/axe.mjs';

const SCREENS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The open popup's feature name, once it has loaded. */
async function popupName(page) {
  const name = page.locator('.leaflet-popup .fp-name');
  await name.waitFor();
  return name.innerText();
}

for (const [screen, options] of Object.entries(SCREENS)) {
  test(`${screen}: "/" focuses the search box; the arrows and Enter open the Rafah crossing, Ctrl+K then the town`, async () => {
    const m = await openMap(browser, '/#map=11/31.52/34.45&date=2025-11-20', options);
    try {
      const { page } = m;
      const box = page.locator('#find-q');
      await page.locator('#map').focus();
      await page.keyboard.press('/');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'find-q', '"/" focuses the box');
      await page.keyboard.type('rafah');
      const options = page.locator('#find-results [role="option"]');
      await options.nth(1).waitFor();
      assert.equal(await box.getAttribute('aria-expanded'), 'true');
      const names = await page.locator('#find-results .find-name').allInnerTexts();
      assert.equal(names[0], 'Rafah', `results: ${names}`);
      assert.match(names[1], /^Rafah crossing/, `results: ${names}`);
      assert.match(await page.locator('.find-search [role="status"]').innerText(), /^\d+ results/);
      assert.deepEqual(await axe(page), [], 'axe: the results open');
      await shot(page, `find-search-${screen}`);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      assert.equal(await box.getAttribute('aria-activedescendant'), 'find-opt-1');
      assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
      await page.keyboard.press('Enter');
      assert.match(await popupName(page), /^Rafah crossing/);
      assert.equal(await box.getAttribute('aria-expanded'), 'false');
      await idle(page);
      // The map shows the crossing (34.2415 E, 31.2471 N), which was out
      // of the view (the popup may then move the map to fit in; a phone's
      // map is too small for both).
      // (Once the map has stopped moving: the popup's own pan may follow.)
      if (screen === 'desktop') {
        const inView = await page.waitForFunction(() => window.strata.map.getBounds().contains([31.2471, 34.2415]), null, { timeout: 5000 }).then(() => true, () => false);
        assert.ok(inView, 'the crossing in view');
      }
      assert.ok(await page.locator('[data-feature-id="rafah_crossing"].is-highlighted, [data-feature-id="rafah_crossing"] .is-highlighted').count() +
        await page.evaluate(() => window.strata.layers.get('crossings').highlighted.has('rafah_crossing')) > 0, 'highlighted');
      await shot(page, `find-opened-${screen}`);

      // Ctrl+K from anywhere, a typed query and Enter open the first result.
      await page.locator('.tl-play').focus();
      await page.keyboard.press('Control+k');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'find-q', 'Ctrl+K focuses the box');
      await page.keyboard.type('rafah');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('.leaflet-popup .fp-name')?.textContent === 'Rafah');
      // Escape closes, then clears.
      await box.focus();
      await page.keyboard.type(' gaza');
      await options.first().waitFor();
      await page.keyboard.press('Escape');
      assert.equal(await box.getAttribute('aria-expanded'), 'false');
      await page.keyboard.press('Escape');
      assert.equal(await box.inputValue(), '');
      // An event found moves the timeline to its day.
      await box.fill('herzog');
      await options.first().waitFor();
      await page.keyboard.press('Enter');
      await idle(page, '2026-02-18');
      assert.match(await popupName(page), /Herzog/);
      assert.deepEqual(m.errors, []);
    } finally { await m.close(); }
  });

  test(`${screen}: the event list shows every event in view and time, oldest first, and opens them`, async () => {
    // The range of issue 13: 21 events, many on the same spot.
    const m = await openMap(browser, '/#map=8/31.4/34.6&date=2025-10-10/2025-11-09', options);
    try {
      const { page } = m;
      await page.locator('.find-toggle-events').click();
      const items = page.locator('.find-event-list .find-event');
      await items.first().waitFor();
      // The events loaded for the range (the view and a margin), those
      // in the view, and those drawn: the list holds each in the view,
      // stacked ones too.
      const { loaded, inView } = await page.evaluate(() => {
        const b = window.strata.map.getBounds(), fs = window.strata.layers.get('events').features;
        return { loaded: fs.length, inView: fs.filter((f) => b.contains([f.geometry.coordinates[1], f.geometry.coordinates[0]])).length };
      });
      assert.ok(loaded >= 14 && inView >= 12, `${loaded} events loaded, ${inView} in view`);
      assert.equal(await items.count(), inView, 'every event in the view is listed');
      assert.match(await page.locator('.find-events .find-summary').innerText(), new RegExp(`^${inView} events in the map view`));
      assert.match(await page.locator('.find-toggle-events').innerText(), new RegExp(`\\(${inView}\\)`));
      const dates = await page.locator('.find-event-date').evaluateAll((ts) => ts.map((t) => t.dateTime));
      assert.deepEqual(dates, [...dates].sort(), 'oldest first');
      assert.match(dates[0], /^2025-10-10/);
      assert.deepEqual(await axe(page), [], 'axe: the event list');
      await shot(page, `find-events-${screen}`);
      // Zoomed in on Kiryat Gat, the list holds the 7 events there, drawn
      // on one spot.
      await page.evaluate(() => window.strata.map.setView([31.60611, 34.77167], 12, { animate: false }));
      await idle(page);
      await page.waitForFunction((n) => document.querySelectorAll('.find-event').length < n, inView);
      assert.equal(await items.count(), 7, 'the events at Kiryat Gat');
      // Choosing one opens it.
      const name = await items.first().locator('.find-event-name').innerText();
      await items.first().click();
      assert.equal(await popupName(page), name);
      assert.deepEqual(m.errors, []);
    } finally { await m.close(); }
  });

  test(`${screen}: hovering or focusing an event tick shows the events of its day`, async () => {
    const m = await openMap(browser, '/#map=9/31.4/34.4&date=2025-10-01', options);
    try {
      const { page } = m;
      const marks = page.locator('.tl-event-mark');
      await page.waitForFunction(() => document.querySelector('.tl-event-mark')?.getAttribute('aria-label')?.includes(':') &&
        !/\d+ events?$/.test(document.querySelector('.tl-event-mark').getAttribute('aria-label')));
      const days = await page.evaluate(() => new Set(window.strata.summary.events.map((e) => e.day)).size);
      assert.equal(await marks.count(), days, 'one mark per day with events');
      // Those in the timeline's span are shown (the others on zooming out).
      assert.ok(await page.locator('.tl-event-mark:not([hidden])').count() >= 20, 'marks shown');
      // Each mark sits on its tick.
      const off = await page.evaluate(() => {
        const s = window.strata.timeline.span ?? window.strata.timeline.summary, svg = window.strata.timeline.hist;
        const r = svg.getBoundingClientRect(), w = Number(svg.viewBox.baseVal.width);
        return [...document.querySelectorAll('.tl-event-mark:not([hidden])')].map((b) => {
          const m = b.getBoundingClientRect();
          return Math.abs(m.left + m.width / 2 - (r.left + (Number(b.dataset.day) - s.min) / w * r.width));
        });
      });
      assert.ok(Math.max(...off) < 1.5, `marks off their ticks by ${Math.max(...off)} px`);
      // Hover (a pointer nearest the mark): the tip names the day's event.
      const ceasefire = page.locator('.tl-event-mark[aria-label^="10 October 2025"]');
      const tip = page.locator('.tl-event-tip');
      if (screen === 'desktop') {
        const box = await ceasefire.boundingBox();
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await tip.waitFor();
        assert.match(await tip.innerText(), /10 October 2025[\s\S]*Ceasefire takes effect/);
        await shot(page, `find-tick-hover-${screen}`);
      }
      // Keyboard: one tab stop, the arrows move between days.
      assert.equal(await page.locator('.tl-event-mark[tabindex="0"]').count(), 1);
      await ceasefire.focus();
      await page.keyboard.press('ArrowRight');
      assert.match(await tip.innerText(), /11 October 2025[\s\S]*Cooper, Witkoff and Kushner/);
      assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), /^11 October 2025: Cooper/);
      assert.deepEqual(await axe(page), [], 'axe: a tick focused');
      await shot(page, `find-tick-focus-${screen}`);
      await page.keyboard.press('Enter');
      await idle(page, '2025-10-11');
      assert.match(await popupName(page), /Cooper, Witkoff and Kushner/);
      await page.keyboard.press('Escape');
      assert.deepEqual(m.errors, []);
    } finally { await m.close(); }
  });

  test(`${screen}: compare mode draws what changed between 9 and 11 October 2025, styled and listed, and keeps the URL`, async () => {
    const m = await openMap(browser, '/#map=10/31.42/34.38&date=2025-10-11&layers=lines,areas,events,crossings', options);
    try {
      const { page } = m;
      const before = new URLSearchParams(page.url().split('#')[1]);
      await page.locator('.find-toggle-compare').click();
      await page.locator('.cmp-from').fill('2025-10-09');
      await page.locator('.cmp-from').dispatchEvent('change');
      const list = page.locator('.cmp-list .cmp-item');
      await page.waitForFunction(() => /between 9 October 2025 and 11 October 2025/.test(document.querySelector('.find-compare .find-summary').textContent));
      const changes = Object.fromEntries(await list.evaluateAll((bs) => bs.map((b) => [b.dataset.featureId, b.dataset.change])));
      assert.equal(changes.yellow_line_2025_10_10, 'added');
      assert.equal(changes.israeli_held_area_phase1, 'added');
      assert.equal(changes.phase1_agreed_2025_10_09, 'removed');
      // Added solid, removed dashed: not by colour alone.
      const line = page.locator('path.cmp-added[data-feature-id="yellow_line_2025_10_10"]');
      assert.equal(await line.count(), 1);
      assert.equal(await line.getAttribute('stroke-dasharray'), null);
      const removed = page.locator('path.cmp-removed[data-feature-id="phase1_agreed_2025_10_09"]');
      assert.equal(await removed.count(), 1);
      assert.match(await removed.getAttribute('stroke-dasharray'), /\d+ \d+/);
      assert.equal(await page.locator('.cmp-legend li').count(), 3);
      // The URL names the dates; the view, date and layers stay.
      const during = new URLSearchParams(page.url().split('#')[1]);
      assert.equal(during.get('compare'), '2025-10-09/2025-10-11');
      for (const k of ['map', 'date', 'layers']) assert.equal(during.get(k), before.get(k), k);
      assert.deepEqual(await axe(page), [], 'axe: compare mode');
      await shot(page, `find-compare-${screen}`);
      // The list opens a change.
      await page.locator('.cmp-item[data-feature-id="yellow_line_2025_10_10"]').click();
      assert.match(await popupName(page), /^Yellow line/);
      // Leaving (Escape in the panel): the changes and compare= go, the
      // rest of the URL stays.
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('.find-toggle-compare').getAttribute('aria-expanded'), 'false');
      assert.equal(await page.evaluate(() => document.activeElement.className), 'find-toggle find-toggle-compare');
      assert.equal(await page.locator('.cmp-shape').count(), 0);
      const after = new URLSearchParams(page.url().split('#')[1]);
      assert.equal(after.get('compare'), null);
      for (const k of ['date', 'layers']) assert.equal(after.get(k), before.get(k), k);
      assert.deepEqual(m.errors, []);
    } finally { await m.close(); }
  });
}

test('a link with compare= opens the compare mode on those dates', async () => {
  const m = await openMap(browser, '/#map=10/31.42/34.38&date=2025-10-11&compare=2025-10-09/2025-10-11');
  try {
    const { page } = m;
    await page.locator('.cmp-item[data-feature-id="yellow_line_2025_10_10"]').waitFor();
    assert.equal(await page.locator('.find-toggle-compare').getAttribute('aria-expanded'), 'true');
    assert.equal(await page.locator('.cmp-from').inputValue(), '2025-10-09');
    assert.equal(await page.locator('.cmp-to').inputValue(), '2025-10-11');
    await idle(page);
    assert.match(page.url(), /compare=2025-10-09\/2025-10-11/);
    assert.deepEqual(m.errors, []);
  } finally { await m.close(); }
});
