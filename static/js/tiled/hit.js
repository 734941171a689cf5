// hit.js finds what a tiled layer drew under a point: the nearest point or
// cluster symbol, else a line within a few pixels, else an area around
// it. Clicks, the pointer's cursor and the keyboard's Enter all ask it.

import { TILE_SIZE } from '../carto.js';
import { symbolRadius } from './draw.js';

/** Extra pixels around a symbol that still count as a click on it. */
export const SLOP = 4;

/** Pixels from a line that still count as a click on it. */
const LINE_SLOP = 6;

/**
 * Finds the topmost item under a point in pixels of the tiles' zoom.
 * @param {(x: number, y: number) => ({coords: object, items: object[]}|undefined)} tileAt
 *   the shown tile at column x, row y of the tiles' zoom, with its drawn items
 * @param {{x: number, y: number}} p the point, projected at the tiles' zoom
 * @param {number} [slop] extra pixels around symbols
 * @returns {{item: object, tile: object}|null} the item and its tile's coordinates
 */
export function hitTest(tileAt, p, slop = SLOP) {
  const tx = Math.floor(p.x / TILE_SIZE), ty = Math.floor(p.y / TILE_SIZE);
  let best = null, bestD = Infinity;
  // Symbols overhang their tile: look in the neighbours too.
  for (let dx = -1; dx <= 1; dx++) {
    for (let dy = -1; dy <= 1; dy++) {
      const t = tileAt(tx + dx, ty + dy);
      if (!t) continue;
      const x = p.x - (tx + dx) * TILE_SIZE, y = p.y - (ty + dy) * TILE_SIZE;
      for (const it of t.items) {
        if (it.type !== 1 || !it.own) continue;
        const d = Math.hypot(it.x - x, it.y - y);
        if (d <= symbolRadius(it) + slop && d < bestD) { best = { item: it, tile: t.coords }; bestD = d; }
      }
      if (best || dx || dy) continue;
      for (const it of t.items) {
        if (it.type === 2 && it.rings.some((r) => nearLine(r, x, y, LINE_SLOP))) { best = { item: it, tile: t.coords }; break; }
      }
      if (best) continue;
      for (let i = t.items.length - 1; i >= 0; i--) {
        const it = t.items[i];
        if (it.type === 3 && insideRings(it.rings, x, y)) { best = { item: it, tile: t.coords }; break; }
      }
    }
  }
  return best;
}

/** Reports whether (x, y) is within d pixels of the polyline r. */
export function nearLine(r, x, y, d) {
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
export function insideRings(rings, x, y) {
  let inside = false;
  for (const r of rings) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i], [xj, yj] = r[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}
