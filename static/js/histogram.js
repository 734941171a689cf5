// histogram.js summarises where the data is in time: features valid per
// day, the days features start and end, and the days of events. It is
// computed here from each layer's features; a server-side histogram can
// later return the same Summary shape.

import { startDay, endDay } from './time.js';

/**
 * @typedef {object} Summary
 * @property {number} min first day of the data
 * @property {number} max last day of the data
 * @property {Int32Array} counts features valid on day min+i (events excluded)
 * @property {Map<number, number>} starts day -> features starting that day
 * @property {Map<number, number>} ends day -> features whose last day is the day before
 * @property {{day: number, layer: string, id: string}[]} events
 * @property {number[]} changes sorted days on which what is shown changes
 */

/**
 * Reports whether a layer holds events: every feature has a start and an
 * end, and most last a single day (a few may span several days).
 * @param {object[]} features
 * @returns {boolean}
 */
export function isEventLayer(features) {
  if (features.length === 0) return false;
  let oneDay = 0;
  for (const f of features) {
    const s = startDay(f.properties?.valid_from), e = endDay(f.properties?.valid_to);
    if (!Number.isFinite(s) || !Number.isFinite(e)) return false;
    if (e - s <= 1) oneDay++;
  }
  return oneDay >= 0.8 * features.length;
}

/**
 * Summarises layers' features in time.
 * @param {{id: string, features: object[], events: boolean}[]} layers
 * @param {number[]} [extent] [first, last] day of the collections'
 *   temporal extent; a finite bound is used as is, NaN falls back to the
 *   features' own dates
 * @returns {Summary}
 */
export function summarise(layers, extent = [NaN, NaN]) {
  const spans = [];
  const events = [];
  const bounds = [];
  for (const l of layers) {
    for (const f of l.features) {
      const s = startDay(f.properties?.valid_from), e = endDay(f.properties?.valid_to);
      if (Number.isFinite(s)) bounds.push(s);
      if (Number.isFinite(e)) bounds.push(e - 1);
      if (l.events && Number.isFinite(s)) events.push({ day: s, last: e - 1, layer: l.id, id: String(f.id) });
      else spans.push([s, e]);
    }
  }
  let min = Number.isFinite(extent[0]) ? extent[0] : bounds.length ? Math.min(...bounds) : Math.floor(Date.now() / 86400000);
  let max = Number.isFinite(extent[1]) ? extent[1] : bounds.length ? Math.max(...bounds) : min;
  if (max < min) max = min;
  if (max - min < 7) { min -= 3; max += 4; }
  const n = max - min + 1;
  const diff = new Int32Array(n + 1);
  const starts = new Map(), ends = new Map();
  const changes = new Set();
  for (const [s, e] of spans) {
    const a = Math.max(s, min) - min, b = Math.min(e, max + 1) - min;
    if (b <= a) continue;
    diff[a]++; diff[b]--;
    if (Number.isFinite(s)) { starts.set(s, (starts.get(s) || 0) + 1); changes.add(s); }
    if (Number.isFinite(e)) { ends.set(e, (ends.get(e) || 0) + 1); changes.add(e); }
  }
  for (const ev of events) changes.add(ev.day);
  const counts = new Int32Array(n);
  let c = 0;
  for (let i = 0; i < n; i++) { c += diff[i]; counts[i] = c; }
  events.sort((a, b) => a.day - b.day);
  const sorted = [...changes].filter((d) => d >= min && d <= max).sort((a, b) => a - b);
  return { min, max, counts, starts, ends, events, changes: sorted };
}

/**
 * The first change strictly after day, or NaN.
 * @param {Summary} s
 * @param {number} day
 */
export function nextChange(s, day) {
  return s.changes.find((d) => d > day) ?? NaN;
}

/**
 * The last change strictly before day, or NaN.
 * @param {Summary} s
 * @param {number} day
 */
export function prevChange(s, day) {
  for (let i = s.changes.length - 1; i >= 0; i--) if (s.changes[i] < day) return s.changes[i];
  return NaN;
}
