// timespan.js chooses the part of the data's time the timeline shows:
// by default the days where features start and end and events happen,
// without the long empty stretch one early feature would add (a town
// valid since 2024 in a dataset about late 2025), and the zooming and
// panning of that window. The timeline (timeline.js) keeps the whole
// extent reachable: it widens its window to any date set.

/** The fewest days a window shows. */
export const MIN_SPAN = 14;

/**
 * The window the timeline shows at first: from the first change that
 * is not a lone outlier (a change separated from all the others by more
 * than a quarter of their span, with at most a tenth of the changes (or one)
 * before it) to the end of the data, with a margin before it.
 * @param {{min: number, max: number, changes: number[]}} s summary
 * @returns {{min: number, max: number}}
 */
export function fitSpan(s) {
  const ch = (s.changes || []).filter((d) => d >= s.min && d <= s.max);
  let i = 0;
  while (i < ch.length - 1 && i + 1 <= Math.max(1, 0.1 * ch.length) && ch[i + 1] - ch[i] > 0.25 * (s.max - ch[i + 1])) i++;
  const first = ch.length ? ch[i] : s.min;
  const pad = Math.max(3, Math.round(0.05 * (s.max - first)));
  return clampSpan({ min: first - pad, max: s.max }, s);
}

/**
 * Keeps a window inside the data's extent and at least MIN_SPAN days
 * long (or the whole extent when that is shorter).
 * @param {{min: number, max: number}} w
 * @param {{min: number, max: number}} s
 * @returns {{min: number, max: number}}
 */
export function clampSpan(w, s) {
  const len = Math.min(s.max - s.min, Math.max(MIN_SPAN, Math.round(w.max - w.min)));
  let min = Math.round(w.min);
  min = Math.max(s.min, Math.min(min, s.max - len));
  return { min, max: min + len };
}

/**
 * Zooms a window about a day: factor < 1 zooms in, > 1 out.
 * @param {{min: number, max: number}} w
 * @param {{min: number, max: number}} s the data's extent
 * @param {number} at the day that stays in place
 * @param {number} factor
 * @returns {{min: number, max: number}}
 */
export function zoomSpan(w, s, at, factor) {
  const len = (w.max - w.min) * factor;
  const t = (at - w.min) / Math.max(1, w.max - w.min);
  return clampSpan({ min: at - t * len, max: at - t * len + len }, s);
}

/**
 * Widens a window to take in days a to b.
 * @param {{min: number, max: number}} w
 * @param {number} a
 * @param {number} b
 * @returns {{min: number, max: number}}
 */
export function includeSpan(w, a, b) {
  return { min: Math.min(w.min, a), max: Math.max(w.max, b) };
}

/**
 * How many month labels to skip between two shown so that labels keep
 * apart on a track of a width: one label per px pixels at most.
 * @param {number} months month starts in the window
 * @param {number} width the track's width in pixels
 * @param {number} [px] room a label needs
 * @returns {number} show every n-th month
 */
export function labelEvery(months, width, px = 72) {
  const fit = Math.max(1, Math.floor(width / px));
  return Math.max(1, Math.ceil(months / fit));
}
