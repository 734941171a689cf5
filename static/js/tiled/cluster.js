// cluster.js is the client's clustering of a decoded tile (see mvt.js).
// The server thins a tile into clusters only above 4,096 points, which is
// still a solid carpet of markers on screen; here a tile's points are
// gathered on a grid of CELL pixels: a cell holding more than CELL_KEEP
// points, or any of the server's clusters, becomes one cluster whose
// point_count is the sum, at the mean position weighted by count.

const CELL = 64;
const CELL_KEEP = 3;

/**
 * Gathers dense points into clusters on the CELL grid (see CELL_KEEP);
 * lines, areas and points in the buffer pass through.
 * @param {object[]} items items decoded by mvt.js
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

/**
 * Counts the features items stand for: a cluster its point_count, any
 * other item of the tile's own one; points in the tile's buffer count
 * nothing (the neighbour counts them).
 * @param {object[]} items
 * @returns {number}
 */
export function featureCount(items) {
  let n = 0;
  for (const it of items) if (it.own) n += it.props.cluster ? Number(it.props.point_count) || 0 : 1;
  return n;
}
