// panel.js is the side panel the history and changesets open in: a
// non-modal dialog beside the map, so the map stays in view and usable.
// One is open at a time; Escape or its Close button closes it and gives
// focus back.

import { el, button, uid } from './dom.js';

let current = null;

/**
 * Opens the side panel with a heading, closing one already open.
 * @param {string} title
 * @param {string} cls
 * @returns {{body: HTMLElement, close: () => void, onClose: (f: () => void) => void}}
 */
export function openPanel(title, cls) {
  const before = current?.before ?? document.activeElement;
  current?.close(false);
  const panel = el('dialog', `side-panel ${cls}`);
  const h = el('h2', 'side-panel-title', title);
  h.id = uid('panel');
  h.tabIndex = -1;
  panel.setAttribute('aria-labelledby', h.id);
  const body = el('div', 'side-panel-body');
  const closers = [];
  const me = {
    before,
    body,
    close(restore = true) {
      if (current !== me) return;
      current = null;
      panel.close();
      panel.remove();
      for (const f of closers) f();
      if (restore && before instanceof HTMLElement && before.isConnected) before.focus();
    },
    onClose(f) { closers.push(f); },
  };
  const x = button('Close', 'side-panel-close', () => me.close());
  panel.append(h, x, body);
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); me.close(); } });
  (document.getElementById('app') || document.body).append(panel);
  // Over the map's top left corner, whatever the header's height.
  const map = document.getElementById('map');
  if (map) panel.style.top = `${map.offsetTop + 10}px`;
  panel.show();
  current = me;
  h.focus();
  return me;
}
