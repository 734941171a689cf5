// Unit tests in Node of the parts of the tiled renderer that need no
// browser: decoding a vector tile (tiled/mvt.js), the client's clustering
// (tiled/cluster.js), symbol sizes (tiled/draw.js) and hit-testing
// (tiled/hit.js).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PbfWriter } from 'pbf';
import { decode, tileURL } from '../../static/js/tiled/mvt.js';
import { gather, featureCount } from '../../static/js/tiled/cluster.js';
import { shortCount, clusterRadius, symbolRadius, MARKER_PX } from '../../static/js/tiled/draw.js';
import { hitTest, nearLine, insideRings, SLOP } from '../../static/js/tiled/hit.js';

// --- a tile written by hand, as the Mapbox Vector Tile spec lays it out ---

const zigzag = (n) => (n << 1) ^ (n >> 31);
const command = (id, count) => (count << 3) | id;

/** Encodes rings of [x, y] in tile units as MVT geometry commands. */
function geometry(rings, close) {
  const out = [];
  let cx = 0, cy = 0;
  for (const r of rings) {
    r.forEach(([x, y], i) => {
      if (i === 0) out.push(command(1, 1));
      else if (i === 1) out.push(command(2, r.length - 1));
      out.push(zigzag(x - cx), zigzag(y - cy));
      cx = x; cy = y;
    });
    if (close) out.push(command(7, 1));
  }
  return out;
}

/** A tile with one layer of features {type, id, rings}, extent 4096. */
function tile(name, features) {
  const pbf = new PbfWriter();
  pbf.writeMessage(3, (layer, p) => {
    p.writeVarintField(15, 2);
    p.writeStringField(1, name);
    layer.features.forEach((f, i) => p.writeMessage(2, (g, q) => {
      q.writeVarintField(1, i + 1);
      q.writePackedVarint(2, [0, i]);
      q.writeVarintField(3, g.type);
      q.writePackedVarint(4, geometry(g.rings, g.type === 3));
    }, f));
    p.writeStringField(3, 'id');
    for (const f of layer.features) p.writeMessage(4, (v, q) => q.writeStringField(1, v), f.id);
    p.writeVarintField(5, 4096);
  }, { features });
  return pbf.finish();
}

test('decode gives items in the tile\'s pixels, marking points in the buffer', () => {
  const buf = tile('pts', [
    { type: 1, id: 'a', rings: [[[2048, 1024]]] },
    { type: 1, id: 'b', rings: [[[-160, 400]], [[4000, 4200]]] },
    { type: 2, id: 'line', rings: [[[0, 0], [4096, 2048]]] },
    { type: 3, id: 'area', rings: [[[0, 0], [1024, 0], [1024, 1024], [0, 0]]] },
  ]);
  const items = decode(buf, 'pts');
  assert.deepEqual(items.map((it) => [it.type, it.props.id, it.own]), [
    [1, 'a', true], [1, 'b', false], [1, 'b', false], [2, 'line', true], [3, 'area', true],
  ]);
  assert.deepEqual([items[0].x, items[0].y], [128, 64]);
  assert.deepEqual([items[1].x, items[1].y], [-10, 25]);
  assert.deepEqual(items[3].rings, [[[0, 0], [256, 128]]]);
  assert.deepEqual(items[4].rings[0].slice(0, 3), [[0, 0], [64, 0], [64, 64]]);
  assert.deepEqual(decode(buf, 'other'), [], 'a tile without the layer');
  assert.deepEqual(decode(new Uint8Array(0), 'pts'), [], 'an empty tile');
});

test('tileURL escapes the id and the datetime', () => {
  assert.equal(tileURL('a b', { x: 3, y: 4, z: 5 }, '2025-10-10/..'), 'collections/a%20b/xyz/5/3/4.mvt?datetime=2025-10-10%2F..');
  assert.equal(tileURL('pts', { x: 0, y: 0, z: 0 }), 'collections/pts/xyz/0/0/0.mvt');
});

// --- clustering ---

const pt = (x, y, props = {}, own = true) => ({ type: 1, x, y, own, props });

test('gather clusters cells of more than three points and keeps the rest', () => {
  const cases = [
    {
      name: 'four points in a cell become one cluster at their mean',
      in: [pt(1, 1), pt(3, 1), pt(1, 3), pt(3, 3)],
      want: [{ type: 1, own: true, x: 2, y: 2, props: { cluster: true, point_count: 4 } }],
    },
    {
      name: 'three points in a cell stay',
      in: [pt(1, 1), pt(3, 1), pt(1, 3)],
      want: [pt(1, 1), pt(3, 1), pt(1, 3)],
    },
    {
      name: 'points in different cells stay',
      in: [pt(1, 1), pt(70, 1), pt(1, 70), pt(70, 70)],
      want: [pt(1, 1), pt(70, 1), pt(1, 70), pt(70, 70)],
    },
    {
      name: 'a server cluster alone stays as it is',
      in: [pt(10, 10, { cluster: true, point_count: 40 })],
      want: [pt(10, 10, { cluster: true, point_count: 40 })],
    },
    {
      name: 'a server cluster takes in a point of its cell, weighted by count',
      in: [pt(0, 0, { cluster: true, point_count: 3 }), pt(40, 0)],
      want: [{ type: 1, own: true, x: 10, y: 0, props: { cluster: true, point_count: 4 } }],
    },
    {
      name: 'points in the buffer, lines and areas pass through',
      in: [pt(1, 1, {}, false), pt(2, 1, {}, false), pt(1, 2, {}, false), pt(2, 2, {}, false), { type: 2, own: true, props: {}, rings: [] }],
      want: [pt(1, 1, {}, false), pt(2, 1, {}, false), pt(1, 2, {}, false), pt(2, 2, {}, false), { type: 2, own: true, props: {}, rings: [] }],
    },
  ];
  for (const c of cases) assert.deepEqual(gather(c.in), c.want, c.name);
});

test('featureCount counts a cluster\'s points and no point of the buffer', () => {
  assert.equal(featureCount([
    pt(1, 1), pt(2, 2, { cluster: true, point_count: 12 }), pt(3, 3, {}, false),
    { type: 2, own: true, props: {}, rings: [] },
  ]), 14);
  assert.equal(featureCount([]), 0);
});

// --- symbols ---

test('shortCount and clusterRadius', () => {
  const counts = [[7, '7'], [950, '950'], [1000, '1k'], [1234, '1.2k'], [9960, '10k'], [12345, '12k']];
  for (const [n, want] of counts) assert.equal(shortCount(n), want, String(n));
  assert.equal(clusterRadius(2), 8, 'smallest');
  assert.equal(clusterRadius(1e9), 24, 'largest');
  assert.ok(clusterRadius(100) > clusterRadius(10));
  assert.equal(symbolRadius(pt(0, 0, { cluster: true, point_count: 100 })), clusterRadius(100));
  assert.equal(symbolRadius(pt(0, 0)), MARKER_PX / 2);
});

// --- hit-testing ---

/** tileAt over tiles given as {"x:y": items} at one zoom. */
function tilesAt(tiles) {
  return (x, y) => (tiles[`${x}:${y}`] ? { coords: { x, y, z: 9 }, items: tiles[`${x}:${y}`] } : undefined);
}

test('hitTest finds the nearest symbol, in the neighbours too', () => {
  const a = pt(10, 10, { id: 'a' }), b = pt(16, 10, { id: 'b' }), c = pt(2, 100, { id: 'c' });
  const big = pt(128, 128, { id: 'big', cluster: true, point_count: 5000 });
  const tileAt = tilesAt({ '1:1': [a, b, c, big] });
  const cases = [
    { name: 'on a', p: { x: 266, y: 266 }, want: 'a' },
    { name: 'nearer b', p: { x: 271, y: 266 }, want: 'b' },
    { name: 'within the slop', p: { x: 266, y: 266 + MARKER_PX / 2 + SLOP }, want: 'a' },
    { name: 'beyond it', p: { x: 266, y: 266 + MARKER_PX / 2 + SLOP + 1 }, want: null },
    { name: 'overhanging into the tile to the left', p: { x: 254, y: 356 }, want: 'c' },
    { name: 'within a cluster\'s radius', p: { x: 256 + 128 + 20, y: 256 + 128 }, want: 'big' },
    { name: 'in a tile not shown', p: { x: 10, y: 10 }, want: null },
  ];
  for (const c of cases) {
    const h = hitTest(tileAt, c.p);
    assert.equal(h ? h.item.props.id : null, c.want, c.name);
    if (h) assert.deepEqual(h.tile, { x: 1, y: 1, z: 9 }, c.name);
  }
  // A wider slop reaches further (the keyboard's).
  assert.equal(hitTest(tileAt, { x: 266, y: 266 + 20 }, 24)?.item.props.id, 'a');
});

test('hitTest takes symbols over lines over areas, and areas by the even-odd rule', () => {
  const square = [[0, 0], [200, 0], [200, 200], [0, 200], [0, 0]];
  const hole = [[50, 50], [150, 50], [150, 150], [50, 150], [50, 50]];
  const area = { type: 3, own: true, props: { id: 'area' }, rings: [square, hole] };
  const line = { type: 2, own: true, props: { id: 'line' }, rings: [[[0, 20], [200, 20]]] };
  const p = pt(180, 20, { id: 'p' });
  const tileAt = tilesAt({ '0:0': [area, line, p] });
  const cases = [
    { name: 'the point on the line', at: { x: 181, y: 21 }, want: 'p' },
    { name: 'the line', at: { x: 100, y: 25 }, want: 'line' },
    { name: 'the area', at: { x: 25, y: 100 }, want: 'area' },
    { name: 'the hole', at: { x: 100, y: 100 }, want: null },
  ];
  for (const c of cases) assert.equal(hitTest(tileAt, c.at)?.item.props.id ?? null, c.want, c.name);
  assert.equal(nearLine([[0, 0], [10, 0]], 5, 6, 6), true);
  assert.equal(nearLine([[0, 0], [10, 0]], 17, 0, 6), false, 'past the end');
  assert.equal(insideRings([square], 1, 1), true);
  assert.equal(insideRings([square], 201, 1), false);
});
