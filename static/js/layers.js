// layers.js draws one collection's features on the map, fetched from the
// items endpoint with datetime and bbox: the server decides what is valid
// when. A new query aborts the one still running. Approximate features
// (large precision_m) get a halo or band as wide as their precision.
// Collections larger than TILE_THRESHOLD features are drawn from vector
// tiles instead (tiled.js), with the same popups.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { fetchAllItems, fetchFeature } from './api.js';
import { INK, metresToPixels } from './carto.js';
import { colorOf, dashOf, markerOf, markerSVG, haloStyle, bandOpacity } from './style.js';
import { isEventLayer } from './histogram.js';
import { labelsFor } from './labels.js';
import { stacksFor } from './stacks.js';
import { endDay } from './time.js';
import { VectorTileLayer, isTiled, TILE_THRESHOLD } from './tiled.js';

export { isTiled, TILE_THRESHOLD };

/**
 * Features whose data does not say whether they are approximate look
 * approximate from this precision (metres) on.
 */
export const APPROXIMATE_AT = 2000;

const PANES = { halo: 405, areas: 410, lines: 420, points: 600 };

/**
 * Creates the map panes the data layers draw into (once per map).
 * @param {L.Map} map
 */
export function createPanes(map) {
  for (const [name, z] of Object.entries(PANES)) {
    if (!map.getPane(`strata-${name}`)) map.createPane(`strata-${name}`).style.zIndex = String(z);
  }
}

/**
 * Reports whether a feature should be drawn as approximate: its
 * "approximate" property when it has one, else a precision of
 * APPROXIMATE_AT metres or more.
 * @param {object} f GeoJSON feature
 * @returns {boolean}
 */
export function isApproximate(f) {
  const p = f.properties || {};
  if (typeof p.approximate === 'boolean') return p.approximate;
  return Number(p.precision_m) >= APPROXIMATE_AT;
}

/**
 * A popup's options on a map: at most 360 pixels wide, and never wider
 * or taller than the map leaves room for (a phone's 390 pixels).
 * @param {L.Map} map
 * @returns {object}
 */
export function popupOptions(map) {
  const size = map.getSize();
  const maxWidth = Math.max(160, Math.min(360, size.x - 64));
  // On a narrow map a popup spans the controls' column: it keeps below
  // those at the top and above those at the bottom.
  let top = 16, bottom = 16;
  if (size.x < 640) {
    const box = map.getContainer().getBoundingClientRect();
    for (const c of map.getContainer().querySelectorAll('.leaflet-top .leaflet-control')) top = Math.max(top, c.getBoundingClientRect().bottom - box.top + 8);
    for (const c of map.getContainer().querySelectorAll('.leaflet-bottom .leaflet-control')) bottom = Math.max(bottom, box.bottom - c.getBoundingClientRect().top + 8);
    top = Math.min(top, size.y / 3);
    bottom = Math.min(bottom, size.y / 4);
  }
  return {
    maxWidth,
    minWidth: Math.min(240, maxWidth),
    maxHeight: Math.max(160, size.y - top - bottom - 40),
    autoPanPaddingTopLeft: [16, top],
    autoPanPaddingBottomRight: [16, bottom],
    className: 'strata-popup',
  };
}

/**
 * DataLayer is one collection on the map: GeoJSON from items, or vector
 * tiles when the collection is large (isTiled); tiled is true then.
 */
export class DataLayer {
  /**
   * @param {L.Map} map
   * @param {object} col collection from /collections
   * @param {object} opts
   * @param {(id: string, state: {loading: boolean, error: string, count: number}) => void} opts.onState
   * @param {(feature: object, col: object) => HTMLElement} opts.details popup content
   */
  constructor(map, col, opts) {
    this.map = map;
    this.col = col;
    this.id = String(col.id);
    this.opts = opts;
    this.group = L.layerGroup();
    this.visible = false;
    this.events = false;
    this.key = '';
    this.controller = null;
    this.features = [];
    this.bands = [];
    this.highlighted = new Set();
    // Features not drawn: those the editor is changing, drawn by it.
    this.hidden = new Set();
    this.asof = undefined;
    this.state = { loading: false, error: '', count: 0 };
    // Names on the map and points that share a spot, across the layers.
    this.labels = labelsFor(map);
    this.stacks = stacksFor(map);
    this.points = [];
    this.tiled = isTiled(col);
    if (this.tiled) {
      this.tiles = new VectorTileLayer({
        col,
        approximateAt: APPROXIMATE_AT,
        onState: (s) => { if (this.visible) this.setState(s); },
        onFeature: (item, latlng) => this.openFetchedPopup(String(item.props.id), latlng),
        onCluster: (latlng) => map.setView(latlng, Math.min(map.getZoom() + 2, map.getMaxZoom()), { animate: map.options.zoomAnimation }),
      });
      this.group.addLayer(this.tiles);
    }
    map.on('zoomend', () => this.resizeBands());
  }

  /**
   * Opens the popup of a feature fetched whole (with its sources) first:
   * for a tiled feature, whose tile holds only a few properties, and for
   * a feature opened by a link before its layer has drawn it.
   * @param {string} id feature id
   * @param {L.LatLng} latlng where the popup points
   */
  async openFetchedPopup(id, latlng) {
    this.popupCtl?.abort();
    const ctl = new AbortController();
    this.popupCtl = ctl;
    const wait = document.createElement('p');
    wait.className = 'fp-loading';
    wait.textContent = 'Loading…';
    const popup = L.popup(popupOptions(this.map)).setLatLng(latlng).setContent(wait).openOn(this.map);
    popup.once('remove', () => ctl.abort());
    try {
      const f = await fetchFeature(this.id, id, ctl.signal, this.asof);
      if (ctl.signal.aborted) return;
      popup.setContent(this.opts.details(f, this.col));
    } catch (err) {
      if (err.name === 'AbortError') return;
      wait.textContent = err.message || 'The feature could not be loaded.';
      popup.update();
    }
  }

  /** Shows or hides the layer; a shown layer needs update() to load. */
  setVisible(on) {
    this.visible = on;
    if (on) this.group.addTo(this.map);
    else {
      this.group.remove();
      this.abort();
      this.key = '';
      this.features = [];
      this.points = [];
      this.share();
    }
  }

  abort() {
    if (this.controller) this.controller.abort();
    this.controller = null;
    if (this.state.loading) this.setState({ loading: false });
  }

  setState(s) {
    this.state = { ...this.state, ...s };
    this.opts.onState(this.id, this.state);
  }

  /**
   * Loads the features valid at the query's time within its bbox, unless
   * the same query is already shown or running.
   * @param {{datetime: string, bbox: number[], fade: {day: number, window: number}|null, asof?: string}} q
   *   asof, when set, shows the data as recorded at that instant
   * @returns {Promise<void>}
   */
  async update(q) {
    if (!this.visible) return;
    this.asof = q.asof;
    if (this.tiled) {
      // Tiles follow the view themselves; only the time filters are ours.
      this.key = `${q.datetime}|${q.asof ?? ''}`;
      this.tiles.setDatetime(q.datetime, q.asof);
      return;
    }
    const key = `${q.datetime}|${q.bbox.join(',')}|${q.asof ?? ''}`;
    this.fade = this.events ? q.fade : null;
    if (key === this.key) { this.applyFade(); return; }
    this.abort();
    this.key = key;
    const ctl = new AbortController();
    this.controller = ctl;
    this.setState({ loading: true, error: '' });
    try {
      const features = await fetchAllItems(this.id, { datetime: q.datetime, bbox: q.bbox, asof: q.asof }, ctl.signal);
      if (ctl.signal.aborted) return;
      this.draw(features);
      this.controller = null;
      this.setState({ loading: false, error: '', count: features.length });
    } catch (err) {
      if (err.name === 'AbortError') return;
      this.controller = null;
      this.key = '';
      this.setState({ loading: false, error: err.message || 'Loading failed.' });
    }
  }

  /**
   * Loads the layer again at its next update, as the data changed (an
   * edit, or a changeset from the change feed).
   */
  refresh() {
    if (this.tiled) this.tiles.refresh();
    else this.key = '';
  }

  /**
   * Leaves features undrawn (the editor draws them while it changes
   * them), or draws them again.
   * @param {Iterable<string>} ids
   */
  setHidden(ids) {
    this.hidden = new Set([...ids].map(String));
    if (!this.tiled) this.draw(this.features);
  }

  /** Draws features, replacing what was drawn. */
  draw(features) {
    this.group.clearLayers();
    this.bands = [];
    this.halos = [];
    this.points = [];
    this.features = features;
    this.popupOpts = popupOptions(this.map);
    // One halo per place and precision: the events placed at a town's
    // centre share one, not a stack of them.
    const haloAt = new Set();
    for (const f of features) {
      if (!f || !f.geometry || this.hidden.has(String(f.id))) continue;
      this.group.addLayer(this.featureLayer(f, haloAt));
    }
    this.resizeBands();
    this.applyFade();
    this.applyHighlight();
    this.share();
  }

  /** Tells the map's labels and stacks what this layer draws now. */
  share() {
    if (this.tiled) return;
    const shown = this.visible ? this.features.filter((f) => f?.geometry && !this.hidden.has(String(f.id))) : [];
    this.labels.set(this.id, { col: this.col, features: shown, events: isEventLayer(shown), highlighted: this.highlighted });
    for (const p of this.points) p.top = this.highlighted.has(String(p.feature.id));
    this.stacks.set(this.id, this.visible ? this.points : []);
  }

  featureLayer(f, haloAt = new Set()) {
    const col = this.col, color = colorOf(col), dash = dashOf(col);
    const id = String(f.id);
    const approx = isApproximate(f);
    const prec = Number(f.properties?.precision_m) || 0;
    const fg = L.featureGroup();
    fg.feature = f;
    const tag = (layer, part) => layer.getElement === undefined && layer.eachLayer ? layer.eachLayer((c) => tag(c, part)) : layer.on('add', () => {
      const e = layer.getElement?.();
      if (!e) return;
      e.setAttribute('data-layer', this.id);
      e.setAttribute('data-part', part);
      if (part === 'main') e.setAttribute('data-feature-id', id);
      if (approx) e.classList.add('is-approximate');
    });
    const popup = () => this.opts.details(f, col);
    const popupOpts = this.popupOpts || popupOptions(this.map);

    if (approx) {
      // The halo (points) or band (lines, areas) as wide as the precision;
      // restyled with the zoom (resizeBands).
      L.geoJSON(f, {
        filter: (g) => {
          if (g.geometry?.type !== 'Point') return true;
          const k = `${g.geometry.coordinates.join(',')}|${prec}`;
          if (haloAt.has(k)) return false;
          haloAt.add(k);
          return true;
        },
        pointToLayer: (_, ll) => L.circle(ll, { radius: prec, pane: 'strata-halo', color, weight: 1.5, dashArray: '4 4', fillOpacity: 0.12, opacity: 0.8, interactive: false }),
        style: { pane: 'strata-halo', color, opacity: 0.16, weight: 8, fill: false, lineCap: 'round', lineJoin: 'round', interactive: false },
        onEachFeature: (_, l) => { (l instanceof L.Circle ? this.halos : this.bands).push({ layer: l, metres: prec }); tag(l, 'band'); },
      }).eachLayer((l) => fg.addLayer(l));
    }
    const isArea = (t) => t === 'Polygon' || t === 'MultiPolygon';
    // A dark casing under lines keeps light colours (yellow) legible.
    L.geoJSON(f, {
      filter: (g) => !isArea(g.geometry?.type),
      pointToLayer: () => L.layerGroup(),
      style: { pane: 'strata-lines', color: INK.casing, opacity: INK.casingOpacity, weight: 6, dashArray: dash, interactive: false, lineCap: 'butt' },
    }).eachLayer((l) => fg.addLayer(l));
    const main = L.geoJSON(f, {
      pointToLayer: (feat, ll) => L.marker(ll, {
        icon: L.divIcon({ html: markerSVG(markerOf(col), color, 20), className: 'strata-marker', iconSize: [32, 32], iconAnchor: [16, 16], popupAnchor: [0, -10] }),
        title: String(feat.properties?.name ?? id),
        alt: String(feat.properties?.name ?? id),
        keyboard: true,
        riseOnHover: true,
      }),
      style: (feat) => {
        const area = isArea(feat.geometry?.type);
        return { pane: area ? 'strata-areas' : 'strata-lines', color, weight: area ? 2 : 3.5, opacity: 1, dashArray: dash ?? (area && approx ? INK.approxDash.join(' ') : undefined), fillOpacity: area ? INK.areaFillOpacity : 0, lineCap: 'butt' };
      },
    });
    main.eachLayer((l) => {
      tag(l, 'main');
      if (l instanceof L.Marker) {
        // A marker in a stack opens the chooser (stacks.js) first.
        l.bindPopup((m) => this.stacks.content(m) ?? popup(), popupOpts);
        this.points.push({ marker: l, feature: f, col, details: popup, top: false });
      } else l.bindPopup(popup, popupOpts);
      fg.addLayer(l);
    });
    // A wide invisible stroke makes thin lines easy to tap.
    L.geoJSON(f, {
      filter: (g) => !isArea(g.geometry?.type) && g.geometry?.type !== 'Point' && g.geometry?.type !== 'MultiPoint',
      pointToLayer: () => L.layerGroup(),
      style: { pane: 'strata-lines', color: '#000', opacity: 0, weight: 22, fill: false },
    }).eachLayer((l) => { tag(l, 'hit'); l.bindPopup(popup, popupOpts); fg.addLayer(l); });
    return fg;
  }

  /**
   * Sets band widths to twice the precision in pixels at this zoom, and
   * bands and halos as faint as their size asks (see haloStyle).
   */
  resizeBands() {
    const z = this.map.getZoom(), lat = this.map.getCenter().lat;
    for (const b of this.bands || []) {
      const w = Math.max(6, Math.min(400, 2 * metresToPixels(b.metres, lat, z)));
      b.layer.setStyle({ weight: w, opacity: bandOpacity(w) });
    }
    for (const h of this.halos || []) {
      const st = haloStyle(metresToPixels(h.metres, lat, z));
      h.layer.setStyle({ fill: st.fillOpacity > 0, fillOpacity: st.fillOpacity, opacity: st.show ? st.opacity : 0, weight: st.weight });
    }
  }

  /** Fades events by age: those on the current day are opaque. */
  applyFade() {
    this.group.eachLayer((fg) => {
      let o = 1;
      if (this.fade) {
        // Age counts from an event's last day: a multi-day event is new until it ends.
        const age = this.fade.day - (endDay(fg.feature?.properties?.valid_to) - 1);
        o = Number.isFinite(age) ? Math.max(0.25, 1 - (0.75 * Math.max(0, age)) / Math.max(1, this.fade.window)) : 1;
      }
      fg.eachLayer((l) => {
        if (l instanceof L.Marker) l.setOpacity(o);
        else if (l.getElement?.()) l.getElement().style.opacity = String(o);
      });
    });
  }

  /**
   * Marks features as highlighted (for presenters and links).
   * @param {Iterable<string>} ids
   */
  highlight(ids) {
    this.highlighted = new Set([...ids].map(String));
    if (this.tiled) this.tiles.highlight(this.highlighted);
    this.applyHighlight();
    this.share();
  }

  /** Marks the highlighted features and draws them above the others. */
  applyHighlight() {
    this.group.eachLayer((fg) => {
      const on = this.highlighted.has(String(fg.feature?.id));
      fg.eachLayer((l) => {
        l.getElement?.()?.classList.toggle('is-highlighted', on);
        if (on && l instanceof L.Path && l.options.interactive !== false) l.bringToFront();
      });
    });
  }

  /**
   * Opens the popup of a drawn feature.
   * @param {string} id feature id
   * @returns {boolean} whether it was found
   */
  openPopup(id) {
    if (this.tiled) {
      const h = this.tiles.find(id);
      if (h) this.openFetchedPopup(id, h.item.type === 1 ? this.tiles.itemLatLng(h) : this.map.getCenter());
      return !!h;
    }
    let found = false;
    this.group.eachLayer((fg) => {
      if (found || String(fg.feature?.id) !== id) return;
      fg.eachLayer((l) => {
        if (found || !l.getPopup?.()) return;
        found = true;
        // The feature itself, not the chooser of its stack.
        this.stacks.direct = l;
        try { l.openPopup(); } finally { this.stacks.direct = null; }
      });
    });
    return found;
  }
}
