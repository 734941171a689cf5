// link.js keeps the presenter view and the speaker window in step. On a
// real origin they talk over a BroadcastChannel named after the briefing,
// so a speaker window opened by URL joins too. A page opened from a file
// has an opaque origin ("null"), where a BroadcastChannel reaches no one:
// there the two windows post messages to each other directly (the
// presenter to the window it opened, the speaker to its opener).
//
// Messages are plain objects:
//   {type: "state", index, blank, playing}   presenter -> speaker
//   {type: "hello"}                          speaker -> presenter: send your state
//   {type: "go", index}                      speaker -> presenter
//   {type: "blank"} / {type: "play"}         speaker -> presenter: toggle
//   {type: "bye"}                            either side is closing

const NS = 'strata-present';

export class Link {
  /**
   * @param {string} briefing briefing id; only messages about it are heard
   * @param {(msg: object) => void} onMessage
   * @param {() => (Window|null)} peer the other window, for postMessage
   */
  constructor(briefing, onMessage, peer) {
    this.briefing = briefing;
    this.peer = peer;
    this.channel = null;
    const accept = (d) => {
      if (d && d.ns === NS && d.briefing === briefing && typeof d.type === 'string') onMessage(d);
    };
    if (location.origin !== 'null' && typeof BroadcastChannel === 'function') {
      this.channel = new BroadcastChannel(`${NS}/${briefing}`);
      this.channel.onmessage = (e) => accept(e.data);
    }
    window.addEventListener('message', (e) => {
      const p = this.peer();
      if (p && e.source === p) accept(e.data);
    });
  }

  /**
   * Sends a message to the other window(s).
   * @param {object} msg
   */
  send(msg) {
    const d = { ...msg, ns: NS, briefing: this.briefing };
    if (this.channel) {
      this.channel.postMessage(d);
      return;
    }
    const p = this.peer();
    // The data is step numbers only; an opaque origin cannot be named.
    if (p && !p.closed) p.postMessage(d, '*');
  }
}
