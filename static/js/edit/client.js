// client.js writes features and reads their history over Strata's HTTP
// API (OGC API – Features Part 4, /versions, /changes). Writes carry the
// editor's token as a Bearer header and, for changes, the ETag last read
// in If-Match. Failures are WriteErrors with a message fit for users.

/** WriteError is a refused request: status 0 when the server was not reached. */
export class WriteError extends Error {
  /**
   * @param {string} message text safe to show users
   * @param {number} status HTTP status
   * @param {object} [more] param: the member at fault in a 400; feature
   *   and etag: the current version, in a 412
   */
  constructor(message, status, more = {}) {
    super(message);
    this.name = 'WriteError';
    this.status = status;
    this.param = more.param || '';
    this.feature = more.feature || null;
    this.etag = more.etag || '';
  }
}

const itemsPath = (col) => `collections/${encodeURIComponent(col)}/items`;
const featurePath = (col, id) => `${itemsPath(col)}/${encodeURIComponent(id)}`;

async function send(method, url, { token, body, etag, comment, type } = {}) {
  const headers = { Accept: 'application/geo+json, application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (etag) headers['If-Match'] = etag;
  if (body !== undefined) headers['Content-Type'] = type || 'application/geo+json';
  // Headers carry Latin-1 only: the comment goes in the body when it can.
  if (comment && body === undefined) headers['X-Strata-Comment'] = encodeHeader(comment);
  let res;
  try {
    res = await fetch(url, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(comment ? { ...body, comment } : body) });
  } catch {
    throw new WriteError('The map server cannot be reached.', 0);
  }
  let doc = null;
  if (res.status !== 204) {
    try { doc = await res.json(); } catch { /* not JSON */ }
  }
  if (res.status === 412 && doc?.type === 'Feature') {
    throw new WriteError('Someone changed this feature since you opened it.', 412, { feature: doc, etag: res.headers.get('ETag') || '' });
  }
  if (!res.ok) {
    const msg = typeof doc?.description === 'string' && doc.description ? doc.description : `The server answered ${res.status}.`;
    throw new WriteError(msg, res.status, { param: typeof doc?.param === 'string' ? doc.param : '' });
  }
  return { doc, etag: res.headers.get('ETag') || '' };
}

// encodeHeader keeps a comment to what a header may carry: non-ASCII
// characters become "?" (the body carries them whole when there is one).
function encodeHeader(s) {
  return String(s).replace(/[^\x20-\x7e]/g, '?').slice(0, 500);
}

/**
 * Reads a feature's current version with its ETag.
 * @param {string} col
 * @param {string} id
 * @returns {Promise<{feature: object, etag: string}>}
 */
export async function readFeature(col, id) {
  const { doc, etag } = await send('GET', featurePath(col, id));
  return { feature: doc, etag };
}

/**
 * Creates a feature (POST): its version 1.
 * @param {string} token
 * @param {string} col
 * @param {object} feature GeoJSON feature
 * @param {string} [comment]
 * @returns {Promise<{feature: object, etag: string}>}
 */
export async function createFeature(token, col, feature, comment) {
  const { doc, etag } = await send('POST', itemsPath(col), { token, body: feature, comment });
  return { feature: doc, etag };
}

/**
 * Replaces a feature (PUT) if its current version is still etag's; a
 * WriteError of status 412 carries the current one otherwise.
 * @param {string} token
 * @param {string} col
 * @param {object} feature GeoJSON feature, with its id
 * @param {string} etag
 * @param {string} [comment]
 * @returns {Promise<{feature: object, etag: string}>}
 */
export async function replaceFeature(token, col, feature, etag, comment) {
  const { doc, etag: next } = await send('PUT', featurePath(col, feature.id), { token, body: feature, etag, comment });
  return { feature: doc, etag: next };
}

/**
 * Deletes a feature (DELETE) if its current version is still etag's.
 * @param {string} token
 * @param {string} col
 * @param {string} id
 * @param {string} etag
 * @param {string} [comment]
 */
export async function deleteFeature(token, col, id, etag, comment) {
  await send('DELETE', featurePath(col, id), { token, etag, comment });
}

/**
 * Lists a feature's versions, newest first.
 * @param {string} col
 * @param {string} id
 * @returns {Promise<{version: number, recorded_from: string, recorded_to: string|null, author: string, changeset: number, comment: string}[]>}
 */
export async function fetchVersions(col, id) {
  const { doc } = await send('GET', `${featurePath(col, id)}/versions`);
  return Array.isArray(doc?.versions) ? doc.versions : [];
}

/**
 * Reads one version of a feature.
 * @param {string} col
 * @param {string} id
 * @param {number} n
 * @returns {Promise<object>} a GeoJSON feature
 */
export async function fetchVersion(col, id, n) {
  const { doc } = await send('GET', `${featurePath(col, id)}/versions/${n}`);
  return doc;
}

/**
 * Reads one changeset with the versions it wrote.
 * @param {number} id
 * @returns {Promise<object>}
 */
export async function fetchChange(id) {
  const { doc } = await send('GET', `changes/${encodeURIComponent(id)}`);
  return doc;
}

/**
 * Lists the latest changesets, newest first.
 * @param {number} [limit]
 * @returns {Promise<object[]>}
 */
export async function fetchChanges(limit = 20) {
  const { doc } = await send('GET', `changes?limit=${limit}`);
  return Array.isArray(doc?.changes) ? doc.changes : [];
}

/**
 * Reverts a changeset: a new changeset undoing it. A WriteError of
 * status 409 names the features changed since.
 * @param {string} token
 * @param {number} id
 * @param {string} [comment]
 * @returns {Promise<object>} the new changeset
 */
export async function revertChange(token, id, comment) {
  const { doc } = await send('POST', `changes/${encodeURIComponent(id)}/revert`, { token, comment });
  return doc;
}
