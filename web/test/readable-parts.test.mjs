// Unit tests in Node of the parts behind a readable map: label text and
// placement (labelplace.js), the timeline's window (timespan.js), the
// halo rule (style.js) and the grouping of stacked points (stacks.js).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelText, classOf, compareCandidates, place, positions, alongLine, inArea, candidates, fitting } from '../../static/js/labelplace.js';
import { fitSpan, clampSpan, zoomSpan, includeSpan, labelEvery, MIN_SPAN } from '../../static/js/timespan.js';
import { haloStyle, bandOpacity } from '../../static/js/style.js';
import { groupClose } from '../../static/js/stacks.js';

test('labelText shortens names for the map', () => {
  const cases = [
    ['Civil-Military Coordination Center (CMCC), Kiryat Gat – location approximate', 'CMCC, Kiryat Gat'],
    ['Rafah crossing (Egypt–Gaza)', 'Rafah crossing'],
    ['Kerem Shalom (Karem Abu Salem) crossing', 'Kerem Shalom crossing'],
    ['Zikim crossing ("Western Erez") – location approximate', 'Zikim crossing'],
    ['"Red line" – planned second-phase withdrawal line (schematic)', 'Red line'],
    ['Gaza City', 'Gaza City'],
    ['', ''],
  ];
  for (const [name, want] of cases) assert.equal(labelText({ name }), want, name);
  assert.equal(labelText({ name: 'Long official name', label: 'Short' }), 'Short');
  assert.equal(labelText({}), '');
});

test('classes order towns before facilities, lines and areas; emphasised first', () => {
  const pt = (kind) => ({ geometry: { type: 'Point', coordinates: [0, 0] }, properties: { kind } });
  assert.equal(classOf(pt('city')), 'city');
  assert.equal(classOf(pt('border_crossing')), 'facility');
  assert.equal(classOf({ geometry: { type: 'LineString' }, properties: {} }), 'line');
  assert.equal(classOf({ geometry: { type: 'MultiPolygon' }, properties: {} }), 'area');
  const c = (cls, extra = {}) => ({ cls, emphasised: false, weight: 0, order: 0, ...extra });
  const sorted = [c('area'), c('facility'), c('line'), c('city', { order: 2 }), c('city', { order: 1, weight: 5 }), c('area', { emphasised: true })].sort(compareCandidates);
  assert.deepEqual(sorted.map((x) => x.cls + (x.emphasised ? '!' : '') + x.order), ['area!0', 'city1', 'city2', 'facility0', 'line0', 'area0']);
});

test('place keeps labels apart, off other symbols and inside the view', () => {
  const view = { x: 0, y: 0, w: 200, h: 100 };
  const a = (x, y, own) => ({ x, y, r: 10, kind: 'point', own });
  const items = [
    { key: 'A', w: 60, h: 14, anchors: [a(50, 50, 'A')] },
    { key: 'B', w: 60, h: 14, anchors: [a(52, 52, 'B')] }, // the same spot: goes to another side
    { key: 'C', w: 60, h: 14, anchors: [a(195, 20, 'C')] }, // at the edge: to the left
    { key: 'D', w: 300, h: 14, anchors: [a(100, 50, 'D')] }, // too wide for the view: left out
  ];
  const obstacles = [{ x: 40, y: 40, w: 20, h: 20, id: 'A' }, { x: 42, y: 42, w: 20, h: 20, id: 'B' }, { x: 185, y: 10, w: 20, h: 20, id: 'C' }];
  const got = place(items, view, obstacles);
  assert.deepEqual([...got.keys()].sort(), ['A', 'B', 'C']);
  const boxes = [...got.values()];
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i];
    assert.ok(b.x >= 2 && b.y >= 2 && b.x + b.w <= 198 && b.y + b.h <= 98, `inside: ${JSON.stringify(b)}`);
    for (let j = i + 1; j < boxes.length; j++) {
      const c = boxes[j];
      assert.ok(!(b.x < c.x + c.w && c.x < b.x + b.w && b.y < c.y + c.h && c.y < b.y + b.h), 'no overlap');
    }
    for (const o of obstacles) if (o.id !== [...got.keys()][i]) assert.ok(!(b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h), 'off other symbols');
  }
  assert.ok(got.get('C').x + 60 <= 185, 'the edge label went left');
  assert.equal(positions({ x: 0, y: 0, r: 0, kind: 'area' }, 10, 4).length, 1);
});

test('lines are named along their length, areas inside, and only when the name fits', () => {
  const [mid] = alongLine([[[0, 0], [100, 0], [100, 100]]]);
  assert.deepEqual([mid.x, mid.y, mid.len], [100, 0, 200]);
  const sq = inArea([[[0, 0], [100, 0], [100, 50], [0, 50], [0, 0]]]);
  assert.deepEqual([Math.round(sq.x), Math.round(sq.y), sq.w, sq.h], [50, 25, 100, 50]);
  // A U shape: its centroid lies outside, so the box centre is tried.
  const u = inArea([[[0, 0], [30, 0], [30, 80], [70, 80], [70, 0], [100, 0], [100, 100], [0, 100], [0, 0]]]);
  assert.ok(u.y >= 0 && u.y <= 100);
  const src = new Map([['l', { col: { order: 1 }, events: false, features: [
    { id: 'line', geometry: { type: 'LineString', coordinates: [[0, 0], [50, 0]] }, properties: { name: 'A long line name' } },
    { id: 'p', geometry: { type: 'Point', coordinates: [10, 10] }, properties: { name: 'P', kind: 'city' } },
  ] }], ['e', { col: { order: 2 }, events: true, features: [{ id: 'ev', geometry: { type: 'Point', coordinates: [20, 20] }, properties: { name: 'An event' } }] }]]);
  const { items, obstacles } = candidates(src, (c) => ({ x: c[0], y: c[1] }), 10);
  assert.deepEqual(items.map((i) => i.key).sort(), ['l/line', 'l/p'], 'events are not named');
  assert.equal(obstacles.length, 2, 'but are symbols not to cover');
  for (const it of items) [it.w, it.h] = [100, 14];
  assert.deepEqual(fitting(items).map((i) => i.key), ['l/p'], 'a 50-pixel line has no room for a 100-pixel name');
});

test('fitSpan leaves out a lone early start and keeps the end', () => {
  const day = (s) => Date.parse(s) / 864e5;
  const changes = ['2024-05-12', '2025-09-29', '2025-10-04', '2025-10-10', '2025-10-17', '2025-11-20', '2025-12-07', '2026-01-14', '2026-02-18'].map(day);
  const s = { min: day('2024-05-12'), max: day('2026-02-18'), changes };
  const w = fitSpan(s);
  assert.equal(w.max, s.max);
  assert.ok(w.min > day('2025-09-01') && w.min < day('2025-09-29'), new Date(w.min * 864e5).toISOString());
  // Evenly spread changes: the whole extent.
  const even = { min: 0, max: 100, changes: [0, 20, 40, 60, 80, 100] };
  assert.deepEqual(fitSpan(even), { min: 0, max: 100 });
  assert.deepEqual(clampSpan({ min: -50, max: 10 }, even), { min: 0, max: 60 });
  assert.equal(clampSpan({ min: 40, max: 41 }, even).max - 40, MIN_SPAN);
  const z = zoomSpan({ min: 0, max: 100 }, even, 50, 0.5);
  assert.deepEqual(z, { min: 25, max: 75 });
  assert.deepEqual(includeSpan({ min: 10, max: 20 }, 5, 30), { min: 5, max: 30 });
  assert.equal(labelEvery(20, 350), 5);
  assert.equal(labelEvery(5, 1200), 1);
});

test('halos fade as they grow; bands as they widen', () => {
  assert.equal(haloStyle(2).show, false);
  assert.equal(haloStyle(10).fillOpacity, 0.12);
  assert.equal(haloStyle(80).fillOpacity, 0);
  let last = 1;
  for (const r of [10, 40, 100, 300, 600]) {
    const st = haloStyle(r);
    assert.ok(st.opacity <= last, `r ${r}`);
    last = st.opacity;
  }
  assert.ok(haloStyle(600).opacity <= 0.25);
  assert.equal(bandOpacity(10), 0.16);
  assert.ok(bandOpacity(100) < 0.05 && bandOpacity(100) > 0);
});

test('groupClose puts points within a few pixels together', () => {
  const g = groupClose([{ x: 0, y: 0 }, { x: 3, y: 4 }, { x: 50, y: 50 }, { x: 1, y: 1 }, { x: 55, y: 50 }]);
  assert.deepEqual(g, [[0, 1, 3], [2, 4]]);
});
