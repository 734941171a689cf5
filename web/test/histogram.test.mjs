// Unit tests of static/js/histogram.js in Node: a layer counted by the
// server (its histogram) gives the same summary as its features.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarise } from '../../static/js/histogram.js';

const features = [
  { properties: { valid_from: '2025-10-01', valid_to: '2025-10-04' } },
  { properties: { valid_from: '2025-10-03', valid_to: null } },
  { properties: { valid_from: null, valid_to: '2025-10-02' } },
  { properties: { valid_from: '2025-10-02T06:00:00Z', valid_to: '2025-10-02T07:00:00Z' } },
];

// What GET /collections/{id}/histogram answers for those features.
const days = {
  first: '2025-10-01',
  last: '2025-10-03',
  valid: [2, 2, 2],
  starts: { '2025-10-01': 1, '2025-10-03': 1, '2025-10-02': 1 },
  ends: { '2025-10-04': 1, '2025-10-02': 1, '2025-10-03': 1 },
  openStart: 1,
  openEnd: 1,
};

function plain(s) {
  return { min: s.min, max: s.max, counts: [...s.counts], starts: [...s.starts].sort(), ends: [...s.ends].sort(), changes: s.changes };
}

test('server counts equal feature counts', () => {
  for (const extent of [[NaN, NaN], [20350, 20370]]) {
    const a = summarise([{ id: 'x', features, events: false }], extent);
    const b = summarise([{ id: 'x', features: [], events: false, days }], extent);
    assert.deepEqual(plain(b), plain(a), `extent ${extent}`);
  }
});

test('server counts add to other layers', () => {
  const other = [{ properties: { valid_from: '2025-09-20', valid_to: '2025-09-22' } }];
  const a = summarise([{ id: 'x', features: [...features, ...other], events: false }]);
  const b = summarise([{ id: 'x', features: [], events: false, days }, { id: 'y', features: other, events: false }]);
  assert.deepEqual(plain(b), plain(a));
});

test('a layer valid always counts on every day', () => {
  const s = summarise([{ id: 'x', features: [], events: false, days: { first: null, last: null, valid: [], starts: {}, ends: {}, openStart: 3, openEnd: 3 } }], [20000, 20010]);
  assert.deepEqual([...s.counts], Array(11).fill(3));
});
