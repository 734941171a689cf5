// stacks.js finds points drawn on the same spot (the CMCC and the events
// placed at it, the events placed at a town's centre) across the data
// layers of a map. The marker on top of a stack carries a badge with the
// count, and a click on any marker of a stack opens a chooser: a list of
// what is there, each opening its own details in the same popup, with a
// way back to the list. A point alone opens its details at once.

import { formatPrecision } from './popup.js';
import { firstValid } from './time.js';

/** Markers whose centres are at most this many pixels apart (half a marker) share a spot. */
export const STACK_PX = 10;

const registries = new WeakMap();

/**
 * The stack registry of a map, created the first time.
 * @param {L.Map} map
 * @returns {Stacks}
 */
export function stacksFor(map) {
  let s = registries.get(map);
  if (!s) {
    s = new Stacks(map);
    registries.set(map, s);
  }
  return s;
}

/**
 * Groups points that share a spot: each point goes to the first group
 * whose first point is within px of it.
 * @param {{x: number, y: number}[]} pts
 * @param {number} [px]
 * @returns {number[][]} indexes into pts, by group
 */
export function groupClose(pts, px = STACK_PX) {
  const groups = [];
  const cells = new Map();
  const key = (x, y) => `${x},${y}`;
  pts.forEach((p, i) => {
    const cx = Math.floor(p.x / px), cy = Math.floor(p.y / px);
    let g = null;
    for (let dx = -1; dx <= 1 && !g; dx++) {
      for (let dy = -1; dy <= 1 && !g; dy++) {
        for (const gi of cells.get(key(cx + dx, cy + dy)) || []) {
          const q = pts[groups[gi][0]];
          if (Math.hypot(q.x - p.x, q.y - p.y) <= px) { g = gi; break; }
        }
      }
    }
    if (g === null) {
      groups.push([i]);
      const k = key(cx, cy);
      if (!cells.has(k)) cells.set(k, []);
      cells.get(k).push(groups.length - 1);
    } else groups[g].push(i);
  });
  return groups;
}

/**
 * Stacks keeps the point markers each layer draws and groups them.
 */
export class Stacks {
  /** @param {L.Map} map */
  constructor(map) {
    this.map = map;
    this.layers = new Map();
    this.groupOf = new Map();
    this.chosen = null;
    this.direct = null;
    this.frame = 0;
    map.on('zoomend viewreset', () => this.schedule());
    map.on('popupclose', () => { this.chosen = null; });
  }

  /**
   * Sets the point markers a layer draws.
   * @param {string} id layer id
   * @param {{marker: L.Marker, feature: object, col: object, details: () => HTMLElement, top: boolean}[]} entries
   *   top: emphasised, drawn above the rest of its stack
   */
  set(id, entries) {
    this.layers.set(id, entries);
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.regroup(); });
  }

  /** Groups the markers on the map now and badges each stack's top marker. */
  regroup() {
    const all = [];
    let order = 0;
    for (const entries of this.layers.values()) for (const e of entries) { e.order = order++; if (this.map.hasLayer(e.marker)) all.push(e); }
    this.groupOf.clear();
    const pts = all.map((e) => this.map.latLngToLayerPoint(e.marker.getLatLng()));
    for (const idx of groupClose(pts)) {
      const group = idx.map((i) => all[i]);
      // The emphasised first, then the layers' own order (places before events).
      group.sort((a, b) => (b.top - a.top) || a.order - b.order);
      group.forEach((e, k) => {
        this.groupOf.set(e.marker, group);
        e.marker.setZIndexOffset(e.top ? 2000 : k === 0 && group.length > 1 ? 1000 : 0);
        this.badge(e.marker, k === 0 && group.length > 1 ? group.length : 0);
      });
    }
    this.onRegroup?.();
  }

  /**
   * Where the markers that carry a count are.
   * @returns {{lat: number, lng: number}[]}
   */
  badged() {
    const out = [];
    for (const [marker, group] of this.groupOf) if (group.length > 1 && group[0].marker === marker) out.push(marker.getLatLng());
    return out;
  }

  /** Shows a count on a marker's icon (0 removes it) and says it in its name. */
  badge(marker, n) {
    const el = marker.getElement();
    if (!el) return;
    let b = el.querySelector('.strata-stack-badge');
    if (!n) { b?.remove(); el.removeAttribute('data-stack'); return; }
    if (!b) {
      b = document.createElement('span');
      b.className = 'strata-stack-badge';
      b.setAttribute('aria-hidden', 'true');
      el.append(b);
    }
    b.textContent = String(n);
    el.dataset.stack = String(n);
    const name = el.getAttribute('alt') || el.title || '';
    el.setAttribute('aria-label', `${name}: ${n} features here, opens a list`);
  }

  /**
   * The popup content for a marker: the chosen feature's details, the
   * chooser when the marker is in a stack, else null (its own details).
   * @param {L.Marker} marker
   * @returns {HTMLElement|null}
   */
  content(marker) {
    if (this.direct === marker) return null;
    const group = this.groupOf.get(marker);
    if (this.chosen && group?.includes(this.chosen.entry)) return this.chosen.el;
    if (!group || group.length < 2) return null;
    return this.chooser(marker, group);
  }

  chooser(marker, group) {
    const box = document.createElement('div');
    box.className = 'stack-chooser';
    const h = document.createElement('h2');
    h.className = 'fp-name';
    h.textContent = `${group.length} features here`;
    const hint = document.createElement('p');
    hint.className = 'fp-kind';
    hint.textContent = 'They share this position on the map. Choose one:';
    const ul = document.createElement('ul');
    ul.className = 'stack-list';
    for (const e of group) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'stack-item';
      b.dataset.featureRef = `${e.col.id}/${e.feature.id}`;
      const p = e.feature.properties || {};
      const name = document.createElement('span');
      name.className = 'stack-item-name';
      name.textContent = String(p.name ?? e.feature.id);
      const meta = document.createElement('span');
      meta.className = 'stack-item-meta';
      meta.textContent = [e.col.title || e.col.id, firstValid(p.valid_from), Number(p.precision_m) > 0 ? formatPrecision(Number(p.precision_m)) : ''].filter(Boolean).join(' · ');
      b.append(name, meta);
      // After the click is over: the map would take a click whose target
      // has left the popup for a click on the map, and close it.
      b.addEventListener('click', () => setTimeout(() => this.choose(marker, e, group.length)));
      li.append(b);
      ul.append(li);
    }
    box.append(h, hint, ul);
    return box;
  }

  /** Shows one feature of a stack in the marker's popup, with a way back. */
  choose(marker, entry, n) {
    const el = document.createElement('div');
    el.className = 'stack-chosen';
    const back = document.createElement('button');
    back.type = 'button';
    back.className = 'stack-back';
    back.textContent = `← All ${n} here`;
    back.addEventListener('click', () => setTimeout(() => {
      this.chosen = null;
      marker.getPopup()?.update();
      marker.getPopup()?.getElement()?.querySelector('.stack-item')?.focus();
    }));
    el.append(back, entry.details());
    this.chosen = { entry, el };
    marker.getPopup()?.update();
    this.reveal(marker);
    back.focus({ preventScroll: true });
  }

  /** Pans the map so that the top of a marker's grown popup shows. */
  reveal(marker) {
    const p = marker.getPopup()?.getElement();
    if (!p) return;
    const top = p.getBoundingClientRect().top - this.map.getContainer().getBoundingClientRect().top;
    if (top < 8) this.map.panBy([0, top - 8], { animate: false });
  }
}
