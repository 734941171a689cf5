// keys.js maps key presses to presenter actions, and runs them in the
// presenter view. Presentation clickers send PageDown and PageUp (next,
// previous) and "." or B (blank screen).

/**
 * Returns the action a key press asks for, or "" for keys the presenter
 * leaves alone (any key with Ctrl, Alt or Meta, so browser shortcuts
 * such as Alt+Left keep working).
 * @param {{key: string, shiftKey?: boolean, ctrlKey?: boolean, altKey?: boolean, metaKey?: boolean}} e
 * @returns {string} next, prev, first, last, digit, enter, backspace,
 *   blank, fullscreen, overview, escape, speaker, play or ""
 */
export function keyAction(e) {
  if (e.ctrlKey || e.altKey || e.metaKey) return '';
  switch (e.key) {
    case 'ArrowRight': case 'ArrowDown': case 'PageDown': case 'n': case 'N':
      return 'next';
    case ' ': case 'Spacebar':
      return e.shiftKey ? 'prev' : 'next';
    case 'ArrowLeft': case 'ArrowUp': case 'PageUp': case 'p': case 'P':
      return 'prev';
    case 'Home': return 'first';
    case 'End': return 'last';
    case 'Enter': return 'enter';
    case 'Backspace': return 'backspace';
    case 'b': case 'B': case '.': return 'blank';
    case 'f': case 'F': return 'fullscreen';
    case 'o': case 'O': return 'overview';
    case 'Escape': case 'Esc': return 'escape';
    case 's': case 'S': return 'speaker';
    case 'a': case 'A': return 'play';
  }
  return /^[0-9]$/.test(e.key) ? 'digit' : '';
}

/**
 * PresenterKeys runs the presenter view's keys. They are caught on the
 * window before the map or a focused control can take them, except in
 * text fields. While the overview is open it takes the keys it knows;
 * while the screen is blank any key brings it back and does nothing
 * else; digits build a step number that Enter jumps to.
 */
export class PresenterKeys {
  /**
   * @param {object} p what the keys drive
   * @param {Record<string, () => void>} p.commands one per action of
   *   keyAction but digit, backspace and enter
   * @param {(n: number) => void} p.jump go to step number n (from 1), typed
   * @param {(d: string) => void} p.showDigits show the number being typed
   * @param {() => boolean} p.overviewOpen
   * @param {(key: string) => boolean} p.overviewKey runs a key in the
   *   overview, reporting whether it used it
   * @param {() => boolean} p.blank whether the screen is blank
   * @param {() => void} p.unblank
   */
  constructor(p) {
    this.p = p;
    this.digits = '';
    this.digitTimer = 0;
    this.listener = (e) => this.onKey(e);
    window.addEventListener('keydown', this.listener, { capture: true });
  }

  onKey(e) {
    const action = keyAction(e);
    if (!action) return;
    const t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (this.p.overviewOpen()) {
      if (!this.p.overviewKey(e.key)) return;
    } else if (this.p.blank()) {
      this.p.unblank();
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
      case 'digit': this.setDigits((this.digits + key).slice(-4)); break;
      case 'backspace': this.setDigits(this.digits.slice(0, -1)); break;
      case 'enter': {
        if (!this.digits) break;
        const n = Number(this.digits);
        this.setDigits('');
        this.p.jump(n);
        break;
      }
      default: this.p.commands[action]?.();
    }
  }

  setDigits(d) {
    this.digits = d;
    clearTimeout(this.digitTimer);
    this.p.showDigits(d);
    if (d) this.digitTimer = setTimeout(() => this.setDigits(''), 6000);
  }
}
