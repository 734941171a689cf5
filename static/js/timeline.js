// timeline.js is the time control under the map: a slider over the data's
// days (noUiSlider, keyboard operable, ARIA slider handles) with a
// histogram of features valid per day behind it, ticks where features
// start and end, events marked; play/pause, loop and speed; steps to the
// previous and next change; date boxes; instant and range modes; and a
// polite live region announcing the date shown.

import noUiSlider from '../vendor/nouislider/nouislider.mjs';
import { svgEl } from './style.js';
import { formatDay, formatLongDay, formatMonth, parseDay } from './time.js';
import { nextChange, prevChange } from './histogram.js';
import { fitSpan, clampSpan, zoomSpan, includeSpan, labelEvery } from './timespan.js';

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = String(text);
  return e;
}

const ICONS = {
  play: 'M7,4L19,12L7,20Z',
  pause: 'M6,4h4v16h-4zM14,4h4v16h-4z',
  prev: 'M5,4h3v16h-3zM20,4L9,12L20,20Z',
  next: 'M16,4h3v16h-3zM4,4L15,12L4,20Z',
};

/** Draws a control icon as SVG (fonts may lack media symbols). */
function icon(name) {
  const svg = svgEl('svg', { width: 20, height: 20, viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' });
  svg.append(svgEl('path', { d: ICONS[name], fill: 'currentColor' }));
  return svg;
}

function button(cls, name, label) {
  const b = el('button', cls);
  b.type = 'button';
  b.append(icon(name));
  b.setAttribute('aria-label', label);
  b.title = label;
  return b;
}

const SPEEDS = [1, 2, 5, 10, 30];

/**
 * @typedef {object} TimeValue
 * @property {number} from first day
 * @property {number} to last day (equals from in instant mode)
 * @property {boolean} range
 */

/**
 * Timeline draws the time control into a container.
 */
export class Timeline {
  /**
   * @param {HTMLElement} root container, emptied
   * @param {{onChange: (v: TimeValue) => void, eventColor?: string, onDrawn?: (t: Timeline) => void}} opts
   *   onDrawn is called after each drawing of the histogram
   */
  constructor(root, opts) {
    this.root = root;
    this.opts = opts;
    this.summary = null;
    this.value = { from: NaN, to: NaN, range: false };
    this.timer = 0;
    this.build();
  }

  build() {
    const r = this.root;
    r.replaceChildren();
    r.classList.add('timeline');
    r.setAttribute('aria-label', 'Timeline');

    const controls = el('div', 'tl-controls');
    this.playBtn = button('tl-play', 'play', 'Play');
    this.playBtn.setAttribute('aria-pressed', 'false');
    this.prevBtn = button('tl-prev', 'prev', 'Previous change');
    this.nextBtn = button('tl-next', 'next', 'Next change');

    const dateLabel = el('label', 'tl-field');
    dateLabel.append(el('span', 'tl-field-name', 'Date'));
    this.dateInput = el('input', 'tl-date');
    this.dateInput.type = 'date';
    dateLabel.append(this.dateInput);
    this.toLabel = el('label', 'tl-field tl-to');
    this.toLabel.append(el('span', 'tl-field-name', 'to'));
    this.toInput = el('input', 'tl-date-to');
    this.toInput.type = 'date';
    this.toLabel.append(this.toInput);
    this.toLabel.hidden = true;

    const mode = el('fieldset', 'tl-mode');
    mode.append(el('legend', 'visually-hidden', 'Time mode'));
    this.modeInputs = {};
    for (const [val, text] of [['instant', 'As of date'], ['range', 'Range']]) {
      const l = el('label', 'tl-mode-option');
      const i = el('input');
      i.type = 'radio';
      i.name = 'tl-mode';
      i.value = val;
      l.append(i, el('span', '', text));
      mode.append(l);
      this.modeInputs[val] = i;
      i.addEventListener('change', () => { if (i.checked) this.setMode(val === 'range'); });
    }

    const speedLabel = el('label', 'tl-field');
    speedLabel.append(el('span', 'tl-field-name', 'Speed'));
    this.speed = el('select', 'tl-speed');
    for (const s of SPEEDS) {
      const o = el('option', '', `${s} day${s > 1 ? 's' : ''}/s`);
      o.value = String(s);
      this.speed.append(o);
    }
    this.speed.value = '2';
    speedLabel.append(this.speed);

    const loopLabel = el('label', 'tl-check');
    this.loop = el('input', 'tl-loop');
    this.loop.type = 'checkbox';
    loopLabel.append(this.loop, el('span', '', 'Loop'));

    // The window of time shown (timespan.js): the data's busy part at
    // first; wheel or buttons zoom it, dragging the histogram pans it.
    this.spanBtn = el('button', 'tl-span', 'All dates');
    this.spanBtn.type = 'button';
    this.spanBtn.title = 'Show the whole time of the data, or fit the timeline to where the changes are (the mouse wheel over the timeline zooms, dragging the bars pans)';
    this.spanBtn.setAttribute('aria-pressed', 'false');
    this.spanBtn.addEventListener('click', () => this.toggleSpan());

    this.live = el('output', 'tl-current');
    this.live.setAttribute('aria-live', 'polite');
    this.live.setAttribute('role', 'status');

    controls.append(this.playBtn, this.prevBtn, this.nextBtn, dateLabel, this.toLabel, mode, speedLabel, loopLabel, this.spanBtn, this.live);

    const track = el('div', 'tl-track');
    this.hist = svgEl('svg', { class: 'tl-hist', 'aria-hidden': 'true', preserveAspectRatio: 'none' });
    this.sliderEl = el('div', 'tl-slider');
    track.append(this.hist, this.sliderEl);
    const key = el('p', 'tl-key');
    this.barsKey = el('span', 'tl-key-bars', 'Bars: features valid per day');
    key.append(this.barsKey, el('span', 'tl-key-start', 'Starts'), el('span', 'tl-key-end', 'Ends'), el('span', 'tl-key-event', 'Events'));
    r.append(controls, track, key);

    this.playBtn.addEventListener('click', () => (this.timer ? this.pause() : this.play()));
    this.prevBtn.addEventListener('click', () => this.step(-1));
    this.nextBtn.addEventListener('click', () => this.step(1));
    // Browsers fire "change" while a year is half typed (0002, 0020...):
    // only a four-digit year from 1000 on is taken.
    const typed = (input) => (/^[1-9]\d{3}-/.test(input.value) ? parseDay(input.value) : NaN);
    const fromBox = () => {
      const d = typed(this.dateInput);
      if (Number.isNaN(d)) return;
      this.set(this.value.range ? { ...this.value, from: d, to: Math.max(d, this.value.to) } : { ...this.value, from: d, to: d });
    };
    const toBox = () => {
      const d = typed(this.toInput);
      if (!Number.isNaN(d)) this.set({ ...this.value, to: d, from: Math.min(d, this.value.from) });
    };
    // A date picked from the calendar applies at once; a typed one on
    // Enter or when the box loses focus, not at every keystroke.
    for (const [input, fn] of [[this.dateInput, fromBox], [this.toInput, toBox]]) {
      let typing = false;
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') { typing = false; fn(); } else if (e.key.length === 1 || e.key === 'Backspace' || e.key.startsWith('Arrow')) typing = true;
      });
      input.addEventListener('change', () => { if (!typing) fn(); });
      input.addEventListener('blur', () => { if (typing) { typing = false; fn(); } });
    }
    this.speed.addEventListener('change', () => { if (this.timer) { this.pause(); this.play(); } });
    this.panAndZoom(track);
    // Month labels are spaced for the track's width: again when it changes.
    let width = 0;
    new ResizeObserver(() => {
      const w = this.sliderEl.clientWidth;
      if (!this.summary || Math.abs(w - width) < 40) return;
      width = w;
      this.createSlider(this.value);
    }).observe(this.sliderEl);
  }

  /** Wheel over the track zooms the window; dragging the bars pans it. */
  panAndZoom(track) {
    track.addEventListener('wheel', (e) => {
      if (!this.summary || !this.span) return;
      e.preventDefault();
      const r = this.hist.getBoundingClientRect();
      const at = this.span.min + ((e.clientX - r.left) / Math.max(1, r.width)) * (this.span.max - this.span.min);
      this.setSpan(zoomSpan(this.span, this.summary, at, e.deltaY > 0 ? 1.25 : 0.8));
    }, { passive: false });
    let drag = null;
    this.hist.addEventListener('pointerdown', (e) => {
      if (!this.span) return;
      drag = { x: e.clientX, span: this.span, w: this.hist.getBoundingClientRect().width };
      this.hist.setPointerCapture(e.pointerId);
    });
    this.hist.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const days = ((drag.x - e.clientX) / Math.max(1, drag.w)) * (drag.span.max - drag.span.min);
      if (Math.abs(days) >= 1) this.setSpan(clampSpan({ min: drag.span.min + days, max: drag.span.max + days }, this.summary));
    });
    const end = () => { drag = null; };
    this.hist.addEventListener('pointerup', end);
    this.hist.addEventListener('pointercancel', end);
  }

  /**
   * Shows a window of days on the timeline; the value shown is kept (and
   * the window widened to it).
   * @param {{min: number, max: number}} w
   */
  setSpan(w) {
    const v = this.value;
    let span = clampSpan(w, this.summary);
    if (Number.isFinite(v.from)) span = includeSpan(span, this.clamp(v.from), this.clamp(v.range ? v.to : v.from));
    if (this.span && span.min === this.span.min && span.max === this.span.max) return;
    this.span = span;
    const all = span.min <= this.summary.min && span.max >= this.summary.max;
    this.spanBtn.textContent = all ? 'Fit to data' : 'All dates';
    this.spanBtn.setAttribute('aria-pressed', String(all));
    this.drawHistogram();
    this.createSlider(Number.isFinite(v.from) ? v : { from: span.max, to: span.max, range: v.range });
  }

  /** Switches between the whole extent and the fitted window. */
  toggleSpan() {
    const s = this.summary;
    if (!s) return;
    const all = this.span.min <= s.min && this.span.max >= s.max;
    this.span = null;
    this.setSpan(all ? fitSpan(s) : { min: s.min, max: s.max });
  }

  /**
   * Sets the data summary (see histogram.js): the slider's extent, the
   * histogram and the changes to step through.
   * @param {import('./histogram.js').Summary} s
   */
  setSummary(s) {
    this.summary = s;
    for (const i of [this.dateInput, this.toInput]) { i.min = formatDay(s.min); i.max = formatDay(s.max); }
    const v = this.value;
    const start = Number.isFinite(v.from) ? v : { from: s.max, to: s.max, range: v.range };
    const keep = this.span && this.span.min >= s.min && this.span.max <= s.max ? this.span : fitSpan(s);
    this.span = includeSpan(keep, this.clamp(start.from), this.clamp(start.range ? start.to : start.from));
    const all = this.span.min <= s.min && this.span.max >= s.max;
    this.spanBtn.textContent = all ? 'Fit to data' : 'All dates';
    this.spanBtn.setAttribute('aria-pressed', String(all));
    this.drawHistogram();
    this.value = { from: NaN, to: NaN, range: v.range };
    this.createSlider(start);
  }

  clamp(d) {
    return Math.min(this.summary.max, Math.max(this.summary.min, Math.round(d)));
  }

  createSlider(v) {
    const s = this.span;
    if (this.sliderEl.noUiSlider) this.sliderEl.noUiSlider.destroy();
    const fmt = { to: (x) => formatLongDay(Math.round(x)), from: Number };
    const range = v.range;
    const months = [];
    for (let d = s.min; d <= s.max; d++) if (formatDay(d).endsWith('-01')) months.push(d);
    const every = labelEvery(months.length, this.sliderEl.clientWidth || 640);
    noUiSlider.create(this.sliderEl, {
      start: range ? [this.clamp(v.from), this.clamp(v.to)] : [this.clamp(v.from)],
      connect: range ? true : false,
      range: { min: s.min, max: s.max === s.min ? s.min + 1 : s.max },
      step: 1,
      behaviour: 'tap-drag',
      keyboardSupport: true,
      keyboardPageMultiplier: 7,
      ariaFormat: fmt,
      tooltips: false,
      handleAttributes: range ? [{ 'aria-label': 'From date' }, { 'aria-label': 'To date' }] : [{ 'aria-label': 'Date shown' }],
      pips: months.length ? { mode: 'values', values: months.filter((_, i) => i % every === 0), density: 100, format: { to: (x) => formatMonth(x), from: Number } } : undefined,
    });
    this.sliderEl.noUiSlider.on('update', (vals) => {
      const days = vals.map((x) => Math.round(Number(x)));
      this.apply({ from: days[0], to: range ? days[1] : days[0], range });
    });
  }

  /** Updates state and UI after the slider moved; calls onChange when the value changed. */
  apply(v) {
    const old = this.value;
    if (old.from === v.from && old.to === v.to && old.range === v.range) return;
    this.value = v;
    this.dateInput.value = formatDay(v.from);
    this.toInput.value = formatDay(v.to);
    this.toLabel.hidden = !v.range;
    this.modeInputs[v.range ? 'range' : 'instant'].checked = true;
    this.live.textContent = v.range ? `Showing ${formatLongDay(v.from)} to ${formatLongDay(v.to)}` : `Showing ${formatLongDay(v.from)}`;
    this.markCurrent();
    this.opts.onChange({ ...v });
  }

  /**
   * Sets the time shown; values are clamped to the data's extent.
   * @param {TimeValue} v
   */
  set(v) {
    if (!this.summary) { this.value = { ...v }; return; }
    const from = this.clamp(v.from), to = this.clamp(v.range ? v.to : v.from);
    if (from < this.span.min || to > this.span.max) {
      // A date outside the window widens it.
      this.span = includeSpan(this.span, from, to);
      this.drawHistogram();
      this.createSlider({ from, to, range: v.range });
    } else if (v.range !== this.value.range) this.createSlider({ from, to, range: v.range });
    else this.sliderEl.noUiSlider.set(v.range ? [from, to] : [from]);
  }

  /** Switches between instant and range mode, keeping the start. */
  setMode(range) {
    const v = this.value;
    if (range === v.range) return;
    const to = range ? Math.min(this.summary.max, v.from + 30) : v.from;
    this.set({ from: v.from, to, range });
  }

  /**
   * Moves to the previous (-1) or next (+1) day on which something changes.
   * @param {number} dir
   */
  step(dir) {
    if (!this.summary) return;
    const v = this.value;
    const d = dir > 0 ? nextChange(this.summary, v.range ? v.to : v.from) : prevChange(this.summary, v.from);
    if (Number.isNaN(d)) return;
    const span = v.to - v.from;
    this.set(v.range ? (dir > 0 ? { from: d - span, to: d, range: true } : { from: d, to: d + span, range: true }) : { from: d, to: d, range: false });
  }

  /** Starts moving one day at a time at the chosen speed. */
  play() {
    if (!this.summary || this.timer) return;
    if (this.value.to >= this.summary.max) this.set({ ...this.value, from: this.span.min, to: this.span.min + (this.value.to - this.value.from) });
    const ms = 1000 / Number(this.speed.value || 1);
    this.timer = setInterval(() => this.tick(), ms);
    this.playBtn.replaceChildren(icon('pause'));
    this.playBtn.setAttribute('aria-label', 'Pause');
    this.playBtn.title = 'Pause';
    this.playBtn.setAttribute('aria-pressed', 'true');
  }

  /** Stops playing. */
  pause() {
    clearInterval(this.timer);
    this.timer = 0;
    this.playBtn.replaceChildren(icon('play'));
    this.playBtn.setAttribute('aria-label', 'Play');
    this.playBtn.title = 'Play';
    this.playBtn.setAttribute('aria-pressed', 'false');
  }

  tick() {
    const v = this.value, span = v.to - v.from;
    if (v.to >= this.summary.max) {
      if (!this.loop.checked) { this.pause(); return; }
      this.set({ ...v, from: this.span.min, to: this.span.min + span });
      return;
    }
    this.set({ ...v, from: v.from + 1, to: v.to + 1 });
  }

  drawHistogram() {
    const s = { ...this.summary, ...this.span }, H = 48, n = s.max - s.min;
    const off = this.span.min - this.summary.min;
    const w = Math.max(1, n);
    const svg = this.hist;
    svg.replaceChildren();
    svg.setAttribute('viewBox', `0 0 ${w} ${H}`);
    // Most features last the whole extent, so the axis starts a little
    // below the fewest valid on any day, and the key says where.
    const counts = this.summary.counts.slice(off, off + n + 1);
    const peak = Math.max(1, ...counts), least = Math.min(...counts);
    const lo = Math.max(0, least - Math.max(1, Math.ceil((peak - least) / 2)));
    this.barsKey.textContent = `Bars: features valid per day (axis ${lo} to ${peak})`;
    const top = 12, bottom = H - 10, scale = (bottom - top) / Math.max(1, peak - lo);
    let d = `M0,${bottom}`;
    for (let i = 0; i < counts.length; i++) {
      const y = (bottom - (counts[i] - lo) * scale).toFixed(2);
      d += `L${Math.max(0, i - 0.5)},${y}L${Math.min(w, i + 0.5)},${y}`;
    }
    d += `L${w},${bottom}Z`;
    svg.append(svgEl('path', { d, class: 'tl-bars' }));
    const ticks = (map, cls, y1, y2) => {
      let p = '';
      for (const day of map.keys()) if (day >= s.min && day <= s.max) p += `M${day - s.min},${y1}V${y2}`;
      if (p) svg.append(svgEl('path', { d: p, class: cls, 'vector-effect': 'non-scaling-stroke' }));
    };
    ticks(s.starts, 'tl-tick-start', 0, 7);
    ticks(s.ends, 'tl-tick-end', 4, 11);
    const evDays = new Map(s.events.map((e) => [e.day, 1]));
    ticks(evDays, 'tl-tick-event', H - 8, H);
    if (this.opts.eventColor) svg.style.setProperty('--event-color', this.opts.eventColor);
    this.current = svgEl('rect', { class: 'tl-current-band', y: 0, height: H });
    svg.append(this.current);
    this.markCurrent();
    this.opts.onDrawn?.(this); // the event marks (find/ticks.js)
  }

  markCurrent() {
    if (!this.current || !this.summary || !Number.isFinite(this.value.from)) return;
    const x = this.value.from - this.span.min - 0.5;
    this.current.setAttribute('x', String(Math.max(0, x)));
    this.current.setAttribute('width', String(this.value.to - this.value.from + 1));
  }
}
