// history.js shows a feature's versions (author, time, comment, sources),
// draws its earlier geometries beside the current one, and shows what
// one changeset did, with a revert for editors who may write its layers.

import * as L from '../../vendor/leaflet/leaflet-src.esm.js';
import { el, button, formatInstant } from './dom.js';
import { openPanel } from './panel.js';
import { fetchVersions, fetchVersion, fetchChange, revertChange } from './client.js';
import { boundDate } from '../time.js';

/**
 * @typedef {object} HistoryHost what the history needs from the map
 * @property {L.Map} map
 * @property {(col: string) => string} title a collection's title
 * @property {() => ({token: string, collections: string[]}|null)} editor the signed-in editor, or null
 * @property {(asof: string) => void} showAsOf shows the map as known at an instant
 * @property {(collections: string[]) => void} changed the data of these collections changed
 */

function sourcesList(sources) {
  const ol = el('ol', 'hv-sources');
  for (const s of Array.isArray(sources) ? sources : []) {
    ol.append(el('li', '', [s?.title, s?.publisher, s?.date].filter(Boolean).join(', ') || 'Untitled source'));
  }
  return ol;
}

function errorText(body, err) {
  const p = el('p', 'ef-error', err.message || 'It could not be loaded.');
  p.setAttribute('role', 'alert');
  body.replaceChildren(p);
}

/**
 * Opens a feature's history in the side panel.
 * @param {HistoryHost} host
 * @param {string} col collection id
 * @param {string} id feature id
 * @param {string} [name] its name, for the heading
 */
export async function showHistory(host, col, id, name) {
  const panel = openPanel(`History of “${name || id}”`, 'history-panel');
  panel.body.append(el('p', 'hv-loading', 'Loading the versions…'));
  const ghosts = L.featureGroup().addTo(host.map);
  panel.onClose(() => ghosts.remove());
  let versions;
  try {
    versions = await fetchVersions(col, id);
    // Each version's properties and geometry (a feature has few).
    const full = await Promise.all(versions.slice(0, 50).map((v) => fetchVersion(col, id, v.version).catch(() => null)));
    versions = versions.slice(0, 50).map((v, i) => ({ ...v, feature: full[i] }));
  } catch (err) {
    errorText(panel.body, err);
    return;
  }
  const list = el('ol', 'hv-list');
  list.setAttribute('aria-label', `Versions of ${id}, newest first`);
  const current = versions.find((v) => v.recorded_to === null);
  const currentGeom = JSON.stringify(current?.feature?.geometry ?? null);
  for (const v of versions) {
    const li = el('li', 'hv-version');
    li.dataset.version = String(v.version);
    const p = v.feature?.properties || {};
    const state = v.recorded_to === null ? ' (current)' : !v.feature ? '' : '';
    li.append(el('h3', 'hv-title', `Version ${v.version}${state}${p.name ? `: ${p.name}` : ''}`));
    const meta = el('p', 'hv-meta', `by ${v.author || 'unknown'}, recorded ${formatInstant(v.recorded_from)}${v.recorded_to ? `, replaced ${formatInstant(v.recorded_to)}` : ''}`);
    li.append(meta);
    if (v.comment) li.append(el('p', 'hv-comment', `“${v.comment}”`));
    if (v.feature) {
      const g = v.feature.geometry;
      if (g?.type === 'Point') li.append(el('p', 'hv-place', `At ${g.coordinates[1].toFixed(5)} N, ${g.coordinates[0].toFixed(5)} E`));
      li.append(el('p', 'hv-dates', `Valid ${boundDate(p.valid_from) || 'from an unstated start'} to ${boundDate(p.valid_to) || 'no stated end'}`));
      li.append(el('h4', 'hv-sources-title', 'Sources'), sourcesList(p.sources));
      if (g && JSON.stringify(g) !== currentGeom) {
        // An earlier geometry, drawn beside the current one.
        L.geoJSON(v.feature, {
          pointToLayer: (_, ll) => L.circleMarker(ll, { radius: 7, className: 'history-ghost' }),
          style: { className: 'history-ghost' },
          interactive: false,
        }).bindTooltip(`Version ${v.version}`, { permanent: true, direction: 'right', className: 'history-ghost-label' }).addTo(ghosts);
      }
    }
    const actions = el('div', 'hv-actions');
    actions.append(
      button(`Changeset ${v.changeset}`, 'hv-changeset', () => showChange(host, v.changeset)),
      button('Map as known then', 'hv-asof', () => host.showAsOf(v.recorded_from)),
    );
    li.append(actions);
    list.append(li);
  }
  if (current?.feature) {
    L.geoJSON(current.feature, { pointToLayer: (_, ll) => L.circleMarker(ll, { radius: 9, className: 'history-current' }), style: { className: 'history-current' }, interactive: false }).addTo(ghosts);
  }
  const n = ghosts.getLayers().length;
  panel.body.replaceChildren(
    el('p', 'hv-lead', `${versions.length} version${versions.length === 1 ? '' : 's'}. ${n > 1 ? 'Earlier places are drawn on the map as grey dashed shapes, labelled with their version.' : ''}`),
    list,
  );
}

const OPS = { create: 'created', replace: 'changed', delete: 'deleted' };

/**
 * Opens one changeset in the side panel: who, when, why, and each
 * feature version it wrote; with a revert for an editor who may write
 * every collection it touched.
 * @param {HistoryHost} host
 * @param {number} id changeset id
 */
export async function showChange(host, id) {
  const panel = openPanel(`Changeset ${id}`, 'change-panel');
  panel.body.append(el('p', 'hv-loading', 'Loading…'));
  let cs;
  try {
    cs = await fetchChange(id);
  } catch (err) {
    errorText(panel.body, err);
    return;
  }
  const parts = [
    el('p', 'cs-meta', `By ${cs.author || 'unknown'}, recorded ${formatInstant(cs.recorded_at)}`),
  ];
  if (cs.comment) parts.push(el('p', 'hv-comment', `“${cs.comment}”`));
  parts.push(el('p', 'cs-counts', `${cs.created} created, ${cs.changed} changed, ${cs.deleted} deleted`));
  const list = el('ul', 'cs-features');
  for (const f of Array.isArray(cs.features) ? cs.features : []) {
    const li = el('li', 'cs-feature');
    li.dataset.feature = `${f.collection}/${f.id}`;
    const op = OPS[f.op] || f.op;
    li.textContent = `${host.title(f.collection)} / ${f.id}: ${op}${f.version ? `, version ${f.version}` : ''}${f.previous ? ` (was ${f.previous})` : ''}`;
    list.append(li);
  }
  parts.push(list);
  const ed = host.editor();
  const cols = Array.isArray(cs.collections) ? cs.collections : [];
  if (ed && cols.length && cols.every((c) => ed.collections.includes(c))) {
    const status = el('p', 'cs-status');
    status.setAttribute('role', 'status');
    const revert = button('Revert this change', 'cs-revert', async () => {
      revert.disabled = true;
      status.textContent = 'Reverting…';
      try {
        const done = await revertChange(ed.token, id, `revert of changeset ${id}`);
        status.textContent = `Reverted: changeset ${done?.id ?? ''} undoes it.`;
        host.changed(cols);
      } catch (err) {
        status.textContent = err.message;
        revert.disabled = false;
      }
    });
    parts.push(revert, status);
  }
  panel.body.replaceChildren(...parts);
}
