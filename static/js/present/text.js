// text.js renders a briefing's plain text as DOM: captions and notes with
// paragraphs and links, source lists, and step dates. Text is only ever
// set with textContent; a link is made only for an http(s) URL.

import { safeURL } from '../popup.js';
import { parseDay, formatLongDay } from '../time.js';

const URL_RE = /\bhttps?:\/\/[^\s<>"]+/g;

/**
 * Creates an element with a class and text.
 * @param {string} tag
 * @param {string} [cls]
 * @param {unknown} [text]
 * @returns {HTMLElement}
 */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/**
 * Creates a link that opens in a new tab, or a span when the URL is not
 * http(s).
 * @param {string} url
 * @param {string} text
 * @returns {HTMLElement}
 */
function link(url, text) {
  const href = safeURL(url);
  if (!href) return el('span', '', text);
  const a = el('a', '', text);
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

// Trailing punctuation ends a sentence, not a URL; a closing bracket
// belongs to the URL only when it opened one.
function trimURL(u) {
  let end = u.length;
  for (;;) {
    const c = u[end - 1];
    if ('.,;:!?\'"'.includes(c)) { end--; continue; }
    if (c === ')' && (u.slice(0, end).split('(').length - 1) < (u.slice(0, end).split(')').length - 1)) { end--; continue; }
    break;
  }
  return u.slice(0, end);
}

/**
 * Appends one paragraph's text to a node, turning URLs into links.
 * @param {Node} parent
 * @param {string} text
 */
function appendLinkified(parent, text) {
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = trimURL(m[0]);
    if (m.index > last) parent.append(document.createTextNode(text.slice(last, m.index)));
    parent.append(link(url, url));
    last = m.index + url.length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}

/**
 * Renders plain text as paragraphs: blank lines separate paragraphs,
 * single line breaks are kept, URLs become links.
 * @param {string} text
 * @param {string} [cls] class of each paragraph
 * @returns {DocumentFragment}
 */
export function paragraphs(text, cls) {
  const frag = document.createDocumentFragment();
  for (const para of String(text ?? '').split(/\r?\n[ \t]*\r?\n/)) {
    const t = para.trim();
    if (!t) continue;
    const p = el('p', cls);
    appendLinkified(p, t);
    frag.append(p);
  }
  return frag;
}

/**
 * Renders a step's sources as a numbered list.
 * @param {{title: string, publisher?: string, date?: string, url?: string, note?: string}[]} sources
 * @returns {HTMLOListElement}
 */
export function sourceList(sources) {
  const ol = el('ol', 'pr-source-list');
  for (const s of Array.isArray(sources) ? sources : []) {
    const li = el('li');
    li.append(link(s?.url, String(s?.title || s?.url || 'Untitled source')));
    const meta = [s?.publisher, s?.date].filter(Boolean).map(String).join(', ');
    if (meta) li.append(el('span', 'pr-source-meta', ` — ${meta}`));
    if (s?.note) li.append(el('span', 'pr-source-note', ` (${s.note})`));
    ol.append(li);
  }
  return ol;
}

function describeEnd(v) {
  const d = parseDay(v);
  if (!Number.isNaN(d)) return formatLongDay(d);
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? String(v) : new Date(ms).toISOString().replace('T', ' ').replace(/(:00)?\.000Z$|Z$/, '') + ' UTC';
}

/**
 * Describes a step's date (a date, an instant or an interval a/b with
 * open ends) for people: "10 October 2025", "2 December 2025 – 25
 * December 2025", "from 17 October 2025".
 * @param {string} date
 * @returns {string}
 */
export function describeDate(date) {
  const s = String(date ?? '').trim();
  if (!s.includes('/')) return describeEnd(s);
  const [a, b] = s.split('/');
  const open = (x) => x === '' || x === '..';
  if (open(a) && open(b)) return 'any time';
  if (open(a)) return `until ${describeEnd(b)}`;
  if (open(b)) return `from ${describeEnd(a)}`;
  return `${describeEnd(a)} – ${describeEnd(b)}`;
}
