// authoring.js adds presenting and authoring to the explore map: a list of
// the briefings, each linking to its presenter view, and "Copy as step",
// which puts the map's current view, date and visible layers on the
// clipboard as the JSON of a briefing step, to paste into a briefing file
// (see data/seed/briefings/). It runs after main.js and reads the map
// through window.strata.

import { fetchBriefings } from './data.js';
import { datetimeParam } from '../time.js';
import { el } from './text.js';

const round = (x) => Math.round(x * 1e4) / 1e4;

/**
 * Builds a step from the explore map's state: the view as bounds, the
 * timeline's date (or range), the visible layers and the feature whose
 * popup is open as the highlight. Title, caption and sources are left
 * for the author.
 * @param {{map: object, timeline: {value: {from: number, to: number, range: boolean}}, layers: Map<string, object>}} s window.strata
 * @returns {object}
 */
function stepFromMap(s) {
  const b = s.map.getBounds();
  const v = s.timeline.value;
  const date = v.range ? datetimeParam(v.from, v.to) : datetimeParam(v.from);
  const layers = [], highlight = [];
  for (const [id, l] of s.layers) {
    if (!l.visible) continue;
    layers.push(id);
    l.group?.eachLayer?.((fg) => {
      let open = false;
      fg.eachLayer?.((x) => { open = open || !!x.isPopupOpen?.(); });
      if (open && fg.feature?.id !== undefined) highlight.push(`${id}/${fg.feature.id}`);
    });
  }
  return {
    id: `step-${date.replace('/', '-')}`,
    title: '',
    date,
    view: { bounds: [round(Math.max(-180, b.getWest())), round(Math.max(-90, b.getSouth())), round(Math.min(180, b.getEast())), round(Math.min(90, b.getNorth()))] },
    layers,
    highlight,
    caption: '',
    sources: [],
    notes: '',
  };
}

// Shows the JSON to copy by hand when the clipboard is not available
// (pages served over plain HTTP from another host).
function showForCopy(text) {
  const dlg = el('dialog', 'copy-step-dialog');
  dlg.setAttribute('aria-label', 'Step JSON');
  dlg.append(el('p', '', 'The clipboard is not available here. Copy the step below (Ctrl+C or ⌘C):'));
  const ta = el('textarea');
  ta.readOnly = true;
  ta.rows = 16;
  ta.cols = 60;
  ta.value = text;
  const close = el('button', '', 'Close');
  close.type = 'button';
  close.addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => dlg.remove());
  dlg.append(ta, close);
  document.body.append(dlg);
  dlg.showModal();
  ta.select();
}

async function listBriefings(nav) {
  let list;
  try {
    list = await fetchBriefings();
  } catch {
    return; // the map works without them
  }
  if (!list.length) return;
  const details = el('details', 'app-briefings-menu');
  details.append(el('summary', '', `Present a briefing (${list.length})`));
  const ul = el('ul');
  for (const b of list) {
    const li = el('li');
    const a = el('a', '', String(b.title || b.id));
    a.href = `present.html#briefing=${encodeURIComponent(b.id)}`;
    li.append(a, el('span', 'app-briefing-steps', ` · ${b.steps} steps`));
    ul.append(li);
  }
  details.append(ul);
  nav.replaceChildren(details);
  nav.hidden = false;
}

async function main() {
  const nav = document.getElementById('briefings');
  if (nav) listBriefings(nav);
  const btn = document.getElementById('copy-step');
  const status = document.getElementById('copy-step-status');
  if (!btn) return;
  await window.strata?.ready;
  btn.hidden = false;
  btn.addEventListener('click', async () => {
    const text = JSON.stringify(stepFromMap(window.strata), null, 2);
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = 'Step copied to the clipboard.';
    } catch {
      showForCopy(text);
      status.textContent = '';
    }
    setTimeout(() => { status.textContent = ''; }, 4000);
  });
}

main();
