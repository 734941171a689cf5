// autoplay.js moves the presenter on by itself: each step is held for its
// hold time (hold_seconds, else DEFAULT_HOLD), shown as a filling bar,
// then the next step is asked for. A timer moves on, so autoplay keeps
// going in a window out of sight; animation frames only draw the bar.

/** Seconds autoplay stays on a step that gives no hold time. */
export const DEFAULT_HOLD = 10;

/**
 * Autoplay holds one step at a time while playing.
 */
export class Autoplay {
  /**
   * @param {HTMLElement} bar the hold bar, hidden while no step is held
   * @param {HTMLElement} fill the bar's fill, widened as the hold runs
   * @param {() => void} next called when a hold ends while playing
   */
  constructor(bar, fill, next) {
    this.bar = bar;
    this.fill = fill;
    this.next = next;
    this.playing = false;
    this.timer = 0;
    this.frame = 0;
  }

  /**
   * Holds the step now shown, ending any hold under way.
   * @param {number} [seconds] the step's hold_seconds
   */
  hold(seconds) {
    this.stop();
    const ms = (seconds > 0 ? seconds : DEFAULT_HOLD) * 1000;
    const start = performance.now();
    this.bar.hidden = false;
    this.timer = setTimeout(() => {
      if (this.playing) this.next();
    }, ms);
    const tick = () => {
      if (!this.playing) return;
      const f = Math.min(1, (performance.now() - start) / ms);
      this.fill.style.width = `${(f * 100).toFixed(1)}%`;
      if (f < 1) this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  /** Ends the hold under way and hides the bar. */
  stop() {
    clearTimeout(this.timer);
    cancelAnimationFrame(this.frame);
    this.bar.hidden = true;
    this.fill.style.width = '0';
  }
}
