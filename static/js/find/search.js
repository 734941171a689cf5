// find/search.js is the search box: a combobox (WAI-ARIA 1.2 pattern,
// list autocomplete) over GET /search. "/" or Ctrl+K (⌘K) focuses it
// from anywhere on the page; the arrow keys move through the results,
// Enter opens one, Escape closes the list and then clears the box.

import { fetchSearch } from '../api.js';
import { formatLongDay, startDay, endDay } from '../time.js';
import { el } from './dom.js';

/** Results asked for at a time. */
const LIMIT = 10;

/**
 * Describes when a feature is valid, shortly, for a result line.
 * @param {object} p feature properties
 * @returns {string}
 */
export function validText(p) {
  const s = startDay(p.valid_from), e = endDay(p.valid_to);
  if (Number.isFinite(s) && e === s + 1) return formatLongDay(s);
  if (Number.isFinite(s) && Number.isFinite(e)) return `${formatLongDay(s)} to ${formatLongDay(e - 1)}`;
  if (Number.isFinite(s)) return `from ${formatLongDay(s)}`;
  if (Number.isFinite(e)) return `until ${formatLongDay(e - 1)}`;
  return '';
}

/** Reports whether a key press is typing into a field. */
export function typing(target) {
  return !!target?.closest?.('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
}

/**
 * SearchBox draws the search field and its list of results.
 */
export class SearchBox {
  /**
   * @param {{titleOf: (id: string) => string, asof: () => string, onChoose: (f: object) => void}} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.results = [];
    /** The query whose results are shown. */
    this.shown = '';
    this.active = -1;
    this.ctl = null;
    this.timer = 0;
    this.el = el('div', 'find-search');
    this.el.setAttribute('role', 'search');
    const label = el('label', 'visually-hidden', 'Search places and events');
    label.htmlFor = 'find-q';
    this.input = el('input', 'find-q');
    Object.assign(this.input, { id: 'find-q', type: 'search', autocomplete: 'off', spellcheck: false, placeholder: 'Search places, events…' });
    for (const [k, v] of Object.entries({ role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'find-results', 'aria-keyshortcuts': '/ Control+K' })) this.input.setAttribute(k, v);
    this.hint = el('kbd', 'find-key', '/');
    this.hint.setAttribute('aria-hidden', 'true');
    this.list = el('ul', 'find-results');
    this.list.id = 'find-results';
    this.list.setAttribute('role', 'listbox');
    this.list.setAttribute('aria-label', 'Search results');
    this.list.hidden = true;
    this.status = el('p', 'visually-hidden');
    this.status.setAttribute('role', 'status');
    this.el.append(label, this.input, this.hint, this.list, this.status);

    this.input.addEventListener('input', () => { this.setActive(-1); this.schedule(); });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('blur', () => setTimeout(() => { if (!this.el.contains(document.activeElement)) this.close(); }, 150));
    this.input.addEventListener('focus', () => { if (this.results.length) this.open(); });
    // A press on a result keeps the focus in the box.
    this.list.addEventListener('mousedown', (e) => e.preventDefault());
    this.list.addEventListener('click', (e) => {
      const li = e.target.closest('[role="option"]');
      if (li) this.choose(Number(li.dataset.index));
    });
    document.addEventListener('keydown', (e) => {
      const ctrlK = (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k';
      if (ctrlK || (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(e.target))) {
        e.preventDefault();
        this.input.focus();
        this.input.select();
      }
    });
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.search(), 150);
  }

  async search() {
    const q = this.input.value.trim();
    this.ctl?.abort();
    if (!q) { this.show([], ''); return; }
    const ctl = new AbortController();
    this.ctl = ctl;
    try {
      const fc = await fetchSearch(q, { limit: LIMIT, asof: this.opts.asof() || undefined }, ctl.signal);
      if (ctl.signal.aborted) return;
      this.show(fc.features || [], q, fc.numberMatched);
    } catch (err) {
      if (err.name === 'AbortError') return;
      // A query of punctuation only has no words: no results, quietly.
      this.show([], q, 0, err.status === 400 ? '' : err.message);
    }
  }

  /**
   * Shows results.
   * @param {object[]} features
   * @param {string} q
   * @param {number} [matched]
   * @param {string} [error]
   */
  show(features, q, matched = features.length, error = '') {
    this.results = features;
    this.shown = q;
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
    this.list.replaceChildren();
    features.forEach((f, i) => {
      const p = f.properties || {};
      const li = el('li', 'find-result');
      li.id = `find-opt-${i}`;
      li.dataset.index = String(i);
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.append(el('span', 'find-name', p.name ?? f.id));
      const meta = [this.opts.titleOf(String(p.collection)), validText(p)].filter(Boolean).join(' · ');
      li.append(el('span', 'find-meta', meta));
      this.list.append(li);
    });
    if (q && !features.length) {
      const li = el('li', 'find-empty', error || `Nothing found for “${q}”.`);
      this.list.append(li);
    }
    this.status.textContent = !q ? '' : error || (features.length ? `${matched} result${matched === 1 ? '' : 's'}${matched > features.length ? `, first ${features.length} shown` : ''}.` : `Nothing found for ${q}.`);
    if (q) this.open(); else this.close();
  }

  open() {
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    // The list ends within the map, which clips it.
    const map = this.el.closest('.leaflet-container')?.getBoundingClientRect();
    if (map) this.list.style.maxHeight = `${Math.max(120, map.bottom - this.list.getBoundingClientRect().top - 8)}px`;
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  /** Marks result i as the active one (-1: none). */
  setActive(i) {
    const opts = this.list.querySelectorAll('[role="option"]');
    if (!opts.length) return;
    this.active = i;
    opts.forEach((o, j) => o.setAttribute('aria-selected', String(j === i)));
    if (i < 0) { this.input.removeAttribute('aria-activedescendant'); return; }
    this.input.setAttribute('aria-activedescendant', opts[i].id);
    opts[i].scrollIntoView({ block: 'nearest' });
  }

  onKey(e) {
    const n = this.results.length;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        e.preventDefault();
        if (this.list.hidden) { this.open(); if (!n) this.search(); }
        if (n) this.setActive(e.key === 'ArrowDown' ? (this.active + 1) % n : (this.active <= 0 ? n - 1 : this.active - 1));
        break;
      case 'Enter':
        if (!this.input.value.trim()) return;
        e.preventDefault();
        // Typed faster than the results came: search now, open the first.
        if (this.input.value.trim() !== this.shown) {
          clearTimeout(this.timer);
          this.search().then(() => this.choose(0));
          return;
        }
        this.choose(Math.max(0, this.active));
        break;
      case 'Escape':
        if (!this.list.hidden) { e.preventDefault(); this.close(); } else if (this.input.value) { e.preventDefault(); this.input.value = ''; this.show([], ''); }
        break;
      default:
    }
  }

  /** Opens result i and closes the list. */
  choose(i) {
    const f = this.results[i];
    if (!f) return;
    this.setActive(-1);
    this.close();
    this.opts.onChoose(f);
  }
}
