// asof.js is the "As known on" control beside the timeline's date: it
// sets the record time (asof) every layer, tile and count is read at,
// and a notice says plainly when the map shows a past state of
// knowledge, with a way back to now.

import { validAsOf } from './urlstate.js';

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = String(text);
  return e;
}

// toInput turns an asof value into the datetime-local input's UTC text.
function toInput(asof) {
  if (!asof) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(asof)) return `${asof}T23:59:59`;
  const d = new Date(asof);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 19);
}

/** AsOfControl is the record-time control and its notice. */
export class AsOfControl {
  /**
   * @param {object} opts
   * @param {HTMLElement} opts.notice where the "past state" notice goes
   * @param {string} opts.value the asof to start with ('' for now)
   * @param {(asof: string) => void} opts.onChange
   */
  constructor({ notice, value, onChange }) {
    this.value = value || '';
    this.onChange = onChange;
    this.notice = notice;
    this.el = el('div', 'asof');
    const label = el('label', 'tl-field asof-field');
    label.append(el('span', 'tl-field-name', 'As known on (UTC)'));
    this.input = el('input', 'asof-input');
    this.input.type = 'datetime-local';
    this.input.step = '1';
    this.input.title = 'Show the map as Strata recorded it at this instant; empty for now';
    label.append(this.input);
    this.now = el('button', 'asof-now', 'Now');
    this.now.type = 'button';
    this.now.title = 'Show the current state';
    this.el.append(label, this.now);
    const commit = () => {
      const v = this.input.value ? validAsOf(`${this.input.value.length === 16 ? this.input.value + ':00' : this.input.value}Z`) : '';
      this.set(v);
    };
    this.input.addEventListener('change', commit);
    this.input.addEventListener('keydown', (e) => { if (e.key === 'Enter') commit(); });
    this.now.addEventListener('click', () => this.set(''));
    this.show();
  }

  /**
   * Sets the record time shown ('' for now).
   * @param {string} asof
   */
  set(asof) {
    asof = validAsOf(asof || '');
    if (asof === this.value) { this.show(); return; }
    this.value = asof;
    this.show();
    this.onChange(asof);
  }

  show() {
    this.input.value = toInput(this.value);
    this.now.disabled = !this.value;
    const n = this.notice;
    n.replaceChildren();
    n.hidden = !this.value;
    this.el.classList.toggle('is-past', !!this.value);
    if (!this.value) return;
    const when = /^\d{4}-\d{2}-\d{2}$/.test(this.value) ? `the end of ${this.value} (UTC)` : new Date(this.value).toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
    n.append(el('span', '', `Showing the map as it was recorded at ${when}. Changes recorded later are not shown, and editing is off.`));
    const back = el('button', 'asof-back', 'Back to now');
    back.type = 'button';
    back.addEventListener('click', () => this.set(''));
    n.append(back);
  }
}
