// tiled.js draws a large collection from Strata's Mapbox Vector Tiles
// (/collections/{id}/xyz/{z}/{x}/{y}.mvt?datetime=…) instead of its items:
// a 200,000-point layer travels as a few hundred kilobytes of tiles per
// view, which the server has already thinned into clusters where points
// are dense.
//
// Why our own Leaflet GridLayer on @mapbox/vector-tile and pbf, and not a
// Leaflet tile plugin from npm:
//   - leaflet.vectorgrid (1.3.0, 2017, unmaintained) calls
//     L.DomEvent.fakeStop, which Leaflet 1.8 removed, so clicks on its
//     interactive tiles throw; it also needs a global L (our Leaflet is an
//     ES module) and is under the Beerware licence.
//   - protomaps-leaflet (5.1) is a basemap renderer with its own style
//     language, eleven dependencies (pmtiles, rbush, the Protomaps basemap
//     styles…) imported by bare names, and feature picking only through a
//     debug API.
//   - maplibre-gl (+ @maplibre/maplibre-gl-leaflet) is a second, WebGL map
//     of about 1 MB inside Leaflet, whose features Leaflet's events and
//     popups do not reach.
// All three decode tiles with @mapbox/vector-tile and pbf (about 40 kB,
// BSD, ES modules, maintained by the MapLibre and Mapbox people). On them
// a small canvas GridLayer gives exactly what the map needs: the
// collection's own marker shapes and colours, clusters sized and labelled
// by point_count, the timeline's datetime on every tile with stale
// requests aborted, and hit-testing that opens the same popups as the
// GeoJSON layers.
//
// The layer below wires Leaflet to the parts in tiled/: mvt.js fetches and
// decodes a tile, cluster.js gathers its dense points, draw.js draws it,
// hit.js finds what is under a point and keyboard.js lets Enter open it.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { TILE_SIZE } from './carto.js';
import { colorOf, dashOf, markerOf, markerSVG } from './style.js';
import { fetchTile } from './tiled/mvt.js';
import { gather, featureCount } from './tiled/cluster.js';
import { createCanvas, drawTile } from './tiled/draw.js';
import { hitTest } from './tiled/hit.js';
import { KEY_SLOP, listenForEnter } from './tiled/keyboard.js';

/**
 * Collections with more features than this (their feature_count in
 * /collections) are drawn from vector tiles; smaller ones from items as
 * GeoJSON. 5,000 features are about 1 to 2 MB of GeoJSON and as many DOM
 * elements, where Leaflet's SVG markers start to make panning sluggish;
 * tiles of such a layer are a few tens of kilobytes each.
 */
export const TILE_THRESHOLD = 5000;

/**
 * Reports whether a collection is drawn from tiles.
 * @param {object} col collection from /collections
 * @returns {boolean}
 */
export function isTiled(col) {
  return Number(col?.feature_count) > TILE_THRESHOLD;
}

/** A tile's key in the layer's table of tiles: column, row and zoom, as GridLayer writes them. */
function tileKey(c) {
  return `${c.x}:${c.y}:${c.z}`;
}

/**
 * Creates a pane for tiled layers: above areas, below the GeoJSON lines
 * and points, so that a dense layer does not hide the small curated ones,
 * and never the target of pointer events (clicks are hit-tested from the
 * map's own events).
 * @param {L.Map} map
 * @returns {string} the pane's name
 */
function tiledPane(map) {
  const name = 'strata-tiled';
  if (!map.getPane(name)) {
    const p = map.createPane(name);
    p.style.zIndex = '415';
    p.style.pointerEvents = 'none';
  }
  return name;
}

/**
 * VectorTileLayer draws one collection's tiles on canvases. Options:
 * col (the collection), approximateAt (metres), onState(state) with
 * {loading, error, count}, onFeature(item, latlng) when a feature is
 * clicked, onCluster(latlng) when a cluster is clicked.
 */
export const VectorTileLayer = L.GridLayer.extend({
  options: { tileSize: TILE_SIZE, updateWhenZooming: false, keepBuffer: 1 },

  initialize(options) {
    L.GridLayer.prototype.initialize.call(this, options);
    const col = options.col;
    this.id = String(col.id);
    const color = colorOf(col);
    // How tiles are drawn (TileStyle in tiled/draw.js).
    this.style = {
      color,
      dash: dashOf(col)?.split(/[\s,]+/).map(Number),
      // The marker's outline is the GeoJSON marker's own SVG path.
      marker: new Path2D(markerSVG(markerOf(col), color).querySelector('path').getAttribute('d')),
      highlighted: new Set(),
      approximateAt: options.approximateAt ?? 2000,
    };
    this.datetime = undefined;
    this.loading = new Set();
    this.error = '';
    // Each tile's state, by its element: what createTile made and load
    // fetched. GridLayer's own table of tiles (_tiles) is private: the
    // layer keeps its own, shown, from GridLayer's public tile events, by
    // the same keys (tileloadstart and tileunload give the unwrapped
    // coordinates the keys use; createTile gets them wrapped).
    this.records = new WeakMap();
    this.shown = new Map();
    const bb = col.extent?.spatial?.bbox?.[0];
    if (Array.isArray(bb) && bb.length >= 4 && bb.every(Number.isFinite)) {
      // No tile is asked for outside the data: widen by a little so
      // symbols at the edge are not cut.
      this.options.bounds = L.latLngBounds([bb[1], bb[0]], [bb[3], bb[2]]).pad(0.05);
    }
    this.on('tileloadstart', (e) => this.shown.set(tileKey(e.coords), { coords: e.coords, rec: this.records.get(e.tile) }));
    this.on('tileunload', (e) => {
      this.shown.delete(tileKey(e.coords));
      this.unload(this.records.get(e.tile));
    });
  },

  onAdd(map) {
    this.options.pane = tiledPane(map);
    // GridLayer starts at the map's zoom, rounded (see tileZoom).
    this.wholeZoom = Math.round(map.getZoom());
    L.GridLayer.prototype.onAdd.call(this, map);
    map.on('click', this.onClick, this);
    map.on('mousemove', this.onHover, this);
    map.on('zoomanim', this.onZoomAnim, this);
    map.on('zoomend', this.onZoomEnd, this);
    map.on('zoomstart', this.onZoomStart, this);
    map.on('moveend', this.onMoveEnd, this);
    this.stopKeys = listenForEnter(map, (c) => this.open(this.hit(c, KEY_SLOP), c));
  },

  // From the start of a zoom until the tiles of the new zoom are asked
  // for, the layer counts as loading: what it shows is about to change.
  onZoomStart() {
    this.zooming = true;
    this.report();
  },

  // A zoom animation runs from zoomanim to zoomend (the map's own flag
  // for it, _animatingZoom, is private).
  onZoomAnim() {
    this.animatingZoom = true;
  },

  onZoomEnd() {
    this.animatingZoom = false;
    this.redrawAll();
  },

  onMoveEnd() {
    // After GridLayer's own moveend handler has asked for the new tiles.
    setTimeout(() => {
      if (!this.zooming || this.animatingZoom) return;
      this.zooming = false;
      this.report();
    }, 0);
  },

  onRemove(map) {
    this.stopKeys();
    map.off('click', this.onClick, this);
    map.off('mousemove', this.onHover, this);
    map.off('zoomanim', this.onZoomAnim, this);
    map.off('zoomend', this.onZoomEnd, this);
    map.off('zoomstart', this.onZoomStart, this);
    map.off('moveend', this.onMoveEnd, this);
    this.zooming = false;
    this.animatingZoom = false;
    map.getContainer().style.cursor = '';
    L.GridLayer.prototype.onRemove.call(this, map);
    this.loading.clear();
    this.report();
  },

  /**
   * The zoom of the tiles on show. GridLayer keeps it in its private
   * _tileZoom, with no public accessor. It asks for tiles at the map's
   * zoom, a whole number here (zoomSnap 1, no native zoom limits), and
   * keeps them through a flight or a pinch, while the map's zoom is
   * fractional: so this is the map's zoom when whole, else the last
   * whole zoom seen (a flight starts with zoomstart, which reports), or
   * the zoom GridLayer started from when the layer was added.
   * @returns {number|undefined}
   */
  tileZoom() {
    const z = this._map?.getZoom();
    if (Number.isInteger(z)) this.wholeZoom = z;
    return this.wholeZoom;
  },

  /**
   * The tiles on show at the tiles' zoom.
   * @returns {{coords: L.Point, items: object[], raw: object[]}[]}
   *   coords with z; items as drawn (gathered), raw as decoded
   */
  currentTiles() {
    const z = this.tileZoom();
    const out = [];
    for (const t of this.shown.values()) if (t.coords.z === z) out.push({ coords: t.coords, items: t.rec.items, raw: t.rec.raw });
    return out;
  },

  /**
   * Sets the time filter: every tile shown is asked for again with it,
   * the requests still running for the old one are aborted, and each tile
   * keeps its old drawing until its new data arrives.
   * @param {string} datetime
   * @param {string} [asof] as known at this instant (record time)
   */
  setDatetime(datetime, asof) {
    if (datetime === this.datetime && asof === this.asof) return;
    this.datetime = datetime;
    this.asof = asof;
    this.refresh();
  },

  /** Asks for every tile shown again: after a change to the data. */
  refresh() {
    this.error = '';
    for (const t of this.shown.values()) this.load(t.rec);
    this.report();
  },

  /**
   * Marks features as highlighted.
   * @param {Iterable<string>} ids
   */
  highlight(ids) {
    this.style.highlighted = new Set([...ids].map(String));
    this.redrawAll();
  },

  createTile(coords, done) {
    const el = L.DomUtil.create('div');
    const { canvas, ratio } = createCanvas(el);
    el.setAttribute('data-layer', this.id);
    el.setAttribute('data-tile', `${coords.z}/${coords.x}/${coords.y}`);
    const rec = { el, coords: { x: coords.x, y: coords.y, z: coords.z }, canvas, ratio, items: [], raw: [], done, ctl: null, datetime: undefined };
    this.records.set(el, rec);
    // Tiles wait for the first datetime: the map sets it before it is idle.
    if (this.datetime !== undefined) this.load(rec);
    return el;
  },

  /** Fetches a tile's data for the current datetime and draws it. */
  async load(rec) {
    rec.ctl?.abort();
    const ctl = new AbortController();
    rec.ctl = ctl;
    const datetime = this.datetime;
    this.loading.add(rec);
    this.report();
    try {
      const raw = await fetchTile(this.id, rec.coords, datetime, ctl.signal, this.asof);
      if (ctl.signal.aborted) return;
      rec.raw = raw;
      rec.items = gather(raw);
      rec.datetime = datetime;
      rec.el.setAttribute('data-datetime', datetime ?? '');
      rec.el.setAttribute('data-features', String(rec.items.length));
      this.draw(rec);
      this.finish(rec, null);
    } catch (err) {
      if (err.name === 'AbortError' || ctl.signal.aborted) return;
      this.error = err.message || 'Tiles could not be loaded.';
      this.finish(rec, err);
    }
  },

  finish(rec, err) {
    rec.ctl = null;
    this.loading.delete(rec);
    const done = rec.done;
    rec.done = null;
    if (done) done(err, rec.el);
    this.report();
  },

  unload(rec) {
    if (rec) {
      rec.ctl?.abort();
      this.loading.delete(rec);
      rec.items = rec.raw = [];
    }
    this.report();
  },

  /** Tells the owner whether tiles are loading and how much is drawn. */
  report() {
    let count = 0;
    for (const t of this.currentTiles()) count += featureCount(t.items);
    const loading = this.loading.size > 0 || !!this.zooming;
    this.options.onState?.({ loading, error: loading ? '' : this.error, count });
  },

  redrawAll() {
    for (const t of this.shown.values()) if (t.rec.datetime !== undefined) this.draw(t.rec);
  },

  /** Draws a tile's items on its canvas. */
  draw(rec) {
    const map = this._map;
    if (!map) return;
    drawTile(rec.canvas, rec.ratio, rec.items, this.style, map.getCenter().lat, rec.coords.z);
  },

  /**
   * Finds the topmost item under a map position (see hitTest).
   * @param {L.LatLng} latlng
   * @param {number} [slop] extra pixels around symbols
   * @returns {{item: object, tile: {x: number, y: number, z: number}}|null}
   */
  hit(latlng, slop) {
    const map = this._map, z = this.tileZoom();
    if (!map || z === undefined || map.getZoom() !== z) return null;
    const tileAt = (x, y) => {
      const t = this.shown.get(tileKey({ x, y, z }));
      return t && { coords: t.coords, items: t.rec.items };
    };
    return hitTest(tileAt, map.project(latlng, z), slop);
  },

  /** The map position of a point item. */
  itemLatLng(hit) {
    return this._map.unproject([hit.tile.x * TILE_SIZE + hit.item.x, hit.tile.y * TILE_SIZE + hit.item.y], hit.tile.z);
  },

  onClick(e) {
    // Features drawn as GeoJSON above the tiles answer their own clicks.
    if (e.originalEvent?.target?.closest?.('.leaflet-interactive, .leaflet-marker-icon, .leaflet-popup')) return;
    this.open(this.hit(e.latlng), e.latlng);
  },

  /** Opens what h found (see hit) at latlng: a feature's popup, or a cluster zoomed into. */
  open(h, latlng) {
    if (!h) return false;
    const at = h.item.type === 1 ? this.itemLatLng(h) : latlng;
    if (h.item.props.cluster) this.options.onCluster?.(at);
    else this.options.onFeature?.(h.item, at);
    return true;
  },

  onHover(e) {
    if (this.hoverFrame) return;
    this.hoverFrame = requestAnimationFrame(() => {
      this.hoverFrame = 0;
      if (!this._map) return;
      const h = this.hit(e.latlng);
      this._map.getContainer().style.cursor = h ? 'pointer' : '';
    });
  },

  /**
   * Finds a drawn item by feature id.
   * @param {string} id
   * @returns {{item: object, tile: object}|null}
   */
  find(id) {
    for (const t of this.currentTiles()) {
      const it = t.raw.find((i) => i.own && String(i.props.id) === id);
      if (it) return { item: it, tile: t.coords };
    }
    return null;
  },
});
