// print.js builds the printed briefing: one page per step with a map and
// the caption. The live map cannot be printed a page per step, so each
// page draws its own map as SVG: the offline basemap and the step's
// features, fetched for the step's date like the live map's layers,
// projected in Web Mercator onto the step's view. Highlighted features are
// outlined; places are named as on the live map (labelplace.js), the
// emphasised first; approximate points get their precision halo, drawn
// by the live map's rule (haloStyle).

import * as topojson from '../../vendor/topojson-client/src/index.js';
import { fetchAllItems } from '../api.js';
import { BASEMAP, INK, metresToPixels, project, unproject } from '../carto.js';
import { isApproximate } from '../layers.js';
import { colorOf, dashOf, markerOf, markerSVG, swatch, svgEl, haloStyle, bandOpacity } from '../style.js';
import { isEventLayer } from '../histogram.js';
import { candidates, compareCandidates, fitting, place } from '../labelplace.js';
import { el, paragraphs, sourceList, describeDate } from './text.js';

const W = 1000, H = 620;

/** Font size of a printed name by its class (see labelplace.js PRIORITY). */
const LABEL_SIZE = { city: 16, town: 15, place: 13, facility: 13, reference: 12, line: 13, area: 13 };
const { sea: SEA, land: LAND, coast: COAST, worldBorder: WORLD_BORDER, regionBorder: REGION_BORDER } = BASEMAP;

/**
 * A projection of a step's view onto the page's W×H box.
 * @param {{bounds?: number[], center?: number[], zoom?: number}} view
 */
export function viewProjection(view) {
  let cx, cy, k;
  if (Array.isArray(view.bounds)) {
    const [x0, y1] = project(view.bounds[0], view.bounds[1]);
    const [x1, y0] = project(view.bounds[2], view.bounds[3]);
    k = 0.94 * Math.min(W / (x1 - x0), H / (y1 - y0));
    cx = (x0 + x1) / 2; cy = (y0 + y1) / 2;
  } else {
    [cx, cy] = project(view.center[0], view.center[1]);
    k = 2 ** view.zoom;
  }
  const lat = view.center ? view.center[1] : (view.bounds[1] + view.bounds[3]) / 2;
  const pageToLonLat = (px, py) => unproject((px - W / 2) / k + cx, (py - H / 2) / k + cy);
  return {
    zoom: Math.log2(k),
    lat,
    /** The page's box as [minLon, minLat, maxLon, maxLat]. */
    bbox() {
      const [w, n] = pageToLonLat(0, 0), [e, s] = pageToLonLat(W, H);
      return [Math.max(-180, w), Math.max(-90, s), Math.min(180, e), Math.min(90, n)];
    },
    point(lon, lat2) {
      const [x, y] = project(lon, lat2);
      return [(x - cx) * k + W / 2, (y - cy) * k + H / 2];
    },
  };
}

// pathData draws rings or lines as SVG path data, skipping parts that
// fall wholly outside the page and points closer than half a pixel.
function pathData(parts, proj, close) {
  let d = '';
  for (const part of parts) {
    const pts = part.map((c) => proj.point(c[0], c[1]));
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const [x, y] of pts) { minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y); }
    if (maxX < -50 || minX > W + 50 || maxY < -50 || minY > H + 50) continue;
    let px = NaN, py = NaN;
    pts.forEach(([x, y], i) => {
      if (i > 0 && i < pts.length - 1 && Math.abs(x - px) < 0.5 && Math.abs(y - py) < 0.5) return;
      d += `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
      px = x; py = y;
    });
    if (close) d += 'Z';
  }
  return d;
}

// Splits a geometry into the rings or lines pathData draws.
function parts(g) {
  switch (g?.type) {
    case 'Polygon': return { area: g.coordinates, line: [], points: [] };
    case 'MultiPolygon': return { area: g.coordinates.flat(), line: [], points: [] };
    case 'LineString': return { area: [], line: [g.coordinates], points: [] };
    case 'MultiLineString': return { area: [], line: g.coordinates, points: [] };
    case 'Point': return { area: [], line: [], points: [g.coordinates] };
    case 'MultiPoint': return { area: [], line: [], points: g.coordinates };
    case 'GeometryCollection': {
      const out = { area: [], line: [], points: [] };
      for (const x of g.geometries || []) { const p = parts(x); out.area.push(...p.area); out.line.push(...p.line); out.points.push(...p.points); }
      return out;
    }
  }
  return { area: [], line: [], points: [] };
}

function addPath(svg, d, attrs) {
  if (d) svg.append(svgEl('path', { d, ...attrs }));
}

/**
 * PrintPages fills a container with a printable page per step.
 */
export class PrintPages {
  /**
   * @param {HTMLElement} root the container, shown only in print
   * @param {object} briefing
   * @param {object[]} cols the collections the briefing uses
   */
  constructor(root, briefing, cols) {
    this.root = root;
    this.briefing = briefing;
    this.cols = new Map(cols.map((c) => [String(c.id), c]));
    this.done = null;
    this.cache = new Map();
  }

  /**
   * Builds the pages once; later calls return the same promise.
   * @returns {Promise<void>}
   */
  prepare() {
    if (!this.done) this.done = this.build().catch((err) => { this.done = null; throw err; });
    return this.done;
  }

  async features(layer, step) {
    const bbox = viewProjection(step.view).bbox();
    const key = `${layer}|${step.date}|${bbox}`;
    if (!this.cache.has(key)) this.cache.set(key, fetchAllItems(layer, { datetime: step.date, bbox }));
    return this.cache.get(key);
  }

  async basemap() {
    const get = async (f) => { const r = await fetch(`basemap/${f}`); if (!r.ok) throw new Error(f); return r.json(); };
    try {
      const [world, region] = await Promise.all([get('world.topo.json'), get('region.topo.json')]);
      return {
        worldLand: topojson.feature(world, world.objects.land),
        worldBorders: topojson.feature(world, world.objects.borders),
        clip: Array.isArray(region.clip) && region.clip.length === 4 ? region.clip : null,
        land: topojson.feature(region, region.objects.land),
        coast: topojson.feature(region, region.objects.coast),
        borders: topojson.feature(region, region.objects.borders),
      };
    } catch {
      return null;
    }
  }

  async build() {
    const steps = this.briefing.steps;
    const base = await this.basemap();
    const data = await Promise.all(steps.map((s) => Promise.all(s.layers.filter((l) => this.cols.has(l)).map(async (l) => ({ layer: l, features: await this.features(l, s).catch(() => null) })))));
    const pages = steps.map((s, i) => this.page(s, i, base, data[i]));
    this.root.replaceChildren(...pages);
    this.root.dataset.pages = String(pages.length);
  }

  page(s, i, base, layers) {
    const n = this.briefing.steps.length;
    const page = el('section', 'print-page');
    page.append(el('p', 'print-head', `${this.briefing.title} · Step ${i + 1} of ${n}`));
    page.append(el('p', 'print-date', describeDate(s.date)));
    page.append(el('h2', 'print-title', s.title));
    const fig = el('figure', 'print-map');
    fig.append(this.map(s, base, layers));
    const missing = layers.filter((l) => !l.features).map((l) => this.cols.get(l.layer)?.title || l.layer);
    const credit = ['Map drawn for print from the step\'s data. Basemap: © OpenStreetMap contributors (ODbL), Natural Earth.'];
    if (missing.length) credit.push(`Not loaded: ${missing.join(', ')}.`);
    fig.append(el('figcaption', 'print-credit', credit.join(' ')));
    page.append(fig);
    const legend = el('ul', 'print-legend');
    for (const l of layers) {
      const col = this.cols.get(l.layer);
      const li = el('li');
      li.append(swatch(col), el('span', '', col.title || l.layer));
      legend.append(li);
    }
    if (s.highlight?.length) {
      const li = el('li');
      const svg = svgEl('svg', { width: 28, height: 20, viewBox: '0 0 28 20', 'aria-hidden': 'true' });
      svg.append(svgEl('circle', { cx: 14, cy: 10, r: 7, fill: 'none', stroke: '#111', 'stroke-width': 3 }));
      li.append(svg, el('span', '', 'Emphasised: what this step is about'));
      legend.append(li);
    }
    page.append(legend);
    page.append(paragraphs(s.caption, 'print-para'));
    page.append(el('h3', 'print-sources-title', 'Sources'), sourceList(s.sources));
    return page;
  }

  /**
   * Names places on a page's map as the live map does: the emphasised
   * first, then towns, facilities and crossings, lines and areas, each
   * where it covers no other name or symbol.
   * @param {SVGGElement} g where the names go
   * @param {{layer: string, features: object[]|null}[]} layers
   * @param {Set<string>} hl emphasised "layer/id"
   * @param {object} proj the page's projection
   */
  labels(g, layers, hl, proj) {
    const sources = new Map();
    for (const { layer, features } of layers) {
      const fs = features || [];
      const ids = new Set([...hl].filter((h) => h.startsWith(`${layer}/`)).map((h) => h.slice(layer.length + 1)));
      sources.set(layer, { col: this.cols.get(layer), features: fs, events: isEventLayer(fs), highlighted: ids });
    }
    const { items, obstacles } = candidates(sources, (c) => { const [x, y] = proj.point(c[0], c[1]); return { x, y }; }, 10);
    const ctx = (this.measure ||= document.createElement('canvas').getContext('2d'));
    for (const it of items) {
      const size = it.emphasised ? 17 : LABEL_SIZE[it.cls] || 13;
      ctx.font = `700 ${size}px system-ui, sans-serif`;
      [it.w, it.h, it.size] = [ctx.measureText(it.text).width + 4, size * 1.25, size];
    }
    items.sort(compareCandidates);
    const boxes = place(fitting(items), { x: 0, y: 0, w: W, h: H }, obstacles);
    for (const it of items) {
      const b = boxes.get(it.key);
      if (!b) continue;
      const t = svgEl('text', { x: (b.x + 2).toFixed(1), y: (b.y + it.size).toFixed(1), class: `print-label print-label-${it.cls}${it.emphasised ? ' is-emphasised' : ''}`, 'font-size': it.size });
      t.textContent = it.text;
      g.append(t);
    }
  }

  map(s, base, layers) {
    const proj = viewProjection(s.view);
    const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': `Map of step: ${s.title}` });
    const clipId = `print-clip-${s.id}`;
    const defs = svgEl('defs');
    const cp = svgEl('clipPath', { id: clipId });
    cp.append(svgEl('rect', { x: 0, y: 0, width: W, height: H }));
    defs.append(cp);
    svg.append(defs);
    const g = svgEl('g', { 'clip-path': `url(#${clipId})` });
    svg.append(g);
    g.append(svgEl('rect', { x: 0, y: 0, width: W, height: H, fill: SEA }));
    const geoms = (fc) => (fc.type === 'FeatureCollection' ? fc.features : [fc]).map((f) => parts(f.geometry));
    if (base) {
      for (const p of geoms(base.worldLand)) addPath(g, pathData(p.area, proj, true), { fill: LAND, 'fill-rule': 'evenodd' });
      for (const p of geoms(base.worldBorders)) addPath(g, pathData(p.line, proj, false), { fill: 'none', stroke: WORLD_BORDER.color, 'stroke-width': WORLD_BORDER.width });
      if (base.clip) {
        const [w, so, e, n] = base.clip;
        const [x0, y0] = proj.point(w, n), [x1, y1] = proj.point(e, so);
        g.append(svgEl('rect', { x: x0.toFixed(1), y: y0.toFixed(1), width: (x1 - x0).toFixed(1), height: (y1 - y0).toFixed(1), fill: SEA }));
      }
      for (const p of geoms(base.land)) addPath(g, pathData(p.area, proj, true), { fill: LAND, 'fill-rule': 'evenodd' });
      for (const p of geoms(base.coast)) addPath(g, pathData(p.line.length ? p.line : p.area, proj, false), { fill: 'none', stroke: COAST.color, 'stroke-width': COAST.width });
      for (const p of geoms(base.borders)) addPath(g, pathData(p.line.length ? p.line : p.area, proj, false), { fill: 'none', stroke: REGION_BORDER.color, 'stroke-width': REGION_BORDER.width, 'stroke-dasharray': REGION_BORDER.dash.join(' ') });
    }
    const hl = new Set(s.highlight || []);
    const areas = svgEl('g'), lines = svgEl('g'), points = svgEl('g'), labels = svgEl('g'), halos = svgEl('g');
    const haloAt = new Set();
    for (const { layer, features } of layers) {
      const col = this.cols.get(layer);
      const color = colorOf(col), dash = dashOf(col);
      for (const f of features || []) {
        const p = parts(f.geometry);
        const on = hl.has(`${layer}/${f.id}`);
        const approx = isApproximate(f);
        const prec = Number(f.properties?.precision_m) || 0;
        const a = pathData(p.area, proj, true), ln = pathData(p.line, proj, false);
        if (on) {
          addPath(areas, a, { fill: 'none', stroke: '#111', 'stroke-width': 6, 'stroke-opacity': 0.85 });
          addPath(lines, ln, { fill: 'none', stroke: '#111', 'stroke-width': 9, 'stroke-opacity': 0.85, 'stroke-linecap': 'round' });
        }
        addPath(areas, a, { fill: color, 'fill-opacity': INK.areaFillOpacity, stroke: color, 'stroke-width': 2, 'fill-rule': 'evenodd', ...(dash || approx ? { 'stroke-dasharray': dash || INK.approxDash.join(' ') } : {}) });
        if (ln && approx) {
          const bw = Math.max(6, Math.min(200, 2 * metresToPixels(prec, proj.lat, proj.zoom)));
          addPath(lines, ln, { fill: 'none', stroke: color, 'stroke-opacity': bandOpacity(bw).toFixed(3), 'stroke-width': bw, 'stroke-linecap': 'round' });
        }
        addPath(lines, ln, { fill: 'none', stroke: INK.casing, 'stroke-opacity': INK.casingOpacity, 'stroke-width': 5, ...(dash ? { 'stroke-dasharray': dash } : {}) });
        addPath(lines, ln, { fill: 'none', stroke: color, 'stroke-width': 3, ...(dash ? { 'stroke-dasharray': dash } : {}) });
        for (const c of p.points) {
          const [x, y] = proj.point(c[0], c[1]);
          if (x < -20 || x > W + 20 || y < -20 || y > H + 20) continue;
          const hk = `${c[0]},${c[1]}|${prec}`;
          if (approx && prec > 0 && !haloAt.has(hk)) {
            haloAt.add(hk);
            const r = Math.min(1200, metresToPixels(prec, c[1], proj.zoom));
            const st = haloStyle(r);
            if (st.show) halos.append(svgEl('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: r.toFixed(1), fill: color, 'fill-opacity': st.fillOpacity.toFixed(3), stroke: color, 'stroke-opacity': st.opacity.toFixed(3), 'stroke-dasharray': '4 4', 'stroke-width': st.weight }));
          }
          if (on) points.append(svgEl('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 14, fill: '#fff', 'fill-opacity': 0.6, stroke: '#111', 'stroke-width': 3 }));
          const m = markerSVG(markerOf(col), color, 20);
          m.setAttribute('x', (x - 10).toFixed(1));
          m.setAttribute('y', (y - 10).toFixed(1));
          points.append(m);
        }
      }
    }
    this.labels(labels, layers, hl, proj);
    g.append(halos, areas, lines, points, labels);
    svg.append(svgEl('rect', { x: 0.5, y: 0.5, width: W - 1, height: H - 1, fill: 'none', stroke: '#8a949c' }));
    return svg;
  }
}
