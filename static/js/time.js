// time.js converts between the API's time values and whole UTC days.
// The map works in days: day n is [n, n+1) days after 1970-01-01 UTC.
// A feature's valid time is the half-open interval [valid_from, valid_to);
// null bounds are open.

export const DAY_MS = 86400000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MIDNIGHT_RE = /^(\d{4}-\d{2}-\d{2})[Tt]00:00:00(?:\.0+)?(?:[Zz]|[+-]00:00)$/;

/**
 * Reduces a valid_from or valid_to at UTC midnight, as the API writes
 * bounds ("2025-10-10T00:00:00Z"), to its date ("2025-10-10"), which
 * stands for the start of that day; other values are returned as given.
 * @param {string|null|undefined} v
 * @returns {string|null|undefined}
 */
export function boundDate(v) {
  const m = MIDNIGHT_RE.exec(String(v ?? ''));
  return m ? m[1] : v;
}

/**
 * Parses "YYYY-MM-DD" into a day number; returns NaN for anything else.
 * @param {string} s
 * @returns {number}
 */
export function parseDay(s) {
  const m = DATE_RE.exec(String(s ?? '').trim());
  if (!m) return NaN;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) return NaN;
  return ms / DAY_MS;
}

/**
 * Formats a day number as "YYYY-MM-DD".
 * @param {number} day
 * @returns {string}
 */
export function formatDay(day) {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const LONG = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const SHORT_MONTH = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });

/**
 * Formats a day number for people, e.g. "10 October 2025".
 * @param {number} day
 * @returns {string}
 */
export function formatLongDay(day) {
  return LONG.format(new Date(day * DAY_MS));
}

/**
 * Formats a day number as month and year, e.g. "Oct 2025".
 * @param {number} day
 * @returns {string}
 */
export function formatMonth(day) {
  return SHORT_MONTH.format(new Date(day * DAY_MS));
}

/**
 * Converts a valid_from value to the first day it touches (the day
 * containing the instant); null (open start) gives -Infinity.
 * @param {string|null} v date or RFC 3339 text
 * @returns {number}
 */
export function startDay(v) {
  if (v == null) return -Infinity;
  const d = parseDay(boundDate(v));
  if (!Number.isNaN(d)) return d;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? -Infinity : Math.floor(ms / DAY_MS);
}

/**
 * Converts a valid_to value (exclusive) to the first day no longer
 * touched; null (open end) gives +Infinity.
 * @param {string|null} v date or RFC 3339 text
 * @returns {number}
 */
export function endDay(v) {
  if (v == null) return Infinity;
  const d = parseDay(boundDate(v));
  if (!Number.isNaN(d)) return d;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? Infinity : Math.ceil(ms / DAY_MS);
}

/**
 * Describes valid_to for people: the last valid day for a date (valid_to
 * is exclusive), the instant itself for a timestamp, "" when open.
 * @param {string|null} v
 * @returns {{text: string, day: number}} day is the last day touched
 */
export function lastValid(v) {
  if (v == null) return { text: '', day: Infinity };
  const d = parseDay(boundDate(v));
  if (!Number.isNaN(d)) return { text: formatLongDay(d - 1), day: d - 1 };
  return { text: `until ${formatInstant(v)} (exclusive)`, day: endDay(v) - 1 };
}

/**
 * Describes valid_from for people.
 * @param {string|null} v
 * @returns {string} "" when open
 */
export function firstValid(v) {
  if (v == null) return '';
  const d = parseDay(boundDate(v));
  return Number.isNaN(d) ? formatInstant(v) : formatLongDay(d);
}

function formatInstant(v) {
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return String(v);
  return new Date(ms).toISOString().replace('T', ' ').replace(/:00\.000Z$|\.000Z$|Z$/, '') + ' UTC';
}

/**
 * Builds the OGC datetime parameter for one day or a range of days
 * (both ends included).
 * @param {number} from first day
 * @param {number} [to] last day; omitted or equal to from for one day
 * @returns {string}
 */
export function datetimeParam(from, to) {
  if (to === undefined || to === from) return formatDay(from);
  return `${formatDay(from)}/${formatDay(to)}`;
}
