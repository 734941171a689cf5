// main.js starts present.html and speaker.html, and an exported briefing
// file, which holds both: it serves the API from inlined data when the page
// has it (offline.js), then starts the speaker window (speaker.html, or
// view=speaker in the URL) or the presenter view. Without a briefing in
// the URL it lists the briefings to choose from. window.strata exposes the
// view for tests.

import { installOffline } from './offline.js';
import { startPresenter } from './presenter.js';
import { startSpeaker } from './speaker.js';
import { parsePresentHash } from './hash.js';
import { fetchBriefings } from './data.js';
import { el } from './text.js';

function message(root, title, text, links = []) {
  root.replaceChildren();
  root.classList.add('pr-message');
  const box = el('div', 'pr-message-box');
  box.append(el('h1', '', title));
  if (text) box.append(el('p', '', text));
  if (links.length) {
    const ul = el('ul');
    for (const l of links) {
      const li = el('li');
      const a = el('a', '', l.text);
      a.href = l.href;
      li.append(a);
      if (l.note) li.append(el('span', 'pr-message-note', ` — ${l.note}`));
      ul.append(li);
    }
    box.append(ul);
  }
  root.append(box);
}

async function main() {
  const root = document.getElementById('app');
  const data = installOffline();
  const opts = { offline: !!data, briefingId: data?.briefing?.id };
  const speaker = document.documentElement.dataset.mode === 'speaker' || parsePresentHash(location.hash).view === 'speaker';
  try {
    if (speaker) {
      root.className = 'speaker-app';
      window.strata.speaker = await startSpeaker(root, opts);
    } else {
      window.strata.presenter = await startPresenter(root, opts);
    }
  } catch (err) {
    if (err.message === 'NO_BRIEFING') {
      const list = await fetchBriefings().catch(() => []);
      message(root, 'Choose a briefing to present', list.length ? '' : 'There are no briefings yet. Import one with strata import-briefing.',
        list.map((b) => ({ text: String(b.title || b.id), href: `present.html#briefing=${encodeURIComponent(b.id)}`, note: `${b.steps} steps` })));
      return;
    }
    message(root, 'The briefing could not be opened', err.status === 404 ? err.message : `${err.message || 'Something went wrong.'} Reload the page to try again.`,
      opts.offline ? [] : [{ text: 'Back to the map', href: './' }]);
    if (err.status !== 404) throw err;
  }
}

/** Handle for tests; ready resolves once the view is live. */
window.strata = {};
window.strata.ready = main().catch((err) => {
  console.error(err);
});
