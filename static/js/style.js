// style.js turns a collection's style (colour, dash, marker) into SVG
// marker shapes and legend swatches, built with DOM calls only.

import { INK } from './carto.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Colour used when a collection gives none or an invalid one. */
export const DEFAULT_COLOR = '#3366cc';

/** Shapes a point layer can use. */
export const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'star'];

/**
 * Returns the collection's colour if it is a #rgb or #rrggbb colour.
 * @param {object} col collection
 * @returns {string}
 */
export function colorOf(col) {
  const c = col?.style?.color;
  return typeof c === 'string' && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(c) ? c : DEFAULT_COLOR;
}

/**
 * Returns the collection's SVG dash array ("6 4"), or undefined.
 * @param {object} col collection
 * @returns {string|undefined}
 */
export function dashOf(col) {
  const d = col?.style?.dash;
  return typeof d === 'string' && /^[\d.\s,]+$/.test(d) ? d : undefined;
}

/**
 * Returns the collection's marker shape, "circle" by default.
 * @param {object} col collection
 * @returns {string}
 */
export function markerOf(col) {
  const m = col?.style?.marker;
  return MARKERS.includes(m) ? m : 'circle';
}

/**
 * Creates an SVG element with attributes.
 * @param {string} name
 * @param {Record<string, string|number>} [attrs]
 * @returns {SVGElement}
 */
export function svgEl(name, attrs = {}) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function shapePath(shape, c, r) {
  switch (shape) {
    case 'square': return `M${c - r * 0.85},${c - r * 0.85}h${1.7 * r}v${1.7 * r}h${-1.7 * r}z`;
    case 'triangle': return `M${c},${c - r}L${c + r * 0.95},${c + r * 0.7}L${c - r * 0.95},${c + r * 0.7}z`;
    case 'diamond': return `M${c},${c - r}L${c + r},${c}L${c},${c + r}L${c - r},${c}z`;
    case 'star': {
      let d = '';
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + (i * Math.PI) / 5, rr = i % 2 ? r * 0.45 : r;
        d += `${i ? 'L' : 'M'}${(c + rr * Math.cos(a)).toFixed(2)},${(c + rr * Math.sin(a)).toFixed(2)}`;
      }
      return d + 'z';
    }
    default: return `M${c - r},${c}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
  }
}

/**
 * Draws a marker shape as an SVG element of size px.
 * @param {string} shape one of MARKERS
 * @param {string} color fill colour
 * @param {number} [px]
 * @returns {SVGSVGElement}
 */
export function markerSVG(shape, color, px = 18) {
  const svg = svgEl('svg', { width: px, height: px, viewBox: '0 0 20 20', 'aria-hidden': 'true', focusable: 'false' });
  svg.append(svgEl('path', { d: shapePath(shape, 10, 8), fill: color, stroke: INK.outline, 'stroke-width': 1.5, 'stroke-linejoin': 'round' }));
  return svg;
}

/**
 * Draws a legend swatch for a collection: its marker, line or area.
 * @param {object} col collection
 * @returns {SVGSVGElement}
 */
export function swatch(col) {
  const color = colorOf(col), dash = dashOf(col);
  const kind = col.geometry_kind;
  if (kind === 'point') return markerSVG(markerOf(col), color, 20);
  const svg = svgEl('svg', { width: 28, height: 20, viewBox: '0 0 28 20', 'aria-hidden': 'true', focusable: 'false' });
  if (kind === 'polygon') {
    svg.append(svgEl('rect', { x: 3, y: 3, width: 22, height: 14, fill: color, 'fill-opacity': 0.25, stroke: color, 'stroke-width': 2, ...(dash ? { 'stroke-dasharray': dash } : {}) }));
  } else {
    svg.append(svgEl('path', { d: 'M2,14 C9,4 18,18 26,6', fill: 'none', stroke: '#333', 'stroke-width': 5, 'stroke-opacity': 0.5 }));
    svg.append(svgEl('path', { d: 'M2,14 C9,4 18,18 26,6', fill: 'none', stroke: color, 'stroke-width': 3, ...(dash ? { 'stroke-dasharray': dash } : {}) }));
    if (kind === 'mixed') svg.append(svgEl('circle', { cx: 14, cy: 10, r: 3.5, fill: color, stroke: INK.outline }));
  }
  return svg;
}

/**
 * Draws the legend symbol for approximate features: a dashed halo.
 * @returns {SVGSVGElement}
 */
export function approxSwatch() {
  const svg = svgEl('svg', { width: 28, height: 20, viewBox: '0 0 28 20', 'aria-hidden': 'true', focusable: 'false' });
  svg.append(svgEl('circle', { cx: 14, cy: 10, r: 8.5, fill: '#555', 'fill-opacity': 0.12, stroke: '#555', 'stroke-dasharray': '3 2' }));
  svg.append(svgEl('circle', { cx: 14, cy: 10, r: 3, fill: '#555' }));
  return svg;
}

/**
 * How an approximate point's halo (a circle as wide as its precision) is
 * drawn at a size on screen: filled while it is small enough to read as
 * "about here", an outline only as it grows, fainter and thinner the
 * larger it is, so that a halo many kilometres wide never covers the map
 * it stands in; none under the marker itself. The map (layers.js), the
 * tiles (tiled/draw.js) and print (present/print.js) all follow it.
 * @param {number} r radius in pixels
 * @returns {{show: boolean, fillOpacity: number, opacity: number, weight: number}}
 */
export function haloStyle(r) {
  if (!(r >= 4)) return { show: false, fillOpacity: 0, opacity: 0, weight: 0 };
  const lerp = (a, b, t) => a + (b - a) * Math.max(0, Math.min(1, t));
  return {
    show: true,
    fillOpacity: r <= 20 ? 0.12 : lerp(0.12, 0, (r - 20) / 40),
    opacity: r <= 40 ? 0.8 : lerp(0.8, 0.22, (r - 40) / 260),
    weight: r <= 40 ? 1.5 : 1,
  };
}

/**
 * The opacity of an approximate line's or area's band (as wide as twice
 * its precision) at a width on screen: the wider, the fainter, so that
 * bands laid over each other at a high zoom stay clear.
 * @param {number} w width in pixels
 * @returns {number}
 */
export function bandOpacity(w) {
  return w <= 24 ? 0.16 : Math.max(0.03, (0.16 * 24) / w);
}
