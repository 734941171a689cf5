// presenter.js is the presenter view of a briefing: a full-window map, a
// caption panel with the step counter and progress, the legend, and the
// keys a presenter (or a clicker) uses. It holds the view's state (which
// step, blank or not, playing or not) and wires the parts that show and
// change it: view.js (the page), stepmap.js (the map), history.js (a URL
// per step, pushed once when the step is shown), keys.js (the keys),
// autoplay.js, speakerwindow.js and print.js.

import { fetchCollections } from '../api.js';
import { fetchBriefing, stepLayers } from './data.js';
import { parsePresentHash } from './hash.js';
import { PresenterKeys } from './keys.js';
import { Autoplay } from './autoplay.js';
import { SpeakerWindow } from './speakerwindow.js';
import { recordStep, stepInURL, watchURL, exploreHash } from './history.js';
import { StepMap } from './stepmap.js';
import { PresenterView } from './view.js';
import { PrintPages } from './print.js';

/**
 * Presenter shows one briefing, a step at a time.
 */
export class Presenter {
  /**
   * @param {HTMLElement} root emptied and filled
   * @param {object} briefing from /briefings/{id}
   * @param {object[]} cols collections
   * @param {{offline: boolean}} opts offline: running from an exported file
   */
  constructor(root, briefing, cols, opts) {
    this.briefing = briefing;
    this.steps = briefing.steps;
    this.opts = opts;
    this.index = -1;
    this.blank = false;
    const used = new Set(this.steps.flatMap(stepLayers));
    this.cols = cols.filter((c) => used.has(String(c.id)));
    this.view = new PresenterView(root, briefing, opts, {
      go: (i) => this.go(i),
      move: (d) => this.go(this.index + d),
      play: () => this.togglePlay(),
      overview: (on) => this.toggleOverview(on),
      speaker: () => this.openSpeaker(),
      print: async () => { await this.print.prepare(); window.print(); },
      unblank: () => this.setBlank(false),
    });
    this.autoplay = new Autoplay(this.view.hold, this.view.holdFill, () => {
      if (this.index < this.steps.length - 1) this.go(this.index + 1);
      else this.togglePlay();
    });
    this.speaker = new SpeakerWindow(briefing.id, opts.offline, {
      state: () => ({ index: this.index, blank: this.blank, playing: this.autoplay.playing }),
      go: (i) => this.go(i),
      toggleBlank: () => this.setBlank(!this.blank),
      togglePlay: () => this.togglePlay(),
    });
    this.keys = new PresenterKeys({
      commands: {
        next: () => this.go(this.index + 1),
        prev: () => this.go(this.index - 1),
        first: () => this.go(0),
        last: () => this.go(this.steps.length - 1),
        blank: () => this.setBlank(!this.blank),
        fullscreen: () => this.view.toggleFullscreen(),
        overview: () => this.toggleOverview(true),
        escape: () => this.toggleOverview(true),
        speaker: () => this.openSpeaker(),
        play: () => this.togglePlay(),
      },
      jump: (n) => {
        if (n >= 1 && n <= this.steps.length) this.go(n - 1);
        else this.view.say(`There is no step ${n}; the steps are 1 to ${this.steps.length}.`);
      },
      showDigits: (d) => this.view.showDigits(d),
      overviewOpen: () => this.view.overviewOpen,
      overviewKey: (key) => this.view.overviewKey(key),
      blank: () => this.blank,
      unblank: () => this.setBlank(false),
    });
    watchURL(() => this.fromURL());
    this.print = new PrintPages(document.getElementById('print-pages'), briefing, this.cols);
    window.addEventListener('beforeprint', () => this.print.prepare());
  }

  /**
   * Creates the map and the layers; call once the DOM is in the page.
   */
  initMap() {
    this.stepMap = new StepMap(this.view.mapEl, this.cols, this.steps[0], {
      layerState: () => this.onLayerState(),
      basemapError: () => this.view.say('The offline basemap could not be loaded.'),
    });
  }

  /** The Leaflet map. */
  get map() {
    return this.stepMap?.map;
  }

  /** The data layers by collection id. */
  get layers() {
    return this.stepMap?.layers;
  }

  /** Whether the map is on its way to a step's view. */
  get moving() {
    return !!this.stepMap?.moving;
  }

  /** Shows the step the URL names (Back, Forward, an edited URL). */
  fromURL() {
    const i = stepInURL(this.briefing);
    if (i < 0) { location.reload(); return; }
    this.show(i, false);
  }

  /**
   * Moves to a step and pushes its URL.
   * @param {number} i index from 0; clamped
   */
  go(i) {
    this.show(Math.max(0, Math.min(this.steps.length - 1, i)), true);
  }

  /**
   * Shows step i.
   * @param {number} i index from 0
   * @param {boolean} push push the step's URL onto the history
   */
  show(i, push) {
    recordStep(this.briefing.id, i, push);
    if (i === this.index) { this.sendState(); return; }
    this.index = i;
    const s = this.steps[i];
    const m = this.stepMap;
    this.view.showStep(i, './' + exploreHash(s, m.viewOf(s)));
    m.showLayers(s);
    this.view.drawLegend(s, this.cols);
    // The legend is drawn first: the view keeps clear of it.
    m.fly(s, this.view.padding());
    m.load(m.targetBounds(s).pad(0.5), s.date);
    this.sendState();
    if (this.autoplay.playing) this.autoplay.hold(s.hold_seconds);
    this.onLayerState();
  }

  /** Whether the map is still moving or loading. */
  busy() {
    return this.stepMap.busy();
  }

  onLayerState() {
    this.view.showLayerStates(this.stepMap.layers, this.busy());
  }

  setBlank(on) {
    this.blank = on;
    this.view.showBlank(on);
    this.sendState();
  }

  toggleOverview(on) {
    this.view.showOverview(on, this.index);
  }

  togglePlay() {
    const on = !this.autoplay.playing;
    this.autoplay.playing = on;
    this.view.showPlaying(on);
    if (on) {
      if (this.index === this.steps.length - 1) this.go(0);
      this.autoplay.hold(this.steps[this.index].hold_seconds);
    } else this.autoplay.stop();
    this.sendState();
  }

  openSpeaker() {
    if (!this.speaker.open(this.index)) this.view.say('The speaker window was blocked: allow pop-ups for this page.');
  }

  sendState() {
    this.speaker?.sendState();
  }
}

/**
 * Starts the presenter view for the briefing the URL names.
 * @param {HTMLElement} root
 * @param {{offline: boolean, briefingId?: string}} opts
 * @returns {Promise<Presenter>}
 */
export async function startPresenter(root, opts) {
  const id = parsePresentHash(location.hash).briefing || opts.briefingId;
  if (!id) throw new Error('NO_BRIEFING');
  const [briefing, cols] = await Promise.all([fetchBriefing(id), fetchCollections()]);
  const p = new Presenter(root, briefing, cols, opts);
  p.initMap();
  p.show(stepInURL(briefing), false);
  // Print needs every step's features: fetch them once the first step is in.
  setTimeout(() => p.print.prepare().catch(() => {}), 2000);
  return p;
}
