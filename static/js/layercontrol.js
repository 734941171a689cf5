// layercontrol.js is the grouped layer control with the legend inside it,
// built from the collections' metadata: a heading per group, a checkbox,
// swatch, loading state and count per layer, the basemap choices, and
// notes explaining approximate features and fading events.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { swatch, approxSwatch } from './style.js';
import { formatPrecision } from './popup.js';

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = String(text);
  return e;
}

/**
 * LayerControl is a Leaflet control listing the layers by group.
 */
export const LayerControl = L.Control.extend({
  options: { position: 'topright' },

  /**
   * @param {object} opts
   * @param {object[]} opts.collections sorted collections
   * @param {(id: string, on: boolean) => void} opts.onToggle
   * @param {{id: string, label: string, checked: boolean, status?: HTMLElement, onToggle: (on: boolean) => void}[]} opts.basemaps
   * @param {number} opts.approximateAt precision in metres from which features look approximate
   * @param {number} opts.eventWindow days an event stays visible
   */
  initialize(opts) {
    L.Util.setOptions(this, opts);
    this.inputs = new Map();
    this.statuses = new Map();
  },

  onAdd() {
    const o = this.options;
    const root = el('section', 'layer-panel');
    root.setAttribute('aria-label', 'Layers and legend');
    const toggle = el('button', 'layer-toggle', 'Layers');
    toggle.type = 'button';
    const body = el('div', 'layer-body');
    body.id = 'layer-body';
    toggle.setAttribute('aria-controls', body.id);
    const open = (on) => {
      root.classList.toggle('is-collapsed', !on);
      toggle.setAttribute('aria-expanded', String(on));
    };
    open(!window.matchMedia('(max-width: 640px)').matches);
    toggle.addEventListener('click', () => open(root.classList.contains('is-collapsed')));
    root.append(toggle, body);

    const groups = new Map();
    for (const col of o.collections) {
      const g = String(col.group || 'Layers');
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(col);
    }
    for (const [name, cols] of groups) {
      const fs = el('fieldset', 'layer-group');
      fs.append(el('legend', '', name));
      for (const col of cols) fs.append(this.item(col));
      body.append(fs);
    }

    const bm = el('fieldset', 'layer-group basemap-group');
    bm.append(el('legend', '', 'Basemap'));
    for (const b of o.basemaps) {
      const label = el('label', 'layer-item');
      const input = el('input');
      input.type = 'checkbox';
      input.checked = b.checked;
      input.dataset.basemap = b.id;
      input.addEventListener('change', () => b.onToggle(input.checked));
      label.append(input, el('span', 'layer-title', b.label));
      bm.append(label);
      if (b.status) bm.append(b.status); // an aria-live line under the choice (basemap.js)
    }
    body.append(bm);

    const notes = el('div', 'legend-notes');
    const approx = el('p', 'legend-note');
    approx.append(approxSwatch(), el('span', '', `Dashed halo or shaded band: the position is approximate (marked so in the data, or stated precision ${formatPrecision(o.approximateAt)} or wider); its radius or half-width is the stated precision.`));
    notes.append(approx);
    notes.append(el('p', 'legend-note', `Events are shown for ${o.eventWindow} days after their date, fading with age.`));
    notes.append(el('p', 'legend-note', 'All dates are UTC. Select a feature for its dates, precision and sources.'));
    body.append(notes);

    const credits = el('details', 'layer-credits');
    credits.append(el('summary', '', 'Data credits and licences'));
    const list = el('ul');
    for (const col of o.collections) {
      const text = [col.attribution, col.licence && `Licence: ${col.licence}`].filter(Boolean).map(String).join('. ');
      if (!text) continue;
      const li = el('li');
      li.append(el('strong', '', `${col.title || col.id}: `), el('span', '', text));
      list.append(li);
    }
    credits.append(list);
    body.append(credits);

    L.DomEvent.disableClickPropagation(root);
    L.DomEvent.disableScrollPropagation(root);
    return root;
  },

  item(col) {
    const id = String(col.id);
    const label = el('label', 'layer-item');
    label.dataset.layer = id;
    const input = el('input');
    input.type = 'checkbox';
    input.value = id;
    input.addEventListener('change', () => this.options.onToggle(id, input.checked));
    const title = el('span', 'layer-title', col.title || id);
    if (col.description) label.title = String(col.description);
    const status = el('span', 'layer-status');
    status.setAttribute('aria-live', 'off');
    label.append(input, swatch(col), title, status);
    this.inputs.set(id, input);
    this.statuses.set(id, status);
    return label;
  },

  /**
   * Sets a layer's checkbox.
   * @param {string} id
   * @param {boolean} on
   */
  setChecked(id, on) {
    const i = this.inputs.get(id);
    if (i) i.checked = on;
  },

  /**
   * Shows a layer's loading state, error or feature count.
   * @param {string} id
   * @param {{loading: boolean, error: string, count: number}} s
   * @param {boolean} visible
   */
  setStatus(id, s, visible) {
    const st = this.statuses.get(id);
    if (!st) return;
    const label = st.parentElement;
    label.classList.toggle('is-loading', visible && s.loading);
    label.classList.toggle('has-error', visible && !!s.error);
    label.setAttribute('aria-busy', String(visible && s.loading));
    st.textContent = !visible ? '' : s.loading ? 'loading…' : s.error ? 'not loaded' : String(s.count);
    st.title = visible && s.error ? s.error : '';
  },
});
