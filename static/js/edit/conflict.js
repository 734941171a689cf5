// conflict.js is the dialog a stale edit gets (412): someone saved a newer
// version since the editor opened the feature. It shows the editor's
// version beside the newer one, field by field, draws both on the map,
// and lets the editor keep theirs ("keep mine": sent again over the newer
// version) or take the newer one.

import * as L from '../../vendor/leaflet/leaflet-src.esm.js';
import { el, button, modal } from './dom.js';
import { boundDate } from '../time.js';

const FIELDS = [
  ['name', 'Name'], ['kind', 'Kind'], ['valid_from', 'Valid from'], ['valid_to', 'Valid to'],
  ['precision_m', 'Precision (m)'], ['sources', 'Sources'],
];

function show(v) {
  if (v === undefined || v === null || v === '') return '—';
  if (Array.isArray(v)) return v.map((s) => [s?.title, s?.publisher, s?.date].filter(Boolean).join(', ')).join('; ') || '—';
  return String(v);
}

// value is a feature's field as the table compares it: a valid time bound
// at UTC midnight as its date, as the form writes it.
function value(f, k) {
  const v = f.properties?.[k];
  return k === 'valid_from' || k === 'valid_to' ? boundDate(v) : v;
}

function place(g) {
  if (!g) return '—';
  if (g.type === 'Point') return `${g.coordinates[1].toFixed(5)} N, ${g.coordinates[0].toFixed(5)} E`;
  return `${g.type}, ${JSON.stringify(g.coordinates).split('],[').length} vertices`;
}

/**
 * Asks the editor how to resolve a conflict.
 * @param {object} opts
 * @param {L.Map} opts.map
 * @param {object} opts.mine the feature as the editor would save it
 * @param {object} opts.theirs the current version, from the 412
 * @param {string} opts.theirsAuthor who wrote it, when known
 * @returns {Promise<'mine'|'theirs'|null>} null: back to editing
 */
export function resolveConflict({ map, mine, theirs, theirsAuthor }) {
  const drawn = L.featureGroup([
    L.geoJSON(theirs, { pointToLayer: (_, ll) => L.circleMarker(ll, { radius: 11, className: 'conflict-theirs' }), style: { className: 'conflict-theirs' }, interactive: false }),
    L.geoJSON(mine, { pointToLayer: (_, ll) => L.circleMarker(ll, { radius: 8, className: 'conflict-mine' }), style: { className: 'conflict-mine' }, interactive: false }),
  ]).addTo(map);

  // The form steps aside while the dialog is open, so the map shows both.
  const behind = [...document.querySelectorAll('dialog.edit-dialog[open]')];
  for (const d of behind) d.classList.add('is-behind');
  const { dialog, body, close } = modal('Someone changed this feature meanwhile', 'conflict-dialog');
  body.append(el('p', 'cf-lead', `${theirsAuthor ? `${theirsAuthor} saved` : 'Someone saved'} a newer version while you were editing. Compare them (the map shows yours as a filled blue circle or line, theirs as an orange ring or dashed line), then choose.`));
  const table = el('table', 'cf-table');
  const head = el('tr');
  head.append(el('th', '', 'Field'), el('th', '', 'Yours'), el('th', '', 'Theirs (saved)'));
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  const rows = [['place', 'Place', place(mine.geometry), place(theirs.geometry)],
    ...FIELDS.map(([k, label]) => [k, label, show(value(mine, k)), show(value(theirs, k))])];
  for (const [k, label, a, b] of rows) {
    const tr = el('tr', a !== b ? 'cf-differs' : '');
    tr.dataset.field = k;
    const th = el('th', '', label);
    th.scope = 'row';
    tr.append(th, el('td', 'cf-mine', a), el('td', 'cf-theirs', b));
    if (a !== b) th.append(el('span', 'visually-hidden', ' (differs)'));
    tbody.append(tr);
  }
  table.append(el('caption', 'visually-hidden', 'Your version and the saved one'), thead, tbody);
  body.append(table);
  const actions = el('div', 'ef-actions');
  let choice = null;
  const mineBtn = button('Keep mine', 'cf-keep-mine', () => { choice = 'mine'; close(); });
  const theirsBtn = button('Take theirs', 'cf-take-theirs', () => { choice = 'theirs'; close(); });
  const back = button('Back to editing', 'cf-back', () => close());
  actions.append(mineBtn, theirsBtn, back);
  body.append(el('p', 'ef-hint', '"Keep mine" saves your version over theirs (theirs stays in the history). "Take theirs" drops your changes.'), actions);
  mineBtn.focus();
  // Both versions in view, left of the dialog.
  const bounds = drawn.getBounds();
  if (bounds.isValid()) {
    const box = map.getContainer().getBoundingClientRect();
    const covered = Math.max(0, box.right - dialog.getBoundingClientRect().left);
    map.fitBounds(bounds, { paddingTopLeft: [60, 60], paddingBottomRight: [covered + 60, 60], maxZoom: map.getZoom(), animate: false });
  }
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      drawn.remove();
      for (const d of behind) d.classList.remove('is-behind');
      resolve(choice);
    });
  });
}
