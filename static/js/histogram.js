// histogram.js summarises where the data is in time: features valid per
// day, the days features start and end, and the days of events. It is
// computed here from each layer's features, or, for layers too large to
// fetch whole (drawn from tiles), from the counts the server makes
// (GET /collections/{id}/histogram).

import { DAY_MS, startDay, endDay, parseDay } from './time.js';

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
 * @param {{id: string, features: object[], events: boolean, days?: object}[]} layers
 *   days, when set, is the layer's histogram from the server (see
 *   api.js fetchHistogram), counted instead of its features
 * @param {number[]} [extent] [first, last] day of the collections'
 *   temporal extent (NaN where open); the summary spans it and every
 *   bound of the data
 * @returns {Summary}
 */
export function summarise(layers, extent = [NaN, NaN]) {
  const spans = [];
  const events = [];
  const bounds = [];
  const counted = [];
  for (const l of layers) {
    const d = l.days && serverDays(l.days);
    if (d) {
      counted.push(d);
      if (Number.isFinite(d.first)) bounds.push(d.first, d.last);
    }
    for (const f of l.features) {
      const s = startDay(f.properties?.valid_from), e = endDay(f.properties?.valid_to);
      if (Number.isFinite(s)) bounds.push(s);
      if (Number.isFinite(e)) bounds.push(e - 1);
      if (l.events && Number.isFinite(s)) events.push({ day: s, last: e - 1, layer: l.id, id: String(f.id) });
      else spans.push([s, e]);
    }
  }
  // The data's own bounds widen the extent: a collection with open-ended
  // features has an open extent, yet bounds of its own.
  const lo = bounds.length ? Math.min(...bounds) : NaN, hi = bounds.length ? Math.max(...bounds) : NaN;
  let min = Math.min(...[extent[0], lo].filter(Number.isFinite));
  if (!Number.isFinite(min)) min = Math.floor(Date.now() / DAY_MS);
  let max = Math.max(...[extent[1], hi].filter(Number.isFinite));
  if (!Number.isFinite(max)) max = min;
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
  for (const d of counted) {
    for (let i = 0; i < n; i++) {
      const day = min + i;
      if (!Number.isFinite(d.first)) counts[i] += d.openStart;
      else if (day < d.first) counts[i] += d.openStart;
      else if (day > d.last) counts[i] += d.openEnd;
      else counts[i] += d.valid[day - d.first] || 0;
    }
    for (const [map, into] of [[d.starts, starts], [d.ends, ends]]) {
      for (const [day, k] of map) { into.set(day, (into.get(day) || 0) + k); changes.add(day); }
    }
  }
  events.sort((a, b) => a.day - b.day);
  const sorted = [...changes].filter((d) => d >= min && d <= max).sort((a, b) => a - b);
  return { min, max, counts, starts, ends, events, changes: sorted };
}

/**
 * Reads a server histogram: dates to day numbers. A layer whose every
 * feature is valid always has no first day (NaN): openStart counts it on
 * every day.
 * @param {object} h
 */
function serverDays(h) {
  const days = (o) => new Map(Object.entries(o || {}).map(([k, v]) => [parseDay(k), Number(v) || 0]).filter(([k]) => Number.isFinite(k)));
  return {
    first: h.first ? parseDay(h.first) : NaN,
    last: h.last ? parseDay(h.last) : NaN,
    valid: Array.isArray(h.valid) ? h.valid : [],
    starts: days(h.starts),
    ends: days(h.ends),
    openStart: Number(h.openStart) || 0,
    openEnd: Number(h.openEnd) || 0,
  };
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
