// dom.js makes the elements the edit mode's dialogs and panels are built
// of. Text from the data is always set as text, never parsed as HTML.

/**
 * Makes an element with a class and text.
 * @param {string} tag
 * @param {string} [cls]
 * @param {string} [text]
 * @returns {HTMLElement}
 */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/**
 * Makes a button.
 * @param {string} text
 * @param {string} [cls]
 * @param {() => void} [onClick]
 * @returns {HTMLButtonElement}
 */
export function button(text, cls, onClick) {
  const b = el('button', cls, text);
  b.type = 'button';
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

/**
 * Makes the end of a dialog's form: its error line (read out when set)
 * and a row with the submit button (ok) and Cancel.
 * @param {string} okText
 * @param {string} okClass
 * @param {() => void} onCancel
 * @returns {{err: HTMLElement, actions: HTMLElement, ok: HTMLButtonElement}}
 */
export function formEnd(okText, okClass, onCancel) {
  const err = el('p', 'ef-error');
  err.setAttribute('role', 'alert');
  const actions = el('div', 'ef-actions');
  const ok = el('button', okClass, okText);
  ok.type = 'submit';
  actions.append(ok, button('Cancel', 'ef-cancel', onCancel));
  return { err, actions, ok };
}

let ids = 0;

/**
 * Returns an id unique in the page.
 * @param {string} prefix
 * @returns {string}
 */
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/**
 * Opens a modal dialog (the browser keeps focus inside and Escape
 * closes it) and removes it once closed, giving focus back to what had
 * it.
 * @param {string} title the dialog's heading and accessible name
 * @param {string} cls
 * @returns {{dialog: HTMLDialogElement, body: HTMLElement, close: () => void}}
 */
export function modal(title, cls) {
  const before = document.activeElement;
  const dialog = el('dialog', `edit-dialog ${cls}`);
  const h = el('h2', 'edit-dialog-title', title);
  h.id = uid('dlg');
  dialog.setAttribute('aria-labelledby', h.id);
  const body = el('div', 'edit-dialog-body');
  dialog.append(h, body);
  document.body.append(dialog);
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (before instanceof HTMLElement && before.isConnected) before.focus();
  });
  dialog.showModal();
  return { dialog, body, close: () => dialog.close() };
}

/**
 * Formats an instant for people: date and time in UTC.
 * @param {string} iso
 * @returns {string}
 */
export function formatInstant(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}
