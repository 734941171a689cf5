// Unit tests of static/js/time.js in Node: valid_from and valid_to as the
// API writes them (RFC 3339 date-times, "2025-10-10T00:00:00Z" at UTC
// midnight) read as the dates they were before ("2025-10-10").

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundDate, startDay, endDay, firstValid, lastValid, parseDay } from '../../static/js/time.js';

test('a bound at UTC midnight reads as its date', () => {
  for (const [v, want] of [
    ['2025-10-10T00:00:00Z', '2025-10-10'],
    ['2025-10-10t00:00:00.000z', '2025-10-10'],
    ['2025-10-10T00:00:00+00:00', '2025-10-10'],
    ['2025-10-10T06:00:00Z', '2025-10-10T06:00:00Z'],
    ['2025-10-10T00:00:00+02:00', '2025-10-10T00:00:00+02:00'],
    ['2025-10-10', '2025-10-10'],
    [null, null],
  ]) assert.equal(boundDate(v), want, String(v));
});

test('date-time bounds give the same days and text as dates', () => {
  const oct10 = parseDay('2025-10-10');
  assert.equal(startDay('2025-10-10T00:00:00Z'), oct10);
  assert.equal(endDay('2025-10-11T00:00:00Z'), oct10 + 1);
  assert.equal(firstValid('2025-10-10T00:00:00Z'), firstValid('2025-10-10'));
  assert.deepEqual(lastValid('2025-10-11T00:00:00Z'), lastValid('2025-10-11'));
  assert.equal(lastValid('2025-10-11T00:00:00Z').day, oct10);
  // A bound within a day keeps its instant.
  assert.match(lastValid('2025-10-10T07:00:00Z').text, /^until 2025-10-10 07:00 UTC/);
  assert.equal(startDay('2025-10-10T06:00:00Z'), oct10);
  assert.equal(endDay('2025-10-10T07:00:00Z'), oct10 + 1);
});
