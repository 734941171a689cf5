// speaker.js is the speaker window: the current and the next step, the
// speaker's notes, the sources, a clock and an elapsed timer. It follows
// the presenter view and drives it: its keys and buttons ask the
// presenter to move, and the presenter's state is what it shows.

import { el, paragraphs, sourceList, describeDate } from './text.js';
import { parsePresentHash, formatPresentHash, stepIndex } from './hash.js';
import { keyAction } from './keys.js';
import { Link } from './link.js';
import { fetchBriefing } from './data.js';

function pad2(n) {
  return String(n).padStart(2, '0');
}

/**
 * Formats a duration as H:MM:SS or MM:SS.
 * @param {number} ms
 * @returns {string}
 */
function formatElapsed(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad2(m)}:${pad2(s % 60)}` : `${pad2(m)}:${pad2(s % 60)}`;
}

function button(cls, text, title) {
  const b = el('button', `sp-btn ${cls}`, text);
  b.type = 'button';
  if (title) b.title = title;
  return b;
}

/**
 * Speaker shows one briefing's notes, in step with the presenter view.
 */
export class Speaker {
  /**
   * @param {HTMLElement} root
   * @param {object} briefing
   * @param {number} index the step to show until the presenter answers
   * @param {{offline: boolean}} opts
   */
  constructor(root, briefing, index, opts) {
    this.root = root;
    this.briefing = briefing;
    this.steps = briefing.steps;
    this.opts = opts;
    this.index = -1;
    this.connected = false;
    this.started = Date.now();
    this.build();
    this.link = new Link(briefing.id, (m) => this.onMessage(m), () => window.opener || null);
    window.addEventListener('keydown', (e) => this.onKey(e), { capture: true });
    this.show(index);
    this.tick();
    setInterval(() => this.tick(), 1000);
    this.link.send({ type: 'hello' });
  }

  build() {
    const r = this.root;
    r.replaceChildren();
    r.classList.add('speaker');
    const top = el('header', 'sp-top');
    const title = el('p', 'sp-briefing', this.briefing.title);
    this.status = el('p', 'sp-status', 'Waiting for the presenter view…');
    this.status.setAttribute('role', 'status');
    const clocks = el('div', 'sp-clocks');
    const clock = el('div', 'sp-clock-box');
    this.clock = el('time', 'sp-clock');
    clock.append(el('span', 'sp-label', 'Time'), this.clock);
    const elapsed = el('div', 'sp-clock-box');
    this.elapsed = el('span', 'sp-elapsed');
    const reset = button('sp-reset', 'Reset', 'Restart the elapsed timer');
    reset.addEventListener('click', () => { this.started = Date.now(); this.tick(); });
    elapsed.append(el('span', 'sp-label', 'Elapsed'), this.elapsed, reset);
    clocks.append(clock, elapsed);
    top.append(title, this.status, clocks);

    const now = el('section', 'sp-now');
    now.setAttribute('aria-label', 'Current step');
    this.counter = el('p', 'sp-counter');
    this.nowDate = el('p', 'sp-date');
    this.nowTitle = el('h1', 'sp-title');
    const notesBox = el('section', 'sp-notes');
    notesBox.append(el('h2', 'sp-h', 'Notes'));
    this.notes = el('div', 'sp-notes-text');
    notesBox.append(this.notes);
    const capBox = el('section', 'sp-caption');
    capBox.append(el('h2', 'sp-h', 'Caption (on screen)'));
    this.caption = el('div', 'sp-caption-text');
    capBox.append(this.caption);
    this.sources = el('section', 'sp-sources');
    now.append(this.counter, this.nowDate, this.nowTitle, notesBox, capBox, this.sources);

    const next = el('aside', 'sp-next');
    next.setAttribute('aria-label', 'Next step');
    next.append(el('h2', 'sp-h', 'Next'));
    this.nextBox = el('div', 'sp-next-body');
    next.append(this.nextBox);

    const controls = el('nav', 'sp-controls');
    controls.setAttribute('aria-label', 'Presenter controls');
    const prev = button('sp-prev', '◀ Previous', 'Previous step (←, PageUp, P)');
    const nextBtn = button('sp-next-btn', 'Next ▶', 'Next step (→, Space, PageDown, N)');
    prev.addEventListener('click', () => this.go(this.index - 1));
    nextBtn.addEventListener('click', () => this.go(this.index + 1));
    this.blankBtn = button('sp-blank', 'Blank screen', 'Blank the presenter\'s screen (B)');
    this.blankBtn.setAttribute('aria-pressed', 'false');
    this.blankBtn.addEventListener('click', () => this.link.send({ type: 'blank' }));
    this.playBtn = button('sp-play', 'Autoplay', 'Autoplay (A)');
    this.playBtn.setAttribute('aria-pressed', 'false');
    this.playBtn.addEventListener('click', () => this.link.send({ type: 'play' }));
    controls.append(prev, nextBtn, this.blankBtn, this.playBtn);
    next.append(controls);

    const main = el('main', 'sp-main');
    main.append(now, next);
    r.append(top, main);
  }

  tick() {
    const d = new Date();
    this.clock.textContent = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
    this.clock.dateTime = d.toISOString();
    this.elapsed.textContent = formatElapsed(Date.now() - this.started);
  }

  /**
   * Asks the presenter for a step and shows it.
   * @param {number} i
   */
  go(i) {
    i = Math.max(0, Math.min(this.steps.length - 1, i));
    this.show(i);
    this.link.send({ type: 'go', index: i });
  }

  show(i) {
    if (i === this.index) return;
    this.index = i;
    const s = this.steps[i], n = this.steps.length;
    this.root.dataset.step = String(i + 1);
    document.title = `Speaker: ${i + 1}/${n} ${s.title}`;
    history.replaceState(null, '', formatPresentHash({ briefing: this.briefing.id, index: i, view: this.opts.offline ? 'speaker' : '' }));
    this.counter.textContent = `Step ${i + 1} of ${n}`;
    this.nowDate.textContent = describeDate(s.date);
    this.nowTitle.textContent = s.title;
    this.notes.replaceChildren(s.notes ? paragraphs(s.notes, 'sp-para') : el('p', 'sp-none', 'No notes for this step.'));
    this.caption.replaceChildren(paragraphs(s.caption, 'sp-para'));
    this.sources.replaceChildren(el('h2', 'sp-h', 'Sources'), sourceList(s.sources));
    this.nextBox.replaceChildren();
    const nx = this.steps[i + 1];
    if (nx) {
      this.nextBox.append(el('p', 'sp-next-counter', `Step ${i + 2} · ${describeDate(nx.date)}`), el('p', 'sp-next-title', nx.title));
      this.nextBox.append(paragraphs(nx.caption, 'sp-next-para'));
    } else {
      this.nextBox.append(el('p', 'sp-next-title', 'End of the briefing.'));
    }
  }

  onKey(e) {
    const action = keyAction(e);
    if (!action) return;
    switch (action) {
      case 'next': this.go(this.index + 1); break;
      case 'prev': this.go(this.index - 1); break;
      case 'first': this.go(0); break;
      case 'last': this.go(this.steps.length - 1); break;
      case 'blank': this.link.send({ type: 'blank' }); break;
      case 'play': this.link.send({ type: 'play' }); break;
      default: return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
  }

  onMessage(m) {
    if (m.type === 'bye') {
      this.connected = false;
      this.status.textContent = 'The presenter view was closed or reloaded.';
      this.root.dataset.connected = 'false';
      return;
    }
    if (m.type !== 'state') return;
    if (!this.connected) {
      this.connected = true;
      this.root.dataset.connected = 'true';
    }
    this.status.textContent = 'Following the presenter view' + (m.blank ? ' · screen blanked' : '') + (m.playing ? ' · autoplay on' : '');
    this.blankBtn.setAttribute('aria-pressed', String(!!m.blank));
    this.playBtn.setAttribute('aria-pressed', String(!!m.playing));
    if (Number.isInteger(m.index) && m.index >= 0 && m.index < this.steps.length) this.show(m.index);
  }
}

/**
 * Starts the speaker window for the briefing the URL names.
 * @param {HTMLElement} root
 * @param {{offline: boolean, briefingId?: string}} opts
 * @returns {Promise<Speaker>}
 */
export async function startSpeaker(root, opts) {
  const h = parsePresentHash(location.hash);
  const id = h.briefing || opts.briefingId;
  if (!id) throw new Error('NO_BRIEFING');
  const briefing = await fetchBriefing(id);
  const i = stepIndex(briefing.steps, h.step);
  return new Speaker(root, briefing, i < 0 ? 0 : i, opts);
}
