// edit.test.mjs drives the map's edit mode in Chromium against a server
// of its own: it starts `strata serve` (STRATA_BIN) on a fresh SQLite
// database, makes two editors' tokens with `strata token create`, and
// restarts the server once to check the change feed reconnects. It skips
// without STRATA_BIN (web/browser_test.go sets it) unless
// STRATA_EDIT=required.
//
// The "Done when" of editing in the browser, in order: an editor draws a
// point, fills the form with a source and saves; a second context sees it
// appear within 2 s without reloading; the first moves it; the second's
// stale edit gets the conflict dialog; the history lists the versions;
// asof set before the move shows the old place. Besides: a reader without
// a token sees no editing controls and cannot write; axe-core finds no
// violation in edit mode; a write made from the test (as with curl)
// reaches an open map, also after the server restarts.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, shot, reportCSP } from '../testlib/helpers.mjs';
import { axe } from '../testlib/axe.mjs';

const BIN = process.env.STRATA_BIN;
const skip = !BIN && process.env.STRATA_EDIT !== 'required' ? 'needs STRATA_BIN (a built strata binary)' : false;

// The view and date the tests look at: Gaza City's coast, where the
// seed has few features, on a day every new feature below is valid.
const VIEW = '#map=13/31.5050/34.4550&date=2025-10-20&layers=crossings';

let dir, db, base, port, server, browser;
const tokens = {};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

async function startServer() {
  server = spawn(BIN, ['serve', '-addr', `127.0.0.1:${port}`, '-db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr.on('data', () => {});
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${base}/collections`);
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('strata serve did not start');
}

function stopServer() {
  return new Promise((resolve) => {
    if (!server || server.exitCode !== null) { resolve(); return; }
    server.once('exit', resolve);
    server.kill('SIGTERM');
  });
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'strata-edit-'));
  db = join(dir, 'edit.db');
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await startServer(); // seeds the database
  for (const [name, layers] of [['desk-a', 'crossings,events'], ['desk-b', 'crossings']]) {
    const out = execFileSync(BIN, ['token', 'create', '-db', db, '-name', name, '-layers', layers], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    tokens[name] = out.trim().split('\n').pop();
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stopServer();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens the map in a new browser context. */
async function open(path = VIEW) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await reportCSP(context);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base + '/' + path);
  await page.evaluate(() => window.strata.ready);
  await idle(page);
  return { page, context, errors };
}

async function idle(page) {
  await page.waitForFunction(() => {
    const layers = window.strata?.layers;
    if (!layers) return false;
    for (const l of layers.values()) if (l.visible && (l.state.loading || !l.key)) return false;
    return true;
  }, null, { timeout: 15000 });
}

async function signIn(page, token) {
  await page.locator('.eb-signin').click();
  await page.locator('#eb-token').fill(token);
  await page.locator('#eb-token').press('Enter');
  await page.locator('.eb-who').waitFor();
}

/**
 * Where the marker named name is: on the screen (x, y, to click), and
 * its place projected at zoom 13 (mx, my, in pixels, to compare places
 * whatever the page's layout does around the map); or null.
 */
function markerAt(page, name) {
  return page.evaluate((n) => {
    const m = [...document.querySelectorAll('.leaflet-marker-icon')].find((e) => e.title === n);
    if (!m) return null;
    const r = m.getBoundingClientRect();
    let ll = null;
    for (const l of window.strata.layers.values()) {
      l.group.eachLayer((fg) => fg.eachLayer?.((x) => { if (x.getElement?.() === m) ll = x.getLatLng(); }));
    }
    const p = window.strata.map.project(ll, 13);
    return { x: r.x + r.width / 2, y: r.y + r.height / 2, mx: p.x, my: p.y };
  }, name);
}

/** Opens the popup of the crossing named name, as a click on it does. */
async function openPopupOf(page, name) {
  const ok = await page.evaluate((n) => {
    const l = window.strata.layers.get('crossings');
    const f = l.features.find((x) => x.properties?.name === n);
    return !!f && l.openPopup(String(f.id));
  }, name);
  assert.ok(ok, `${name} drawn`);
  await page.locator('.leaflet-popup .fp-history').waitFor();
}

/** Writes with the API from the test itself, as curl would. */
async function write(method, path, body, headers = {}) {
  const res = await fetch(base + path, { method, headers: { 'Content-Type': 'application/geo+json', ...headers }, body: body && JSON.stringify(body) });
  return { status: res.status, etag: res.headers.get('ETag'), body: await res.text() };
}

test('a reader without a token sees no editing controls and cannot write', { skip }, async () => {
  const { page, context, errors } = await open();
  try {
    assert.equal(await page.locator('.eb-signin').count(), 1, 'a server with tokens offers sign-in');
    assert.equal(await page.locator('.eb-draw, .eb-add-centre, .eb-signout').count(), 0);
    assert.ok(await page.evaluate(() => { const l = window.strata.layers.get('crossings'); return l.openPopup(String(l.features[0].id)); }), 'a crossing drawn');
    await page.locator('.leaflet-popup .fp-history').waitFor();
    assert.equal(await page.locator('.leaflet-popup .fp-edit-feature, .leaflet-popup .fp-delete').count(), 0, 'no edit buttons in popups');
    const status = await page.evaluate(async () => (await fetch('collections/crossings/items', { method: 'POST', headers: { 'Content-Type': 'application/geo+json' }, body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [34.4, 31.5] }, properties: { precision_m: 1, sources: [{ title: 'x' }] } }) })).status);
    assert.equal(status, 401);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.deepEqual(errors.filter((e) => !e.includes('401')), []);
  } finally {
    await context.close();
  }
});

test('draw, see it live elsewhere, move, conflict, history, revert, asof', { skip }, async () => {
  const a = await open();
  const b = await open();
  try {
    await signIn(a.page, tokens['desk-a']);
    assert.equal(await a.page.evaluate(() => sessionStorage.getItem('strata.editToken')), tokens['desk-a'], 'kept for the tab');
    assert.ok(!a.page.url().includes(tokens['desk-a']), 'never in the address');
    await signIn(b.page, tokens['desk-b']);

    // A draws a point with Geoman and fills the form; without a source
    // the server's 400 is shown beside the sources.
    await a.page.locator('.eb-layer').selectOption('crossings');
    await a.page.locator('.eb-draw-point').click();
    await a.page.mouse.click(640, 420);
    const form = a.page.locator('.edit-form-dialog');
    await form.waitFor();
    await form.getByLabel('Name').fill('Test crossing');
    await form.getByLabel('Kind', { exact: true }).fill('crossing');
    await form.getByLabel('Valid from').fill('2025-10-15');
    await form.getByLabel('Precision (metres)').fill('150');
    await form.getByRole('button', { name: 'Save' }).click();
    const srcErr = form.locator('.ef-sources .ef-error');
    await srcErr.waitFor({ state: 'visible' });
    assert.match(await srcErr.textContent(), /sources/);
    await shot(a.page, 'edit-form-error');
    assert.deepEqual(await axe(a.page), [], 'axe: the form with an error');
    await form.getByLabel('Title').fill('Agency report');
    await form.getByLabel('Publisher').fill('Desk');
    await form.getByLabel('URL').fill('https://example.org/r');
    await form.getByLabel('Comment on this change').fill('reported by the desk');
    const t0 = Date.now();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });

    // B sees it within 2 s, without reloading.
    await b.page.waitForFunction(() => [...document.querySelectorAll('.leaflet-marker-icon')].some((e) => e.title === 'Test crossing'), null, { timeout: 2000 });
    assert.ok(Date.now() - t0 < 2500);
    await a.page.waitForFunction(() => [...document.querySelectorAll('.leaflet-marker-icon')].some((e) => e.title === 'Test crossing'));
    const first = await markerAt(a.page, 'Test crossing');

    // B starts an edit of version 1 (its ETag is read now).
    await openPopupOf(b.page, 'Test crossing');
    await b.page.locator('.leaflet-popup .fp-edit-feature').click();
    await b.page.locator('.eb-save').waitFor();

    // An instant after version 1 and before the move, to the second.
    const before = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
    await new Promise((r) => setTimeout(r, before - Date.now() + 150));

    // A moves it: drags the marker in edit mode, then saves.
    await openPopupOf(a.page, 'Test crossing');
    await a.page.locator('.leaflet-popup .fp-edit-feature').click();
    await a.page.locator('.eb-save').waitFor({ timeout: 5000 }).catch((e) => { throw new Error(`${e.message}\n${a.errors.join('\n')}\n${b.errors.join('\n')}`); });
    assert.deepEqual(await axe(a.page), [], 'axe: edit mode, a feature being changed');
    assert.equal(await a.page.locator('.edit-marker').count(), 1, 'one marker to drag');
    // The edit bar changed the header's height: let the map settle, until
    // the marker stays where it is for 200 ms.
    let box = await a.page.locator('.edit-marker').boundingBox();
    for (let still = 0, i = 0; still < 2 && i < 50; i++) {
      await a.page.waitForTimeout(100);
      const next = await a.page.locator('.edit-marker').boundingBox();
      still = next && box && next.x === box.x && next.y === box.y ? still + 1 : 0;
      box = next;
    }
    // Drag the marker by (90, 50) pixels of the map. A notice appearing in
    // the header (B's edits are live here) may shift the map while the
    // mouse goes down, and the press then misses the marker: the marker's
    // place in the map's container tells, and the drag is made again for
    // what is left.
    const rel = () => a.page.evaluate(() => {
      const m = document.querySelector('.edit-marker').getBoundingClientRect();
      const c = window.strata.map.getContainer().getBoundingClientRect();
      return { x: m.x + m.width / 2 - c.x, y: m.y + m.height / 2 - c.y, cx: c.x, cy: c.y };
    });
    const start = await rel();
    for (let attempt = 1; ; attempt++) {
      const p = await rel();
      const dx = start.x + 90 - p.x, dy = start.y + 50 - p.y;
      if (Math.abs(dx) < 2 && Math.abs(dy) < 2) break;
      assert.ok(attempt <= 3, `the marker is at ${JSON.stringify(p)} after ${attempt - 1} drags, not 90, 50 from ${JSON.stringify(start)}`);
      const hx = p.cx + p.x, hy = p.cy + p.y;
      await a.page.mouse.move(hx, hy);
      await a.page.mouse.down();
      await a.page.mouse.move(hx + dx / 2, hy + dy / 2, { steps: 5 });
      await a.page.mouse.move(hx + dx, hy + dy, { steps: 5 });
      await a.page.mouse.up();
      await a.page.waitForTimeout(100);
    }
    await a.page.locator('.eb-save').click();
    await form.waitFor();
    await form.getByLabel('Comment on this change').fill('moved on a new report');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await a.page.waitForFunction(() => [...document.querySelectorAll('.leaflet-marker-icon')].some((e) => e.title === 'Test crossing'));
    // The layer is drawn again once the write's change arrives: until
    // then the marker found is the old one.
    let moved = await markerAt(a.page, 'Test crossing');
    for (let i = 0; i < 50 && !(Math.abs(moved.mx - first.mx - 90) < 6 && Math.abs(moved.my - first.my - 50) < 6); i++) {
      await a.page.waitForTimeout(100);
      moved = await markerAt(a.page, 'Test crossing');
    }
    assert.ok(Math.abs(moved.mx - first.mx - 90) < 6 && Math.abs(moved.my - first.my - 50) < 6, `moved from ${JSON.stringify(first)} to ${JSON.stringify(moved)}`);

    // B's stale edit: the conflict dialog, with both drawn on the map.
    await b.page.locator('.eb-save').click();
    const bform = b.page.locator('.edit-form-dialog');
    await bform.getByLabel('Name').fill('Test crossing (B)');
    await bform.getByRole('button', { name: 'Save' }).click();
    const dlg = b.page.locator('.conflict-dialog');
    await dlg.waitFor();
    assert.equal(await dlg.locator('tr[data-field="place"].cf-differs').count(), 1, 'the places differ');
    assert.equal(await dlg.locator('tr[data-field="name"] .cf-theirs').textContent(), 'Test crossing');
    assert.equal(await b.page.locator('path.conflict-theirs').count(), 1, 'theirs drawn');
    assert.deepEqual(await axe(b.page), [], 'axe: the conflict dialog');
    await shot(b.page, 'edit-conflict');
    await dlg.getByRole('button', { name: 'Keep mine' }).click();
    await bform.waitFor({ state: 'detached' });
    await b.page.waitForFunction(() => [...document.querySelectorAll('.leaflet-marker-icon')].some((e) => e.title === 'Test crossing (B)'));

    // The history lists the three versions, with authors and comments,
    // and draws the earlier places.
    await a.page.waitForFunction(() => [...document.querySelectorAll('.leaflet-marker-icon')].some((e) => e.title === 'Test crossing (B)'), null, { timeout: 2000 });
    await openPopupOf(a.page, 'Test crossing (B)');
    await a.page.locator('.leaflet-popup .fp-history').click();
    const hist = a.page.locator('.history-panel');
    await hist.locator('.hv-version').nth(2).waitFor();
    const titles = await hist.locator('.hv-title').allTextContents();
    assert.deepEqual(titles, ['Version 3 (current): Test crossing (B)', 'Version 2: Test crossing', 'Version 1: Test crossing']);
    const metas = await hist.locator('.hv-meta').allTextContents();
    assert.match(metas[0], /by desk-b/);
    assert.match(metas[1], /by desk-a/);
    assert.match(await hist.locator('.hv-version').nth(1).locator('.hv-comment').textContent(), /moved on a new report/);
    assert.match(await hist.locator('.hv-version').nth(2).locator('.hv-sources').textContent(), /Agency report/);
    assert.ok(await a.page.locator('path.history-ghost').count() >= 1, 'an earlier place drawn');
    assert.deepEqual(await axe(a.page), [], 'axe: the history panel');
    await shot(a.page, 'edit-history');

    // The changeset view of version 3, and its revert.
    await hist.locator('.hv-version').first().locator('.hv-changeset').click();
    const cs = a.page.locator('.change-panel');
    await cs.locator('.cs-feature').waitFor();
    assert.match(await cs.locator('.cs-meta').textContent(), /desk-b/);
    assert.match(await cs.locator('.cs-feature').textContent(), /changed, version 3 \(was 2\)/);
    await cs.locator('.cs-revert').click();
    await cs.locator('.cs-status', { hasText: 'Reverted' }).waitFor();
    await a.page.waitForFunction(() => [...document.querySelectorAll('.leaflet-marker-icon')].some((e) => e.title === 'Test crossing'));
    await cs.getByRole('button', { name: 'Close' }).click();

    // As known before the move: the old place, and the map says so.
    const when = before.toISOString().slice(0, 19);
    await a.page.locator('.asof-input').fill(when);
    await a.page.locator('.asof-input').press('Enter');
    await a.page.waitForFunction(() => location.hash.includes('asof='));
    await idle(a.page);
    await a.page.locator('.asof-notice').waitFor();
    assert.match(await a.page.locator('.asof-notice').textContent(), /recorded at/);
    const old = await markerAt(a.page, 'Test crossing');
    assert.ok(old && Math.abs(old.mx - first.mx) < 3 && Math.abs(old.my - first.my) < 3, `asof shows the first place ${JSON.stringify(first)}, got ${JSON.stringify(old)}`);
    assert.equal(await a.page.locator('.eb-draw').count(), 0, 'no drawing in the past');
    await shot(a.page, 'edit-asof');
    await a.page.locator('.asof-back').click();
    await a.page.waitForFunction(() => !location.hash.includes('asof='));

    // The one failed request: the save without a source, refused with 400.
    assert.deepEqual(a.errors, ['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    // And B's: the stale save, refused with 412.
    assert.deepEqual(b.errors, ['Failed to load resource: the server responded with a status of 412 (Precondition Failed)']);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('keyboard only: sign in, add a point at the centre, fill the form', { skip }, async () => {
  const { page, context, errors } = await open();
  try {
    await page.locator('.eb-signin').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type(tokens['desk-a']);
    await page.keyboard.press('Enter');
    await page.locator('.eb-add-centre').waitFor();
    await page.locator('.eb-add-centre').focus();
    await page.keyboard.press('Enter');
    const form = page.locator('.edit-form-dialog');
    await form.waitFor();
    await page.keyboard.type('Keyboard point'); // the name has focus
    await page.keyboard.press('Tab');
    await page.keyboard.type('checkpoint');
    for (const v of ['2025-10-15']) { await page.keyboard.press('Tab'); await page.keyboard.press('Tab'); await form.getByLabel('Valid from').fill(v); }
    await form.getByLabel('Precision (metres)').focus();
    await page.keyboard.type('200');
    await form.getByLabel('Title').focus();
    await page.keyboard.type('Keyboard source');
    await form.getByLabel('Comment on this change').focus();
    await page.keyboard.type('added from the keyboard');
    await shot(page, 'edit-form');
    await form.getByLabel('Name').press('Enter');
    await form.waitFor({ state: 'detached' });
    await page.waitForFunction(() => [...document.querySelectorAll('.leaflet-marker-icon')].some((e) => e.title === 'Keyboard point'));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('writes from outside reach an open map, also after the server restarts', { skip }, async () => {
  const { page, context, errors } = await open();
  try {
    const auth = { Authorization: `Bearer ${tokens['desk-a']}` };
    const f = (name, lon) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, 31.505] }, properties: { name, valid_from: '2025-10-01', precision_m: 50, sources: [{ title: 'Wire report' }] } });
    const view = await page.evaluate(() => { const c = window.strata.map.getCenter(); return [c.lat, c.lng, window.strata.map.getZoom()]; });
    const r = await write('POST', '/collections/crossings/items', f('Written with curl', 34.445), auth);
    assert.equal(r.status, 201, r.body);
    await page.waitForFunction(() => [...document.querySelectorAll('.leaflet-marker-icon')].some((e) => e.title === 'Written with curl'), null, { timeout: 2000 });
    await page.locator('.edit-status', { hasText: 'Map updated' }).waitFor();
    assert.deepEqual(await page.evaluate(() => { const c = window.strata.map.getCenter(); return [c.lat, c.lng, window.strata.map.getZoom()]; }), view, 'the view did not jump');
    await shot(page, 'edit-live');

    await stopServer();
    await page.waitForFunction(() => document.body.classList.contains('is-offline-feed'), null, { timeout: 10000 });
    await startServer();
    const r2 = await write('POST', '/collections/crossings/items', f('After the restart', 34.465), auth);
    assert.equal(r2.status, 201, r2.body);
    await page.waitForFunction(() => [...document.querySelectorAll('.leaflet-marker-icon')].some((e) => e.title === 'After the restart'), null, { timeout: 20000 });
    assert.deepEqual(errors.filter((e) => !/ERR_CONNECTION_REFUSED|changes\/stream/.test(e)), []);
  } finally {
    await context.close();
  }
});
