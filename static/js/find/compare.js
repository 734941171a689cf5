// find/compare.js is the compare mode: what appears, disappears or
// changes between two dates (GET /diff), drawn as wide bands and rings
// under the map's own lines and points (which show the second date). Each kind of change has its colour and its own line
// pattern, so that it never relies on colour alone: added solid,
// removed dashed, changed dotted; a legend says so. The list of changes
// opens each one. The dates compared are in the URL (compare=A/B); the
// rest of the URL's state stays as it is when the mode starts or stops.

import * as L from '../../vendor/leaflet/leaflet-src.esm.js';
import { fetchDiff } from '../api.js';
import { prevChange } from '../histogram.js';
import { svgEl } from '../style.js';
import { formatDay, formatLongDay, parseDay } from '../time.js';
import { parseHash, writeHash } from '../urlstate.js';
import { anchorOf } from './open.js';
import { el } from './dom.js';

/** How each kind of change is drawn: colour, dash pattern and word. */
export const CHANGES = {
  added: { color: '#1a7f37', dash: null, word: 'Added', sign: '+' },
  removed: { color: '#b3261e', dash: '12 8', word: 'Removed', sign: '−' },
  changed: { color: '#9a4d00', dash: '1 14', word: 'Changed', sign: '~' },
};

/** Draws a change's key: a short line in its colour and pattern. */
function keySwatch(kind) {
  const c = CHANGES[kind];
  const svg = svgEl('svg', { width: 30, height: 14, viewBox: '0 0 30 14', 'aria-hidden': 'true', focusable: 'false', class: `cmp-swatch cmp-${kind}` });
  svg.append(svgEl('path', { d: 'M3,7H27', stroke: c.color, 'stroke-width': 5, 'stroke-linecap': kind === 'changed' ? 'round' : 'butt', ...(c.dash ? { 'stroke-dasharray': kind === 'changed' ? '1 7' : '7 4' } : {}) }));
  return svg;
}

/**
 * CompareMode draws the compare panel section and the changes on the map.
 */
export class CompareMode {
  /**
   * @param {import('./open.js').FindContext & {onChoose: (f: object, layer: string) => void}} ctx
   *   onChoose frames a change and opens it, leaving the dates as they are
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.active = false;
    this.from = NaN;
    this.to = NaN;
    this.ctl = null;
    // Above the areas (410), below the lines (420) and points (600).
    if (!ctx.map.getPane('find-compare')) ctx.map.createPane('find-compare').style.zIndex = '415';
    this.overlay = L.featureGroup();

    this.el = el('section', 'find-compare');
    this.el.setAttribute('aria-labelledby', 'find-compare-title');
    const h = el('h2', 'find-title', 'Compare two dates');
    h.id = 'find-compare-title';
    const dates = el('div', 'cmp-dates');
    this.fromInput = this.dateField(dates, 'From', 'cmp-from');
    this.toInput = this.dateField(dates, 'To (the map shows it)', 'cmp-to');
    const legend = el('ul', 'cmp-legend');
    legend.setAttribute('aria-label', 'Key');
    for (const kind of Object.keys(CHANGES)) {
      const li = el('li');
      li.append(keySwatch(kind), el('span', '', `${CHANGES[kind].word} (${kind === 'added' ? 'solid' : kind === 'removed' ? 'dashed' : 'dotted'})`));
      legend.append(li);
    }
    this.summary = el('p', 'find-summary');
    this.summary.setAttribute('role', 'status');
    this.list = el('ol', 'cmp-list');
    this.el.append(h, dates, legend, this.summary, this.list);
  }

  dateField(parent, text, cls) {
    const label = el('label', 'cmp-field');
    const input = el('input', cls);
    input.type = 'date';
    label.append(el('span', '', text), input);
    parent.append(label);
    input.addEventListener('change', () => {
      if (!/^[1-9]\d{3}-/.test(input.value)) return;
      const a = parseDay(this.fromInput.value), b = parseDay(this.toInput.value);
      if (!Number.isNaN(a) && !Number.isNaN(b)) this.start(a, b);
    });
    return input;
  }

  /**
   * Starts comparing day from with day to (the map moves to it), or
   * compares other days.
   * @param {number} [from] defaults to the last change before to
   * @param {number} [to] defaults to the date shown
   */
  start(from, to) {
    const tl = this.ctx.timeline, s = tl.summary;
    if (!Number.isFinite(to)) to = tl.value.from;
    if (!Number.isFinite(from)) {
      const p = s ? prevChange(s, to) : NaN;
      from = Number.isFinite(p) && p < to ? p - 1 : to - 30;
    }
    this.active = true;
    this.from = from;
    this.to = to;
    this.fromInput.value = formatDay(from);
    this.toInput.value = formatDay(to);
    if (s) for (const i of [this.fromInput, this.toInput]) { i.min = formatDay(s.min); i.max = formatDay(s.max); }
    const v = tl.value;
    if (v.range || v.from !== to) tl.set({ from: to, to, range: false });
    this.overlay.addTo(this.ctx.map);
    writeHash({ ...parseHash(location.hash), compare: `${formatDay(from)}/${formatDay(to)}` });
    this.load();
  }

  /** Stops comparing: the changes leave the map and the URL. */
  stop() {
    if (!this.active) return;
    this.active = false;
    this.ctl?.abort();
    this.overlay.clearLayers();
    this.overlay.remove();
    this.list.replaceChildren();
    this.summary.textContent = '';
    writeHash({ ...parseHash(location.hash), compare: '' });
  }

  /** Follows the timeline: the map shows the second date. */
  timeChanged(v) {
    if (this.active && !v.range && v.from !== this.to) this.start(this.from, v.from);
  }

  async load() {
    this.ctl?.abort();
    const ctl = new AbortController();
    this.ctl = ctl;
    const visible = this.ctx.collections.map((c) => String(c.id)).filter((id) => this.ctx.isVisible(id));
    this.summary.textContent = 'Comparing…';
    let fc;
    try {
      fc = await fetchDiff(formatDay(this.from), formatDay(this.to), { collections: visible, asof: this.ctx.asof() || undefined }, ctl.signal);
    } catch (err) {
      if (err.name === 'AbortError') return;
      this.summary.textContent = err.message;
      return;
    }
    if (ctl.signal.aborted || !this.active) return;
    this.ctl = null;
    this.show(fc.features || []);
  }

  /** Draws and lists the changes. */
  show(features) {
    this.overlay.clearLayers();
    const counts = { added: 0, removed: 0, changed: 0 };
    const items = [];
    for (const f of features) {
      const kind = f.properties?.change, c = CHANGES[kind];
      const col = String(f.properties?.collection);
      if (!c) continue;
      counts[kind]++;
      const style = { pane: 'find-compare', color: c.color, dashArray: c.dash, weight: 10, opacity: 0.7, lineCap: kind === 'changed' ? 'round' : 'butt', className: `cmp-shape cmp-${kind}`, fillOpacity: kind === 'removed' ? 0 : 0.15 };
      const g = L.geoJSON(f, {
        style: () => style,
        pointToLayer: (_, ll) => L.circleMarker(ll, { ...style, radius: 16, weight: 5, fillOpacity: 0 }),
      });
      g.eachLayer((layer) => layer.on('add', () => layer.getElement?.()?.setAttribute('data-feature-id', String(f.id))));
      g.on('click', () => this.ctx.layers.get(col)?.openFetchedPopup(String(f.id), anchorOf(f)));
      this.overlay.addLayer(g);
      items.push({ f, kind, col });
    }
    const title = (id) => this.ctx.collections.find((c) => String(c.id) === id)?.title || id;
    this.list.replaceChildren(...items.map(({ f, kind, col }) => {
      const li = el('li');
      const b = el('button', `cmp-item cmp-${kind}`);
      b.type = 'button';
      b.dataset.featureId = String(f.id);
      b.dataset.change = kind;
      const sign = el('span', 'cmp-sign', CHANGES[kind].sign);
      sign.setAttribute('aria-hidden', 'true');
      const fields = Array.isArray(f.properties.changed_fields) && f.properties.changed_fields.length ? ` (${f.properties.changed_fields.join(', ')})` : '';
      b.append(sign, el('span', 'cmp-word', `${CHANGES[kind].word}:`), el('span', 'cmp-name', f.properties?.name ?? f.id), el('span', 'cmp-meta', `${title(col)}${fields}`));
      b.addEventListener('click', () => this.ctx.onChoose(f, col));
      li.append(b);
      return li;
    }));
    const parts = Object.entries(counts).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`);
    this.summary.textContent = `${parts.length ? parts.join(', ') : 'No change'} between ${formatLongDay(this.from)} and ${formatLongDay(this.to)}.`;
  }
}
