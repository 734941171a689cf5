// find/dom.js builds the elements of the find modules.

/**
 * Makes an element with a class and text (set as text, never as HTML).
 * @param {string} tag
 * @param {string} [cls]
 * @param {string|number} [text]
 * @returns {HTMLElement}
 */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = String(text);
  return e;
}
