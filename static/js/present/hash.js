// hash.js reads and writes the presenter's URL fragment:
//   #briefing=ID&step=N
// where N counts from 1; a step's id is accepted in place of its number.
// The speaker window adds view=speaker when it shares the presenter's page
// (an exported file).

/**
 * @typedef {object} PresentHash
 * @property {string} briefing briefing id, "" when absent
 * @property {string} step step number (from 1) or id, "" when absent
 * @property {string} view "speaker" or ""
 */

/**
 * Parses a fragment such as location.hash.
 * @param {string} hash
 * @returns {PresentHash}
 */
export function parsePresentHash(hash) {
  const p = new URLSearchParams(String(hash).replace(/^#/, ''));
  return { briefing: p.get('briefing') || '', step: p.get('step') || '', view: p.get('view') || '' };
}

/**
 * Formats a fragment with its leading "#".
 * @param {{briefing: string, index: number, view?: string}} s index counts from 0
 * @returns {string}
 */
export function formatPresentHash(s) {
  const parts = [`briefing=${encodeURIComponent(s.briefing)}`, `step=${s.index + 1}`];
  if (s.view) parts.push(`view=${encodeURIComponent(s.view)}`);
  return '#' + parts.join('&');
}

/**
 * Finds the step a fragment names: a number from 1, or a step id.
 * @param {{id: string}[]} steps
 * @param {string} ref
 * @returns {number} index from 0, or -1 when it names no step
 */
export function stepIndex(steps, ref) {
  if (!ref) return -1;
  if (/^\d+$/.test(ref)) {
    const n = Number(ref);
    return n >= 1 && n <= steps.length ? n - 1 : -1;
  }
  return steps.findIndex((s) => s.id === ref);
}
