// find/open.js opens a feature chosen from the search results, the event
// list, the timeline's event marks or the compare list: its layer is
// shown, the timeline moves to a day it is valid on (an event's own day),
// the map frames it, and its popup opens, highlighted.

import * as L from '../../vendor/leaflet/leaflet-src.esm.js';
import { startDay, endDay } from '../time.js';

/**
 * @typedef {object} FindContext what the find modules drive (see index.js)
 * @property {L.Map} map
 * @property {import('../timeline.js').Timeline} timeline
 * @property {Map<string, import('../layers.js').DataLayer>} layers
 * @property {object[]} collections
 * @property {(id: string, on: boolean) => void} setLayer
 * @property {(id: string) => boolean} isVisible
 * @property {() => string} asof record time shown, '' for now
 * @property {boolean} reducedMotion
 */

/**
 * Returns the day to show a feature on, or NaN to keep the timeline: an
 * event's day unless it is the day shown, and for other features their
 * first day when the time shown misses them.
 * @param {{from: number, to: number, range: boolean}} v the time shown
 * @param {object} f GeoJSON feature
 * @param {boolean} event whether it is an event
 * @returns {number}
 */
export function dayFor(v, f, event) {
  const s = startDay(f.properties?.valid_from), e = endDay(f.properties?.valid_to);
  const first = Number.isFinite(s) ? s : e - 1;
  if (!Number.isFinite(first)) return NaN; // valid always
  const overlaps = (a, b) => (!Number.isFinite(s) || s <= b) && (!Number.isFinite(e) || a < e);
  if (event) return v.range ? (overlaps(v.from, v.to) ? NaN : first) : (s === v.from ? NaN : first);
  return overlaps(v.from, v.range ? v.to : v.from) ? NaN : first;
}

/** Where a feature's popup points: a point itself, else its bounds' centre. */
export function anchorOf(f) {
  const g = f.geometry;
  if (g?.type === 'Point') return L.latLng(g.coordinates[1], g.coordinates[0]);
  const b = L.geoJSON(f).getBounds();
  return b.isValid() ? b.getCenter() : null;
}

let lastLayer = null;

/**
 * Opens a feature: see the module comment.
 * @param {FindContext} ctx
 * @param {object} f GeoJSON feature (its geometry, id and valid time)
 * @param {string} collection its collection id
 * @param {{keepTime?: boolean}} [o] keepTime leaves the timeline as it is
 */
export function openFeature(ctx, f, collection, o = {}) {
  const l = ctx.layers.get(collection);
  const at = anchorOf(f);
  if (!l || !at) return;
  if (!ctx.isVisible(collection)) ctx.setLayer(collection, true);
  const v = ctx.timeline.value;
  const day = dayFor(v, f, l.events);
  if (Number.isFinite(day) && !o.keepTime) {
    ctx.timeline.set(v.range ? { from: day, to: day + (v.to - v.from), range: true } : { from: day, to: day, range: false });
  }
  const animate = !ctx.reducedMotion;
  if (f.geometry.type === 'Point') ctx.map.setView(at, Math.max(ctx.map.getZoom(), 11), { animate });
  else ctx.map.fitBounds(L.geoJSON(f).getBounds().pad(0.2), { maxZoom: 13, animate });
  if (lastLayer && lastLayer !== l) lastLayer.highlight([]);
  lastLayer = l;
  l.highlight([String(f.id)]);
  l.openFetchedPopup(String(f.id), at);
}
