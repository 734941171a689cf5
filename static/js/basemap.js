// basemap.js draws the offline basemap: the world (Natural Earth) first,
// then the region's detailed land, coastline and borders (OpenStreetMap
// contributors, ODbL). It is drawn from the vector tiles Strata serves at
// /basemap/tiles/{z}/{x}/{y}.mvt (the same data, cut and simplified per
// zoom on the server), or, from a server without them, from the TopoJSON
// files at /basemap/ as before. When the server has a user's own vector
// basemap (strata serve -basemap FILE.pmtiles: /basemap/user.json), it is
// drawn over that with protomaps-leaflet in the Protomaps "light" style,
// within its bounds; the same code runs in the map, the presenter and an
// exported briefing. An online XYZ raster layer can be offered too; it is
// never shown unless the user or the page's configuration switches it on,
// and it says so when its tiles cannot be loaded.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import * as topojson from '../vendor/topojson-client/src/index.js';
import { VectorTile } from '../vendor/@mapbox/vector-tile/index.js';
import { PbfReader } from '../vendor/pbf/index.js';
import protomapsL from '../vendor/protomaps-leaflet/protomaps-leaflet.mjs';
import { BASEMAP, TILE_SIZE } from './carto.js';

const { sea: SEA, land: LAND, coast: COAST, worldBorder: WORLD_BORDER, regionBorder: REGION_BORDER } = BASEMAP;

const OSM_URL = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
const OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
const REGION_ATTRIBUTION = 'Basemap: region &copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors (ODbL), world: <a href="https://www.naturalearthdata.com/">Natural Earth</a>, places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)';

async function getTopo(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/**
 * How the basemap's tile layers are drawn, in order (see
 * data/baselayers): the region's sea box covers the coarse world inside
 * the region, and its detailed land, coast and borders go on top.
 */
const TILE_STYLE = [
  ['world_land', { fill: LAND }],
  ['world_borders', WORLD_BORDER],
  ['region_sea', { fill: SEA }],
  ['region_land', { fill: LAND }],
  ['region_coast', COAST],
  ['region_borders', REGION_BORDER],
];

/** Draws one decoded basemap tile on a 2D context of a TILE_SIZE tile. */
function drawTile(ctx, tile) {
  for (const [name, st] of TILE_STYLE) {
    const layer = tile.layers[name];
    if (!layer) continue;
    const k = TILE_SIZE / layer.extent;
    ctx.beginPath();
    for (let i = 0; i < layer.length; i++) {
      for (const ring of layer.feature(i).loadGeometry()) {
        for (let j = 0; j < ring.length; j++) (j ? ctx.lineTo : ctx.moveTo).call(ctx, ring[j].x * k, ring[j].y * k);
      }
    }
    if (st.fill) {
      ctx.fillStyle = st.fill;
      ctx.fill('evenodd');
    } else {
      ctx.globalAlpha = st.opacity ?? 1;
      ctx.strokeStyle = st.color;
      ctx.lineWidth = st.width;
      ctx.lineJoin = 'round';
      ctx.setLineDash(st.dash ?? []);
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
  }
}

/**
 * BasemapTiles draws the basemap's vector tiles on canvases. A tile the
 * server does not have (404: a server without basemap tiles) fires
 * "unavailable" once.
 */
const BasemapTiles = L.GridLayer.extend({
  options: { pane: 'basemap', tileSize: TILE_SIZE, keepBuffer: 2 },

  createTile(coords, done) {
    const canvas = L.DomUtil.create('canvas');
    const ratio = window.devicePixelRatio || 1;
    canvas.width = canvas.height = TILE_SIZE * ratio;
    canvas.setAttribute('data-basemap-tile', `${coords.z}/${coords.x}/${coords.y}`);
    const ctl = new AbortController();
    canvas._abort = () => ctl.abort();
    fetch(`basemap/tiles/${coords.z}/${coords.x}/${coords.y}.mvt`, { signal: ctl.signal })
      .then(async (res) => {
        if (res.status === 404 && !this.unavailable) {
          this.unavailable = true;
          this.fire('unavailable');
        }
        if (!res.ok) throw new Error(`basemap tile: ${res.status}`);
        const buf = new Uint8Array(await res.arrayBuffer());
        const ctx = canvas.getContext('2d');
        ctx.scale(ratio, ratio);
        if (buf.length) drawTile(ctx, new VectorTile(new PbfReader(buf)));
        done(null, canvas);
      })
      .catch((err) => { if (err.name !== 'AbortError') done(err, canvas); });
    return canvas;
  },

  initialize(options) {
    L.GridLayer.prototype.initialize.call(this, options);
    this.on('tileunload', (e) => e.tile._abort?.());
  },
});

/**
 * The smallest population whose place is named at each zoom level: the
 * basemap's names thin out as the map zooms out (below zoom 8, none).
 */
const PLACE_MIN_POPULATION = [[11, 0], [10, 5000], [9, 15000], [8, 50000]];

/**
 * Draws the populated places of basemap/places.json (GeoNames) as text
 * labels in the page, a lower-priority layer: in their own pane under the
 * data's markers and labels, smaller and greyer, thinned by zoom and by
 * population, and never over one another (larger places win). The
 * dataset's own towns are not in the file (web/scripts/basemap.mjs leaves
 * them out), so they are not named twice.
 */
const PlaceLabels = L.Layer.extend({
  initialize(places) {
    this.places = places;
  },

  onAdd(map) {
    if (!map.getPane('basemapLabels')) {
      const pane = map.createPane('basemapLabels');
      pane.style.zIndex = '390';
      pane.style.pointerEvents = 'none';
    }
    this.el = L.DomUtil.create('div', 'basemap-places', map.getPane('basemapLabels'));
    this.labels = this.places.map((p) => {
      const el = L.DomUtil.create('span', 'basemap-place', this.el);
      el.textContent = p.name;
      return { ...p, el };
    });
    map.on('zoomend moveend viewreset', this.update, this);
    this.update();
  },

  onRemove(map) {
    map.off('zoomend moveend viewreset', this.update, this);
    this.el.remove();
  },

  update() {
    const map = this._map;
    const z = map.getZoom();
    const min = PLACE_MIN_POPULATION.find(([zoom]) => z >= zoom)?.[1] ?? Infinity;
    const size = map.getSize();
    const taken = [];
    for (const p of this.labels) { // largest first (places.json's order)
      let show = p.population >= min;
      let box;
      if (show) {
        const pt = map.latLngToLayerPoint(p.latlng);
        const c = map.layerPointToContainerPoint(pt);
        show = c.x > -100 && c.y > -20 && c.x < size.x + 100 && c.y < size.y + 20;
        if (show) {
          if (!p.w) { p.el.hidden = false; p.w = p.el.offsetWidth; p.h = p.el.offsetHeight; }
          box = [c.x - p.w / 2 - 4, c.y - p.h / 2 - 2, c.x + p.w / 2 + 4, c.y + p.h / 2 + 2];
          show = !taken.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]);
        }
        if (show) {
          taken.push(box);
          L.DomUtil.setPosition(p.el, pt.subtract([p.w / 2, p.h / 2]));
        }
      }
      p.el.hidden = !show;
    }
  },
});

/**
 * Loads basemap/places.json into a PlaceLabels layer.
 * @returns {Promise<L.Layer>}
 */
async function placeLabels() {
  const fc = await getTopo('basemap/places.json');
  const places = (fc.features || [])
    .filter((f) => f?.geometry?.type === 'Point' && typeof f.properties?.name === 'string')
    .map((f) => ({ name: f.properties.name, population: Number(f.properties.population) || 0, latlng: L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]) }));
  return new PlaceLabels(places);
}

/** Returns the text of an HTML fragment (a credit read from a file). */
function textOf(html) {
  return new DOMParser().parseFromString(`<body>${html}`, 'text/html').body.textContent.trim();
}

/** Escapes text for Leaflet's attribution control, which takes HTML. */
function escapeHTML(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Loads the user's own vector basemap, if the server has one: its
 * TileJSON at basemap/user.json (204 without one), drawn with
 * protomaps-leaflet from basemap/user/{z}/{x}/{y}.mvt (a relative URL, so
 * that an exported briefing answers it from its inlined tiles).
 * @returns {Promise<{layer: L.GridLayer, attribution: string}|null>}
 */
async function userBasemap() {
  const res = await fetch('basemap/user.json');
  // 204 from a server without one; 404 from an exported file without one.
  if (res.status === 204 || res.status === 404) return null;
  if (!res.ok) throw new Error(`basemap/user.json: ${res.status}`);
  const tj = await res.json();
  const [w, s, e, n] = Array.isArray(tj.bounds) && tj.bounds.length === 4 && tj.bounds.every(Number.isFinite) ? tj.bounds : [-180, -85, 180, 85];
  // The file's credit is shown as text: it is not trusted as HTML.
  const credit = textOf(String(tj.attribution || '')) || String(tj.name || 'your basemap file');
  const attribution = `Basemap: ${escapeHTML(credit)}`;
  const layer = protomapsL.leafletLayer({
    url: 'basemap/user/{z}/{x}/{y}.mvt',
    flavor: 'light',
    lang: 'en',
    pane: 'basemap',
    className: 'strata-user-basemap',
    // Over the built-in basemap, whether its tiles (z-index 1) or, from
    // the TopoJSON files, its SVG (Leaflet gives a pane's svg 200).
    zIndex: 300,
    maxDataZoom: Number.isInteger(tj.maxzoom) ? tj.maxzoom : 15,
    bounds: [[s, w], [n, e]],
    attribution,
  });
  // Where the file has no tile (outside its extract), the built-in
  // basemap shows through instead of the style's background colour.
  layer.backgroundColor = undefined;
  return { layer, attribution };
}

/**
 * Creates the offline basemap layer group; it loads its tiles (or files)
 * when first added to a map.
 * @param {L.Map} map
 * @returns {L.LayerGroup} with getAttribution()
 */
export function offlineBasemap(map) {
  if (!map.getPane('basemap')) {
    const pane = map.createPane('basemap');
    pane.style.zIndex = '150';
    pane.style.pointerEvents = 'none';
  }
  const renderer = L.svg({ pane: 'basemap', padding: 0.5 });
  const group = L.layerGroup([], { attribution: REGION_ATTRIBUTION });
  group.getAttribution = () => REGION_ATTRIBUTION;
  const opts = { pane: 'basemap', renderer, interactive: false };
  let loaded = false;
  const tiles = new BasemapTiles();
  tiles.once('load', () => group.fire('load'));
  tiles.once('tileerror', (e) => { if (!tiles.unavailable) group.fire('error', { error: e.error }); });
  tiles.once('unavailable', () => {
    group.removeLayer(tiles);
    loadFiles();
  });
  group.addLayer(tiles);
  // The region's place names (a file of their own, drawn as text); a
  // user's basemap names places itself, so they are left out with one.
  let hasUser = false, labels = null;
  placeLabels().then((l) => { labels = l; if (!hasUser) group.addLayer(l); }).catch((err) => group.fire('error', { error: err }));
  // A user's own basemap (-basemap FILE.pmtiles) goes over the built-in
  // one, which still draws the world outside the file's bounds.
  userBasemap().then((user) => {
    if (!user) return;
    // Its credit joins the attribution control with it (its option).
    group.user = user.layer;
    hasUser = true;
    if (labels) group.removeLayer(labels);
    group.addLayer(user.layer);
    group.fire('user', { layer: user.layer });
  }).catch((err) => group.fire('error', { error: err }));
  // Without basemap tiles on the server: the TopoJSON files, drawn whole.
  async function loadFiles() {
    if (loaded) return;
    loaded = true;
    try {
      const [world, region] = await Promise.all([getTopo('basemap/world.topo.json'), getTopo('basemap/region.topo.json')]);
      group.addLayer(L.geoJSON(topojson.feature(world, world.objects.land), { ...opts, style: { stroke: false, fillColor: LAND, fillOpacity: 1 } }));
      group.addLayer(L.geoJSON(topojson.feature(world, world.objects.borders), { ...opts, style: { color: WORLD_BORDER.color, weight: WORLD_BORDER.width, opacity: WORLD_BORDER.opacity, fill: false } }));
      if (Array.isArray(region.clip) && region.clip.length === 4) {
        const [w, s, e, n] = region.clip;
        group.addLayer(L.rectangle([[s, w], [n, e]], { ...opts, stroke: false, fillColor: SEA, fillOpacity: 1 }));
      }
      group.addLayer(L.geoJSON(topojson.feature(region, region.objects.land), { ...opts, style: { stroke: false, fillColor: LAND, fillOpacity: 1 } }));
      group.addLayer(L.geoJSON(topojson.feature(region, region.objects.coast), { ...opts, style: { color: COAST.color, weight: COAST.width, fill: false } }));
      group.addLayer(L.geoJSON(topojson.feature(region, region.objects.borders), { ...opts, style: { color: REGION_BORDER.color, weight: REGION_BORDER.width, dashArray: REGION_BORDER.dash.join(' '), fill: false } }));
      group.fire('load');
    } catch (err) {
      loaded = false;
      group.fire('error', { error: err });
    }
  }
  return group;
}

/**
 * Reads the optional online raster basemap from the page's meta tags:
 * strata-tiles-url (an XYZ URL template; "none" hides the option, empty
 * means OpenStreetMap's), strata-tiles-attribution (HTML, for a custom
 * URL) and strata-tiles-default ("on" shows it at start).
 * @returns {{layer: L.TileLayer, on: boolean}|null}
 */
export function onlineBasemap() {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content')?.trim() ?? '';
  const url = meta('strata-tiles-url');
  if (url === 'none') return null;
  const custom = url !== '';
  const layer = L.tileLayer(custom ? url : OSM_URL, {
    maxZoom: 19,
    attribution: custom ? (meta('strata-tiles-attribution') || 'Tiles: see provider') : OSM_ATTRIBUTION,
  });
  return { layer, on: meta('strata-tiles-default') === 'on', status: onlineStatus(layer) };
}

/**
 * Returns a status line (aria-live) that says when the online layer's
 * tiles cannot be loaded (no network, or the server refuses them), and
 * clears itself once a whole view loads without errors or the layer is
 * switched off.
 * @param {L.TileLayer} layer
 * @returns {HTMLElement}
 */
function onlineStatus(layer) {
  const status = L.DomUtil.create('p', 'basemap-status');
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  status.hidden = true;
  let failed = 0;
  const say = (text) => {
    status.textContent = text;
    status.hidden = text === '';
  };
  layer.on('loading', () => { failed = 0; });
  layer.on('tileerror', () => {
    failed++;
    say('The online map cannot be loaded (no network, or its tile server refused): the offline basemap is shown instead.');
  });
  layer.on('load', () => { if (failed === 0) say(''); });
  layer.on('remove', () => say(''));
  return status;
}
