// live.js follows the server's change feed (/changes/stream, server-sent
// events): each committed changeset is handed to onChange. The browser's
// EventSource reconnects by itself after a dropped connection, sending
// the last event's id so that nothing is missed; when it gives up (the
// server answered with an error, as while it restarts behind a proxy)
// the feed opens a new one after a growing pause.

/** ChangeFeed is a subscription to the change feed. */
export class ChangeFeed {
  /**
   * @param {(ev: {id: number, collections: string[], bbox: number[]|null}) => void} onChange
   * @param {(connected: boolean, again: boolean) => void} [onState]
   *   again: connected after having been connected before
   */
  constructor(onChange, onState) {
    this.onChange = onChange;
    this.onState = onState || (() => {});
    this.connected = false;
    this.lastId = '';
    this.wait = 1000;
    this.open();
  }

  open() {
    // A new EventSource cannot send Last-Event-ID: a reopened feed
    // starts from now, and onState(true, true) tells the owner to
    // refresh everything, as changes may have been missed meanwhile.
    this.es = new EventSource('changes/stream');
    this.es.addEventListener('open', () => {
      const again = this.everConnected;
      this.connected = this.everConnected = true;
      this.wait = 1000;
      this.onState(true, again);
    });
    this.es.addEventListener('changeset', (e) => {
      this.lastId = e.lastEventId || this.lastId;
      let d;
      try { d = JSON.parse(e.data); } catch { return; }
      this.onChange({ id: Number(d.id), collections: Array.isArray(d.collections) ? d.collections.map(String) : [], bbox: Array.isArray(d.bbox) ? d.bbox : null });
    });
    this.es.addEventListener('error', () => {
      if (this.connected) { this.connected = false; this.onState(false, false); }
      if (this.es.readyState !== EventSource.CLOSED) return; // the browser retries
      this.es.close();
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.open(), this.wait);
      this.wait = Math.min(this.wait * 2, 15000);
    });
  }

  /** Stops following the feed. */
  close() {
    clearTimeout(this.timer);
    this.es?.close();
  }
}
