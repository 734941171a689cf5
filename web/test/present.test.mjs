// Browser tests of presenting a briefing: the presenter view's keys, URLs
// and history, the speaker window in both directions, printing, the
// explore map's briefing list and "Copy as step", and the exported file
// with the network off. Run against a live server at STRATA_URL; the
// export test needs STRATA_BIN and STRATA_DB (web/browser_test.go sets
// them) and skips without them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, shot, foreign, reportCSP, strata, BASE } from '../testlib/helpers.mjs';

const ID = 'cmcc-ceasefire';

let browser, briefing;
before(async () => {
  browser = await launch();
  const res = await fetch(`${BASE}/briefings/${ID}`);
  assert.equal(res.status, 200);
  briefing = await res.json();
  assert.ok(briefing.steps.length >= 12, 'the seed briefing has its steps');
});
after(async () => { await browser?.close(); });

/**
 * Records console errors, page errors, failed responses and requests.
 * @param {import('playwright-core').Page} page
 */
function watch(page) {
  const w = { errors: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error') w.errors.push(m.text()); });
  page.on('pageerror', (e) => w.errors.push(String(e)));
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('response', (r) => { if (r.status() >= 400) w.errors.push(`${r.status()} ${r.url()}`); });
  return w;
}

/**
 * Opens a presenter view and waits until its step is shown and loaded.
 * @param {string} url absolute URL
 * @param {object} [contextOptions]
 */
async function openPresenter(url, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce', ...contextOptions });
  await reportCSP(context);
  if (contextOptions.offline) await context.route('**', (r) => (r.request().url().startsWith('file:') ? r.continue() : r.abort()));
  const page = await context.newPage();
  const w = watch(page);
  await page.goto(url);
  await page.waitForFunction(() => window.strata?.presenter, null, { timeout: 15000 });
  await settled(page);
  return { context, page, ...w, close: () => context.close() };
}

/**
 * Waits until the presenter shows step n (from 1), if given, with the map
 * still and every shown layer loaded.
 * @param {import('playwright-core').Page} page
 * @param {number} [n]
 */
async function settled(page, n) {
  await page.waitForFunction((k) => {
    const p = window.strata?.presenter;
    return p && (k === undefined || p.index === k - 1) && !p.busy();
  }, n, { timeout: 15000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** What the presenter shows: step, URL, date and the layers on the map. */
function state(page) {
  return page.evaluate(() => {
    const p = window.strata.presenter;
    return {
      step: p.index + 1,
      hash: location.hash,
      date: document.querySelector('.pr-date time')?.getAttribute('datetime'),
      title: document.querySelector('.pr-title')?.textContent,
      counter: document.querySelector('.pr-counter')?.textContent,
      visible: [...p.layers.values()].filter((l) => l.visible).map((l) => l.id).sort(),
      drawn: [...new Set([...document.querySelectorAll('[data-part="main"][data-layer]')].map((e) => e.getAttribute('data-layer')))].sort(),
      legend: [...document.querySelectorAll('.pr-legend-list [data-layer]')].map((e) => e.dataset.layer).sort(),
    };
  });
}

/**
 * Checks the view shows step n as the briefing says.
 * @param {import('playwright-core').Page} page
 * @param {number} n from 1
 * @param {string[]} [requests] requests seen, to check the layers' datetime
 */
async function expectStep(page, n, requests) {
  await settled(page, n);
  const s = briefing.steps[n - 1];
  const st = await state(page);
  assert.equal(st.step, n);
  assert.equal(st.hash, `#briefing=${ID}&step=${n}`);
  assert.equal(st.date, s.date, `step ${n} date`);
  assert.equal(st.title, s.title);
  assert.equal(st.counter, `Step ${n} of ${briefing.steps.length}`);
  assert.deepEqual(st.visible, [...s.layers].sort(), `step ${n} layers`);
  assert.deepEqual(st.legend, [...s.layers].sort(), `step ${n} legend`);
  for (const l of st.drawn) assert.ok(s.layers.includes(l), `step ${n}: layer ${l} is drawn but not in the step`);
  if (requests) {
    for (const l of s.layers) {
      const q = `/collections/${l}/items?datetime=${encodeURIComponent(s.date)}`;
      assert.ok(requests.some((u) => u.includes(q)), `step ${n}: ${l} was loaded with datetime=${s.date}`);
    }
  }
}

test('each key moves to the expected step; the URL, date and layers follow', async () => {
  const v = await openPresenter(`${BASE}/present.html#briefing=${ID}&step=1`);
  try {
    const { page } = v;
    await expectStep(page, 1, v.requests);
    const startLength = await page.evaluate(() => history.length);
    // A focused marker would take arrows for itself: the presenter gets them first.
    await page.locator('.leaflet-marker-icon').first().focus();
    const moves = [
      ['ArrowRight', 2], ['ArrowDown', 3], ['Space', 4], ['PageDown', 5], ['n', 6], ['N', 7],
      ['ArrowLeft', 6], ['ArrowUp', 5], ['PageUp', 4], ['p', 3], ['P', 2], ['Shift+Space', 1],
    ];
    for (const [key, n] of moves) {
      await page.keyboard.press(key);
      await expectStep(page, n, v.requests);
    }
    // One history entry per step shown.
    assert.equal(await page.evaluate(() => history.length), startLength + moves.length);
    // The first step stays first.
    await page.keyboard.press('ArrowLeft');
    await expectStep(page, 1);
    // The highlighted feature stands out.
    assert.ok(await page.locator('[data-feature-id="plan_2025_09_29"].is-highlighted').count() >= 1, 'step 1 highlight');
    assert.deepEqual(v.errors, []);
    assert.deepEqual(foreign(v.requests), []);
  } finally { await v.close(); }
});

test('Home, End and a number then Enter jump', async () => {
  const v = await openPresenter(`${BASE}/present.html#briefing=${ID}&step=4`);
  try {
    const { page } = v;
    const last = briefing.steps.length;
    await page.keyboard.press('End');
    await expectStep(page, last);
    await page.keyboard.press('Home');
    await expectStep(page, 1);
    await page.keyboard.press('1');
    await page.keyboard.press('2');
    assert.match(await page.locator('.pr-jump').innerText(), /12/);
    await page.keyboard.press('Enter');
    await expectStep(page, 12, v.requests);
    assert.ok(await page.locator('.pr-jump').isHidden());
    // A number past the end says so and stays.
    await page.keyboard.press('9');
    await page.keyboard.press('9');
    await page.keyboard.press('Enter');
    await expectStep(page, 12);
    assert.match(await page.locator('.pr-toast').innerText(), /no step 99/);
    // The progress segments jump too.
    await page.locator('.pr-progress li').nth(6).locator('button').click();
    await expectStep(page, 7);
    assert.deepEqual(v.errors, []);
  } finally { await v.close(); }
});

test('Back and Forward move between steps', async () => {
  const v = await openPresenter(`${BASE}/present.html#briefing=${ID}&step=2`);
  try {
    const { page } = v;
    await page.keyboard.press('ArrowRight');
    await expectStep(page, 3);
    await page.keyboard.press('ArrowRight');
    await expectStep(page, 4);
    await page.goBack();
    await expectStep(page, 3);
    await page.goBack();
    await expectStep(page, 2);
    await page.goForward();
    await expectStep(page, 3);
    assert.deepEqual(v.errors, []);
  } finally { await v.close(); }
});

test('a deep link opens its step, by number or by id, and flies between views', async () => {
  const n = briefing.steps.findIndex((s) => s.id === 'ceasefire') + 1;
  assert.ok(n > 0);
  const v = await openPresenter(`${BASE}/present.html#briefing=${ID}&step=ceasefire`, { reducedMotion: 'no-preference' });
  try {
    const { page } = v;
    await expectStep(page, n, v.requests);
    // The yellow line is on the map from the ceasefire, highlighted.
    assert.equal(await page.locator('[data-feature-id="yellow_line_2025_10_10"].is-highlighted').count(), 1);
    assert.match(await page.title(), /Ceasefire/);
    // The view is the step's: the map's centre lies in its bounds.
    const inView = await page.evaluate(() => {
      const p = window.strata.presenter, b = p.steps[p.index].view.bounds, c = p.map.getBounds();
      return c.contains([b[1], b[0]]) && c.contains([b[3], b[2]]);
    });
    assert.ok(inView, 'the step\'s bounds are in view');
    // Without reduced motion the map flies to the next view.
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => window.strata.presenter.moving);
    await expectStep(page, n + 1);
    await shot(page, 'present-step-sharm');
    assert.deepEqual(v.errors, []);
  } finally { await v.close(); }
  const w = await openPresenter(`${BASE}/present.html#briefing=${ID}&step=5`);
  try {
    await expectStep(w.page, 5);
    assert.equal(await w.page.locator('[data-feature-id="cmcc_kiryat_gat"].is-highlighted').count(), 1);
  } finally { await w.close(); }
});

test('B blanks, O shows the overview, A plays and pauses', async () => {
  const v = await openPresenter(`${BASE}/present.html#briefing=${ID}&step=3`);
  try {
    const { page } = v;
    await page.keyboard.press('b');
    assert.ok(await page.locator('.pr-blank').isVisible());
    // Any key brings the screen back without moving.
    await page.keyboard.press('ArrowRight');
    assert.ok(await page.locator('.pr-blank').isHidden());
    await expectStep(page, 3);
    await page.keyboard.press('.');
    assert.ok(await page.locator('.pr-blank').isVisible());
    await page.keyboard.press('.');
    assert.ok(await page.locator('.pr-blank').isHidden());

    await page.keyboard.press('o');
    assert.ok(await page.locator('.pr-overview').isVisible());
    assert.equal(await page.locator('.pr-ov-item').count(), briefing.steps.length);
    assert.equal(await page.locator('.pr-ov-item[aria-current="step"]').innerText().then((t) => t.includes(briefing.steps[2].title)), true);
    await shot(page, 'present-overview');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    assert.ok(await page.locator('.pr-overview').isHidden());
    await expectStep(page, 4);
    await page.keyboard.press('Escape');
    assert.ok(await page.locator('.pr-overview').isVisible());
    await page.locator('.pr-ov-item').nth(7).click();
    await expectStep(page, 8);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    assert.ok(await page.locator('.pr-overview').isHidden());

    // Autoplay with short holds, then pause.
    await page.evaluate(() => { for (const s of window.strata.presenter.steps) s.hold_seconds = 0.4; });
    await page.keyboard.press('a');
    assert.equal(await page.locator('.pr-play').getAttribute('aria-pressed'), 'true');
    await page.waitForFunction(() => window.strata.presenter.index >= 9, null, { timeout: 10000 });
    await page.keyboard.press('A');
    assert.equal(await page.locator('.pr-play').getAttribute('aria-pressed'), 'false');
    const at = await page.evaluate(() => window.strata.presenter.index);
    await page.waitForTimeout(1000);
    assert.equal(await page.evaluate(() => window.strata.presenter.index), at, 'paused');
    await expectStep(page, at + 1);
    assert.deepEqual(v.errors, []);
  } finally { await v.close(); }
});

test('the speaker window follows the presenter view and drives it back', async () => {
  const v = await openPresenter(`${BASE}/present.html#briefing=${ID}&step=2`);
  try {
    const { page, context } = v;
    const [sp] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('s')]);
    const sw = watch(sp);
    await sp.waitForFunction(() => window.strata?.speaker?.connected, null, { timeout: 15000 });
    assert.match(sp.url(), /speaker\.html#briefing=cmcc-ceasefire&step=2$/);
    const shown = () => sp.evaluate(() => ({
      step: document.querySelector('.speaker').dataset.step,
      title: document.querySelector('.sp-title').textContent,
      next: document.querySelector('.sp-next-title')?.textContent,
      notes: document.querySelector('.sp-notes-text').textContent,
      sources: document.querySelectorAll('.sp-sources li').length,
      clock: document.querySelector('.sp-clock').textContent,
      elapsed: document.querySelector('.sp-elapsed').textContent,
    }));
    let s = await shown();
    assert.equal(s.step, '2');
    assert.equal(s.title, briefing.steps[1].title);
    assert.equal(s.next, briefing.steps[2].title);
    assert.ok(s.notes.includes(briefing.steps[1].notes.slice(0, 30)));
    assert.equal(s.sources, briefing.steps[1].sources.length);
    assert.match(s.clock, /^\d\d:\d\d:\d\d$/);
    assert.match(s.elapsed, /^\d\d:\d\d$/);

    // The presenter moves; the speaker follows.
    await page.bringToFront();
    await page.keyboard.press('ArrowRight');
    await expectStep(page, 3);
    await sp.waitForFunction(() => document.querySelector('.speaker').dataset.step === '3');
    s = await shown();
    assert.equal(s.title, briefing.steps[2].title);
    assert.equal(s.next, briefing.steps[3].title);

    // The speaker moves; the presenter follows, URL and all.
    await sp.bringToFront();
    await sp.keyboard.press('ArrowRight');
    await expectStep(page, 4);
    await sp.locator('.sp-next-btn').click();
    await expectStep(page, 5);
    await sp.locator('.sp-prev').click();
    await expectStep(page, 4);
    await sp.keyboard.press('End');
    await expectStep(page, briefing.steps.length);
    assert.equal(await sp.locator('.sp-next-title').innerText(), 'End of the briefing.');
    await sp.keyboard.press('Home');
    await expectStep(page, 1);
    // Blank from the speaker window.
    await sp.locator('.sp-blank').click();
    await page.waitForFunction(() => document.querySelector('.pr-blank') && !document.querySelector('.pr-blank').hidden);
    await sp.waitForFunction(() => document.querySelector('.sp-blank').getAttribute('aria-pressed') === 'true');
    await sp.locator('.sp-blank').click();
    await page.waitForFunction(() => document.querySelector('.pr-blank').hidden);
    await sp.keyboard.press('ArrowRight');
    await expectStep(page, 2);
    await sp.waitForFunction(() => document.querySelector('.speaker').dataset.step === '2');
    await sp.setViewportSize({ width: 1100, height: 760 });
    await shot(sp, 'speaker');
    assert.deepEqual(sw.errors, []);
    assert.deepEqual(v.errors, []);
  } finally { await v.close(); }
});

test('printing gives one page per step with its map and caption', async () => {
  const v = await openPresenter(`${BASE}/present.html#briefing=${ID}&step=1`);
  try {
    const { page } = v;
    await page.evaluate(() => window.strata.presenter.print.prepare());
    const pages = page.locator('.print-page');
    assert.equal(await pages.count(), briefing.steps.length);
    for (const [i, s] of briefing.steps.entries()) {
      const p = pages.nth(i);
      assert.equal(await p.locator('.print-title').textContent(), s.title);
      assert.ok((await p.locator('.print-para').first().textContent()).length > 20, `page ${i + 1} caption`);
      assert.ok(await p.locator('svg path').count() > 3, `page ${i + 1} map`);
    }
    // The yellow line is drawn on the ceasefire page.
    const n = briefing.steps.findIndex((s) => s.id === 'ceasefire');
    assert.ok(await pages.nth(n).locator('path[stroke-width="9"]').count() >= 1, 'highlighted line outlined');
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    const count = (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) || []).length;
    assert.equal(count, briefing.steps.length, 'PDF pages');
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.evaluate(() => document.querySelectorAll('.print-page')[2].scrollIntoView());
    await shot(page, 'present-print');
    assert.deepEqual(v.errors, []);
  } finally { await v.close(); }
});

test('the map page lists the briefings and copies its state as a step', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await reportCSP(context);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  const page = await context.newPage();
  const w = watch(page);
  try {
    await page.goto(`${BASE}/#map=10/31.42/34.38&date=2025-10-10&layers=lines,towns`);
    await page.evaluate(() => window.strata.ready);
    const link = page.locator('#briefings a');
    await page.locator('#briefings summary').click();
    assert.equal(await link.count(), 1);
    assert.equal(await link.textContent(), briefing.title);
    assert.equal(await link.getAttribute('href'), `present.html#briefing=${ID}`);
    await page.locator('#copy-step').click();
    await page.waitForFunction(() => document.getElementById('copy-step-status').textContent.includes('copied'));
    const step = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    assert.equal(step.date, '2025-10-10');
    assert.deepEqual([...step.layers].sort(), ['lines', 'towns']);
    const [w0, s0, e0, n0] = step.view.bounds;
    assert.ok(w0 < 34.38 && e0 > 34.38 && s0 < 31.42 && n0 > 31.42, `bounds ${step.view.bounds}`);
    for (const k of ['id', 'title', 'caption', 'sources', 'highlight']) assert.ok(k in step, k);
    // The link opens the presenter view.
    await link.click();
    await page.waitForFunction(() => window.strata?.presenter);
    await settled(page, 1);
    assert.deepEqual(w.errors, []);
  } finally { await context.close(); }
});

test('screenshots of the presenter view', async () => {
  const v = await openPresenter(`${BASE}/present.html#briefing=${ID}&step=cmcc-opens`);
  try {
    await shot(v.page, 'present-cmcc-opens');
    await v.page.keyboard.press('Home');
    await settled(v.page, 1);
    await v.page.keyboard.press('3');
    await v.page.keyboard.press('Enter');
    await settled(v.page, 3);
    await shot(v.page, 'present-ceasefire');
    assert.deepEqual(v.errors, []);
  } finally { await v.close(); }
  const phone = await openPresenter(`${BASE}/present.html#briefing=${ID}&step=3`, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  try {
    await shot(phone.page, 'present-phone');
    assert.deepEqual(phone.errors, []);
  } finally { await phone.close(); }
});

test('the exported file presents every step with the network off', async (t) => {
  if (!process.env.STRATA_BIN || !process.env.STRATA_DB) {
    t.skip('STRATA_BIN and STRATA_DB are not set (web/browser_test.go sets them)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'strata-export-'));
  try {
    const html = await strata('export-briefing', '-db', process.env.STRATA_DB, ID);
    const file = join(dir, 'briefing.html');
    writeFileSync(file, html);
    await assert.rejects(strata('export-briefing', '-db', process.env.STRATA_DB, 'nope'), /does not exist/);

    const url = pathToFileURL(file).href;
    const v = await openPresenter(url, { offline: true });
    try {
      const { page, context } = v;
      await settled(page, 1);
      assert.equal(await page.title(), `1/${briefing.steps.length} ${briefing.steps[0].title} — ${briefing.title}`);
      assert.equal(await page.locator('.pr-download').count(), 0, 'no download button offline');
      for (let n = 1; n <= briefing.steps.length; n++) {
        if (n > 1) await page.keyboard.press('ArrowRight');
        await expectStep(page, n);
        const s = briefing.steps[n - 1];
        // Every highlighted feature of a shown layer is drawn.
        for (const h of s.highlight || []) {
          const [l, f] = h.split('/');
          if (s.layers.includes(l)) assert.ok(await page.locator(`[data-layer="${l}"][data-feature-id="${f}"]`).count() >= 1, `step ${n}: ${h} drawn`);
        }
      }
      // The basemap is drawn from the file.
      assert.ok(await page.locator('.leaflet-basemap-pane path').count() >= 4, 'basemap');
      await page.keyboard.press('Home');
      await expectStep(page, 1);
      await page.goto(`${url}#briefing=${ID}&step=5`);
      await page.waitForFunction(() => window.strata?.presenter);
      await expectStep(page, 5);
      await shot(page, 'export-offline');

      // The speaker window is the same file; the two post messages.
      const [sp] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('s')]);
      const sw = watch(sp);
      await sp.waitForFunction(() => window.strata?.speaker?.connected, null, { timeout: 15000 });
      assert.match(sp.url(), /view=speaker/);
      assert.equal(await sp.locator('.speaker').getAttribute('data-step'), '5');
      await page.keyboard.press('ArrowRight');
      await sp.waitForFunction(() => document.querySelector('.speaker').dataset.step === '6');
      await sp.keyboard.press('ArrowRight');
      await expectStep(page, 7);

      // Print works from the file too.
      await page.evaluate(() => window.strata.presenter.print.prepare());
      assert.equal(await page.locator('.print-page').count(), briefing.steps.length);

      const off = [...v.requests, ...sw.requests].filter((u) => !u.startsWith('file:') && !u.startsWith('data:'));
      assert.deepEqual(off, [], 'requests outside the file');
      assert.deepEqual(v.errors, []);
      assert.deepEqual(sw.errors, []);
    } finally { await v.close(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
