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

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { VectorTile } from '../vendor/@mapbox/vector-tile/index.js';
import { PbfReader } from '../vendor/pbf/index.js';
import { colorOf, dashOf, markerOf, markerSVG } from './style.js';

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

/**
 * Builds the URL of one tile of a collection, relative to the page.
 * @param {string} id collection id
 * @param {{x: number, y: number, z: number}} c tile coordinates (XYZ, row 0 at the top)
 * @param {string} [datetime] the items' datetime parameter
 * @returns {string}
 */
export function tileURL(id, c, datetime) {
  const q = datetime ? `?datetime=${encodeURIComponent(datetime)}` : '';
  return `collections/${encodeURIComponent(id)}/xyz/${c.z}/${c.x}/${c.y}.mvt${q}`;
}

/** Tile size in CSS pixels. */
const SIZE = 256;
/**
 * Margin in pixels by which a tile's canvas overhangs its tile, so that
 * symbols of points near an edge are drawn whole; halos wider than this
 * are cut at it.
 */
const PAD = 48;
/** Side of a single point's marker in pixels (GeoJSON markers use 20). */
const MARKER_PX = 13;
/** Pixels from the map's centre within which Enter finds a symbol. */
const KEY_SLOP = 24;

/** Extra pixels around a symbol that still count as a click on it. */
const SLOP = 4;
/**
 * The client gathers a tile's points on a grid of CELL pixels: a cell
 * holding more than CELL_KEEP points, or any of the server's clusters,
 * is drawn as one cluster (its point_count the sum, at the mean
 * position). The server thins only above 4,096 points a tile, which is
 * still a solid carpet of markers on screen.
 */
const CELL = 64;
const CELL_KEEP = 3;

/** Formats a cluster's count for its label: 950, 1.2k, 12k. */
export function shortCount(n) {
  if (n < 1000) return String(n);
  if (n < 10000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return `${Math.round(n / 1000)}k`;
}

/** Radius in pixels of a cluster of n points: grows with log2(n). */
export function clusterRadius(n) {
  return Math.max(8, Math.min(24, 5 + 2.2 * Math.log2(Math.max(2, n))));
}

/** Metres to screen pixels at a latitude and zoom (Web Mercator). */
function metresToPixels(m, lat, zoom) {
  return m / ((40075016.686 * Math.cos((lat * Math.PI) / 180)) / 2 ** (zoom + 8));
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
  options: { tileSize: SIZE, updateWhenZooming: false, keepBuffer: 1 },

  initialize(options) {
    L.GridLayer.prototype.initialize.call(this, options);
    const col = options.col;
    this.id = String(col.id);
    this.color = colorOf(col);
    this.dash = dashOf(col)?.split(/[\s,]+/).map(Number);
    // The marker's outline is the GeoJSON marker's own SVG path.
    this.marker = new Path2D(markerSVG(markerOf(col), this.color).querySelector('path').getAttribute('d'));
    this.datetime = undefined;
    this.highlighted = new Set();
    this.loading = new Set();
    this.error = '';
    const bb = col.extent?.spatial?.bbox?.[0];
    if (Array.isArray(bb) && bb.length >= 4 && bb.every(Number.isFinite)) {
      // No tile is asked for outside the data: widen by a little so
      // symbols at the edge are not cut.
      this.options.bounds = L.latLngBounds([bb[1], bb[0]], [bb[3], bb[2]]).pad(0.05);
    }
    this.on('tileunload', (e) => this.unload(e.tile));
  },

  onAdd(map) {
    this.options.pane = tiledPane(map);
    L.GridLayer.prototype.onAdd.call(this, map);
    map.on('click', this.onClick, this);
    map.on('mousemove', this.onHover, this);
    map.on('zoomend', this.redrawAll, this);
    map.on('zoomstart', this.onZoomStart, this);
    map.on('moveend', this.onMoveEnd, this);
    this._onKey = (e) => this.onKey(e);
    map.getContainer().addEventListener('keydown', this._onKey);
  },

  // From the start of a zoom until the tiles of the new zoom are asked
  // for, the layer counts as loading: what it shows is about to change.
  onZoomStart() {
    this.zooming = true;
    this.report();
  },

  onMoveEnd() {
    // After GridLayer's own moveend handler has asked for the new tiles.
    setTimeout(() => {
      if (!this.zooming || this._map?._animatingZoom) return;
      this.zooming = false;
      this.report();
    }, 0);
  },

  onRemove(map) {
    map.getContainer().removeEventListener('keydown', this._onKey);
    map.off('click', this.onClick, this);
    map.off('mousemove', this.onHover, this);
    map.off('zoomend', this.redrawAll, this);
    map.off('zoomstart', this.onZoomStart, this);
    map.off('moveend', this.onMoveEnd, this);
    this.zooming = false;
    map.getContainer().style.cursor = '';
    L.GridLayer.prototype.onRemove.call(this, map);
    this.loading.clear();
    this.report();
  },

  /**
   * Sets the time filter: every tile shown is asked for again with it,
   * the requests still running for the old one are aborted, and each tile
   * keeps its old drawing until its new data arrives.
   * @param {string} datetime
   */
  setDatetime(datetime) {
    if (datetime === this.datetime) return;
    this.datetime = datetime;
    this.error = '';
    for (const t of Object.values(this._tiles || {})) this.load(t.el);
    this.report();
  },

  /**
   * Marks features as highlighted.
   * @param {Iterable<string>} ids
   */
  highlight(ids) {
    this.highlighted = new Set([...ids].map(String));
    this.redrawAll();
  },

  createTile(coords, done) {
    const el = L.DomUtil.create('div');
    const canvas = L.DomUtil.create('canvas', '', el);
    const ratio = window.devicePixelRatio || 1;
    canvas.width = canvas.height = Math.round((SIZE + 2 * PAD) * ratio);
    Object.assign(canvas.style, { position: 'absolute', left: `${-PAD}px`, top: `${-PAD}px`, width: `${SIZE + 2 * PAD}px`, height: `${SIZE + 2 * PAD}px` });
    el.setAttribute('data-layer', this.id);
    el.setAttribute('data-tile', `${coords.z}/${coords.x}/${coords.y}`);
    el._vt = { coords: { x: coords.x, y: coords.y, z: coords.z }, canvas, ratio, items: [], done, ctl: null, datetime: undefined };
    // Tiles wait for the first datetime: the map sets it before it is idle.
    if (this.datetime !== undefined) this.load(el);
    return el;
  },

  /** Fetches a tile's data for the current datetime and draws it. */
  async load(el) {
    const vt = el._vt;
    if (!vt) return;
    vt.ctl?.abort();
    const ctl = new AbortController();
    vt.ctl = ctl;
    const datetime = this.datetime;
    this.loading.add(el);
    this.report();
    try {
      const res = await fetch(tileURL(this.id, vt.coords, datetime), { signal: ctl.signal });
      if (!res.ok) throw new Error(`The server answered ${res.status}.`);
      const buf = new Uint8Array(await res.arrayBuffer());
      if (ctl.signal.aborted) return;
      vt.raw = this.decode(buf);
      vt.items = gather(vt.raw);
      vt.datetime = datetime;
      el.setAttribute('data-datetime', datetime ?? '');
      el.setAttribute('data-features', String(vt.items.length));
      this.draw(el);
      this.finish(el, null);
    } catch (err) {
      if (err.name === 'AbortError' || ctl.signal.aborted) return;
      this.error = err.message || 'Tiles could not be loaded.';
      this.finish(el, err);
    }
  },

  finish(el, err) {
    const vt = el._vt;
    vt.ctl = null;
    this.loading.delete(el);
    const done = vt.done;
    vt.done = null;
    if (done) done(err, el);
    this.report();
  },

  unload(el) {
    el._vt?.ctl?.abort();
    this.loading.delete(el);
    if (el._vt) el._vt.items = el._vt.raw = [];
    this.report();
  },

  /** Tells the owner whether tiles are loading and how much is drawn. */
  report() {
    let count = 0;
    for (const t of Object.values(this._tiles || {})) {
      if (t.coords.z !== this._tileZoom) continue;
      for (const it of t.el._vt?.items || []) if (it.own) count += it.props.cluster ? Number(it.props.point_count) || 0 : 1;
    }
    const loading = this.loading.size > 0 || !!this.zooming;
    this.options.onState?.({ loading, error: loading ? '' : this.error, count });
  },

  /**
   * Decodes a tile into items with pixel coordinates relative to the
   * tile's top left corner. A point item is "own" when it lies inside the
   * tile, not in the buffer the server adds (its neighbour draws it).
   */
  decode(buf) {
    const items = [];
    if (!buf.length) return items;
    const tile = new VectorTile(new PbfReader(buf));
    const layer = tile.layers[this.id];
    if (!layer) return items;
    const k = SIZE / layer.extent;
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const props = { ...f.properties };
      const rings = f.loadGeometry().map((r) => r.map((p) => [p.x * k, p.y * k]));
      if (f.type === 1) {
        for (const r of rings) for (const [x, y] of r) {
          items.push({ type: 1, props, x, y, own: x >= 0 && x < SIZE && y >= 0 && y < SIZE });
        }
      } else if (f.type === 2 || f.type === 3) {
        items.push({ type: f.type, props, rings, own: true });
      }
    }
    return items;
  },

  redrawAll() {
    for (const t of Object.values(this._tiles || {})) if (t.el._vt?.datetime !== undefined) this.draw(t.el);
  },

  /** Draws a tile's items on its canvas. */
  draw(el) {
    const vt = el._vt, map = this._map;
    if (!vt || !map) return;
    const ctx = vt.canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, vt.canvas.width, vt.canvas.height);
    ctx.setTransform(vt.ratio, 0, 0, vt.ratio, vt.ratio * PAD, vt.ratio * PAD);
    const approxAt = this.options.approximateAt ?? 2000;
    const lat = map.getCenter().lat, z = vt.coords.z;
    const approx = (p) => (typeof p.approximate === 'boolean' ? p.approximate : Number(p.precision_m) >= approxAt);
    const halo = (p) => Math.min(PAD, Math.max(6, metresToPixels(Number(p.precision_m) || 0, lat, z)));

    // Areas and lines, cut to the tile so neighbours do not draw twice.
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, SIZE, SIZE);
    ctx.clip();
    for (const it of vt.items) {
      if (it.type === 3) {
        ctx.beginPath();
        for (const r of it.rings) ring(ctx, r, true);
        ctx.globalAlpha = 0.18;
        ctx.fillStyle = this.color;
        ctx.fill('evenodd');
        ctx.globalAlpha = 1;
        ctx.setLineDash(this.dash ?? (approx(it.props) ? [6, 4] : []));
        ctx.strokeStyle = this.color;
        ctx.lineWidth = this.highlighted.has(String(it.props.id)) ? 4 : 2;
        ctx.stroke();
      } else if (it.type === 2) {
        ctx.beginPath();
        for (const r of it.rings) ring(ctx, r, false);
        ctx.lineJoin = 'round';
        if (approx(it.props)) {
          ctx.setLineDash([]);
          ctx.lineCap = 'round';
          ctx.globalAlpha = 0.16;
          ctx.strokeStyle = this.color;
          ctx.lineWidth = Math.max(6, Math.min(400, 2 * metresToPixels(Number(it.props.precision_m) || 0, lat, z)));
          ctx.stroke();
        }
        ctx.lineCap = 'butt';
        ctx.setLineDash(this.dash ?? []);
        ctx.globalAlpha = 0.55;
        ctx.strokeStyle = '#222';
        ctx.lineWidth = this.highlighted.has(String(it.props.id)) ? 9 : 6;
        ctx.stroke();
        ctx.globalAlpha = 1;
        ctx.strokeStyle = this.color;
        ctx.lineWidth = 3.5;
        ctx.stroke();
      }
    }
    ctx.restore();
    ctx.setLineDash([]);

    // Halos of approximate points, then clusters, then single points.
    for (const it of vt.items) {
      if (it.type !== 1 || !it.own || it.props.cluster || !approx(it.props)) continue;
      ctx.beginPath();
      ctx.arc(it.x, it.y, halo(it.props), 0, 2 * Math.PI);
      ctx.globalAlpha = 0.12;
      ctx.fillStyle = this.color;
      ctx.fill();
      ctx.globalAlpha = 0.8;
      ctx.setLineDash([4, 4]);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = this.color;
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.globalAlpha = 1;
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const it of vt.items) {
      if (it.type !== 1 || !it.own || !it.props.cluster) continue;
      const n = Number(it.props.point_count) || 0;
      const r = clusterRadius(n);
      it.r = r;
      ctx.beginPath();
      ctx.arc(it.x, it.y, r, 0, 2 * Math.PI);
      ctx.globalAlpha = 0.6;
      ctx.fillStyle = this.color;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#1b1b1b';
      ctx.stroke();
      if (r >= 10) {
        ctx.font = `600 ${r >= 14 ? 12 : 10}px system-ui, sans-serif`;
        ctx.lineWidth = 3;
        ctx.strokeStyle = '#fff';
        ctx.strokeText(shortCount(n), it.x, it.y + 0.5);
        ctx.fillStyle = '#111';
        ctx.fillText(shortCount(n), it.x, it.y + 0.5);
      }
    }
    const s = MARKER_PX / 20;
    for (const it of vt.items) {
      if (it.type !== 1 || !it.own || it.props.cluster) continue;
      it.r = MARKER_PX / 2;
      ctx.save();
      ctx.translate(it.x - MARKER_PX / 2, it.y - MARKER_PX / 2);
      ctx.scale(s, s);
      ctx.fillStyle = this.color;
      ctx.fill(this.marker);
      ctx.lineJoin = 'round';
      ctx.strokeStyle = '#1b1b1b';
      ctx.lineWidth = this.highlighted.has(String(it.props.id)) ? 4 : 1.5;
      ctx.stroke(this.marker);
      ctx.restore();
    }
  },

  /**
   * Finds the topmost item under a map position: a point or cluster
   * symbol, else a line within a few pixels, else an area around it.
   * @param {L.LatLng} latlng
   * @returns {{item: object, tile: {x: number, y: number, z: number}}|null}
   */
  hit(latlng, slop = SLOP) {
    const map = this._map, z = this._tileZoom;
    if (!map || z === undefined || map.getZoom() !== z) return null;
    const p = map.project(latlng, z);
    const tx = Math.floor(p.x / SIZE), ty = Math.floor(p.y / SIZE);
    let best = null, bestD = Infinity;
    // Symbols overhang their tile: look in the neighbours too.
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const t = this._tiles[`${tx + dx}:${ty + dy}:${z}`];
        const vt = t?.el._vt;
        if (!vt) continue;
        const x = p.x - (tx + dx) * SIZE, y = p.y - (ty + dy) * SIZE;
        for (const it of vt.items) {
          if (it.type !== 1 || !it.own) continue;
          const d = Math.hypot(it.x - x, it.y - y);
          if (d <= (it.r ?? MARKER_PX / 2) + slop && d < bestD) { best = { item: it, tile: t.coords }; bestD = d; }
        }
        if (best || dx || dy) continue;
        for (const it of vt.items) {
          if (it.type === 2 && it.rings.some((r) => nearLine(r, x, y, 6))) { best = { item: it, tile: t.coords }; break; }
        }
        if (best) continue;
        for (let i = vt.items.length - 1; i >= 0; i--) {
          const it = vt.items[i];
          if (it.type === 3 && insideRings(it.rings, x, y)) { best = { item: it, tile: t.coords }; break; }
        }
      }
    }
    return best;
  },

  /** The map position of a point item. */
  itemLatLng(hit) {
    return this._map.unproject([hit.tile.x * SIZE + hit.item.x, hit.tile.y * SIZE + hit.item.y], hit.tile.z);
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

  /**
   * The keyboard's way to what tiles draw: with the map focused (arrow
   * keys move it, the centre is marked), Enter opens the feature or
   * cluster nearest the centre, as a click on it would. The first tiled
   * layer with something there takes the key.
   */
  onKey(e) {
    if (e.key !== 'Enter' || e.defaultPrevented || e.target !== this._map?.getContainer()) return;
    const c = this._map.getCenter();
    if (this.open(this.hit(c, KEY_SLOP), c)) e.preventDefault();
  },

  onHover(e) {
    if (this._hoverFrame) return;
    this._hoverFrame = requestAnimationFrame(() => {
      this._hoverFrame = 0;
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
    for (const t of Object.values(this._tiles || {})) {
      if (t.coords.z !== this._tileZoom) continue;
      const it = t.el._vt?.raw?.find((i) => i.own && String(i.props.id) === id);
      if (it) return { item: it, tile: t.coords };
    }
    return null;
  },
});

/**
 * Gathers dense points into clusters on the CELL grid (see CELL_KEEP);
 * lines, areas and points in the buffer pass through.
 * @param {object[]} items decoded items
 * @returns {object[]}
 */
export function gather(items) {
  const cells = new Map();
  const out = [];
  for (const it of items) {
    if (it.type !== 1 || !it.own) { out.push(it); continue; }
    const key = Math.floor(it.x / CELL) * 64 + Math.floor(it.y / CELL);
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { members: [], n: 0, sx: 0, sy: 0, cluster: false }));
    const n = it.props.cluster ? Number(it.props.point_count) || 1 : 1;
    c.members.push(it);
    c.n += n;
    c.sx += it.x * n;
    c.sy += it.y * n;
    if (it.props.cluster) c.cluster = true;
  }
  for (const c of cells.values()) {
    if (c.members.length === 1 || (!c.cluster && c.n <= CELL_KEEP)) out.push(...c.members);
    else out.push({ type: 1, own: true, x: c.sx / c.n, y: c.sy / c.n, props: { cluster: true, point_count: c.n } });
  }
  return out;
}

function ring(ctx, r, close) {
  for (let i = 0; i < r.length; i++) (i ? ctx.lineTo : ctx.moveTo).call(ctx, r[i][0], r[i][1]);
  if (close) ctx.closePath();
}

/** Reports whether (x, y) is within d pixels of the polyline r. */
function nearLine(r, x, y, d) {
  for (let i = 1; i < r.length; i++) {
    const [ax, ay] = r[i - 1], [bx, by] = r[i];
    const vx = bx - ax, vy = by - ay;
    const len = vx * vx + vy * vy;
    const t = len ? Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / len)) : 0;
    if (Math.hypot(ax + t * vx - x, ay + t * vy - y) <= d) return true;
  }
  return false;
}

/** Reports whether (x, y) is inside the rings by the even-odd rule. */
function insideRings(rings, x, y) {
  let inside = false;
  for (const r of rings) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i], [xj, yj] = r[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}
