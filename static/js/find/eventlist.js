// find/eventlist.js lists the events the map shows, oldest first: those
// of the visible event layers loaded for the time shown (the date and the
// days events stay on the map after it, or the range) whose position is
// in the map's view. Choosing one opens it.

import * as L from '../../vendor/leaflet/leaflet-src.esm.js';
import { formatLongDay, startDay } from '../time.js';
import { el } from './dom.js';

/**
 * Picks the events to list: the features of the visible event layers
 * within bounds, by start day then name.
 * @param {Iterable<import('../layers.js').DataLayer>} layers
 * @param {L.LatLngBounds} bounds
 * @returns {{f: object, layer: string, day: number}[]}
 */
export function eventsInView(layers, bounds) {
  const out = [];
  for (const l of layers) {
    if (!l.visible || !l.events) continue;
    for (const f of l.features || []) {
      if (!f?.geometry) continue;
      const g = f.geometry;
      const inView = g.type === 'Point' ? bounds.contains(L.latLng(g.coordinates[1], g.coordinates[0])) : bounds.intersects(L.geoJSON(f).getBounds());
      if (inView) out.push({ f, layer: l.id, day: startDay(f.properties?.valid_from) });
    }
  }
  return out.sort((a, b) => a.day - b.day || String(a.f.properties?.name).localeCompare(String(b.f.properties?.name)));
}

/**
 * EventList draws the list into a panel section.
 */
export class EventList {
  /**
   * @param {{layers: Map<string, object>, map: L.Map, timeline: object, onChoose: (f: object, layer: string) => void}} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.el = el('section', 'find-events');
    this.el.setAttribute('aria-labelledby', 'find-events-title');
    const h = el('h2', 'find-title', 'Events');
    h.id = 'find-events-title';
    this.summary = el('p', 'find-summary');
    this.summary.setAttribute('role', 'status');
    this.list = el('ol', 'find-event-list');
    this.el.append(h, this.summary, this.list);
    this.open = false;
    this.count = 0;
  }

  /** Lists the events again, when shown. */
  refresh() {
    const items = eventsInView(this.opts.layers.values(), this.opts.map.getBounds());
    this.count = items.length;
    this.onCount?.(items.length);
    if (!this.open) return;
    const v = this.opts.timeline.value;
    const when = v.range ? `${formatLongDay(v.from)} to ${formatLongDay(v.to)}` : `shown on ${formatLongDay(v.from)}`;
    this.summary.textContent = `${items.length} event${items.length === 1 ? '' : 's'} in the map view, ${when}.`;
    this.list.replaceChildren(...items.map(({ f, layer, day }) => {
      const li = el('li');
      const b = el('button', 'find-event');
      b.type = 'button';
      b.dataset.featureId = String(f.id);
      const date = el('time', 'find-event-date', Number.isFinite(day) ? formatLongDay(day) : '');
      if (Number.isFinite(day)) date.dateTime = f.properties.valid_from;
      b.append(date, el('span', 'find-event-name', f.properties?.name ?? f.id));
      b.addEventListener('click', () => this.opts.onChoose(f, layer));
      li.append(b);
      return li;
    }));
  }
}
