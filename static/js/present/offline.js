// offline.js lets the front end run from one exported HTML file with the
// network off. The exporter (Go package bundle) inlines the briefing, its
// collections, the features its steps show and the basemap as JSON in a
// <script type="application/json" id="strata-bundle"> element. When that
// element is present, installOffline replaces window.fetch with one that
// answers the API's GET requests from that data, and refuses every other
// request: the shared modules (api.js, layers.js, basemap.js) run
// unchanged. The exporter has decided, as the server does, which features
// each step's date shows (the bundle's "at"): an items request for a
// step's date is answered from that list, filtered by bbox; the page
// parses no datetime itself.

function extend(b, c) {
  if (typeof c[0] === 'number') {
    b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
    b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
  } else for (const x of c) extend(b, x);
}

/**
 * Returns a geometry's bounding box [minLon, minLat, maxLon, maxLat].
 * @param {object} g GeoJSON geometry
 * @returns {number[]}
 */
function geometryBBox(g) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  if (!g) return b;
  if (g.type === 'GeometryCollection') for (const x of g.geometries || []) { const gb = geometryBBox(x); extend(b, [gb[0], gb[1]]); extend(b, [gb[2], gb[3]]); }
  else if (g.coordinates) extend(b, g.coordinates);
  return b;
}

/**
 * Reports whether a feature's bounding box meets a query bbox (which may
 * cross the antimeridian: minLon > maxLon).
 * @param {object} f
 * @param {number[]} q [minLon, minLat, maxLon, maxLat]
 * @returns {boolean}
 */
function inBBox(f, q) {
  const b = f.__bbox || (f.__bbox = geometryBBox(f.geometry));
  if (b[1] > q[3] || b[3] < q[1]) return false;
  if (q[0] <= q[2]) return b[0] <= q[2] && b[2] >= q[0];
  return b[2] >= q[0] || b[0] <= q[2];
}

function json(body, status = 200) {
  return new Response(JSON.stringify(body, (k, v) => (k === '__bbox' ? undefined : v)), {
    status,
    headers: { 'Content-Type': status === 200 ? 'application/geo+json' : 'application/json' },
  });
}

function notFound(what) {
  return json({ code: 'NotFound', description: `${what} is not in this exported file.` }, 404);
}

/**
 * Answers one GET request for a path relative to the page, from the
 * bundle's data.
 * @param {object} data the bundle
 * @param {string} path e.g. "collections/lines/items"
 * @param {URLSearchParams} q
 * @returns {Response}
 */
export function answer(data, path, q) {
  const parts = path.split('/').map(decodeURIComponent);
  if (path === 'collections') return json({ collections: data.collections, links: [] });
  if (parts[0] === 'collections' && parts[2] === 'items' && parts.length === 3) {
    const features = data.items?.[parts[1]];
    if (!features) return notFound(`Collection ${parts[1]}`);
    let shown = features;
    if (q.has('datetime')) {
      const at = data.at?.[q.get('datetime')]?.[parts[1]];
      if (!at) return notFound(`Collection ${parts[1]} at ${q.get('datetime')}`);
      shown = at.map((i) => features[i]);
    }
    const bbox = q.has('bbox') ? q.get('bbox').split(',').map(Number) : null;
    if (bbox && (bbox.length !== 4 || !bbox.every(Number.isFinite))) return json({ code: 'InvalidParameterValue', description: 'bbox is not valid.' }, 400);
    const out = bbox ? shown.filter((f) => inBBox(f, bbox)) : shown;
    return json({ type: 'FeatureCollection', numberMatched: out.length, numberReturned: out.length, features: out, links: [] });
  }
  if (parts[0] === 'collections' && parts[2] === 'items' && parts.length === 4) {
    const f = data.items?.[parts[1]]?.find((x) => String(x.id) === parts[3]);
    return f ? json(f) : notFound(`Feature ${parts[3]}`);
  }
  if (parts[0] === 'collections' && parts.length === 2) {
    const c = data.collections.find((x) => String(x.id) === parts[1]);
    return c ? json(c) : notFound(`Collection ${parts[1]}`);
  }
  if (path === 'briefings') return json({ briefings: [{ id: data.briefing.id, title: data.briefing.title, description: data.briefing.description, steps: data.briefing.steps.length, links: [] }], links: [] });
  if (parts[0] === 'briefings' && parts.length === 2) {
    return parts[1] === data.briefing.id ? json(data.briefing) : notFound(`Briefing ${parts[1]}`);
  }
  if (parts[0] === 'basemap' && parts.length === 2 && data.basemap?.[parts[1]]) return json(data.basemap[parts[1]]);
  if (parts[0] === 'basemap' && parts[1] === 'user' && parts.length === 5) return userTile(data, parts);
  return notFound(path);
}

/**
 * Answers a tile of the user's basemap (basemap/user/z/x/y.mvt) from the
 * tiles the exporter inlined for the step views (base64, by "z/x/y"); a
 * tile it left out is empty (204), so the built-in basemap shows there.
 * @param {object} data the bundle
 * @param {string[]} parts the path's parts
 * @returns {Response}
 */
function userTile(data, parts) {
  const b64 = data.user_tiles?.[`${parts[2]}/${parts[3]}/${parts[4].replace(/\.mvt$/, '')}`];
  if (!b64) return new Response(null, { status: 204 });
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new Response(bytes, { status: 200, headers: { 'Content-Type': 'application/vnd.mapbox-vector-tile' } });
}

/**
 * Reads the inlined bundle, if the page has one.
 * @returns {object|null}
 */
function inlineData() {
  const node = document.getElementById('strata-bundle');
  if (!node) return null;
  return JSON.parse(node.textContent);
}

/**
 * Serves the API from the page's inlined bundle: window.fetch answers
 * GET requests for paths under the page's folder from the data, and
 * fails every other request as a network error.
 * @returns {object|null} the bundle, or null when the page has none
 */
export function installOffline() {
  const data = inlineData();
  if (!data) return null;
  const base = new URL('.', location.href).href;
  window.fetch = async (input, init = {}) => {
    const url = new URL(typeof input === 'string' ? input : input.url, location.href);
    const method = String(init.method || input.method || 'GET').toUpperCase();
    if (init.signal?.aborted) throw new DOMException('The request was aborted.', 'AbortError');
    const here = url.href.split(/[?#]/)[0];
    if (method !== 'GET' || !here.startsWith(base)) throw new TypeError(`Offline: ${url.href} is not in this exported file.`);
    // Answer asynchronously, as the network would.
    await Promise.resolve();
    return answer(data, here.slice(base.length), url.searchParams);
  };
  return data;
}
