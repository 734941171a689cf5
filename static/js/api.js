// api.js is the client for Strata's OGC API – Features endpoints. Every
// function takes an optional AbortSignal so callers can cancel stale
// requests; errors are thrown as ApiError with a message fit for users.

/** ApiError is a failed request: status 0 means the server was not reached. */
export class ApiError extends Error {
  /**
   * @param {string} message text safe to show users
   * @param {number} status HTTP status, or 0 when the server was not reached
   */
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** Largest page the server returns; it clamps larger limits. */
const MAX_LIMIT = 10000;

// getJSON fetches a JSON document. The current state (a URL without
// asof) is revalidated with the server every time, as edits change it
// (an ETag makes that a 304 when nothing did); an answer about the past
// never changes and may come from the browser's cache.
async function getJSON(url, signal) {
  let res;
  try {
    const past = /[?&]asof=/.test(url);
    res = await fetch(url, { signal, cache: past ? 'default' : 'no-cache', headers: { Accept: 'application/geo+json, application/json' } });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError('The map server cannot be reached.', 0);
  }
  if (!res.ok) {
    let detail = '';
    try {
      const body = await res.json();
      detail = typeof body.description === 'string' ? body.description : '';
    } catch { /* not JSON */ }
    throw new ApiError(detail || `The server answered ${res.status}.`, res.status);
  }
  return res.json();
}

/**
 * Fetches the collections document.
 * @param {AbortSignal} [signal]
 * @returns {Promise<object[]>} the collections, sorted by order then title
 */
export async function fetchCollections(signal) {
  const doc = await getJSON('collections', signal);
  const cols = Array.isArray(doc.collections) ? doc.collections : [];
  return cols.sort((a, b) => (a.order ?? 0) - (b.order ?? 0) || String(a.title).localeCompare(String(b.title)));
}

/**
 * Adds the asof parameter (record time, "as known on") to a URL that
 * has no query yet, when asof is set.
 * @param {string} url
 * @param {string} [asof] an RFC 3339 instant or a date
 * @returns {string}
 */
export function withAsOf(url, asof) {
  return asof ? `${url}?asof=${encodeURIComponent(asof)}` : url;
}

/**
 * Builds the items URL of a collection.
 * @param {string} id collection id
 * @param {{datetime?: string, bbox?: number[], limit?: number, asof?: string}} [q]
 * @returns {string} a URL relative to the page
 */
function itemsURL(id, q = {}) {
  const p = new URLSearchParams();
  if (q.datetime) p.set('datetime', q.datetime);
  if (q.asof) p.set('asof', q.asof);
  if (q.bbox) p.set('bbox', q.bbox.map((v) => +v.toFixed(5)).join(','));
  p.set('limit', String(q.limit ?? MAX_LIMIT));
  return `collections/${encodeURIComponent(id)}/items?${p}`;
}

/**
 * Fetches every feature of a collection matching the query, following
 * "next" links until the last page.
 * @param {string} id collection id
 * @param {{datetime?: string, bbox?: number[], limit?: number, asof?: string}} [q]
 * @param {AbortSignal} [signal]
 * @returns {Promise<object[]>} GeoJSON features
 */
export async function fetchAllItems(id, q = {}, signal) {
  const features = [];
  let url = itemsURL(id, q);
  for (let page = 0; url && page < 1000; page++) {
    const fc = await getJSON(url, signal);
    if (Array.isArray(fc.features)) features.push(...fc.features);
    const next = (fc.links || []).find((l) => l.rel === 'next');
    url = next && fc.features && fc.features.length ? sameOrigin(next.href) : null;
  }
  return features;
}

/**
 * Fetches a collection's features counted by day (GET
 * /collections/{id}/histogram, a Strata extension).
 * @param {string} id collection id
 * @param {AbortSignal} [signal]
 * @param {string} [asof] as known at this instant
 * @returns {Promise<{first: string|null, last: string|null, valid: number[],
 *   starts: Object<string, number>, ends: Object<string, number>,
 *   openStart: number, openEnd: number}>}
 */
export function fetchHistogram(id, signal, asof) {
  return getJSON(withAsOf(`collections/${encodeURIComponent(id)}/histogram`, asof), signal);
}

/**
 * Fetches one feature.
 * @param {string} collection collection id
 * @param {string} id feature id
 * @param {AbortSignal} [signal]
 * @param {string} [asof] as known at this instant
 * @returns {Promise<object>} a GeoJSON feature
 */
export function fetchFeature(collection, id, signal, asof) {
  return getJSON(withAsOf(`collections/${encodeURIComponent(collection)}/items/${encodeURIComponent(id)}`, asof), signal);
}

// sameOrigin keeps a link's path and query but never leaves the page's
// origin: the page makes no request elsewhere, whatever a link says.
function sameOrigin(href) {
  const u = new URL(href, location.href);
  return u.origin === location.origin ? u.href : u.pathname.replace(/^\//, '') + u.search;
}

/**
 * Finds features of every collection by their text (GET /search, a
 * Strata extension): names matching first, each with its collection in
 * properties.collection.
 * @param {string} q the words to look for
 * @param {{limit?: number, asof?: string}} [o]
 * @param {AbortSignal} [signal]
 * @returns {Promise<{features: object[], numberMatched: number}>}
 */
export function fetchSearch(q, o = {}, signal) {
  const p = new URLSearchParams({ q });
  if (o.limit) p.set('limit', String(o.limit));
  if (o.asof) p.set('asof', o.asof);
  return getJSON(`search?${p}`, signal);
}

/**
 * Lists what appears, disappears or changes between two dates (GET
 * /diff, a Strata extension): features with properties.change (added,
 * removed or changed) and properties.collection.
 * @param {string} from date YYYY-MM-DD
 * @param {string} to date YYYY-MM-DD
 * @param {{collections?: string[], asof?: string}} [o]
 * @param {AbortSignal} [signal]
 * @returns {Promise<{features: object[], numberMatched: number}>}
 */
export function fetchDiff(from, to, o = {}, signal) {
  const p = new URLSearchParams({ from, to });
  if (o.collections) p.set('collections', o.collections.join(','));
  if (o.asof) p.set('asof', o.asof);
  return getJSON(`diff?${p}`, signal);
}
