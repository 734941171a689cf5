// data.js reads briefings from the server (or, in an exported file, from
// the data offline.js serves in its place) and answers questions about
// their steps.

import * as L from '../../vendor/leaflet/leaflet-src.esm.js';
import { ApiError } from '../api.js';

async function getJSON(url) {
  let res;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch {
    throw new ApiError('The map server cannot be reached.', 0);
  }
  if (!res.ok) {
    let detail = '';
    try { detail = String((await res.json()).description || ''); } catch { /* not JSON */ }
    throw new ApiError(detail || `The server answered ${res.status}.`, res.status);
  }
  return res.json();
}

/**
 * Fetches one briefing with its steps.
 * @param {string} id
 * @returns {Promise<object>}
 */
export async function fetchBriefing(id) {
  const b = await getJSON(`briefings/${encodeURIComponent(id)}`);
  if (!Array.isArray(b.steps) || !b.steps.length) throw new ApiError(`Briefing ${id} has no steps.`, 0);
  return b;
}

/**
 * Fetches the list of briefings (without their steps).
 * @returns {Promise<{id: string, title: string, description?: string, steps: number}[]>}
 */
export async function fetchBriefings() {
  const doc = await getJSON('briefings');
  return Array.isArray(doc.briefings) ? doc.briefings : [];
}

/**
 * Lists the layers a step shows.
 * @param {{layers: string[]}} step
 * @returns {string[]}
 */
export function stepLayers(step) {
  return Array.isArray(step.layers) ? step.layers.map(String) : [];
}

/**
 * Returns a view's bounds as Leaflet bounds, or null for a centre and zoom.
 * @param {{bounds?: number[]}} view
 * @returns {L.LatLngBounds|null}
 */
export function viewBounds(view) {
  const b = view?.bounds;
  if (!Array.isArray(b) || b.length !== 4) return null;
  return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
}
