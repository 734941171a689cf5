// view.js is the presenter view's page: the map's element, the caption
// panel with the step counter, progress and controls, the legend, the
// overview of all steps, the blank screen, and the messages (the number
// being typed, a toast, a live region for screen readers). It shows what
// the presenter tells it and hands clicks back as actions; the state
// (which step, blank or not, playing or not) is the presenter's.

import * as L from '../../vendor/leaflet/leaflet-src.esm.js';
import { swatch, approxSwatch, svgEl } from '../style.js';
import { el, paragraphs, sourceList, describeDate } from './text.js';

function button(cls, text, title) {
  const b = el('button', `pr-btn ${cls}`, text);
  b.type = 'button';
  if (title) b.title = title;
  return b;
}

/**
 * What the view's controls ask the presenter to do.
 * @typedef {object} Actions
 * @property {(i: number) => void} go show step i (from 0)
 * @property {(d: number) => void} move show the step d steps away
 * @property {() => void} play start or pause autoplay
 * @property {(on: boolean) => void} overview open or close the overview
 * @property {() => void} speaker open the speaker window
 * @property {() => void} print print one page per step
 * @property {() => void} unblank show the blanked screen again
 */

/**
 * PresenterView builds the presenter's page into a root element.
 */
export class PresenterView {
  /**
   * @param {HTMLElement} root emptied and filled
   * @param {object} briefing from /briefings/{id}
   * @param {{offline: boolean}} opts offline: running from an exported file
   * @param {Actions} actions
   */
  constructor(root, briefing, opts, actions) {
    this.root = root;
    this.briefing = briefing;
    this.steps = briefing.steps;
    this.opts = opts;
    this.actions = actions;
    this.build();
    document.addEventListener('fullscreenchange', () => this.fullBtn.setAttribute('aria-pressed', String(!!document.fullscreenElement)));
  }

  build() {
    const r = this.root;
    const a = this.actions;
    r.replaceChildren();
    r.classList.add('present');

    this.mapEl = el('div', 'pr-map');
    this.mapEl.id = 'map';
    this.mapEl.setAttribute('role', 'region');
    this.mapEl.setAttribute('aria-label', 'Map');

    // The caption panel: briefing, counter, progress, the step, controls.
    const panel = el('aside', 'pr-panel');
    panel.setAttribute('aria-label', 'Briefing step');
    // Names on the map keep clear of what lies over it (labels.js).
    panel.dataset.overMap = '';
    this.panel = panel;
    const head = el('header', 'pr-head');
    const brand = el('p', 'pr-briefing', this.briefing.title);
    this.counter = el('p', 'pr-counter');
    this.counter.setAttribute('aria-live', 'off');
    this.progress = el('ol', 'pr-progress');
    this.progress.setAttribute('aria-label', 'Steps');
    this.steps.forEach((s, i) => {
      const li = el('li');
      const b = el('button', 'pr-seg');
      b.type = 'button';
      b.setAttribute('aria-label', `Step ${i + 1}: ${s.title}, ${describeDate(s.date)}`);
      b.title = `${i + 1}. ${s.title} (${describeDate(s.date)})`;
      b.addEventListener('click', () => a.go(i));
      li.append(b);
      this.progress.append(li);
    });
    this.hold = el('div', 'pr-hold');
    this.hold.hidden = true;
    this.holdFill = el('div', 'pr-hold-fill');
    this.hold.append(this.holdFill);
    head.append(brand, this.counter, this.progress, this.hold);

    const article = el('article', 'pr-step');
    this.dateEl = el('p', 'pr-date');
    this.titleEl = el('h1', 'pr-title');
    this.captionEl = el('div', 'pr-caption');
    this.sourcesEl = el('section', 'pr-sources');
    article.append(this.dateEl, this.titleEl, this.captionEl, this.sourcesEl);
    this.article = article;

    const controls = el('nav', 'pr-controls');
    controls.setAttribute('aria-label', 'Presenter controls');
    const prev = button('pr-prev', '◀ Previous', 'Previous step (←, ↑, PageUp, P)');
    const next = button('pr-next', 'Next ▶', 'Next step (→, ↓, Space, PageDown, N)');
    prev.addEventListener('click', () => a.move(-1));
    next.addEventListener('click', () => a.move(1));
    this.prevBtn = prev;
    this.nextBtn = next;
    this.playBtn = button('pr-play', 'Play', 'Autoplay with each step\'s hold time (A)');
    this.playBtn.setAttribute('aria-pressed', 'false');
    this.playBtn.addEventListener('click', () => a.play());
    const overview = button('pr-overview-btn', 'Overview', 'All steps (O, Esc)');
    overview.addEventListener('click', () => a.overview(true));
    const speaker = button('pr-speaker-btn', 'Speaker view', 'Open the speaker window with notes (S)');
    speaker.addEventListener('click', () => a.speaker());
    this.fullBtn = button('pr-full', 'Full screen', 'Full screen (F)');
    this.fullBtn.setAttribute('aria-pressed', 'false');
    this.fullBtn.addEventListener('click', () => this.toggleFullscreen());
    const print = button('pr-print', 'Print', 'Print one page per step');
    print.addEventListener('click', () => a.print());
    const row1 = el('div', 'pr-row');
    row1.append(prev, next, this.playBtn);
    const row2 = el('div', 'pr-row pr-row-small');
    row2.append(overview, speaker, this.fullBtn, print);
    if (!this.opts.offline) {
      const dl = el('a', 'pr-btn pr-download', 'Download');
      dl.href = `briefings/${encodeURIComponent(this.briefing.id)}/export.html`;
      dl.setAttribute('download', `${this.briefing.id}.html`);
      dl.title = 'Download the briefing as one HTML file that presents offline';
      this.exploreLink = el('a', 'pr-btn pr-explore', 'Explore map');
      this.exploreLink.title = 'Open this step in the explore map';
      row2.append(dl, this.exploreLink);
    }
    const keys = el('p', 'pr-keys', 'Keys: → or Space next · ← previous · number then Enter jumps · B blank · O overview · S speaker · A autoplay · F full screen');
    controls.append(row1, row2, keys);
    panel.append(head, article, controls);

    // The legend, always shown, of the step's layers.
    this.legend = el('section', 'pr-legend');
    this.legend.setAttribute('aria-label', 'Legend');
    this.legend.dataset.overMap = '';

    this.jumpEl = el('div', 'pr-jump');
    this.jumpEl.setAttribute('role', 'status');
    this.jumpEl.hidden = true;
    this.toast = el('div', 'pr-toast');
    this.toast.setAttribute('role', 'status');
    this.toast.hidden = true;
    this.live = el('div', 'visually-hidden');
    this.live.setAttribute('aria-live', 'polite');

    this.overview = el('div', 'pr-overview');
    this.overview.setAttribute('role', 'dialog');
    this.overview.setAttribute('aria-modal', 'true');
    this.overview.setAttribute('aria-label', 'All steps');
    this.overview.hidden = true;
    const ovHead = el('div', 'pr-ov-head');
    ovHead.append(el('h2', '', `${this.briefing.title}: all steps`));
    const close = button('pr-ov-close', 'Close', 'Close (Esc, O)');
    close.addEventListener('click', () => a.overview(false));
    ovHead.append(close);
    this.ovList = el('ol', 'pr-ov-list');
    this.steps.forEach((s, i) => {
      const li = el('li');
      const b = el('button', 'pr-ov-item');
      b.type = 'button';
      b.dataset.index = String(i);
      b.append(el('span', 'pr-ov-num', i + 1), el('span', 'pr-ov-date', describeDate(s.date)), el('span', 'pr-ov-title', s.title));
      b.addEventListener('click', () => { a.overview(false); a.go(i); });
      li.append(b);
      this.ovList.append(li);
    });
    this.overview.append(ovHead, this.ovList);

    this.blankEl = el('div', 'pr-blank');
    this.blankEl.hidden = true;
    this.blankEl.setAttribute('aria-label', 'Screen blanked; press B to show it again');
    this.blankEl.addEventListener('click', () => a.unblank());

    r.append(this.mapEl, panel, this.legend, this.jumpEl, this.toast, this.live, this.overview, this.blankEl);
  }

  /**
   * Shows step i's text, counter and progress.
   * @param {number} i index from 0
   * @param {string} [exploreHref] the step in the explore map
   */
  showStep(i, exploreHref) {
    const s = this.steps[i];
    const n = this.steps.length;
    document.title = `${i + 1}/${n} ${s.title} — ${this.briefing.title}`;
    this.root.dataset.step = String(i + 1);
    this.root.dataset.date = s.date;
    this.counter.textContent = `Step ${i + 1} of ${n}`;
    [...this.progress.children].forEach((li, k) => {
      li.classList.toggle('is-done', k < i);
      li.classList.toggle('is-current', k === i);
      const b = li.firstChild;
      if (k === i) b.setAttribute('aria-current', 'step'); else b.removeAttribute('aria-current');
    });
    [...this.ovList.querySelectorAll('.pr-ov-item')].forEach((b, k) => {
      if (k === i) b.setAttribute('aria-current', 'step'); else b.removeAttribute('aria-current');
    });
    this.dateEl.replaceChildren();
    const time = el('time', '', describeDate(s.date));
    time.dateTime = s.date;
    this.dateEl.append(time);
    this.titleEl.textContent = s.title;
    this.captionEl.replaceChildren(paragraphs(s.caption, 'pr-para'));
    this.sourcesEl.replaceChildren(el('h2', 'pr-sources-title', s.sources?.length > 1 ? `Sources (${s.sources.length})` : 'Source'), sourceList(s.sources));
    this.article.scrollTop = 0;
    this.prevBtn.disabled = i === 0;
    this.nextBtn.disabled = i === n - 1;
    this.live.textContent = `Step ${i + 1} of ${n}: ${s.title}. ${describeDate(s.date)}.`;
    if (this.exploreLink && exploreHref) this.exploreLink.href = exploreHref;
  }

  /**
   * Draws the legend of a step's layers.
   * @param {object} s the step
   * @param {object[]} cols the collections the briefing uses
   */
  drawLegend(s, cols) {
    this.legend.replaceChildren(el('h2', 'pr-legend-title', 'Legend'));
    const ul = el('ul', 'pr-legend-list');
    this.legendItems = new Map();
    for (const col of cols) {
      const id = String(col.id);
      if (!s.layers.includes(id)) continue;
      const li = el('li', 'pr-legend-item');
      li.dataset.layer = id;
      li.append(swatch(col), el('span', 'pr-legend-name', col.title || id), el('span', 'pr-legend-status'));
      ul.append(li);
      this.legendItems.set(id, li);
    }
    this.legend.append(ul);
    const notes = el('ul', 'pr-legend-notes');
    if (s.highlight?.length) {
      const li = el('li', 'pr-legend-item');
      const svg = svgEl('svg', { width: 28, height: 20, viewBox: '0 0 28 20', 'aria-hidden': 'true', focusable: 'false' });
      svg.append(svgEl('circle', { cx: 14, cy: 10, r: 7, fill: 'none', stroke: '#111', 'stroke-width': 3 }));
      li.append(svg, el('span', 'pr-legend-name', 'Emphasised: what this step is about'));
      notes.append(li);
    }
    const ap = el('li', 'pr-legend-item');
    ap.append(approxSwatch(), el('span', 'pr-legend-name', 'Dashed halo or band: approximate position'));
    notes.append(ap, el('li', 'pr-legend-utc', 'Dates are UTC.'));
    this.legend.append(notes);
  }

  /**
   * Shows the layers' states in the legend, says which failed, and marks
   * the page busy or not (data-busy, which tests wait on).
   * @param {Map<string, {visible: boolean, state: object, col: object, id: string}>} layers
   * @param {boolean} busy
   */
  showLayerStates(layers, busy) {
    if (!this.legendItems) return;
    for (const [id, item] of this.legendItems) {
      const st = layers.get(id)?.state;
      if (!st) continue;
      item.classList.toggle('is-loading', st.loading);
      item.classList.toggle('has-error', !!st.error);
      item.querySelector('.pr-legend-status').textContent = st.loading ? 'loading…' : st.error ? 'not loaded' : '';
    }
    const failed = [...layers.values()].filter((l) => l.visible && l.state.error);
    if (failed.length) this.say(`Some layers could not be loaded: ${failed.map((l) => l.col.title || l.id).join(', ')}.`);
    this.root.dataset.busy = String(busy);
  }

  /** Space the panel and the legend take over the map, as fit padding. */
  padding() {
    const p = this.panel.getBoundingClientRect();
    const m = this.mapEl.getBoundingClientRect();
    const side = p.height > m.height * 0.6 && p.left < m.width / 3;
    // The legend sits over the map's top right; keep the view clear of it.
    const lg = this.legend.getBoundingClientRect();
    const right = side && lg.width ? m.right - lg.left + 16 : 24;
    return {
      topLeft: L.point(side ? p.right - m.left + 24 : 24, side || !lg.height ? 24 : lg.bottom - m.top + 12),
      bottomRight: L.point(right, side ? 40 : Math.max(24, m.bottom - p.top + 16)),
    };
  }

  /** Shows the step number being typed ("" hides it). */
  showDigits(d) {
    this.jumpEl.hidden = !d;
    this.jumpEl.textContent = d ? `Go to step ${d} — press Enter` : '';
  }

  /** Shows a message for a few seconds ("" hides it). */
  say(text) {
    this.toast.textContent = text;
    this.toast.hidden = !text;
    clearTimeout(this.toastTimer);
    if (text) this.toastTimer = setTimeout(() => { this.toast.hidden = true; }, 5000);
  }

  /** Blanks the screen or shows it again. */
  showBlank(on) {
    this.blankEl.hidden = !on;
    this.root.dataset.blank = String(on);
  }

  /** Shows autoplay as playing or paused. */
  showPlaying(on) {
    this.playBtn.textContent = on ? 'Pause' : 'Play';
    this.playBtn.setAttribute('aria-pressed', String(on));
    this.root.dataset.playing = String(on);
  }

  /** Whether the overview of all steps is open. */
  get overviewOpen() {
    return !this.overview.hidden;
  }

  /**
   * Opens the overview with step i focused, or closes it and focuses the
   * Next button.
   * @param {boolean} on
   * @param {number} i the current step
   */
  showOverview(on, i) {
    this.overview.hidden = !on;
    this.root.dataset.overview = String(on);
    if (on) this.ovList.querySelectorAll('.pr-ov-item')[i]?.focus();
    else this.panel.querySelector('.pr-next')?.focus({ preventScroll: true });
  }

  /**
   * Runs a key while the overview is open: arrows move between steps,
   * Home and End to the ends, Esc and O close it. Enter and Space are
   * left to the focused step's button.
   * @param {string} key KeyboardEvent.key
   * @returns {boolean} whether the key was used
   */
  overviewKey(key) {
    const items = [...this.ovList.querySelectorAll('.pr-ov-item')];
    const at = items.indexOf(document.activeElement);
    const cols = Math.max(1, Math.round(this.ovList.clientWidth / (items[0]?.offsetWidth || 1)));
    const focus = (k) => items[Math.max(0, Math.min(items.length - 1, k))]?.focus();
    switch (key) {
      case 'Escape': case 'Esc': case 'o': case 'O': this.actions.overview(false); return true;
      case 'ArrowRight': focus(at + 1); return true;
      case 'ArrowLeft': focus(at - 1); return true;
      case 'ArrowDown': focus(at + cols); return true;
      case 'ArrowUp': focus(at - cols); return true;
      case 'Home': focus(0); return true;
      case 'End': focus(items.length - 1); return true;
    }
    return false;
  }

  /** Enters or leaves full screen. */
  toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else document.documentElement.requestFullscreen?.().catch(() => this.say('Full screen is not available here.'));
  }
}
