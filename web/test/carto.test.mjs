// Unit tests of static/js/carto.js in Node: the shared Web Mercator
// projection against the textbook formula, its inverse, and metres to
// pixels.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TILE_SIZE, project, unproject, metresToPixels } from '../../static/js/carto.js';

/** Web Mercator's y at zoom 0 by the textbook formula: ln(tan(π/4 + φ/2)). */
function textbookY(lat) {
  const phi = (lat * Math.PI) / 180;
  return (TILE_SIZE / 2) * (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI);
}

test('project agrees with the textbook formula', () => {
  const cases = [
    { name: 'origin', lon: 0, lat: 0, x: 128 },
    { name: 'Gaza', lon: 34.45, lat: 31.42, x: ((34.45 + 180) / 360) * 256 },
    { name: 'south west', lon: -122.4, lat: -33.9, x: ((-122.4 + 180) / 360) * 256 },
    { name: 'antimeridian', lon: 180, lat: 60, x: 256 },
  ];
  for (const c of cases) {
    const [x, y] = project(c.lon, c.lat);
    assert.ok(Math.abs(x - c.x) < 1e-9, `${c.name}: x ${x}, want ${c.x}`);
    assert.ok(Math.abs(y - textbookY(c.lat)) < 1e-9, `${c.name}: y ${y}, want ${textbookY(c.lat)}`);
  }
});

test('project cuts latitudes beyond 85.0511° to the square world', () => {
  const [, top] = project(0, 89.9);
  const [, bottom] = project(0, -89.9);
  assert.ok(Math.abs(top) < 1e-3, `top ${top}`);
  assert.ok(Math.abs(bottom - TILE_SIZE) < 1e-3, `bottom ${bottom}`);
  assert.deepEqual(project(10, 89.9), project(10, 85.0511));
});

test('unproject inverts project', () => {
  for (const [lon, lat] of [[0, 0], [34.45, 31.42], [-179.5, -80], [120, 45.5]]) {
    const [lon2, lat2] = unproject(...project(lon, lat));
    assert.ok(Math.abs(lon2 - lon) < 1e-9 && Math.abs(lat2 - lat) < 1e-9, `${lon},${lat} -> ${lon2},${lat2}`);
  }
});

test('metresToPixels: the equator is one world wide, shrinking with the cosine', () => {
  const equator = 40075016.686;
  assert.ok(Math.abs(metresToPixels(equator, 0, 0) - TILE_SIZE) < 1e-9);
  assert.ok(Math.abs(metresToPixels(equator, 0, 3) - TILE_SIZE * 8) < 1e-9);
  // At 60° a metre covers twice the pixels it covers at the equator.
  assert.ok(Math.abs(metresToPixels(1000, 60, 12) - 2 * metresToPixels(1000, 0, 12)) < 1e-9);
});
