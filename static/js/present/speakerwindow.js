// speakerwindow.js is the presenter's side of the speaker window: it
// opens the window (speaker.html, or the exported file itself with
// view=speaker), tells it the presenter's state, and passes on what the
// window asks for (see link.js for the messages).

import { formatPresentHash } from './hash.js';
import { Link } from './link.js';

/**
 * SpeakerWindow keeps a speaker window in step with the presenter.
 */
export class SpeakerWindow {
  /**
   * @param {string} briefing briefing id
   * @param {boolean} offline running from an exported file
   * @param {object} presenter what the window reads and drives
   * @param {() => {index: number, blank: boolean, playing: boolean}} presenter.state
   * @param {(i: number) => void} presenter.go
   * @param {() => void} presenter.toggleBlank
   * @param {() => void} presenter.togglePlay
   */
  constructor(briefing, offline, presenter) {
    this.briefing = briefing;
    this.offline = offline;
    this.presenter = presenter;
    this.win = null;
    this.link = new Link(briefing, (m) => this.onMessage(m), () => (this.win && !this.win.closed ? this.win : null));
    window.addEventListener('beforeunload', () => this.link.send({ type: 'bye' }));
  }

  /**
   * Opens the speaker window at step index, or focuses it.
   * @param {number} index
   * @returns {boolean} false when the browser blocked the window
   */
  open(index) {
    const hash = formatPresentHash({ briefing: this.briefing, index, view: this.offline ? 'speaker' : '' });
    // An exported file is its own speaker window; the server has a page.
    const url = this.offline ? location.href.split('#')[0] + hash : 'speaker.html' + hash;
    const w = window.open(url, `strata-speaker-${this.briefing}`, 'popup,width=1100,height=760');
    if (!w) return false;
    this.win = w;
    w.focus?.();
    return true;
  }

  onMessage(m) {
    const p = this.presenter;
    switch (m.type) {
      case 'hello': this.sendState(); break;
      case 'go': if (Number.isInteger(m.index)) p.go(m.index); break;
      case 'blank': p.toggleBlank(); break;
      case 'play': p.togglePlay(); break;
    }
  }

  /** Tells the speaker window the presenter's state. */
  sendState() {
    this.link.send({ type: 'state', ...this.presenter.state() });
  }
}
