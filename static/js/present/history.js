// history.js keeps the presenter's place in the URL. Each step shown gets
// its own fragment (see hash.js), pushed once, so Back and Forward move
// between steps; a fragment changed from outside (Back, Forward, an edited
// URL) moves the presenter. It also writes a step's link into the explore
// map.

import { formatHash } from '../urlstate.js';
import { DAY_MS, parseDay } from '../time.js';
import { parsePresentHash, formatPresentHash, stepIndex } from './hash.js';

/**
 * Puts step i's fragment in the URL, unless it is there.
 * @param {string} briefing briefing id
 * @param {number} i index from 0
 * @param {boolean} push push a history entry (a step the presenter moved
 *   to) rather than replace the current one (a step the URL named)
 */
export function recordStep(briefing, i, push) {
  const hash = formatPresentHash({ briefing, index: i });
  if (location.hash === hash) return;
  if (push) history.pushState({ step: i }, '', hash);
  else history.replaceState({ step: i }, '', hash);
}

/**
 * Reads the URL's step: its index, the first step when it names none, or
 * -1 when it names another briefing.
 * @param {{id: string, steps: {id: string}[]}} briefing
 * @returns {number}
 */
export function stepInURL(briefing) {
  const h = parsePresentHash(location.hash);
  if (h.briefing && h.briefing !== briefing.id) return -1;
  return Math.max(0, stepIndex(briefing.steps, h.step));
}

/**
 * Calls back when the URL changes under the presenter.
 * @param {() => void} changed
 */
export function watchURL(changed) {
  window.addEventListener('popstate', changed);
  window.addEventListener('hashchange', changed);
}

/**
 * The explore map's fragment for a step: its view, date and layers.
 * @param {{date: string, layers: string[]}} s the step
 * @param {{lat: number, lon: number, zoom: number}} view the map's view of it
 * @returns {string}
 */
export function exploreHash(s, view) {
  const [a, b] = String(s.date).split('/');
  const day = (v) => { const d = parseDay(v); return Number.isNaN(d) ? Math.floor(Date.parse(v) / DAY_MS) : d; };
  const from = a && a !== '..' ? day(a) : NaN;
  const to = b === undefined ? from : b && b !== '..' ? day(b) : NaN;
  const ok = Number.isFinite(from) && Number.isFinite(to);
  return formatHash({ map: view, from: ok ? from : NaN, to, range: ok && b !== undefined, layers: s.layers });
}
