// editor.js is the map's edit mode: signing in with a token, the edit
// bar (the layer to draw into, draw, add a point at the map's centre,
// recent changes, sign out), drawing with Geoman, changing and deleting a
// feature from its popup, each through the form (form.js), and the
// conflict dialog when someone saved meanwhile (conflict.js). Readers
// without a token see none of it but a "Sign in to edit" button, and
// only on a server that takes writes.

import * as L from '../../vendor/leaflet/leaflet-src.esm.js';
import { el, button, modal, formEnd } from './dom.js';
import { storedToken, storeToken, whoAmI } from './session.js';
import { createFeature, replaceFeature, deleteFeature, readFeature, fetchChanges, WriteError } from './client.js';
import { openFeatureForm } from './form.js';
import { resolveConflict } from './conflict.js';
import { showHistory, showChange } from './history.js';
import { openPanel } from './panel.js';
import { loadGeoman } from './geoman.js';
import { formatInstant } from './dom.js';

// Geoman's shape for each geometry a layer holds.
const SHAPES = { point: [['Marker', 'point']], line: [['Line', 'line']], polygon: [['Polygon', 'area']] };
SHAPES.mixed = [...SHAPES.point, ...SHAPES.line, ...SHAPES.polygon];

const EDIT_ICON = () => L.divIcon({ className: 'edit-marker', iconSize: [26, 26], iconAnchor: [13, 13], html: '' });

/**
 * @typedef {object} EditorHost what the editor needs from the map page
 * @property {L.Map} map
 * @property {object[]} collections
 * @property {Map<string, {setHidden: (ids: Iterable<string>) => void}>} layers
 * @property {(cols: string[]) => void} changed the data of these collections changed
 * @property {(text: string) => void} notify a quiet notice
 * @property {(asof: string) => void} showAsOf
 * @property {() => boolean} past whether the map shows a past state
 */

/** Editor is the edit mode of the explore map. */
export class Editor {
  /**
   * @param {EditorHost} host
   * @param {HTMLElement} bar where the edit controls go (in the header)
   */
  constructor(host, bar) {
    this.host = host;
    this.map = host.map;
    this.bar = bar;
    this.token = '';
    this.writer = null; // {author, collections} when signed in
    this.writes = false;
    this.editing = null; // the feature being changed
    this.drawing = false;
    this.target = '';
  }

  /** Asks the server whether it takes writes and signs in again with this tab's token. */
  async start() {
    try {
      this.writes = (await whoAmI()).writes;
    } catch {
      this.writes = false;
    }
    const t = storedToken();
    if (t && this.writes) {
      try {
        await this.signIn(t);
      } catch {
        storeToken('');
      }
    }
    this.render();
  }

  /**
   * Signs in with a token: kept for this tab only.
   * @param {string} token
   */
  async signIn(token) {
    const w = await whoAmI(token);
    this.token = token;
    this.writer = { author: w.author, collections: w.collections };
    storeToken(token);
    const drawable = this.drawable();
    if (!drawable.some((c) => String(c.id) === this.target)) this.target = drawable[0] ? String(drawable[0].id) : '';
    await loadGeoman(this.map);
    this.render();
  }

  /** Signs out: the token is forgotten, edits in progress dropped. */
  signOut() {
    this.cancelDrawing();
    this.stopEditing();
    this.token = '';
    this.writer = null;
    storeToken('');
    this.render();
    this.bar.querySelector('.eb-signin')?.focus();
  }

  /** The signed-in editor for history.js: token and collections. */
  current() {
    return this.writer ? { token: this.token, collections: this.writer.collections } : null;
  }

  /**
   * Whether the editor may write a collection now.
   * @param {string} col
   */
  canWrite(col) {
    return !!this.writer && this.writer.collections.includes(String(col)) && !this.host.past();
  }

  drawable() {
    if (!this.writer) return [];
    return this.host.collections.filter((c) => this.writer.collections.includes(String(c.id)) && SHAPES[c.geometry_kind]);
  }

  title(col) {
    const c = this.host.collections.find((x) => String(x.id) === String(col));
    return String(c?.title || col);
  }

  /** Draws the edit bar for the current state. */
  render() {
    const bar = this.bar;
    bar.replaceChildren();
    bar.hidden = !this.writes && !this.writer;
    if (bar.hidden) return;
    if (!this.writer) {
      bar.append(button('Sign in to edit', 'eb-signin', () => this.signInDialog()));
      return;
    }
    bar.append(el('span', 'eb-who', `Editing as ${this.writer.author}`));
    if (this.host.past()) {
      bar.append(el('span', 'eb-note', 'Editing is off while the map shows a past state.'));
    } else if (this.editing) {
      bar.append(this.editingControls());
    } else if (this.drawing) {
      bar.append(el('span', 'eb-note', 'Click on the map to place it; for a line or area, click each vertex and the last one again to finish.'), button('Cancel drawing', 'eb-cancel-draw', () => this.cancelDrawing()));
    } else {
      const cols = this.drawable();
      if (cols.length) {
        const label = el('label', 'eb-target');
        label.append(el('span', '', 'Layer'));
        const sel = el('select', 'eb-layer');
        for (const c of cols) {
          const o = el('option', '', String(c.title || c.id));
          o.value = String(c.id);
          o.selected = String(c.id) === this.target;
          sel.append(o);
        }
        sel.addEventListener('change', () => { this.target = sel.value; this.render(); this.bar.querySelector('.eb-layer')?.focus(); });
        label.append(sel);
        bar.append(label);
        const col = cols.find((c) => String(c.id) === this.target) || cols[0];
        for (const [shape, word] of SHAPES[col.geometry_kind]) {
          bar.append(button(`Draw ${word}`, `eb-draw eb-draw-${word}`, () => this.draw(String(col.id), shape)));
        }
        if (col.geometry_kind === 'point' || col.geometry_kind === 'mixed') {
          bar.append(button('Add point at map centre', 'eb-add-centre', () => {
            const c = this.map.getCenter();
            this.create(String(col.id), { type: 'Point', coordinates: [c.lng, c.lat] });
          }));
        }
      } else {
        bar.append(el('span', 'eb-note', 'This token may not write any layer shown here.'));
      }
    }
    bar.append(button('Recent changes', 'eb-changes', () => this.recentChanges()), button('Sign out', 'eb-signout', () => this.signOut()));
  }

  signInDialog() {
    const { dialog, body, close } = modal('Sign in to edit', 'signin-dialog');
    const form = el('form', 'edit-form');
    form.noValidate = true;
    const label = el('label', 'ef-label', 'Editor token');
    const input = el('input', 'eb-token');
    input.type = 'password';
    input.id = 'eb-token';
    input.autocomplete = 'off';
    input.spellcheck = false;
    label.htmlFor = input.id;
    const hint = el('p', 'ef-hint', 'Paste the token you were given (strata token create). It is kept for this browser tab only, until you sign out or close the tab, and sent only to this server.');
    hint.id = 'eb-token-hint';
    input.setAttribute('aria-describedby', hint.id);
    const { err, actions, ok } = formEnd('Sign in', 'ef-save', close);
    form.append(label, input, hint, err, actions);
    body.append(form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.textContent = '';
      const t = input.value.trim();
      if (!t) { err.textContent = 'Paste a token first.'; input.focus(); return; }
      ok.disabled = true;
      try {
        await this.signIn(t);
        close();
        this.bar.querySelector('.eb-draw, .eb-changes')?.focus();
        this.host.notify(`Signed in as ${this.writer.author}.`);
      } catch (e2) {
        err.textContent = e2.message;
        input.focus();
      } finally {
        ok.disabled = false;
      }
    });
    input.focus();
  }

  /**
   * Starts drawing a shape into a collection; the form opens when it is done.
   * @param {string} col
   * @param {string} shape Geoman's Marker, Line or Polygon
   */
  async draw(col, shape) {
    await loadGeoman(this.map);
    this.drawing = true;
    this.render();
    this.bar.querySelector('.eb-cancel-draw')?.focus();
    this.map.once('pm:create', (e) => {
      const g = e.layer.toGeoJSON().geometry;
      e.layer.remove();
      this.drawing = false;
      this.map.pm.disableDraw();
      this.render();
      this.create(col, g);
    });
    this.map.pm.enableDraw(shape, {
      markerStyle: { icon: EDIT_ICON() },
      pathOptions: { className: 'edit-shape' },
      templineStyle: { className: 'edit-shape' },
      hintlineStyle: { className: 'edit-shape', dashArray: '5 5' },
      continueDrawing: false,
      snappable: false,
    });
  }

  cancelDrawing() {
    if (!this.drawing) return;
    this.drawing = false;
    this.map.off('pm:create');
    this.map.pm?.disableDraw();
    this.render();
    this.bar.querySelector('.eb-draw')?.focus();
  }

  /**
   * Opens the form for a new feature of geometry g, and saves it.
   * @param {string} col
   * @param {object} g GeoJSON geometry
   */
  async create(col, g) {
    const preview = L.geoJSON({ type: 'Feature', geometry: g, properties: {} }, {
      pointToLayer: (_, ll) => L.marker(ll, { icon: EDIT_ICON(), interactive: false, keyboard: false }),
      style: { className: 'edit-shape' },
      interactive: false,
    }).addTo(this.map);
    const word = g.type === 'Point' ? 'point' : g.type.includes('Line') ? 'line' : 'area';
    const saved = await openFeatureForm({
      title: `New ${word} in ${this.title(col)}`,
      feature: { type: 'Feature', properties: {} },
      point: g.type === 'Point' ? g.coordinates : null,
      save: (v) => createFeature(this.token, col, {
        type: 'Feature',
        geometry: v.point ? { type: 'Point', coordinates: v.point } : g,
        properties: v.properties,
      }, v.comment),
    });
    preview.remove();
    if (saved) {
      this.host.changed([col]);
      this.host.notify(`Saved “${saved.feature?.properties?.name || saved.feature?.id}” in ${this.title(col)}.`);
    }
    this.bar.querySelector('.eb-draw')?.focus();
  }

  /**
   * Buttons for a feature's popup: its history for everyone; edit and
   * delete for an editor who may write its collection.
   * @param {object} f GeoJSON feature
   * @param {object} col its collection
   * @returns {HTMLElement}
   */
  popupActions(f, col) {
    const id = String(f.id), c = String(col.id);
    const box = el('div', 'fp-edit');
    box.append(button('History', 'fp-history', () => showHistory(this.historyHost(), c, id, f.properties?.name)));
    if (this.canWrite(c)) {
      box.append(button('Edit', 'fp-edit-feature', () => this.edit(c, id)), button('Delete', 'fp-delete', () => this.remove(c, id)));
    } else if (this.writer && !this.host.past()) {
      box.append(el('span', 'fp-readonly', 'Read-only for your token'));
    }
    return box;
  }

  historyHost() {
    return {
      map: this.map,
      title: (c) => this.title(c),
      editor: () => this.current(),
      showAsOf: (t) => this.host.showAsOf(t),
      changed: (cols) => this.host.changed(cols),
    };
  }

  /**
   * Starts changing a feature: its shape becomes editable on the map
   * (Geoman), and the edit bar offers the form.
   * @param {string} col
   * @param {string} id
   */
  async edit(col, id) {
    this.stopEditing();
    let cur;
    try {
      cur = await readFeature(col, id);
    } catch (err) {
      this.host.notify(err.message);
      return;
    }
    await loadGeoman(this.map);
    this.map.closePopup();
    const shape = L.geoJSON(cur.feature, {
      pointToLayer: (_, ll) => L.marker(ll, { icon: EDIT_ICON(), title: 'Drag to move', alt: String(cur.feature.properties?.name ?? id), keyboard: true }),
      style: { className: 'edit-shape' },
    }).addTo(this.map);
    shape.eachLayer((l) => l.pm?.enable({ draggable: true, snappable: false, allowSelfIntersection: true }));
    this.host.layers.get(col)?.setHidden([id]);
    this.editing = { col, id, etag: cur.etag, feature: cur.feature, shape };
    this.render();
    this.bar.querySelector('.eb-save')?.focus();
  }

  editingControls() {
    const e = this.editing;
    const box = el('span', 'eb-editing');
    box.append(el('span', 'eb-note', `Changing “${e.feature.properties?.name || e.id}”: drag the shape or its vertices, then`));
    box.append(button('Details and save…', 'eb-save', () => this.saveEdit()));
    if (e.feature.geometry?.type === 'Point') {
      box.append(button('Move to map centre', 'eb-move-centre', () => {
        e.shape.eachLayer((l) => l.setLatLng?.(this.map.getCenter()));
      }));
    }
    box.append(button('Cancel', 'eb-cancel-edit', () => { this.stopEditing(); this.render(); }));
    return box;
  }

  /** The edited shape's geometry now. */
  editedGeometry() {
    const fc = this.editing.shape.toGeoJSON();
    return fc.features?.[0]?.geometry ?? this.editing.feature.geometry;
  }

  async saveEdit() {
    const e = this.editing;
    if (!e) return;
    const g = this.editedGeometry();
    let etag = e.etag;
    const saved = await openFeatureForm({
      title: `Change “${e.feature.properties?.name || e.id}”`,
      feature: e.feature,
      point: g.type === 'Point' ? g.coordinates : null,
      save: async (v) => {
        const mine = { type: 'Feature', id: e.id, geometry: v.point ? { type: 'Point', coordinates: v.point } : g, properties: v.properties };
        try {
          return await replaceFeature(this.token, e.col, mine, etag, v.comment);
        } catch (err) {
          if (!(err instanceof WriteError) || err.status !== 412 || !err.feature) throw err;
          const versions = err.etag;
          const choice = await resolveConflict({ map: this.map, mine, theirs: err.feature });
          if (choice === 'mine') return replaceFeature(this.token, e.col, mine, versions, v.comment);
          if (choice === 'theirs') return { feature: err.feature, etag: err.etag, theirs: true };
          etag = versions; // back to editing, over the newer version
          throw new WriteError('Not saved yet. Your changes are still here: save again to put them over the newer version, or cancel.', 0);
        }
      },
    });
    if (!saved) return;
    this.stopEditing();
    this.render();
    this.host.changed([e.col]);
    this.host.notify(saved.theirs ? `Kept the saved version of “${saved.feature?.properties?.name || e.id}”; your changes were dropped.` : `Saved “${saved.feature?.properties?.name || e.id}”.`);
  }

  stopEditing() {
    const e = this.editing;
    if (!e) return;
    this.editing = null;
    e.shape.eachLayer((l) => l.pm?.disable());
    e.shape.remove();
    this.host.layers.get(e.col)?.setHidden([]);
  }

  /**
   * Deletes a feature after the editor confirms, with a comment.
   * @param {string} col
   * @param {string} id
   */
  async remove(col, id) {
    let cur;
    try {
      cur = await readFeature(col, id);
    } catch (err) {
      this.host.notify(err.message);
      return;
    }
    const name = cur.feature.properties?.name || id;
    const { body, close } = modal(`Delete “${name}”?`, 'delete-dialog');
    const form = el('form', 'edit-form');
    form.noValidate = true;
    body.append(el('p', '', `It disappears from ${this.title(col)} from now on; its history stays, and the change can be reverted.`));
    const label = el('label', 'ef-label', 'Comment on this change');
    const comment = el('textarea');
    comment.id = 'del-comment';
    comment.rows = 2;
    label.htmlFor = comment.id;
    const { err, actions, ok } = formEnd('Delete', 'ef-delete', close);
    form.append(label, comment, err, actions);
    body.append(form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      ok.disabled = true;
      try {
        await deleteFeature(this.token, col, id, cur.etag, comment.value.trim());
        close();
        this.map.closePopup();
        this.host.changed([col]);
        this.host.notify(`Deleted “${name}”.`);
      } catch (e2) {
        err.textContent = e2.status === 412 ? 'Someone changed this feature since you opened it: open its history, then try again.' : e2.message;
        ok.disabled = false;
      }
    });
    comment.focus();
  }

  /** Lists the latest changesets in the side panel. */
  async recentChanges() {
    const panel = openPanel('Recent changes', 'changes-panel');
    try {
      const changes = await fetchChanges(20);
      const ul = el('ul', 'cs-list');
      for (const c of changes) {
        const li = el('li');
        li.append(button(`Changeset ${c.id}`, 'cs-open', () => showChange(this.historyHost(), c.id)),
          el('span', 'cs-line', ` ${c.author || 'unknown'}, ${formatInstant(c.recorded_at)}: ${(c.collections || []).map((x) => this.title(x)).join(', ')}${c.comment ? ` — “${c.comment}”` : ''}`));
        ul.append(li);
      }
      panel.body.replaceChildren(changes.length ? ul : el('p', '', 'No changes yet.'));
    } catch (err) {
      panel.body.replaceChildren(el('p', 'ef-error', err.message));
    }
  }
}
