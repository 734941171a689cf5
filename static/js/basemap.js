// basemap.js draws the offline basemap from the TopoJSON files Strata
// serves at /basemap/: the world (Natural Earth) first, then the region's
// detailed land, coastline and borders (OpenStreetMap contributors, ODbL).
// An online XYZ raster layer can be offered too; it is never shown unless
// the user or the page's configuration switches it on.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import * as topojson from '../vendor/topojson-client/src/index.js';

export const SEA = '#dfe9f0';
const LAND = '#f6f4ee';
const COAST = '#8aa3b5';
const BORDER = '#9b8ca8';

const OSM_URL = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
const OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
const REGION_ATTRIBUTION = 'Basemap: region &copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors (ODbL), world: <a href="https://www.naturalearthdata.com/">Natural Earth</a>';

async function getTopo(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/**
 * Creates the offline basemap layer group; it loads its files when
 * first added to a map.
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
  group.on('add', async () => {
    if (loaded) return;
    loaded = true;
    try {
      const [world, region] = await Promise.all([getTopo('basemap/world.topo.json'), getTopo('basemap/region.topo.json')]);
      group.addLayer(L.geoJSON(topojson.feature(world, world.objects.land), { ...opts, style: { stroke: false, fillColor: LAND, fillOpacity: 1 } }));
      group.addLayer(L.geoJSON(topojson.feature(world, world.objects.borders), { ...opts, style: { color: BORDER, weight: 1, opacity: 0.9, fill: false } }));
      if (Array.isArray(region.clip) && region.clip.length === 4) {
        const [w, s, e, n] = region.clip;
        group.addLayer(L.rectangle([[s, w], [n, e]], { ...opts, stroke: false, fillColor: SEA, fillOpacity: 1 }));
      }
      group.addLayer(L.geoJSON(topojson.feature(region, region.objects.land), { ...opts, style: { stroke: false, fillColor: LAND, fillOpacity: 1 } }));
      group.addLayer(L.geoJSON(topojson.feature(region, region.objects.coast), { ...opts, style: { color: COAST, weight: 1.2, fill: false } }));
      group.addLayer(L.geoJSON(topojson.feature(region, region.objects.borders), { ...opts, style: { color: BORDER, weight: 1.6, dashArray: '6 3 2 3', fill: false } }));
      group.fire('load');
    } catch (err) {
      loaded = false;
      group.fire('error', { error: err });
    }
  });
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
  return { layer, on: meta('strata-tiles-default') === 'on' };
}
