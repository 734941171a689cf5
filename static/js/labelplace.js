// labelplace.js decides which place names a map shows and where: the
// candidates a layer's features give (towns, crossings, facilities, named
// lines and areas; never events), their priority, and a greedy placement
// that tries a few positions around each anchor and keeps a label only
// where it meets no label already placed, no other symbol and stays
// inside the view. It works in plain pixel coordinates, so the Leaflet
// label layer (labels.js) and the printed pages (present/print.js) share
// it. Thinning by zoom follows from the collisions: the fewer pixels the
// places are apart, the fewer labels fit, and the most important stay.

/** Label classes, most important first (see priorityOf). */
export const PRIORITY = Object.freeze({ emphasised: 0, city: 1, town: 2, place: 3, facility: 4, reference: 5, line: 6, area: 7 });

const KIND_CLASS = {
  city: 'city', capital: 'city', town: 'town', refugee_camp: 'town', village: 'town', camp: 'town',
  reference_point: 'reference', facility: 'facility', port: 'facility', border_crossing: 'facility', crossing: 'facility', airport: 'facility',
};

/**
 * Shortens a feature's name for a map label: what follows a spaced dash
 * (" – location approximate") and bracketed asides ("(Egypt–Gaza)") go,
 * except an acronym in brackets, which stands for what it follows
 * ("Civil-Military Coordination Center (CMCC), Kiryat Gat" gives
 * "CMCC, Kiryat Gat"). A "label" property, when a feature has one, wins.
 * @param {object} props feature properties
 * @returns {string} "" when there is nothing to show
 */
export function labelText(props) {
  if (typeof props?.label === 'string' && props.label.trim()) return props.label.trim();
  let s = typeof props?.name === 'string' ? props.name : '';
  s = s.split(/\s[–—-]\s/)[0];
  s = s.replace(/^[^(]*\(([A-Z]{2,6})\)/, '$1');
  s = s.replace(/\s*\([^)]*\)/g, '').replace(/^["“”]+|["“”]+$/g, '');
  s = s.replace(/\s+/g, ' ').replace(/[\s,;:]+$/, '').trim();
  return s;
}

/**
 * The class of a label (a key of PRIORITY) from the feature's kind and
 * geometry.
 * @param {object} f GeoJSON feature
 * @returns {string}
 */
export function classOf(f) {
  const t = f.geometry?.type || '';
  if (/Polygon/.test(t)) return 'area';
  if (/LineString/.test(t)) return 'line';
  return KIND_CLASS[String(f.properties?.kind || '').toLowerCase()] || 'place';
}

/**
 * Orders candidates: emphasised first, then by class, then by
 * population or rank when the data gives them, then as the layers and
 * features come.
 * @param {{cls: string, emphasised: boolean, weight: number, order: number}} a
 * @param {typeof a} b
 * @returns {number}
 */
export function compareCandidates(a, b) {
  const pa = a.emphasised ? 0 : PRIORITY[a.cls], pb = b.emphasised ? 0 : PRIORITY[b.cls];
  return pa - pb || b.weight - a.weight || a.order - b.order;
}

/**
 * How important a place is within its class: its population, or a rank
 * (1 most important), when the data gives one.
 * @param {object} props
 * @returns {number}
 */
export function weightOf(props) {
  const pop = Number(props?.population);
  if (Number.isFinite(pop) && pop > 0) return pop;
  const rank = Number(props?.rank);
  if (Number.isFinite(rank) && rank > 0) return 1 / rank;
  return 0;
}

/**
 * The point where a line's label sits: the middle of its length, and
 * two more along it to try when that one collides.
 * @param {number[][][]} lines rings of [x, y] pixels
 * @returns {{x: number, y: number}[]}
 */
export function alongLine(lines) {
  let best = null, bestLen = 0;
  for (const l of lines) {
    let len = 0;
    for (let i = 1; i < l.length; i++) len += Math.hypot(l[i][0] - l[i - 1][0], l[i][1] - l[i - 1][1]);
    if (len > bestLen) { best = l; bestLen = len; }
  }
  if (!best) return [];
  const at = (frac) => {
    let want = frac * bestLen;
    for (let i = 1; i < best.length; i++) {
      const d = Math.hypot(best[i][0] - best[i - 1][0], best[i][1] - best[i - 1][1]);
      if (d >= want && d > 0) {
        const t = want / d;
        return { x: best[i - 1][0] + t * (best[i][0] - best[i - 1][0]), y: best[i - 1][1] + t * (best[i][1] - best[i - 1][1]) };
      }
      want -= d;
    }
    return { x: best[best.length - 1][0], y: best[best.length - 1][1] };
  };
  return [at(0.5), at(0.35), at(0.65), at(0.2), at(0.8)].map((p) => ({ ...p, len: bestLen }));
}

/**
 * The point where an area's label sits: the centroid of its largest
 * ring (by the shoelace formula), or the ring's box centre when the
 * centroid falls outside the ring.
 * @param {number[][][]} rings outer rings of [x, y] pixels
 * @returns {{x: number, y: number, w: number, h: number}|null} with the ring's box size
 */
export function inArea(rings) {
  let best = null, bestA = 0;
  for (const r of rings) {
    let a = 0, cx = 0, cy = 0;
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const k = r[j][0] * r[i][1] - r[i][0] * r[j][1];
      a += k; cx += (r[j][0] + r[i][0]) * k; cy += (r[j][1] + r[i][1]) * k;
    }
    if (Math.abs(a) > bestA) { bestA = Math.abs(a); best = { r, x: cx / (3 * a), y: cy / (3 * a) }; }
  }
  if (!best) return null;
  const xs = best.r.map((p) => p[0]), ys = best.r.map((p) => p[1]);
  const box = { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
  const p = contains(best.r, best.x, best.y) ? best : { x: (box.x0 + box.x1) / 2, y: (box.y0 + box.y1) / 2 };
  return { x: p.x, y: p.y, w: box.x1 - box.x0, h: box.y1 - box.y0 };
}

function contains(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Where a label may go around its anchor, tried in order: a point's
 * label to the right, left, above and below its symbol (r pixels from
 * its centre); a line's or area's centred on it.
 * @param {{x: number, y: number, r: number, kind: string}} a anchor
 * @param {number} w label width
 * @param {number} h label height
 * @returns {{x: number, y: number}[]} top-left corners
 */
export function positions(a, w, h) {
  if (a.kind !== 'point') return [{ x: a.x - w / 2, y: a.y - h / 2 }];
  const g = a.r + 3;
  return [
    { x: a.x + g, y: a.y - h / 2 },
    { x: a.x - g - w, y: a.y - h / 2 },
    { x: a.x - w / 2, y: a.y - g - h },
    { x: a.x - w / 2, y: a.y + g },
    { x: a.x + g - 2, y: a.y - h + 2 },
    { x: a.x + g - 2, y: a.y - 2 },
  ];
}

const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Places labels greedily in the order given: each goes at the first of
 * its anchors' positions that stays inside the view and meets no label
 * already placed and no obstacle other than its own symbol.
 * @param {{key: string, w: number, h: number, anchors: {x: number, y: number, r: number, kind: string, own?: string}[]}[]} items
 *   in priority order; anchors in pixels; own names the obstacle that is the label's own symbol
 * @param {{x: number, y: number, w: number, h: number}} view
 * @param {{x: number, y: number, w: number, h: number, id?: string}[]} obstacles symbols not to cover
 * @returns {Map<string, {x: number, y: number, w: number, h: number}>} the boxes of the labels placed, by key
 */
export function place(items, view, obstacles) {
  const placed = [];
  const out = new Map();
  const inside = (b) => b.x >= view.x + 2 && b.y >= view.y + 2 && b.x + b.w <= view.x + view.w - 2 && b.y + b.h <= view.y + view.h - 2;
  for (const it of items) {
    let done = false;
    for (const a of it.anchors) {
      for (const p of positions(a, it.w, it.h)) {
        const b = { x: p.x, y: p.y, w: it.w, h: it.h };
        if (!inside(b) || placed.some((q) => overlaps(b, q))) continue;
        if (obstacles.some((o) => o.id !== a.own && overlaps(b, o))) continue;
        placed.push(b);
        out.set(it.key, b);
        done = true;
        break;
      }
      if (done) break;
    }
  }
  return out;
}

// geometry parts in [lon, lat]: point positions, lines, outer rings
function geometryParts(g, out = { points: [], lines: [], rings: [] }) {
  if (!g) return out;
  switch (g.type) {
    case 'Point': out.points.push(g.coordinates); break;
    case 'MultiPoint': out.points.push(...g.coordinates); break;
    case 'LineString': out.lines.push(g.coordinates); break;
    case 'MultiLineString': out.lines.push(...g.coordinates); break;
    case 'Polygon': if (g.coordinates[0]) out.rings.push(g.coordinates[0]); break;
    case 'MultiPolygon': for (const p of g.coordinates) if (p[0]) out.rings.push(p[0]); break;
    case 'GeometryCollection': for (const x of g.geometries || []) geometryParts(x, out); break;
  }
  return out;
}

/**
 * The label candidates and the symbols not to cover, from what layers
 * draw, in the pixels a projection gives. Events get no names (many sit
 * on one place) but count as symbols.
 * @param {Map<string, {col: object, features: object[], events: boolean, highlighted?: Set<string>}>} sources by layer id
 * @param {(c: number[]) => {x: number, y: number}} project [lon, lat] to pixels
 * @param {number} r half a marker's side in pixels
 * @returns {{items: object[], obstacles: object[]}} items unsorted (see compareCandidates), with key, text, cls, emphasised, anchors
 */
export function candidates(sources, project, r) {
  const items = [], obstacles = [];
  let order = 0;
  for (const [src, s] of sources) {
    const colOrder = Number(s.col?.order) || 0;
    for (const f of s.features || []) {
      if (!f?.geometry) continue;
      const id = `${src}/${f.id}`;
      const g = geometryParts(f.geometry);
      const pts = g.points.map(project);
      // An emphasised marker is drawn larger, with a ring.
      const emphasised = !!s.highlighted?.has(String(f.id));
      const rr = emphasised ? r + 12 : r;
      for (const p of pts) obstacles.push({ x: p.x - rr, y: p.y - rr, w: 2 * rr, h: 2 * rr, id });
      if (s.events) continue;
      const text = labelText(f.properties);
      if (!text) continue;
      const anchors = [];
      const px = (ring) => ring.map((c) => { const p = project(c); return [p.x, p.y]; });
      if (pts.length) for (const p of pts) anchors.push({ x: p.x, y: p.y, r: rr, kind: 'point', own: id });
      else if (g.rings.length) {
        const a = inArea(g.rings.map(px));
        if (a) anchors.push({ x: a.x, y: a.y, r: 0, kind: 'area', w: a.w, h: a.h });
      } else if (g.lines.length) {
        for (const a of alongLine(g.lines.map(px))) anchors.push({ ...a, r: 0, kind: 'line' });
      }
      if (!anchors.length) continue;
      items.push({ key: id, text, cls: classOf(f), emphasised, weight: weightOf(f.properties), order: colOrder * 1e6 + order++, anchors });
    }
  }
  return { items, obstacles };
}

/**
 * Keeps the candidates whose line or area is long or large enough for
 * the name (w, h set): the others go unnamed.
 * @param {object[]} items
 * @returns {object[]}
 */
export function fitting(items) {
  return items.filter((it) => {
    const a = it.anchors[0];
    if (a.kind === 'line') return a.len >= it.w + 24;
    if (a.kind === 'area') return a.w >= it.w && a.h >= 2 * it.h;
    return true;
  });
}
