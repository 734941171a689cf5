// stepmap.js is the presenter's map: the offline basemap and one
// DataLayer per collection the briefing uses, each loaded from the items
// endpoint with the step's date as datetime, so the server decides what
// the map shows. A step flies the map to its view (or jumps there for
// reduced motion) and shows its layers with its features highlighted.

import * as L from '../../vendor/leaflet/leaflet-src.esm.js';
import { offlineBasemap } from '../basemap.js';
import { DataLayer, createPanes, APPROXIMATE_AT } from '../layers.js';
import { featureDetails } from '../popup.js';
import { viewBounds } from './data.js';
import { CreditsToggle } from '../credits.js';

/** Whether the user asked for reduced motion. */
export const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * StepMap shows a briefing's steps on a Leaflet map.
 */
export class StepMap {
  /**
   * Creates the map and the layers; call once the element is in the page.
   * @param {HTMLElement} el the map's element
   * @param {object[]} cols the collections the briefing uses
   * @param {object} first the first step, whose view the map starts at
   * @param {object} on callbacks
   * @param {() => void} on.layerState a layer started or ended loading, or failed
   * @param {() => void} on.basemapError the basemap could not be loaded
   */
  constructor(el, cols, first, on) {
    this.on = on;
    this.moving = false;
    this.date = undefined;
    const motion = !reducedMotion();
    const map = L.map(el, {
      zoomControl: false,
      keyboard: false,
      zoomAnimation: motion,
      fadeAnimation: motion,
      markerZoomAnimation: motion,
      inertia: motion,
      minZoom: 2,
      maxZoom: 17,
    });
    this.map = map;
    map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
    L.control.zoom({ position: 'bottomright' }).addTo(map);
    L.control.scale({ imperial: false, maxWidth: 140, position: 'bottomright' }).addTo(map);
    new CreditsToggle().addTo(map);
    createPanes(map);
    const b = viewBounds(first.view);
    if (b) map.fitBounds(b, { animate: false });
    else map.setView([first.view.center[1], first.view.center[0]], first.view.zoom);
    const basemap = offlineBasemap(map).addTo(map);
    basemap.on('error', () => on.basemapError());
    this.layers = new Map();
    for (const col of cols) {
      const layer = new DataLayer(map, col, {
        onState: () => on.layerState(),
        details: (f, c) => featureDetails(f, c, { approximateAt: APPROXIMATE_AT, goTo: () => {} }),
      });
      this.layers.set(String(col.id), layer);
    }
    map.on('moveend', () => {
      if (this.moving) return;
      // The presenter panned or zoomed: load what came into view.
      if (this.fetched && !this.fetched.contains(map.getBounds())) this.load(map.getBounds().pad(0.5));
    });
  }

  /**
   * Shows a step's layers, the others hidden, with its features
   * highlighted.
   * @param {{layers: string[], highlight?: string[]}} s the step
   */
  showLayers(s) {
    const on = new Set(s.layers);
    const hl = new Map();
    for (const h of s.highlight || []) {
      const [l, f] = [h.slice(0, h.indexOf('/')), h.slice(h.indexOf('/') + 1)];
      if (!hl.has(l)) hl.set(l, []);
      hl.get(l).push(f);
    }
    for (const [id, l] of this.layers) {
      if (l.visible !== on.has(id)) l.setVisible(on.has(id));
      l.highlight(hl.get(id) || []);
    }
  }

  /**
   * The bounds a step's view shows on this map.
   * @param {{view: object}} s the step
   * @returns {L.LatLngBounds}
   */
  targetBounds(s) {
    const b = viewBounds(s.view);
    if (b) return b;
    const z = s.view.zoom, size = this.map.getSize();
    const c = this.map.project([s.view.center[1], s.view.center[0]], z);
    return L.latLngBounds(this.map.unproject(c.subtract(size.divideBy(2)), z), this.map.unproject(c.add(size.divideBy(2)), z));
  }

  /**
   * The centre and zoom a step's view has on this map.
   * @param {{view: object}} s the step
   * @returns {{lat: number, lon: number, zoom: number}}
   */
  viewOf(s) {
    const c = this.targetBounds(s).getCenter();
    const zoom = s.view.zoom ?? this.map.getBoundsZoom(viewBounds(s.view));
    return { zoom, lat: c.lat, lon: c.lng };
  }

  /**
   * Moves the map to a step's view: a flight, or a jump for reduced
   * motion. The map counts as moving until it is there.
   * @param {{view: object}} s the step
   * @param {{topLeft: L.Point, bottomRight: L.Point}} pad space the page
   *   keeps over the map
   */
  fly(s, pad) {
    const map = this.map;
    const animate = !reducedMotion();
    // stop() ends a flight still under way, firing its moveend first.
    map.stop();
    if (this.moveDone) map.off('moveend', this.moveDone);
    clearTimeout(this.moveTimer);
    this.moving = true;
    this.moveDone = () => { this.moving = false; map.off('moveend', this.moveDone); clearTimeout(this.moveTimer); this.on.layerState(); };
    map.on('moveend', this.moveDone);
    this.moveTimer = setTimeout(this.moveDone, 4000);
    const b = viewBounds(s.view);
    if (b) {
      const opts = { paddingTopLeft: pad.topLeft, paddingBottomRight: pad.bottomRight };
      if (animate) map.flyToBounds(b, { ...opts, duration: 1.4 });
      else map.fitBounds(b, { ...opts, animate: false });
      return;
    }
    // Centre the view in the map area the panel leaves free.
    const z = s.view.zoom;
    const off = pad.topLeft.subtract(pad.bottomRight).divideBy(2);
    const c = map.unproject(map.project([s.view.center[1], s.view.center[0]], z).subtract(off), z);
    if (animate) map.flyTo(c, z, { duration: 1.4 });
    else map.setView(c, z, { animate: false });
  }

  /**
   * Loads the shown layers within bounds, at a date (by default the last
   * one asked for).
   * @param {L.LatLngBounds} bounds
   * @param {string} [date] the step's date
   */
  load(bounds, date = this.date) {
    this.fetched = bounds;
    this.date = date;
    const bbox = [Math.max(-180, bounds.getWest()), Math.max(-90, bounds.getSouth()), Math.min(180, bounds.getEast()), Math.min(90, bounds.getNorth())];
    for (const l of this.layers.values()) {
      if (l.visible) l.update({ datetime: date, bbox, fade: null });
    }
  }

  /** Whether the map is still moving or loading. */
  busy() {
    if (this.moving) return true;
    for (const l of this.layers.values()) if (l.visible && (l.state.loading || !l.key)) return true;
    return false;
  }
}
