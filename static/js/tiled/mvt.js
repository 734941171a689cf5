// mvt.js fetches one tile of a collection from Strata's Mapbox Vector
// Tiles (/collections/{id}/xyz/{z}/{x}/{y}.mvt?datetime=…) and decodes it
// with @mapbox/vector-tile and pbf into plain items in the tile's pixels,
// which cluster.js gathers, draw.js draws and hit.js finds.

import { VectorTile } from '../../vendor/@mapbox/vector-tile/index.js';
import { PbfReader } from '../../vendor/pbf/index.js';
import { TILE_SIZE } from '../carto.js';

/**
 * Builds the URL of one tile of a collection, relative to the page.
 * @param {string} id collection id
 * @param {{x: number, y: number, z: number}} c tile coordinates (XYZ, row 0 at the top)
 * @param {string} [datetime] the items' datetime parameter
 * @param {string} [asof] as known at this instant (record time)
 * @returns {string}
 */
export function tileURL(id, c, datetime, asof) {
  const p = new URLSearchParams();
  if (datetime) p.set('datetime', datetime);
  if (asof) p.set('asof', asof);
  const q = String(p);
  return `collections/${encodeURIComponent(id)}/xyz/${c.z}/${c.x}/${c.y}.mvt${q ? '?' + q : ''}`;
}

/**
 * An item decoded from a tile. A point feature gives one item per point
 * (type 1, at x, y); a line (2) or an area (3) one item with its rings.
 * A point is "own" when it lies inside the tile, not in the buffer the
 * server adds (its neighbour draws it); lines and areas are always own.
 * @typedef {{type: number, props: object, own: boolean, x?: number, y?: number, rings?: number[][][]}} Item
 */

/**
 * Decodes a tile's layer into items with pixel coordinates relative to
 * the tile's top left corner.
 * @param {Uint8Array} buf the tile as served (empty: nothing there)
 * @param {string} layerName the layer to read: the collection's id
 * @returns {Item[]}
 */
export function decode(buf, layerName) {
  const items = [];
  if (!buf.length) return items;
  const tile = new VectorTile(new PbfReader(buf));
  const layer = tile.layers[layerName];
  if (!layer) return items;
  const k = TILE_SIZE / layer.extent;
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i);
    const props = { ...f.properties };
    const rings = f.loadGeometry().map((r) => r.map((p) => [p.x * k, p.y * k]));
    if (f.type === 1) {
      for (const r of rings) for (const [x, y] of r) {
        items.push({ type: 1, props, x, y, own: x >= 0 && x < TILE_SIZE && y >= 0 && y < TILE_SIZE });
      }
    } else if (f.type === 2 || f.type === 3) {
      items.push({ type: f.type, props, rings, own: true });
    }
  }
  return items;
}

/**
 * Fetches and decodes one tile of a collection.
 * @param {string} id collection id
 * @param {{x: number, y: number, z: number}} coords
 * @param {string} datetime
 * @param {AbortSignal} signal aborts the request
 * @param {string} [asof] as known at this instant
 * @returns {Promise<Item[]>} rejects with an AbortError when aborted, and
 *   with an error naming the status when the server answers with one
 */
export async function fetchTile(id, coords, datetime, signal, asof) {
  // The current state is revalidated (edits change it); the past may be cached.
  const res = await fetch(tileURL(id, coords, datetime, asof), { signal, cache: asof ? 'default' : 'no-cache' });
  if (!res.ok) throw new Error(`The server answered ${res.status}.`);
  return decode(new Uint8Array(await res.arrayBuffer()), id);
}
