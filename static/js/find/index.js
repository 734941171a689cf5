// find/index.js wires the finding tools into the explore map: the search
// box, the event list and the compare mode in a bar over the map's top
// left corner, and the marks over the timeline's event ticks. main.js
// calls installFind once the map is live; nothing else of the map needs
// to know about them.

import * as L from '../../vendor/leaflet/leaflet-src.esm.js';
import { fetchAllItems } from '../api.js';
import { parseHash } from '../urlstate.js';
import { parseDay } from '../time.js';
import { CompareMode } from './compare.js';
import { EventList } from './eventlist.js';
import { openFeature } from './open.js';
import { SearchBox } from './search.js';
import { EventMarks } from './ticks.js';
import { el } from './dom.js';

/**
 * Adds the finding tools to the map.
 * @param {{map: L.Map, timeline: import('../timeline.js').Timeline,
 *   layers: Map<string, import('../layers.js').DataLayer>, collections: object[],
 *   setLayer: (id: string, on: boolean) => void, asof: () => string, reducedMotion: boolean}} o
 * @returns {{search: SearchBox, events: EventList, compare: CompareMode, marks: EventMarks,
 *   open: (f: object, layer: string) => void, show: (panel: string) => void}}
 */
export function installFind(o) {
  /** @type {import('./open.js').FindContext} */
  const ctx = { ...o, isVisible: (id) => !!o.layers.get(id)?.visible };
  const open = (f, layer) => openFeature(ctx, f, layer);
  const titleOf = (id) => o.collections.find((c) => String(c.id) === id)?.title || id;

  const search = new SearchBox({ titleOf, asof: o.asof, onChoose: (f) => open(f, String(f.properties?.collection)) });
  const events = new EventList({ layers: o.layers, map: o.map, timeline: o.timeline, onChoose: open });
  const compare = new CompareMode({ ...ctx, onChoose: (f, layer) => openFeature(ctx, f, layer, { keepTime: true }) });

  // The bar: the search box, then a button for each panel.
  const bar = el('div', 'find-bar');
  const tools = el('div', 'find-tools');
  const panel = el('div', 'find-panel');
  panel.id = 'find-panel';
  panel.hidden = true;
  const sections = { events: events.el, compare: compare.el };
  const buttons = {};
  for (const [name, text] of [['events', 'Events'], ['compare', 'Compare dates']]) {
    const b = el('button', `find-toggle find-toggle-${name}`, text);
    b.type = 'button';
    b.setAttribute('aria-expanded', 'false');
    b.setAttribute('aria-controls', 'find-panel');
    b.addEventListener('click', () => show(buttons[name].getAttribute('aria-expanded') === 'true' ? '' : name));
    buttons[name] = b;
    tools.append(b);
  }
  const count = el('span', 'find-count');
  buttons.events.append(count);
  events.onCount = (n) => { count.textContent = ` (${n})`; };
  const close = el('button', 'find-close', 'Close');
  close.type = 'button';
  close.addEventListener('click', () => { show(''); buttons.events.focus(); });
  panel.append(close, events.el, compare.el);
  bar.append(search.el, tools, panel);
  o.map.getContainer().append(bar);
  L.DomEvent.disableClickPropagation(bar);
  L.DomEvent.disableScrollPropagation(bar);
  // Neither keys nor clicks reach the map: a click on a list item that a
  // redraw removed meanwhile would read as a click on the map, which
  // closes the popup the item opened.
  bar.addEventListener('keydown', (e) => e.stopPropagation());
  bar.addEventListener('click', (e) => e.stopPropagation());
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { const n = shown; show(''); buttons[n]?.focus(); } });

  let shown = '';
  /** Shows one panel section ('' none); leaving compare stops it. */
  function show(name) {
    if (shown === 'compare' && name !== 'compare') compare.stop();
    shown = name;
    panel.hidden = !name;
    for (const [n, b] of Object.entries(buttons)) b.setAttribute('aria-expanded', String(n === name));
    for (const [n, s] of Object.entries(sections)) s.hidden = n !== name;
    events.open = name === 'events';
    if (name === 'events') events.refresh();
    if (name === 'compare' && !compare.active) compare.start();
  }

  // Follow the view, the time and the layers' loads.
  o.map.on('moveend', () => events.refresh());
  const onChange = o.timeline.opts.onChange;
  o.timeline.opts.onChange = (v) => { onChange(v); compare.timeChanged(v); };
  for (const l of o.layers.values()) {
    const onState = l.opts.onState;
    l.opts.onState = (id, s) => { onState(id, s); if (!s.loading) events.refresh(); };
  }

  // The timeline's event marks, named from the event layers' features.
  const byLayer = new Map();
  const feature = (layer, id) => byLayer.get(layer)?.get(id);
  const marks = new EventMarks(o.timeline, { feature, onChoose: open, onDay: (day) => o.timeline.set({ from: day, to: day, range: false }) });
  let named = null; // the summary the names were fetched for
  async function drawMarks() {
    marks.draw();
    if (o.timeline.summary === named) return;
    named = o.timeline.summary;
    const ids = [...new Set((o.timeline.summary?.events || []).map((e) => e.layer))];
    await Promise.all(ids.map(async (id) => {
      try {
        const fs = await fetchAllItems(id, { asof: o.asof() || undefined });
        byLayer.set(id, new Map(fs.map((f) => [String(f.id), f])));
      } catch { /* the marks keep their counts */ }
    }));
    marks.draw();
  }
  o.timeline.opts.onDrawn = drawMarks;
  drawMarks();
  events.refresh();

  // A link that names dates to compare opens the compare mode.
  const linked = parseHash(location.hash).compare;
  if (linked) {
    const [a, b] = linked.split('/').map(parseDay);
    compare.start(a, b);
    show('compare');
  }
  return { search, events, compare, marks, open, show };
}
