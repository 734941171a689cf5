// Unit tests in Node of presenter parts that need no browser: the keys
// (present/keys.js), caught on a stand-in window, and the explore map's
// link for a step (present/history.js).

import { test } from 'node:test';
import assert from 'node:assert/strict';

// PresenterKeys listens on window; Node has none, an EventTarget does.
globalThis.window = new EventTarget();
const { PresenterKeys, keyAction } = await import('../../static/js/present/keys.js');
const { exploreHash } = await import('../../static/js/present/history.js');

/** A presenter stand-in that records what the keys asked of it. */
function presenter({ overview = false, blank = false } = {}) {
  const calls = [];
  const commands = {};
  for (const a of ['next', 'prev', 'first', 'last', 'blank', 'fullscreen', 'overview', 'escape', 'speaker', 'play']) commands[a] = () => calls.push(a);
  return {
    calls,
    digits: [],
    commands,
    jump(n) { calls.push(`jump ${n}`); },
    showDigits(d) { this.digits.push(d); },
    overviewOpen: () => overview,
    overviewKey(key) { calls.push(`overview ${key}`); return key !== 'n'; },
    blank: () => blank,
    unblank() { calls.push('unblank'); },
  };
}

/** Presses keys on the window; returns whether each was taken. */
function press(...keys) {
  return keys.map((k) => {
    const e = new Event('keydown', { cancelable: true });
    Object.assign(e, typeof k === 'string' ? { key: k } : k);
    window.dispatchEvent(e);
    return e.defaultPrevented;
  });
}

test('keyAction maps clicker and keyboard keys, leaving shortcuts alone', () => {
  const cases = [
    [{ key: 'PageDown' }, 'next'], [{ key: ' ' }, 'next'], [{ key: ' ', shiftKey: true }, 'prev'],
    [{ key: 'PageUp' }, 'prev'], [{ key: '.' }, 'blank'], [{ key: '7' }, 'digit'],
    [{ key: 'ArrowLeft', altKey: true }, ''], [{ key: 'x' }, ''],
  ];
  for (const [e, want] of cases) assert.equal(keyAction(e), want, JSON.stringify(e));
});

test('PresenterKeys runs commands, and jumps to a typed number on Enter', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const p = presenter();
  const keys = new PresenterKeys(p);
  try {
    assert.deepEqual(press('n', { key: 'n', ctrlKey: true }, 'x'), [true, false, false]);
    assert.deepEqual(p.calls, ['next']);

    press('1', '2', 'Enter');
    assert.deepEqual(p.calls.slice(1), ['jump 12']);
    assert.deepEqual(p.digits, ['1', '12', '']);

    // Backspace takes a digit back; Enter without digits does nothing.
    press('3', 'Backspace', 'Enter');
    assert.deepEqual(p.calls.slice(2), []);
    // Another key drops the digits and runs.
    press('4', 'p');
    assert.deepEqual(p.calls.slice(2), ['prev']);
    assert.equal(keys.digits, '');
    // At most four digits are kept.
    press('1', '2', '3', '4', '5', 'Enter');
    assert.deepEqual(p.calls.slice(3), ['jump 2345']);
    // Typed digits are forgotten after six seconds.
    press('9');
    t.mock.timers.tick(6000);
    assert.equal(keys.digits, '');
    assert.equal(p.digits.at(-1), '');

    // Keys typed into a text field are the field's.
    const e = { key: 'n', target: { tagName: 'INPUT' }, preventDefault() { assert.fail('taken from a field'); } };
    keys.onKey(e);
    assert.deepEqual(p.calls.slice(4), []);
  } finally {
    window.removeEventListener('keydown', keys.listener, { capture: true });
  }
});

test('PresenterKeys: the overview takes its keys; a blank screen any key', () => {
  const cases = [
    {
      name: 'overview',
      p: presenter({ overview: true }),
      // The overview leaves n alone (overviewKey says so): not taken.
      want: { taken: [true, false], calls: ['overview ArrowRight', 'overview n'] },
    },
    {
      name: 'blank',
      p: presenter({ blank: true }),
      // Any key only brings the screen back.
      want: { taken: [true, true], calls: ['unblank', 'unblank'] },
    },
  ];
  for (const c of cases) {
    const keys = new PresenterKeys(c.p);
    try {
      assert.deepEqual(press('ArrowRight', 'n'), c.want.taken, c.name);
      assert.deepEqual(c.p.calls, c.want.calls, c.name);
    } finally {
      window.removeEventListener('keydown', keys.listener, { capture: true });
    }
  }
});

test('exploreHash: the explore map at a step\'s view, date and layers', () => {
  const view = { zoom: 10, lat: 31.42, lon: 34.45 };
  const cases = [
    { date: '2025-10-10', want: '#map=10/31.420/34.450&date=2025-10-10&layers=a,b' },
    { date: '2025-10-10/2025-10-20', want: '#map=10/31.420/34.450&date=2025-10-10/2025-10-20&layers=a,b' },
    { date: '2025-10-10T12:00:00Z', want: '#map=10/31.420/34.450&date=2025-10-10&layers=a,b' },
    { date: '2025-10-10/..', want: '#map=10/31.420/34.450&layers=a,b' },
  ];
  for (const c of cases) assert.equal(exploreHash({ date: c.date, layers: ['a', 'b'] }, view), c.want, c.date);
});
