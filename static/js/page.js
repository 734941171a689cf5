// page.js draws the small map of an API resource's HTML page (a feature,
// or a page of features): the GeoJSON the server put in the map element's
// data-features attribute, over the offline basemap. The page's <base>
// is the API root, so the basemap's files resolve as on the map page.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { offlineBasemap } from './basemap.js';
import { DEFAULT_COLOR } from './style.js';
import { INK } from './carto.js';

/**
 * Draws the features of el's data-features on a map in el.
 * @param {HTMLElement} el
 * @returns {L.Map}
 */
export function pageMap(el) {
  const data = JSON.parse(el.dataset.features);
  const map = L.map(el, { scrollWheelZoom: false, maxZoom: 16 });
  offlineBasemap(map).addTo(map);
  const layer = L.geoJSON(data, {
    interactive: false,
    // Lines and areas; points are circle markers styled below.
    style: (f) => (f.geometry?.type.endsWith('Point') ? {} : { color: DEFAULT_COLOR, weight: 3, fillOpacity: INK.areaFillOpacity }),
    pointToLayer: (_, at) => L.circleMarker(at, { radius: 7, color: INK.outline, weight: 1.5, fillColor: DEFAULT_COLOR, fillOpacity: 0.9 }),
  }).addTo(map);
  const bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 11 });
  else map.setView([31.4, 34.4], 9);
  return map;
}

const el = document.getElementById('page-map');
if (el?.dataset.features) window.strataPageMap = pageMap(el);
