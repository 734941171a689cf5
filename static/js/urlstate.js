// urlstate.js reads and writes the map's state in the URL fragment:
//   #map=zoom/lat/lon&date=YYYY-MM-DD&layers=a,b
// and in range mode date=YYYY-MM-DD/YYYY-MM-DD; asof=… (a date or an
// RFC 3339 instant) when the map shows what was known at a past instant. It writes with
// history.replaceState, so panning and scrubbing never fill the history.
// A link may also name a feature to open (feature=ID, with its layer
// first in layers), as the items' "On the map" links do; it is read once
// and not written back. In compare mode (find/compare.js),
// compare=YYYY-MM-DD/YYYY-MM-DD names the two dates compared; writers
// that do not set it keep the one in the URL.

import { parseDay, formatDay } from './time.js';

/**
 * @typedef {object} UrlState
 * @property {{zoom: number, lat: number, lon: number}|null} map
 * @property {number} from first day shown (NaN when absent)
 * @property {number} to last day shown; equals from in instant mode
 * @property {boolean} range true in range mode
 * @property {string[]|null} layers visible layer ids, null when absent
 * @property {string|null} [feature] id of a feature of layers[0] to open
 * @property {string} [asof] record time shown ("as known on"); empty for now
 * @property {string} [compare] the dates compared, "YYYY-MM-DD/YYYY-MM-DD"; empty when not comparing
 */

/**
 * Parses a fragment such as location.hash. Invalid parts are ignored.
 * @param {string} hash
 * @returns {UrlState}
 */
export function parseHash(hash) {
  const p = new URLSearchParams(String(hash).replace(/^#/, ''));
  const state = { map: null, from: NaN, to: NaN, range: false, layers: null, feature: p.get('feature') || null };
  const m = (p.get('map') || '').split('/').map(Number);
  if (m.length === 3 && m.every(Number.isFinite) && Math.abs(m[1]) <= 90 && Math.abs(m[2]) <= 180 && m[0] >= 0 && m[0] <= 22) {
    state.map = { zoom: m[0], lat: m[1], lon: m[2] };
  }
  const date = p.get('date');
  if (date) {
    const [a, b] = date.split('/');
    const from = parseDay(a), to = b === undefined ? from : parseDay(b);
    if (!Number.isNaN(from) && !Number.isNaN(to)) {
      state.from = Math.min(from, to);
      state.to = Math.max(from, to);
      state.range = b !== undefined;
    }
  }
  if (p.has('layers')) state.layers = p.get('layers').split(',').filter(Boolean);
  state.asof = validAsOf(p.get('asof') || '');
  const cmp = (p.get('compare') || '').split('/');
  state.compare = cmp.length === 2 && cmp.every((d) => !Number.isNaN(parseDay(d))) ? cmp.join('/') : '';
  return state;
}

/**
 * Formats a state as a fragment (with its leading "#"). Commas and
 * slashes stay readable.
 * @param {UrlState} s
 * @returns {string}
 */
export function formatHash(s) {
  const parts = [];
  if (s.map) {
    // Enough decimals for about one screen pixel at this zoom.
    const prec = Math.max(0, Math.ceil(Math.log10((2 ** s.map.zoom * 256) / 360)));
    parts.push(`map=${Math.round(s.map.zoom)}/${s.map.lat.toFixed(prec)}/${s.map.lon.toFixed(prec)}`);
  }
  if (Number.isFinite(s.from)) {
    parts.push(`date=${formatDay(s.from)}${s.range ? '/' + formatDay(s.to) : ''}`);
  }
  if (s.layers) parts.push(`layers=${s.layers.map(encodeURIComponent).join(',')}`);
  if (s.asof) parts.push(`asof=${encodeURIComponent(s.asof).replace(/%3A/g, ':')}`);
  if (s.compare) parts.push(`compare=${s.compare}`);
  return '#' + parts.join('&');
}

/**
 * Returns an asof value as the server takes it (a date YYYY-MM-DD, or an
 * RFC 3339 instant in UTC such as 2025-11-03T12:00:00Z), or '' when it is
 * not one.
 * @param {string} v
 * @returns {string}
 */
export function validAsOf(v) {
  v = String(v).trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return Number.isNaN(parseDay(v)) ? '' : v;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v))) return v;
  return '';
}

/**
 * Replaces the current history entry's fragment with the state, unless
 * it is already there.
 * @param {UrlState} s
 */
export function writeHash(s) {
  if (s.compare === undefined) s = { ...s, compare: parseHash(location.hash).compare };
  const h = formatHash(s);
  if (h !== location.hash) history.replaceState(history.state, '', h);
}
