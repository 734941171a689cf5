// session.js keeps the editor's token for this browser tab only
// (sessionStorage: gone when the tab closes, never in the address, never
// logged) and asks the server who it is and what it may write (GET
// /token).

const KEY = 'strata.editToken';

/** The token of this tab, or '' when the tab is not signed in. */
export function storedToken() {
  try {
    return sessionStorage.getItem(KEY) || '';
  } catch {
    return ''; // storage refused (a sandboxed frame): no editing
  }
}

/**
 * Keeps the token for this tab, or forgets it when empty.
 * @param {string} token
 */
export function storeToken(token) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch { /* storage refused: the token lasts until the page closes */ }
}

/**
 * @typedef {object} Writer
 * @property {boolean} writes whether anyone may write on this server
 * @property {string} [author] the token's name, the author of its writes
 * @property {string[]} [collections] the collections it may write
 */

/**
 * Asks the server whether writes are possible and, with a token, whose
 * they are. Rejects with an Error whose message is fit for users (and
 * status 401 for a token the server does not take).
 * @param {string} [token]
 * @returns {Promise<Writer>}
 */
export async function whoAmI(token) {
  let res;
  try {
    res = await fetch('token', { cache: 'no-store', headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch {
    throw Object.assign(new Error('The map server cannot be reached.'), { status: 0 });
  }
  let body = {};
  try { body = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const msg = res.status === 401 ? 'The server does not accept this token (unknown, expired or revoked).' : (body.description || `The server answered ${res.status}.`);
    throw Object.assign(new Error(msg), { status: res.status });
  }
  return { writes: !!body.writes, author: body.author, collections: Array.isArray(body.collections) ? body.collections.map(String) : [] };
}
