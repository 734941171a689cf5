// presenter.js is the presenter view of a briefing: a full-window map, a
// caption panel with the step counter and progress, the legend, and the
// keys a presenter (or a clicker) uses. It is built from the explore
// map's modules: DataLayer loads each layer from the items endpoint with
// the step's date as datetime, so the server decides what the map shows.
// Every step has its own URL, pushed once when the step is shown.

import * as L from '../../vendor/leaflet/leaflet-src.esm.js';
import { fetchCollections } from '../api.js';
import { offlineBasemap } from '../basemap.js';
import { DataLayer, createPanes, APPROXIMATE_AT } from '../layers.js';
import { featureDetails } from '../popup.js';
import { swatch, approxSwatch, svgEl } from '../style.js';
import { formatHash } from '../urlstate.js';
import { parseDay } from '../time.js';
import { el, paragraphs, sourceList, describeDate } from './text.js';
import { parsePresentHash, formatPresentHash, stepIndex } from './hash.js';
import { keyAction } from './keys.js';
import { Link } from './link.js';
import { fetchBriefing, stepLayers, viewBounds } from './data.js';
import { PrintPages } from './print.js';

/** Seconds autoplay stays on a step that gives no hold time. */
export const DEFAULT_HOLD = 10;

const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

function button(cls, text, title) {
  const b = el('button', `pr-btn ${cls}`, text);
  b.type = 'button';
  if (title) b.title = title;
  return b;
}

/**
 * Presenter shows one briefing, a step at a time.
 */
export class Presenter {
  /**
   * @param {HTMLElement} root emptied and filled
   * @param {object} briefing from /briefings/{id}
   * @param {object[]} cols collections
   * @param {{offline: boolean}} opts offline: running from an exported file
   */
  constructor(root, briefing, cols, opts) {
    this.root = root;
    this.briefing = briefing;
    this.steps = briefing.steps;
    this.opts = opts;
    this.index = -1;
    this.blank = false;
    this.playing = false;
    this.digits = '';
    this.moving = false;
    this.speakerWin = null;
    this.holdStart = 0;
    this.holdTimer = 0;
    this.digitTimer = 0;
    const used = new Set(this.steps.flatMap(stepLayers));
    this.cols = cols.filter((c) => used.has(String(c.id)));
    this.build();
    this.link = new Link(briefing.id, (m) => this.onMessage(m), () => (this.speakerWin && !this.speakerWin.closed ? this.speakerWin : null));
    window.addEventListener('keydown', (e) => this.onKey(e), { capture: true });
    window.addEventListener('popstate', () => this.fromURL());
    window.addEventListener('hashchange', () => this.fromURL());
    window.addEventListener('beforeunload', () => this.link.send({ type: 'bye' }));
    document.addEventListener('fullscreenchange', () => this.fullBtn.setAttribute('aria-pressed', String(!!document.fullscreenElement)));
    this.print = new PrintPages(document.getElementById('print-pages'), briefing, this.cols);
    window.addEventListener('beforeprint', () => this.print.prepare());
  }

  build() {
    const r = this.root;
    r.replaceChildren();
    r.classList.add('present');

    this.mapEl = el('div', 'pr-map');
    this.mapEl.id = 'map';
    this.mapEl.setAttribute('role', 'region');
    this.mapEl.setAttribute('aria-label', 'Map');

    // The caption panel: briefing, counter, progress, the step, controls.
    const panel = el('aside', 'pr-panel');
    panel.setAttribute('aria-label', 'Briefing step');
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
      b.addEventListener('click', () => this.go(i));
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
    prev.addEventListener('click', () => this.go(this.index - 1));
    next.addEventListener('click', () => this.go(this.index + 1));
    this.prevBtn = prev;
    this.nextBtn = next;
    this.playBtn = button('pr-play', 'Play', 'Autoplay with each step\'s hold time (A)');
    this.playBtn.setAttribute('aria-pressed', 'false');
    this.playBtn.addEventListener('click', () => this.togglePlay());
    const overview = button('pr-overview-btn', 'Overview', 'All steps (O, Esc)');
    overview.addEventListener('click', () => this.toggleOverview(true));
    const speaker = button('pr-speaker-btn', 'Speaker view', 'Open the speaker window with notes (S)');
    speaker.addEventListener('click', () => this.openSpeaker());
    this.fullBtn = button('pr-full', 'Full screen', 'Full screen (F)');
    this.fullBtn.setAttribute('aria-pressed', 'false');
    this.fullBtn.addEventListener('click', () => this.toggleFullscreen());
    const print = button('pr-print', 'Print', 'Print one page per step');
    print.addEventListener('click', async () => { await this.print.prepare(); window.print(); });
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
    close.addEventListener('click', () => this.toggleOverview(false));
    ovHead.append(close);
    this.ovList = el('ol', 'pr-ov-list');
    this.steps.forEach((s, i) => {
      const li = el('li');
      const b = el('button', 'pr-ov-item');
      b.type = 'button';
      b.dataset.index = String(i);
      b.append(el('span', 'pr-ov-num', i + 1), el('span', 'pr-ov-date', describeDate(s.date)), el('span', 'pr-ov-title', s.title));
      b.addEventListener('click', () => { this.toggleOverview(false); this.go(i); });
      li.append(b);
      this.ovList.append(li);
    });
    this.overview.append(ovHead, this.ovList);

    this.blankEl = el('div', 'pr-blank');
    this.blankEl.hidden = true;
    this.blankEl.setAttribute('aria-label', 'Screen blanked; press B to show it again');
    this.blankEl.addEventListener('click', () => this.setBlank(false));

    r.append(this.mapEl, panel, this.legend, this.jumpEl, this.toast, this.live, this.overview, this.blankEl);
  }

  /**
   * Creates the map and the layers; call once the DOM is in the page.
   */
  initMap() {
    const motion = !reducedMotion();
    const map = L.map(this.mapEl, {
      zoomControl: false,
      keyboard: false,
      zoomAnimation: motion,
      fadeAnimation: motion,
      markerZoomAnimation: motion,
      inertia: motion,
      minZoom: 2,
      maxZoom: 17,
    });
    this.map = map;
    map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
    L.control.zoom({ position: 'bottomright' }).addTo(map);
    L.control.scale({ imperial: false, maxWidth: 140, position: 'bottomright' }).addTo(map);
    createPanes(map);
    const first = this.steps[0];
    const b = viewBounds(first.view);
    if (b) map.fitBounds(b, { animate: false });
    else map.setView([first.view.center[1], first.view.center[0]], first.view.zoom);
    const basemap = offlineBasemap(map).addTo(map);
    basemap.on('error', () => this.say('The offline basemap could not be loaded.'));
    this.layers = new Map();
    for (const col of this.cols) {
      const layer = new DataLayer(map, col, {
        onState: () => this.onLayerState(),
        details: (f, c) => featureDetails(f, c, { approximateAt: APPROXIMATE_AT, goTo: () => {} }),
      });
      this.layers.set(String(col.id), layer);
    }
    map.on('moveend', () => {
      if (this.moving) return;
      // The presenter panned or zoomed: load what came into view.
      if (this.fetched && !this.fetched.contains(map.getBounds())) this.load(map.getBounds().pad(0.5));
    });
  }

  /** Shows the step the URL names (Back, Forward, an edited URL). */
  fromURL() {
    const h = parsePresentHash(location.hash);
    if (h.briefing && h.briefing !== this.briefing.id) { location.reload(); return; }
    const i = stepIndex(this.steps, h.step);
    this.show(i < 0 ? 0 : i, false);
  }

  /**
   * Moves to a step and pushes its URL.
   * @param {number} i index from 0; clamped
   */
  go(i) {
    this.show(Math.max(0, Math.min(this.steps.length - 1, i)), true);
  }

  /**
   * Shows step i.
   * @param {number} i index from 0
   * @param {boolean} push push the step's URL onto the history
   */
  show(i, push) {
    const hash = formatPresentHash({ briefing: this.briefing.id, index: i });
    if (push && location.hash !== hash) history.pushState({ step: i }, '', hash);
    else if (!push && location.hash !== hash) history.replaceState({ step: i }, '', hash);
    if (i === this.index) { this.sendState(); return; }
    this.index = i;
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
    if (this.exploreLink) this.exploreLink.href = './' + this.exploreHash(s);

    const on = new Set(s.layers);
    const hl = new Map();
    for (const h of s.highlight || []) {
      const [l, f] = [h.slice(0, h.indexOf('/')), h.slice(h.indexOf('/') + 1)];
      if (!hl.has(l)) hl.set(l, []);
      hl.get(l).push(f);
    }
    for (const [id, l] of this.layers) {
      if (l.visible !== on.has(id)) l.setVisible(on.has(id));
      l.highlight(hl.get(id) || []);
    }
    this.drawLegend(s);
    this.fly(s);
    this.load(this.targetBounds(s).pad(0.5));
    this.sendState();
    if (this.playing) this.startHold();
    this.onLayerState();
  }

  /** The explore map's fragment for a step: its view, date and layers. */
  exploreHash(s) {
    const [a, b] = String(s.date).split('/');
    const day = (v) => { const d = parseDay(v); return Number.isNaN(d) ? Math.floor(Date.parse(v) / 86400000) : d; };
    const from = a && a !== '..' ? day(a) : NaN;
    const to = b === undefined ? from : b && b !== '..' ? day(b) : NaN;
    const c = this.targetBounds(s).getCenter();
    const zoom = s.view.zoom ?? this.map.getBoundsZoom(viewBounds(s.view));
    const ok = Number.isFinite(from) && Number.isFinite(to);
    return formatHash({ map: { zoom, lat: c.lat, lon: c.lng }, from: ok ? from : NaN, to, range: ok && b !== undefined, layers: s.layers });
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

  /** The bounds a step's view shows on this map. */
  targetBounds(s) {
    const b = viewBounds(s.view);
    if (b) return b;
    const z = s.view.zoom, size = this.map.getSize();
    const c = this.map.project([s.view.center[1], s.view.center[0]], z);
    return L.latLngBounds(this.map.unproject(c.subtract(size.divideBy(2)), z), this.map.unproject(c.add(size.divideBy(2)), z));
  }

  /** Moves the map to a step's view: a flight, or a jump for reduced motion. */
  fly(s) {
    const map = this.map;
    const animate = !reducedMotion();
    const pad = this.padding();
    // stop() ends a flight still under way, firing its moveend first.
    map.stop();
    if (this.moveDone) map.off('moveend', this.moveDone);
    clearTimeout(this.moveTimer);
    this.moving = true;
    this.moveDone = () => { this.moving = false; map.off('moveend', this.moveDone); clearTimeout(this.moveTimer); this.onLayerState(); };
    map.on('moveend', this.moveDone);
    this.moveTimer = setTimeout(this.moveDone, 4000);
    const b = viewBounds(s.view);
    if (b) {
      const opts = { paddingTopLeft: pad.topLeft, paddingBottomRight: pad.bottomRight };
      if (animate) map.flyToBounds(b, { ...opts, duration: 1.4 });
      else map.fitBounds(b, { ...opts, animate: false });
      return;
    }
    // Centre the view in the map area the panel leaves free.
    const z = s.view.zoom;
    const off = pad.topLeft.subtract(pad.bottomRight).divideBy(2);
    const c = map.unproject(map.project([s.view.center[1], s.view.center[0]], z).subtract(off), z);
    if (animate) map.flyTo(c, z, { duration: 1.4 });
    else map.setView(c, z, { animate: false });
  }

  /**
   * Loads the step's layers at its date within bounds.
   * @param {L.LatLngBounds} bounds
   */
  load(bounds) {
    this.fetched = bounds;
    const s = this.steps[this.index];
    const bbox = [Math.max(-180, bounds.getWest()), Math.max(-90, bounds.getSouth()), Math.min(180, bounds.getEast()), Math.min(90, bounds.getNorth())];
    for (const l of this.layers.values()) {
      if (l.visible) l.update({ datetime: s.date, bbox, fade: null });
    }
  }

  /** Whether the map is still moving or loading. */
  busy() {
    if (this.moving) return true;
    for (const l of this.layers.values()) if (l.visible && (l.state.loading || !l.key)) return true;
    return false;
  }

  onLayerState() {
    if (!this.legendItems) return;
    for (const [id, item] of this.legendItems) {
      const st = this.layers.get(id)?.state;
      if (!st) continue;
      item.classList.toggle('is-loading', st.loading);
      item.classList.toggle('has-error', !!st.error);
      item.querySelector('.pr-legend-status').textContent = st.loading ? 'loading…' : st.error ? 'not loaded' : '';
    }
    const failed = [...this.layers.values()].filter((l) => l.visible && l.state.error);
    if (failed.length) this.say(`Some layers could not be loaded: ${failed.map((l) => l.col.title || l.id).join(', ')}.`);
    this.root.dataset.busy = String(this.busy());
  }

  drawLegend(s) {
    this.legend.replaceChildren(el('h2', 'pr-legend-title', 'Legend'));
    const ul = el('ul', 'pr-legend-list');
    this.legendItems = new Map();
    for (const col of this.cols) {
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

  // --- keys ---

  onKey(e) {
    const action = keyAction(e);
    if (!action) return;
    const t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (!this.overview.hidden) {
      if (!this.overviewKey(e, action)) return;
    } else if (this.blank) {
      // Any key brings the screen back; it does nothing else.
      this.setBlank(false);
    } else {
      this.act(action, e.key);
    }
    e.preventDefault();
    e.stopImmediatePropagation();
  }

  /**
   * Runs a key action.
   * @param {string} action from keyAction
   * @param {string} [key] the key, for digits
   */
  act(action, key) {
    if (action !== 'digit' && action !== 'enter' && action !== 'backspace' && this.digits) this.setDigits('');
    switch (action) {
      case 'next': this.go(this.index + 1); break;
      case 'prev': this.go(this.index - 1); break;
      case 'first': this.go(0); break;
      case 'last': this.go(this.steps.length - 1); break;
      case 'digit': this.setDigits((this.digits + key).slice(-4)); break;
      case 'backspace': this.setDigits(this.digits.slice(0, -1)); break;
      case 'enter': {
        if (!this.digits) break;
        const n = Number(this.digits);
        this.setDigits('');
        if (n >= 1 && n <= this.steps.length) this.go(n - 1);
        else this.say(`There is no step ${n}; the steps are 1 to ${this.steps.length}.`);
        break;
      }
      case 'blank': this.setBlank(!this.blank); break;
      case 'fullscreen': this.toggleFullscreen(); break;
      case 'overview': case 'escape': this.toggleOverview(true); break;
      case 'speaker': this.openSpeaker(); break;
      case 'play': this.togglePlay(); break;
    }
  }

  // Keys while the overview is open: arrows move between steps, Enter
  // and Space pick one (the buttons' own behaviour), Esc and O close.
  overviewKey(e, action) {
    const items = [...this.ovList.querySelectorAll('.pr-ov-item')];
    const at = items.indexOf(document.activeElement);
    const cols = Math.max(1, Math.round(this.ovList.clientWidth / (items[0]?.offsetWidth || 1)));
    const focus = (k) => items[Math.max(0, Math.min(items.length - 1, k))]?.focus();
    switch (e.key) {
      case 'Escape': case 'Esc': case 'o': case 'O': this.toggleOverview(false); return true;
      case 'ArrowRight': focus(at + 1); return true;
      case 'ArrowLeft': focus(at - 1); return true;
      case 'ArrowDown': focus(at + cols); return true;
      case 'ArrowUp': focus(at - cols); return true;
      case 'Home': focus(0); return true;
      case 'End': focus(items.length - 1); return true;
    }
    return false;
  }

  setDigits(d) {
    this.digits = d;
    clearTimeout(this.digitTimer);
    this.jumpEl.hidden = !d;
    this.jumpEl.textContent = d ? `Go to step ${d} — press Enter` : '';
    if (d) this.digitTimer = setTimeout(() => this.setDigits(''), 6000);
  }

  say(text) {
    this.toast.textContent = text;
    this.toast.hidden = !text;
    clearTimeout(this.toastTimer);
    if (text) this.toastTimer = setTimeout(() => { this.toast.hidden = true; }, 5000);
  }

  setBlank(on) {
    this.blank = on;
    this.blankEl.hidden = !on;
    this.root.dataset.blank = String(on);
    this.sendState();
  }

  toggleOverview(on) {
    this.overview.hidden = !on;
    this.root.dataset.overview = String(on);
    if (on) this.ovList.querySelectorAll('.pr-ov-item')[this.index]?.focus();
    else this.panel.querySelector('.pr-next')?.focus({ preventScroll: true });
  }

  toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else document.documentElement.requestFullscreen?.().catch(() => this.say('Full screen is not available here.'));
  }

  // --- autoplay ---

  togglePlay() {
    this.playing = !this.playing;
    this.playBtn.textContent = this.playing ? 'Pause' : 'Play';
    this.playBtn.setAttribute('aria-pressed', String(this.playing));
    this.root.dataset.playing = String(this.playing);
    if (this.playing) {
      if (this.index === this.steps.length - 1) this.go(0);
      this.startHold();
    } else this.stopHold();
    this.sendState();
  }

  startHold() {
    this.stopHold();
    const s = this.steps[this.index];
    const hold = (s.hold_seconds > 0 ? s.hold_seconds : DEFAULT_HOLD) * 1000;
    this.holdStart = performance.now();
    this.hold.hidden = false;
    // A timer moves on (it runs in a window out of sight, too); animation
    // frames only draw the bar.
    this.holdTimer = setTimeout(() => {
      if (!this.playing) return;
      if (this.index < this.steps.length - 1) this.go(this.index + 1);
      else this.togglePlay();
    }, hold);
    const tick = () => {
      if (!this.playing) return;
      const f = Math.min(1, (performance.now() - this.holdStart) / hold);
      this.holdFill.style.width = `${(f * 100).toFixed(1)}%`;
      if (f < 1) this.holdFrame = requestAnimationFrame(tick);
    };
    this.holdFrame = requestAnimationFrame(tick);
  }

  stopHold() {
    clearTimeout(this.holdTimer);
    cancelAnimationFrame(this.holdFrame);
    this.hold.hidden = true;
    this.holdFill.style.width = '0';
  }

  // --- speaker window ---

  openSpeaker() {
    const hash = formatPresentHash({ briefing: this.briefing.id, index: this.index, view: this.opts.offline ? 'speaker' : '' });
    // An exported file is its own speaker window; the server has a page.
    const url = this.opts.offline ? location.href.split('#')[0] + hash : 'speaker.html' + hash;
    const w = window.open(url, `strata-speaker-${this.briefing.id}`, 'popup,width=1100,height=760');
    if (!w) { this.say('The speaker window was blocked: allow pop-ups for this page.'); return; }
    this.speakerWin = w;
    w.focus?.();
  }

  onMessage(m) {
    switch (m.type) {
      case 'hello': this.sendState(); break;
      case 'go': if (Number.isInteger(m.index)) this.go(m.index); break;
      case 'blank': this.setBlank(!this.blank); break;
      case 'play': this.togglePlay(); break;
    }
  }

  sendState() {
    this.link?.send({ type: 'state', index: this.index, blank: this.blank, playing: this.playing });
  }
}

/**
 * Starts the presenter view for the briefing the URL names.
 * @param {HTMLElement} root
 * @param {{offline: boolean, briefingId?: string}} opts
 * @returns {Promise<Presenter>}
 */
export async function startPresenter(root, opts) {
  const h = parsePresentHash(location.hash);
  const id = h.briefing || opts.briefingId;
  if (!id) throw new Error('NO_BRIEFING');
  const [briefing, cols] = await Promise.all([fetchBriefing(id), fetchCollections()]);
  const p = new Presenter(root, briefing, cols, opts);
  p.initMap();
  const i = stepIndex(briefing.steps, h.step);
  p.show(i < 0 ? 0 : i, false);
  // Print needs every step's features: fetch them once the first step is in.
  setTimeout(() => p.print.prepare().catch(() => {}), 2000);
  return p;
}
