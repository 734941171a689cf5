// popup.js builds the details of a feature as DOM nodes. Every value from
// the data is set with textContent or as an attribute, never parsed as
// HTML, and links are kept only when they are http(s).

import { firstValid, lastValid, startDay, endDay } from './time.js';

/**
 * Formats a precision in metres for people ("± 300 m", "± 3 km").
 * @param {number} m
 * @returns {string}
 */
export function formatPrecision(m) {
  if (!Number.isFinite(m) || m <= 0) return 'not stated';
  return m >= 1000 ? `± ${+(m / 1000).toFixed(1)} km` : `± ${Math.round(m)} m`;
}

// Properties shown in their own place in the popup.
const SHOWN = new Set(['name', 'kind', 'description', 'approximate', 'precision_m', 'precision_note', 'valid_from', 'valid_to', 'sources', 'category', 'confidence', 'date_precision']);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function row(dl, term, value) {
  if (value === undefined || value === null || value === '') return;
  dl.append(el('dt', '', term), el('dd', '', value));
}

/** Returns the URL if it is an absolute http(s) URL, else null. */
export function safeURL(u) {
  try {
    const url = new URL(String(u));
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Descriptions longer than this many characters are folded after it. */
export const DESCRIPTION_LEAD = 280;

/** Sources listed before the rest are folded. */
export const SOURCES_SHOWN = 3;

/**
 * Splits a long text where its lead ends: at the last sentence end (or
 * else the last space) before DESCRIPTION_LEAD characters.
 * @param {string} text
 * @returns {[string, string]} the lead and the rest ("" when short)
 */
export function splitLead(text) {
  const t = String(text);
  if (t.length <= DESCRIPTION_LEAD + 80) return [t, ''];
  const head = t.slice(0, DESCRIPTION_LEAD);
  let cut = Math.max(head.lastIndexOf('. '), head.lastIndexOf('.\n'));
  cut = cut > DESCRIPTION_LEAD / 2 ? cut + 1 : head.lastIndexOf(' ');
  if (cut <= 0) cut = DESCRIPTION_LEAD;
  return [t.slice(0, cut).trim(), t.slice(cut).trim()];
}

function fold(summary, cls) {
  const d = el('details', `fp-fold ${cls}`);
  d.append(el('summary', '', summary));
  return d;
}

function sourceItem(s) {
  const li = el('li');
  const title = String(s?.title || s?.url || 'Untitled source');
  const href = safeURL(s?.url);
  if (href) {
    const a = el('a', '', title);
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    li.append(a);
  } else {
    li.append(el('span', '', title));
  }
  const meta = [s?.publisher, s?.date].filter(Boolean).map(String).join(', ');
  if (meta) li.append(el('span', 'fp-source-meta', ` — ${meta}`));
  if (s?.note) li.append(el('span', 'fp-source-note', ` (${s.note})`));
  return li;
}

/**
 * Builds a feature's details: a summary first (name, dates, precision),
 * then the facts, the description and the sources, with a long
 * description, the other properties and the sources beyond the first
 * SOURCES_SHOWN folded (details elements), so that a popup stays small
 * on a phone.
 * @param {object} feature GeoJSON feature from the API
 * @param {object} col its collection
 * @param {{approximateAt: number, goTo: (day: number) => void}} opts
 * @returns {HTMLElement}
 */
export function featureDetails(feature, col, opts) {
  const p = feature.properties || {};
  const box = el('div', 'feature-popup');
  box.append(el('h2', 'fp-name', p.name ?? feature.id));
  const sub = [col.title, p.kind].filter((v) => v !== undefined && v !== null && v !== '').map(String);
  box.append(el('p', 'fp-kind', sub.join(' · ')));

  const dl = el('dl', 'fp-facts');
  const from = firstValid(p.valid_from), to = lastValid(p.valid_to);
  const prec = Number(p.precision_m);
  const approx = typeof p.approximate === 'boolean' ? p.approximate : prec >= opts.approximateAt;
  // A one-day feature (an event) shows its day; others from – to.
  const when = from && to.text === from ? from : `${from || 'no stated start'} – ${to.text || 'still valid'}`;
  box.append(el('p', 'fp-summary', `${when} · ${formatPrecision(prec)}${approx ? ' (approximate)' : ''}`));
  row(dl, 'Valid from', from || 'no stated start');
  row(dl, 'Valid to', to.text ? (to.text.startsWith('until') ? to.text : `${to.text} (last day)`) : 'no stated end');
  if (p.date_precision) row(dl, 'Date precision', p.date_precision);
  row(dl, 'Location precision', formatPrecision(prec) + (approx ? ' (approximate)' : ''));
  if (p.precision_note) row(dl, 'Precision note', p.precision_note);
  if (p.category) row(dl, 'Category', p.category);
  if (p.confidence) row(dl, 'Confidence', p.confidence);
  box.append(dl);

  if (p.description) {
    const [lead, rest] = splitLead(p.description);
    box.append(el('p', 'fp-description', rest ? `${lead} …` : lead));
    if (rest) {
      const d = fold('Read the whole description', 'fp-description-more');
      d.append(el('p', 'fp-description', rest));
      box.append(d);
    }
  }

  // Any other property, as text; folded when there are more than a few.
  const other = Object.entries(p).filter(([k, v]) => !SHOWN.has(k) && v !== null && v !== '' && typeof v !== 'object');
  if (other.length) {
    const more = el('dl', 'fp-other');
    for (const [k, v] of other) row(more, k.replace(/_/g, ' '), v);
    if (other.length > 3) {
      const d = fold(`More details (${other.length})`, 'fp-other-more');
      d.append(more);
      box.append(d);
    } else box.append(more);
  }

  const sources = Array.isArray(p.sources) ? p.sources : [];
  box.append(el('h3', 'fp-sources-title', sources.length ? `Sources (${sources.length})` : 'Sources: none given'));
  if (sources.length) {
    const ol = el('ol', 'fp-sources');
    for (const s of sources.slice(0, SOURCES_SHOWN)) ol.append(sourceItem(s));
    box.append(ol);
    if (sources.length > SOURCES_SHOWN) {
      const rest = sources.length - SOURCES_SHOWN;
      const d = fold(`${rest} more source${rest > 1 ? 's' : ''}`, 'fp-sources-more');
      const ol2 = el('ol', 'fp-sources');
      ol2.start = SOURCES_SHOWN + 1;
      for (const s of sources.slice(SOURCES_SHOWN)) ol2.append(sourceItem(s));
      d.append(ol2);
      box.append(d);
    }
  }

  const nav = el('div', 'fp-nav');
  const s = startDay(p.valid_from), e = endDay(p.valid_to);
  const start = el('button', 'fp-goto-start', 'Go to start');
  start.type = 'button';
  start.disabled = !Number.isFinite(s);
  start.addEventListener('click', () => opts.goTo(s));
  const end = el('button', 'fp-goto-end', 'Go to end');
  end.type = 'button';
  end.disabled = !Number.isFinite(e);
  end.addEventListener('click', () => opts.goTo(e - 1));
  nav.append(start, end);
  box.append(nav);
  return box;
}
