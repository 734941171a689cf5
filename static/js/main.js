// main.js wires Strata's explore map: it reads the URL, loads the
// collections, builds the map, layer control, timeline and layers, and
// keeps them and the URL in step. It exposes window.strata for tests and
// for the presenter mode built on the same modules.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { FullScreen } from '../vendor/leaflet.fullscreen/Control.FullScreen.js';
import { fetchCollections, fetchAllItems, fetchHistogram, fetchFeature } from './api.js';
import { offlineBasemap, onlineBasemap } from './basemap.js';
import { DataLayer, createPanes, APPROXIMATE_AT, isTiled } from './layers.js';
import { LayerControl } from './layercontrol.js';
import { featureDetails } from './popup.js';
import { summarise, isEventLayer } from './histogram.js';
import { Timeline } from './timeline.js';
import { parseHash, writeHash } from './urlstate.js';
import { colorOf } from './style.js';
import { datetimeParam, startDay, endDay } from './time.js';
import { AsOfControl } from './asof.js';
import { ChangeFeed } from './live.js';
import { Editor } from './edit/editor.js';
import { CreditsToggle } from './credits.js';
import { installFind } from './find/index.js';

/** Days an event stays on the map after its date in instant mode. */
const EVENT_WINDOW = 14;

const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
const banner = document.getElementById('banner');

/**
 * Shows a message above the map, or hides it when text is empty.
 * @param {string} text
 * @param {(() => void)} [retry] adds a Retry button
 */
function showBanner(text, retry) {
  banner.replaceChildren();
  banner.hidden = !text;
  if (!text) return;
  const p = document.createElement('span');
  p.textContent = text;
  banner.append(p);
  if (retry) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = 'Retry';
    b.addEventListener('click', retry);
    banner.append(b);
  }
}

async function loadCollections() {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchCollections();
    } catch (err) {
      const wait = Math.min(30, 2 ** attempt);
      showBanner(`${err.message} Trying again in ${wait} s.`);
      await new Promise((r) => setTimeout(r, wait * 1000));
    }
  }
}

function unionBounds(cols) {
  let b = null;
  for (const c of cols) {
    const bb = c.extent?.spatial?.bbox?.[0];
    if (!Array.isArray(bb) || bb.length < 4 || !bb.every(Number.isFinite)) continue;
    const lb = L.latLngBounds([bb[1], bb[0]], [bb[3], bb[2]]);
    b = b ? b.extend(lb) : lb;
  }
  return b;
}

// temporalExtent is the first and last day of the collections' temporal
// extents (NaN where no collection states a bound): the slider's range.
function temporalExtent(cols) {
  const starts = [], ends = [];
  for (const c of cols) {
    for (const iv of c.extent?.temporal?.interval || []) {
      if (!Array.isArray(iv)) continue;
      const s = startDay(iv[0]), e = endDay(iv[1]);
      if (Number.isFinite(s)) starts.push(s);
      if (Number.isFinite(s)) ends.push(s);
      if (Number.isFinite(e)) ends.push(e - 1);
    }
  }
  return [starts.length ? Math.min(...starts) : NaN, ends.length ? Math.max(...ends) : NaN];
}

const editStatus = document.getElementById('edit-status');
let statusTimer = 0;

/**
 * Shows a quiet notice in the header for a while (screen readers read
 * it politely).
 * @param {string} text
 */
function notify(text) {
  editStatus.textContent = text;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { editStatus.textContent = ''; }, 8000);
}

async function main() {
  const initial = parseHash(location.hash);
  // Record time shown ("as known on"): '' for the current state.
  let asof = initial.asof || '';
  const map = L.map('map', {
    zoomAnimation: !reducedMotion,
    fadeAnimation: !reducedMotion,
    markerZoomAnimation: !reducedMotion,
    inertia: !reducedMotion,
    minZoom: 2,
    maxZoom: 17,
    worldCopyJump: false,
  });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
  // Layer credits are long; they are listed in the layer panel.
  map.attributionControl.addAttribution('Layer data: see credits in the Layers panel');
  createPanes(map);
  if (initial.map) map.setView([initial.map.lat, initial.map.lon], initial.map.zoom);
  else map.setView([31.4, 34.4], 9);
  // The map's box changes after Leaflet first measured it (the timeline
  // and the header fill in later, the edit bar and notices come and go):
  // Leaflet, which follows only the window's size, is told whenever it
  // changes, and keeps its centre.
  const box = map.getContainer();
  let size = [box.clientWidth, box.clientHeight];
  const remeasure = () => {
    if (box.clientWidth === size[0] && box.clientHeight === size[1]) return;
    size = [box.clientWidth, box.clientHeight];
    // The very centre stays: invalidateSize pans by whole pixels, and a
    // view set again without reset too.
    const c = map.getCenter();
    map.invalidateSize({ pan: false });
    map.setView(c, map.getZoom(), { reset: true });
  };
  new ResizeObserver(remeasure).observe(box);

  const offline = offlineBasemap(map).addTo(map);
  offline.on('error', () => showBanner('The offline basemap could not be loaded.'));
  const online = onlineBasemap();
  if (online?.on) online.layer.addTo(map);
  L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map);
  new CreditsToggle().addTo(map);
  const app = document.getElementById('app');
  new FullScreen({ position: 'topleft', title: 'Full screen', titleCancel: 'Exit full screen', fullscreenElement: app }).addTo(map);

  const cols = await loadCollections();
  showBanner('');
  const visible = new Set(initial.layers ? initial.layers.filter((id) => cols.some((c) => String(c.id) === id)) : cols.map((c) => String(c.id)));
  const layers = new Map();
  let control;
  let unreachable = false;
  const refreshBanner = () => {
    const down = [...layers.values()].some((l) => l.visible && l.state.error);
    if (down && !unreachable) showBanner('Some layers could not be loaded from the map server.', () => { for (const l of layers.values()) l.key = ''; schedule(); });
    if (!down) showBanner('');
  };
  const timeline = new Timeline(document.getElementById('timeline'), {
    onChange: () => schedule(),
    eventColor: undefined,
  });
  const goTo = (day) => {
    const v = timeline.value;
    timeline.set(v.range ? { from: day, to: day + (v.to - v.from), range: true } : { from: day, to: day, range: false });
  };
  let editor = null;
  for (const col of cols) {
    const layer = new DataLayer(map, col, {
      onState: (id, s) => { control?.setStatus(id, s, layers.get(id)?.visible ?? false); refreshBanner(); },
      details: (f, c) => {
        const box = featureDetails(f, c, { approximateAt: APPROXIMATE_AT, goTo });
        if (editor) box.append(editor.popupActions(f, c));
        return box;
      },
    });
    layers.set(String(col.id), layer);
  }

  const setLayer = (id, on) => {
    const l = layers.get(id);
    if (!l) return;
    on ? visible.add(id) : visible.delete(id);
    l.setVisible(on);
    control.setChecked(id, on);
    control.setStatus(id, l.state, on);
    schedule();
  };
  const basemaps = [{ id: 'offline', label: 'Offline basemap (land, borders, places)', checked: true, onToggle: (on) => (on ? offline.addTo(map) : offline.remove()) }];
  if (online) basemaps.push({ id: 'online', label: 'Online map (OpenStreetMap tiles)', checked: online.on, status: online.status, onToggle: (on) => (on ? online.layer.addTo(map) : online.layer.remove()) });
  control = new LayerControl({ collections: cols, onToggle: setLayer, basemaps, approximateAt: APPROXIMATE_AT, eventWindow: EVENT_WINDOW }).addTo(map);

  remeasure();
  if (!initial.map) {
    // Lines and areas frame the subject better than far-away points.
    const b = unionBounds(cols.filter((c) => c.geometry_kind === 'line' || c.geometry_kind === 'polygon')) || unionBounds(cols);
    if (b) map.fitBounds(b.pad(0.3), { maxZoom: 10, animate: false });
  }

  // Updates are batched: one per frame, whatever changed.
  let pending = false, ready = false;
  let fetched = null;
  function schedule() {
    if (pending || !ready) return;
    pending = true;
    requestAnimationFrame(update);
  }
  function update() {
    pending = false;
    const v = timeline.value;
    if (!Number.isFinite(v.from)) return;
    const view = map.getBounds();
    if (!fetched || !fetched.contains(view)) fetched = view.pad(0.5);
    const bbox = [Math.max(-180, fetched.getWest()), Math.max(-90, fetched.getSouth()), Math.min(180, fetched.getEast()), Math.min(90, fetched.getNorth())];
    for (const [id, l] of layers) {
      if (!visible.has(id)) continue;
      if (!l.visible) l.setVisible(true);
      const ev = l.events && !v.range;
      l.update({
        datetime: ev ? datetimeParam(v.from - EVENT_WINDOW + 1, v.from) : datetimeParam(v.from, v.range ? v.to : undefined),
        bbox,
        fade: ev ? { day: v.from, window: EVENT_WINDOW } : null,
        asof: asof || undefined,
      });
    }
    const c = map.getCenter();
    writeHash({ map: { zoom: map.getZoom(), lat: c.lat, lon: c.lng }, from: v.from, to: v.to, range: v.range, layers: cols.map((x) => String(x.id)).filter((id) => visible.has(id)), asof });
  }
  map.on('moveend', schedule);
  for (const [id] of layers) { control.setChecked(id, visible.has(id)); if (visible.has(id)) setLayer(id, true); }

  // The histogram needs every feature's dates once; layers are small.
  // Layers drawn from tiles are too large to fetch whole: the server
  // counts them.
  // They are counted again when the data changes or asof does.
  async function loadSummary() {
    const at = asof || undefined;
    const all = await Promise.all(cols.map(async (c) => {
      try {
        if (isTiled(c)) return { id: String(c.id), features: [], days: await fetchHistogram(String(c.id), undefined, at) };
        return { id: String(c.id), features: await fetchAllItems(String(c.id), { asof: at }) };
      } catch {
        return { id: String(c.id), features: [] };
      }
    }));
    for (const a of all) a.events = isEventLayer(a.features);
    for (const a of all) layers.get(a.id).events = a.events;
    const evCol = cols.find((c) => all.find((a) => a.id === String(c.id))?.events);
    if (evCol) timeline.opts.eventColor = colorOf(evCol);
    return summarise(all, temporalExtent(cols));
  }
  let summaryRun = 0;
  async function reloadSummary() {
    const run = ++summaryRun;
    const s = await loadSummary();
    if (run !== summaryRun) return;
    timeline.setSummary(s);
    window.strata.summary = s;
  }
  const summary = await loadSummary();
  if (Number.isFinite(initial.from)) timeline.value = { from: initial.from, to: initial.to, range: initial.range };
  ready = true;
  timeline.setSummary(summary);
  schedule();
  if (initial.feature && initial.layers?.length) openLinked(initial.layers[0], initial.feature);

  /**
   * Opens the feature a link names (#layers=L&feature=ID, as an item's
   * "On the map" link): moves time to its start unless the link gives a
   * date, frames it unless the link gives a view, highlights it and
   * opens its popup.
   */
  async function openLinked(layerId, id) {
    const l = layers.get(layerId);
    if (!l) return;
    let f;
    try {
      f = await fetchFeature(layerId, id);
    } catch {
      return; // an unknown feature: the map as it is
    }
    const bounds = L.geoJSON(f).getBounds();
    if (!bounds.isValid()) return;
    if (!Number.isFinite(initial.from)) {
      const s = startDay(f.properties?.valid_from), e = endDay(f.properties?.valid_to);
      const day = Number.isFinite(s) ? s : e - 1;
      if (Number.isFinite(day)) timeline.set({ from: day, to: day, range: false });
    }
    if (!initial.map) map.fitBounds(bounds.pad(0.5), { maxZoom: 13, animate: false });
    l.highlight([id]);
    const g = f.geometry;
    l.openFetchedPopup(id, g?.type === 'Point' ? L.latLng(g.coordinates[1], g.coordinates[0]) : bounds.getCenter());
    schedule();
  }

  // Edits, the change feed and asof: what changed is loaded again, the
  // view stays where it is.
  const changed = (ids) => {
    for (const [id, l] of layers) if (!ids || ids.includes(id)) l.refresh();
    schedule();
    reloadSummary();
  };
  const asofCtl = new AsOfControl({
    notice: document.getElementById('asof-notice'),
    value: asof,
    onChange: (v) => {
      asof = v;
      map.closePopup();
      editor?.stopEditing();
      editor?.render();
      changed(null);
    },
  });
  timeline.dateInput.closest('label').after(asofCtl.el);
  const past = () => !!asof && (/^\d{4}-\d{2}-\d{2}$/.test(asof) ? Date.parse(asof) + 86400000 : Date.parse(asof)) <= Date.now();
  editor = new Editor({
    map,
    collections: cols,
    layers,
    changed,
    notify,
    showAsOf: (t) => asofCtl.set(t),
    past: () => !!asof,
  }, document.getElementById('edit-bar'));
  const feed = new ChangeFeed((ev) => {
    window.strata.lastChange = ev.id;
    if (past()) return; // a past state never changes
    changed(ev.collections);
    const names = ev.collections.map((id) => cols.find((c) => String(c.id) === id)?.title || id);
    notify(`Map updated: ${names.join(', ') || 'data'} changed (change ${ev.id}).`);
  }, (on, again) => {
    document.body.classList.toggle('is-offline-feed', !on);
    if (on && again) changed(null); // changes may have been missed
  });
  await editor.start();

  window.strata.editor = editor;
  window.strata.asof = asofCtl;
  window.strata.feed = feed;
  window.strata.map = map;
  window.strata.timeline = timeline;
  window.strata.layers = layers;
  window.strata.collections = cols;
  window.strata.setLayer = setLayer;
  window.strata.summary = summary;
  // Search, event list, timeline event marks and compare mode (find/).
  window.strata.find = installFind({ map, timeline, layers, collections: cols, setLayer, asof: () => asof, reducedMotion });
}

/** Handle for tests and the presenter mode; ready resolves once the map is live. */
window.strata = {};
window.strata.ready = main().catch((err) => {
  console.error(err);
  showBanner('The map could not start. Reload the page to try again.');
  throw err;
});
