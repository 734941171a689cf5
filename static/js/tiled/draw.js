// draw.js draws a tile's items (see mvt.js and cluster.js) on a canvas:
// areas and lines cut to the tile, then halos of approximate points,
// clusters sized and labelled by their point_count, and single points in
// the collection's own marker shape. A canvas overhangs its tile by PAD
// pixels so that symbols near an edge are drawn whole.

import { INK, TILE_SIZE, metresToPixels } from '../carto.js';
import { haloStyle, bandOpacity } from '../style.js';

/**
 * Margin in pixels by which a tile's canvas overhangs its tile; halos
 * wider than this are cut at it.
 */
const PAD = 48;

/** Side of a single point's marker in pixels (GeoJSON markers use 20). */
export const MARKER_PX = 13;

/** Formats a cluster's count for its label: 950, 1.2k, 12k. */
export function shortCount(n) {
  if (n < 1000) return String(n);
  if (n < 10000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return `${Math.round(n / 1000)}k`;
}

/** Radius in pixels of a cluster of n points: grows with log2(n). */
export function clusterRadius(n) {
  return Math.max(8, Math.min(24, 5 + 2.2 * Math.log2(Math.max(2, n))));
}

/**
 * Radius in pixels of the symbol drawn for a point item: its cluster's
 * circle, or half a marker.
 * @param {{props: object}} it
 * @returns {number}
 */
export function symbolRadius(it) {
  return it.props.cluster ? clusterRadius(Number(it.props.point_count) || 0) : MARKER_PX / 2;
}

/**
 * Creates a tile's canvas, overhanging the tile by PAD on every side, at
 * the screen's pixel ratio.
 * @param {HTMLElement} parent the tile's element
 * @returns {{canvas: HTMLCanvasElement, ratio: number}}
 */
export function createCanvas(parent) {
  const canvas = document.createElement('canvas');
  parent.append(canvas);
  const ratio = window.devicePixelRatio || 1;
  const side = TILE_SIZE + 2 * PAD;
  canvas.width = canvas.height = Math.round(side * ratio);
  Object.assign(canvas.style, { position: 'absolute', left: `${-PAD}px`, top: `${-PAD}px`, width: `${side}px`, height: `${side}px` });
  return { canvas, ratio };
}

/**
 * How a layer's tiles are drawn.
 * @typedef {object} TileStyle
 * @property {string} color the collection's colour
 * @property {number[]|undefined} dash the collection's dash, in pixels
 * @property {Path2D} marker the marker's outline in a 20-pixel box
 * @property {Set<string>} highlighted ids of highlighted features
 * @property {number} approximateAt precision (metres) from which a feature
 *   without an "approximate" property is approximate
 */

/**
 * Draws a tile's items on its canvas, replacing what was there.
 * @param {HTMLCanvasElement} canvas from createCanvas
 * @param {number} ratio its pixel ratio
 * @param {object[]} items the tile's items, gathered
 * @param {TileStyle} style
 * @param {number} lat latitude at which precisions are measured
 * @param {number} z the tile's zoom
 */
export function drawTile(canvas, ratio, items, style, lat, z) {
  const ctx = canvas.getContext('2d');
  const { color, dash, marker, highlighted } = style;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(ratio, 0, 0, ratio, ratio * PAD, ratio * PAD);
  const approx = (p) => (typeof p.approximate === 'boolean' ? p.approximate : Number(p.precision_m) >= style.approximateAt);
  const haloPx = (p) => metresToPixels(Number(p.precision_m) || 0, lat, z);

  // Areas and lines, cut to the tile so neighbours do not draw twice.
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, TILE_SIZE, TILE_SIZE);
  ctx.clip();
  for (const it of items) {
    if (it.type === 3) {
      ctx.beginPath();
      for (const r of it.rings) ring(ctx, r, true);
      ctx.globalAlpha = INK.areaFillOpacity;
      ctx.fillStyle = color;
      ctx.fill('evenodd');
      ctx.globalAlpha = 1;
      ctx.setLineDash(dash ?? (approx(it.props) ? INK.approxDash : []));
      ctx.strokeStyle = color;
      ctx.lineWidth = highlighted.has(String(it.props.id)) ? 4 : 2;
      ctx.stroke();
    } else if (it.type === 2) {
      ctx.beginPath();
      for (const r of it.rings) ring(ctx, r, false);
      ctx.lineJoin = 'round';
      if (approx(it.props)) {
        ctx.setLineDash([]);
        ctx.lineCap = 'round';
        ctx.lineWidth = Math.max(6, Math.min(400, 2 * metresToPixels(Number(it.props.precision_m) || 0, lat, z)));
        ctx.globalAlpha = bandOpacity(ctx.lineWidth);
        ctx.strokeStyle = color;
        ctx.stroke();
      }
      ctx.lineCap = 'butt';
      ctx.setLineDash(dash ?? []);
      ctx.globalAlpha = INK.casingOpacity;
      ctx.strokeStyle = INK.casing;
      ctx.lineWidth = highlighted.has(String(it.props.id)) ? 9 : 6;
      ctx.stroke();
      ctx.globalAlpha = 1;
      ctx.strokeStyle = color;
      ctx.lineWidth = 3.5;
      ctx.stroke();
    }
  }
  ctx.restore();
  ctx.setLineDash([]);

  // Halos of approximate points (as the map's GeoJSON layers draw them,
  // see haloStyle), then clusters, then single points.
  for (const it of items) {
    if (it.type !== 1 || !it.own || it.props.cluster || !approx(it.props)) continue;
    const r = haloPx(it.props), st = haloStyle(r);
    if (!st.show) continue;
    ctx.beginPath();
    ctx.arc(it.x, it.y, Math.min(PAD, r), 0, 2 * Math.PI);
    ctx.globalAlpha = st.fillOpacity;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = st.opacity;
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = st.weight;
    ctx.strokeStyle = color;
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const it of items) {
    if (it.type !== 1 || !it.own || !it.props.cluster) continue;
    const n = Number(it.props.point_count) || 0;
    const r = clusterRadius(n);
    ctx.beginPath();
    ctx.arc(it.x, it.y, r, 0, 2 * Math.PI);
    ctx.globalAlpha = 0.6;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = INK.outline;
    ctx.stroke();
    if (r >= 10) {
      ctx.font = `600 ${r >= 14 ? 12 : 10}px system-ui, sans-serif`;
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#fff';
      ctx.strokeText(shortCount(n), it.x, it.y + 0.5);
      ctx.fillStyle = '#111';
      ctx.fillText(shortCount(n), it.x, it.y + 0.5);
    }
  }
  const s = MARKER_PX / 20;
  for (const it of items) {
    if (it.type !== 1 || !it.own || it.props.cluster) continue;
    ctx.save();
    ctx.translate(it.x - MARKER_PX / 2, it.y - MARKER_PX / 2);
    ctx.scale(s, s);
    ctx.fillStyle = color;
    ctx.fill(marker);
    ctx.lineJoin = 'round';
    ctx.strokeStyle = INK.outline;
    ctx.lineWidth = highlighted.has(String(it.props.id)) ? 4 : 1.5;
    ctx.stroke(marker);
    ctx.restore();
  }
}

function ring(ctx, r, close) {
  for (let i = 0; i < r.length; i++) (i ? ctx.lineTo : ctx.moveTo).call(ctx, r[i][0], r[i][1]);
  if (close) ctx.closePath();
}
