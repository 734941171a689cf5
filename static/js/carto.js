// carto.js holds what the map's renderers share: the Web Mercator
// projection (Leaflet's EPSG:3857, 256 pixels a tile) and the colours of
// the basemap and of the data layers' casings and outlines. Leaflet draws
// the basemap (basemap.js) and the GeoJSON layers (layers.js); tiled/draw.js
// draws large layers on canvases; print.js draws the basemap and the data
// as SVG for printing. Each takes its projection and colours from here.
// (The page's background, --sea in app.css, repeats BASEMAP.sea: CSS
// cannot import it.)

/** Side of a map tile in CSS pixels: the whole world at zoom 0. */
export const TILE_SIZE = 256;

/** Latitude beyond which Web Mercator is cut (as Leaflet cuts it). */
const MAX_LAT = 85.0511;

/** Earth's circumference at the equator in metres (WGS 84). */
const EQUATOR_M = 40075016.686;

/**
 * Projects a position to pixels of the world at zoom 0 (a TILE_SIZE
 * square, y down); multiply by 2 ** zoom for another zoom.
 * @param {number} lon
 * @param {number} lat
 * @returns {[number, number]}
 */
export function project(lon, lat) {
  const s = Math.sin((Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180);
  return [((lon + 180) / 360) * TILE_SIZE, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * TILE_SIZE];
}

/**
 * The inverse of project: pixels of the world at zoom 0 to [lon, lat].
 * @param {number} x
 * @param {number} y
 * @returns {[number, number]}
 */
export function unproject(x, y) {
  return [(x / TILE_SIZE) * 360 - 180, (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / TILE_SIZE))) * 180) / Math.PI];
}

/**
 * Converts metres on the ground to screen pixels at a latitude and zoom.
 * @param {number} m
 * @param {number} lat
 * @param {number} zoom
 * @returns {number}
 */
export function metresToPixels(m, lat, zoom) {
  return m / ((EQUATOR_M * Math.cos((lat * Math.PI) / 180)) / 2 ** (zoom + 8));
}

/**
 * The basemap's colours and lines: sea, land, coastline, the world's
 * borders (Natural Earth) and the region's (OpenStreetMap), drawn in
 * that order. A dash is in pixels, as a canvas takes it.
 */
export const BASEMAP = Object.freeze({
  sea: '#dfe9f0',
  land: '#f6f4ee',
  coast: Object.freeze({ color: '#8aa3b5', width: 1.2 }),
  worldBorder: Object.freeze({ color: '#9b8ca8', width: 1, opacity: 0.9 }),
  regionBorder: Object.freeze({ color: '#9b8ca8', width: 1.6, dash: Object.freeze([6, 3, 2, 3]) }),
});

/**
 * The colours every data layer shares beside its own: the dark casing
 * under lines (it keeps light colours legible), the outline of markers
 * and clusters, the opacity of an area's fill and the dash of an
 * approximate area's outline.
 */
export const INK = Object.freeze({
  casing: '#222',
  casingOpacity: 0.55,
  outline: '#1b1b1b',
  areaFillOpacity: 0.18,
  approxDash: Object.freeze([6, 4]),
});
