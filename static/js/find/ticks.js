// find/ticks.js makes the timeline's event ticks readable: a button over
// each day that holds events, which shows the events of that day when
// hovered or focused and opens the first when pressed. Days lie a pixel
// or two apart, so the pointer picks the mark nearest to it. The marks
// are one tab stop (a toolbar): the arrow keys, Home and End move
// between days.

import { formatLongDay } from '../time.js';
import { el } from './dom.js';

/** Names listed in one tip; the rest are counted. */
const TIP_NAMES = 4;

/**
 * Groups a summary's events by day, in order.
 * @param {{day: number, layer: string, id: string}[]} events
 * @returns {{day: number, events: {layer: string, id: string}[]}[]}
 */
export function eventDays(events) {
  const days = new Map();
  for (const e of events) {
    if (!days.has(e.day)) days.set(e.day, []);
    days.get(e.day).push(e);
  }
  return [...days.entries()].sort((a, b) => a[0] - b[0]).map(([day, evs]) => ({ day, events: evs }));
}

/**
 * EventMarks draws the marks over a Timeline's histogram.
 */
export class EventMarks {
  /**
   * @param {import('../timeline.js').Timeline} timeline
   * @param {{feature: (layer: string, id: string) => object|undefined, onChoose: (f: object, layer: string) => void, onDay: (day: number) => void}} opts
   */
  constructor(timeline, opts) {
    this.timeline = timeline;
    this.opts = opts;
    this.track = timeline.hist.parentElement;
    this.el = el('div', 'tl-event-marks');
    this.el.setAttribute('role', 'toolbar');
    this.el.setAttribute('aria-label', 'Events on the timeline');
    this.tip = el('div', 'tl-event-tip');
    this.tip.id = 'tl-event-tip';
    this.tip.setAttribute('role', 'tooltip');
    this.tip.hidden = true;
    this.track.append(this.el, this.tip);
    this.days = [];
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    this.el.addEventListener('focusout', (e) => { if (!this.el.contains(e.relatedTarget)) this.hideTip(); });
    this.el.addEventListener('mouseleave', () => { if (!this.el.contains(document.activeElement)) this.hideTip(); });
    this.el.addEventListener('mousemove', (e) => { const i = this.nearest(e.clientX); if (i >= 0) this.showTip(i); });
    this.el.addEventListener('click', (e) => {
      // A click on the strip, or a key press on a mark (detail 0).
      const i = e.detail === 0 ? this.days.findIndex((d) => String(d.day) === e.target.dataset?.day) : this.nearest(e.clientX);
      if (i >= 0) this.choose(i);
    });
    new ResizeObserver(() => this.place()).observe(this.track);
  }

  /** Draws a mark for each day with events in the timeline's summary. */
  draw() {
    const s = this.timeline.summary;
    this.days = s ? eventDays(s.events || []) : [];
    const focused = this.el.contains(document.activeElement) ? Number(document.activeElement.dataset.day) : NaN;
    this.el.replaceChildren(...this.days.map((d, i) => {
      const b = el('button', 'tl-event-mark');
      b.type = 'button';
      b.dataset.day = String(d.day);
      b.tabIndex = i === 0 ? 0 : -1;
      b.setAttribute('aria-label', this.label(d));
      b.addEventListener('focus', () => this.showTip(i));
      return b;
    }));
    this.place();
    const again = this.el.querySelector(`[data-day="${focused}"]`);
    if (again) { this.rove(again); again.focus(); }
  }

  /**
   * Returns the index of the visible mark nearest to the pointer at
   * clientX, within a few pixels, or -1.
   * @param {number} clientX
   */
  nearest(clientX) {
    let best = -1, dist = 8;
    [...this.el.children].forEach((b, i) => {
      if (b.hidden) return;
      const r = b.getBoundingClientRect(), d = Math.abs(r.left + r.width / 2 - clientX);
      if (d < dist) { best = i; dist = d; }
    });
    return best;
  }

  /** The names of a day's events, as far as they are loaded. */
  names(d) {
    return d.events.map((e) => this.opts.feature(e.layer, e.id)?.properties?.name).filter(Boolean);
  }

  label(d) {
    const names = this.names(d);
    const n = d.events.length;
    return `${formatLongDay(d.day)}: ${names.length ? names.join('; ') : `${n} event${n === 1 ? '' : 's'}`}`;
  }

  /** Places each mark over its day in the histogram, hiding those off it. */
  place() {
    // The histogram's x is the day less the first day shown (the
    // timeline's span, or the whole summary).
    const svg = this.timeline.hist, s = this.timeline.span ?? this.timeline.summary;
    const ctm = svg.getScreenCTM?.();
    if (!ctm || !s) return;
    const box = this.track.getBoundingClientRect();
    const pt = svg.createSVGPoint();
    this.el.querySelectorAll('.tl-event-mark').forEach((b) => {
      pt.x = Number(b.dataset.day) - s.min;
      pt.y = 0;
      const x = pt.matrixTransform(ctm).x - box.left;
      b.hidden = !(x >= 0 && x <= box.width);
      b.style.left = `${x}px`;
    });
  }

  showTip(i) {
    const d = this.days[i], b = this.el.children[i];
    if (!d || !b) return;
    const names = this.names(d);
    this.tip.replaceChildren(el('strong', '', formatLongDay(d.day)));
    const ul = el('ul');
    for (const n of names.slice(0, TIP_NAMES)) ul.append(el('li', '', n));
    const more = d.events.length - Math.min(names.length, TIP_NAMES);
    if (more > 0) ul.append(el('li', 'tl-event-more', names.length ? `and ${more} more` : `${more} event${more === 1 ? '' : 's'}`));
    this.tip.append(ul);
    this.tip.hidden = false;
    [...this.el.children].forEach((o, j) => o.classList.toggle('is-pointed', j === i));
    // The button's name holds the same text: the tip is for the eye.
    const w = this.track.clientWidth, tw = this.tip.offsetWidth;
    const x = parseFloat(b.style.left) || 0;
    this.tip.style.left = `${Math.max(0, Math.min(w - tw, x - tw / 2))}px`;
  }

  hideTip() {
    this.tip.hidden = true;
    for (const o of this.el.children) o.classList.remove('is-pointed');
  }

  /** Makes b the one mark in the tab order. */
  rove(b) {
    for (const o of this.el.children) o.tabIndex = o === b ? 0 : -1;
  }

  onKey(e) {
    const marks = [...this.el.children].filter((b) => !b.hidden);
    const i = marks.indexOf(document.activeElement);
    if (i < 0) return;
    const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: marks.length - 1 }[e.key];
    if (to === undefined) { if (e.key === 'Escape') this.hideTip(); return; }
    e.preventDefault();
    const b = marks[Math.max(0, Math.min(marks.length - 1, to))];
    this.rove(b);
    b.focus();
  }

  /** Opens the first event of day i, or shows the day. */
  choose(i) {
    const d = this.days[i];
    if (!d) return;
    this.rove(this.el.children[i]);
    const e = d.events[0], f = this.opts.feature(e.layer, e.id);
    if (f) this.opts.onChoose(f, e.layer);
    else this.opts.onDay(d.day);
  }
}
