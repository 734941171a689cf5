// labels.js draws place names on a Leaflet map as text in the page (not
// pixels on a canvas), so that people, screen readers and tests read
// them: one element per name, in a pane above lines and areas and below
// markers and popups, with a white halo. The data layers (layers.js)
// tell it what they draw; after every change and every move or zoom it
// places the names again with labelplace.js, which picks the most
// important that fit without covering each other or other symbols.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { stacksFor } from './stacks.js';
import { candidates, compareCandidates, fitting, place } from './labelplace.js';

const PANE = 'strata-labels';

/** Half the side of a marker (layers.js draws them 20 pixels wide). */
const MARKER_R = 10;

/** The most names tried in one placement, the most important first. */
const MAX_LABELS = 300;

const layers = new WeakMap();

/**
 * The label layer of a map, created and added the first time.
 * @param {L.Map} map
 * @returns {LabelLayer}
 */
export function labelsFor(map) {
  let l = layers.get(map);
  if (!l) {
    l = new LabelLayer();
    layers.set(map, l);
    l.addTo(map);
  }
  return l;
}

/**
 * LabelLayer holds what each data layer draws and shows the names that
 * fit. Sources are set with set(); placement runs once per frame.
 */
export const LabelLayer = L.Layer.extend({
  initialize() {
    this.sources = new Map();
    this.els = new Map();
    this.frame = 0;
  },

  onAdd(map) {
    if (!map.getPane(PANE)) {
      const p = map.createPane(PANE);
      p.style.zIndex = '590';
      p.style.pointerEvents = 'none';
      p.classList.add('leaflet-zoom-hide');
    }
    this.pane = map.getPane(PANE);
    stacksFor(map).onRegroup = () => this.schedule();
    map.on('zoomend moveend resize viewreset', this.schedule, this);
    this.schedule();
  },

  onRemove(map) {
    map.off('zoomend moveend resize viewreset', this.schedule, this);
    for (const el of this.els.values()) el.remove();
    this.els.clear();
  },

  /**
   * Sets what a data layer draws (an empty list when it is hidden).
   * @param {string} id the layer's id
   * @param {{col: object, features: object[], events: boolean, highlighted: Set<string>}} src
   *   events: the features are events, which get no names (they are
   *   many at one place) but which names do not cover
   */
  set(id, src) {
    this.sources.set(id, src);
    this.schedule();
  },

  schedule() {
    if (this.frame || !this._map) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.update(); });
  },

  /** The candidates and obstacles of every source, in layer pixels. */
  collect() {
    const map = this._map;
    const { items, obstacles } = candidates(this.sources, (c) => map.latLngToLayerPoint([c[1], c[0]]), MARKER_R);
    // The count badges of stacked markers, and the map's controls (the
    // layer panel, zoom buttons, credits) over the map.
    for (const ll of stacksFor(map).badged()) {
      const p = map.latLngToLayerPoint(ll);
      obstacles.push({ x: p.x + 2, y: p.y - 23, w: 22, h: 20, id: 'badge' });
    }
    const box = map.getContainer().getBoundingClientRect();
    // Controls, and what a page lays over the map (data-over-map: the
    // presenter's caption panel and legend).
    for (const c of [...map.getContainer().querySelectorAll('.leaflet-control'), ...document.querySelectorAll('[data-over-map]')]) {
      const r = c.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      const p = map.containerPointToLayerPoint([r.left - box.left, r.top - box.top]);
      obstacles.push({ x: p.x - 2, y: p.y - 2, w: r.width + 4, h: r.height + 4, id: 'control' });
    }
    items.sort(compareCandidates);
    return { items, obstacles };
  },

  /** Places the names again and shows those that fit. */
  update() {
    const map = this._map;
    if (!map) return;
    const all = this.collect();
    // Only what lies in view is placed, and at most MAX_LABELS names are
    // tried: a layer of thousands of points keeps moving smoothly.
    const tl = map.containerPointToLayerPoint([0, 0]), size = map.getSize();
    const view = { x: tl.x, y: tl.y, w: size.x, h: size.y };
    const near = (p, m) => p.x >= view.x - m && p.y >= view.y - m && p.x <= view.x + view.w + m && p.y <= view.y + view.h + m;
    const items = all.items.filter((it) => it.anchors.some((a) => near(a, a.kind === 'point' ? 0 : Math.max(a.w || 0, a.len || 0)))).slice(0, MAX_LABELS);
    const obstacles = all.obstacles.filter((o) => near(o, 40));
    // New elements are measured hidden, all at once.
    const fresh = [];
    for (const it of items) {
      let el = this.els.get(it.key);
      const cls = `strata-label lbl-${it.cls}${it.emphasised ? ' is-emphasised' : ''}`;
      if (!el || el.textContent !== it.text || el.className !== cls) {
        el?.remove();
        el = document.createElement('div');
        el.className = cls;
        el.textContent = it.text;
        el.dataset.labelFor = it.key;
        el.style.visibility = 'hidden';
        this.pane.append(el);
        this.els.set(it.key, el);
        fresh.push(el);
      }
      it.el = el;
    }
    for (const el of fresh) { el.size = [el.offsetWidth, el.offsetHeight]; el.style.visibility = ''; }
    const keep = new Set(items.map((it) => it.key));
    for (const [k, el] of this.els) if (!keep.has(k)) { el.remove(); this.els.delete(k); }
    // Lines and areas too small for their name go unnamed.
    for (const it of items) [it.w, it.h] = it.el.size;
    const fits = fitting(items);
    const boxes = place(fits, view, obstacles);
    for (const it of items) {
      const b = boxes.get(it.key);
      it.el.hidden = !b;
      if (b) L.DomUtil.setPosition(it.el, L.point(Math.round(b.x), Math.round(b.y)));
    }
    this.fire('placed', { count: boxes.size });
  },
});
