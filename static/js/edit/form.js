// form.js is the form every edit opens: name, kind, valid from and to,
// precision in metres, sources (title, publisher, date, URL) and a
// comment, with longitude and latitude for a point. It does not judge
// the values: the server does, and a 400's message is shown beside the
// field it names (its "param").

import { el, button, uid, modal } from './dom.js';

/**
 * @typedef {object} FormValues
 * @property {object} properties the feature's properties, those of the form set
 * @property {string} comment the changeset's comment
 * @property {number[]|null} point [lon, lat] for a point, else null
 */

// Which field shows a message about each member the server names.
const FIELD_OF = { name: 'name', kind: 'kind', valid_from: 'valid_from', valid_to: 'valid_to', precision_m: 'precision_m', sources: 'sources', comment: 'comment', geometry: 'point' };

function field(form, name, label, input, hint) {
  const id = uid(`f-${name}`);
  const wrap = el('div', `ef-field ef-${name}`);
  const l = el('label', 'ef-label', label);
  l.htmlFor = id;
  input.id = id;
  input.name = name;
  wrap.append(l, input);
  if (hint) {
    const h = el('p', 'ef-hint', hint);
    h.id = `${id}-hint`;
    input.setAttribute('aria-describedby', h.id);
    wrap.append(h);
  }
  form.append(wrap);
  return input;
}

function input(type, value) {
  const i = el('input');
  i.type = type;
  if (value !== undefined && value !== null) i.value = String(value);
  return i;
}

// dayOf keeps the date part of a valid_from or valid_to for a date input.
function dayOf(v) {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(String(v ?? ''));
  return m ? m[1] : '';
}

/**
 * Opens the form for a feature and calls save with its values until save
 * succeeds (the form closes and the promise resolves with save's result)
 * or the editor cancels (null). A WriteError that save throws is shown:
 * beside the field it names, or at the top.
 * @param {object} opts
 * @param {string} opts.title e.g. "New point in Events"
 * @param {object} opts.feature GeoJSON feature whose properties prefill the form
 * @param {number[]|null} opts.point [lon, lat] for a point: editable fields
 * @param {(v: FormValues) => Promise<any>} opts.save
 * @returns {Promise<any>}
 */
export function openFeatureForm({ title, feature, point, save }) {
  const p = feature?.properties || {};
  const { dialog, body, close } = modal(title, 'edit-form-dialog');
  const form = el('form', 'edit-form');
  form.noValidate = true;
  const summary = el('p', 'ef-error ef-summary');
  summary.setAttribute('role', 'alert');
  summary.hidden = true;
  summary.tabIndex = -1;
  form.append(summary);

  const inputs = {};
  inputs.name = field(form, 'name', 'Name', input('text', p.name));
  inputs.kind = field(form, 'kind', 'Kind', input('text', p.kind), 'What it is, such as crossing, checkpoint or event.');
  const dates = el('div', 'ef-row');
  form.append(dates);
  inputs.valid_from = field(dates, 'valid_from', 'Valid from', input('date', dayOf(p.valid_from)), 'First day (UTC); empty when not known.');
  inputs.valid_to = field(dates, 'valid_to', 'Valid to', input('date', dayOf(p.valid_to)), 'Last day (UTC); empty while still valid.');
  const prec = input('number', p.precision_m);
  prec.min = '0';
  prec.step = 'any';
  prec.inputMode = 'decimal';
  inputs.precision_m = field(form, 'precision_m', 'Precision (metres)', prec, 'How far the true place may be from the one drawn.');
  if (point) {
    const row = el('div', 'ef-row ef-point');
    form.append(row);
    const lon = input('number', point[0].toFixed(6));
    const lat = input('number', point[1].toFixed(6));
    lon.step = lat.step = 'any';
    inputs.lon = field(row, 'lon', 'Longitude', lon);
    inputs.lat = field(row, 'lat', 'Latitude', lat);
    inputs.point = lon;
  }

  // Sources: one group of fields each; at least one with a title.
  const sources = el('fieldset', 'ef-sources');
  sources.append(el('legend', '', 'Sources (at least one, with a title)'));
  const list = el('ol', 'ef-source-list');
  const srcError = el('p', 'ef-error');
  srcError.id = uid('f-sources-error');
  srcError.hidden = true;
  const addSource = (s = {}) => {
    const li = el('li', 'ef-source');
    const n = list.children.length + 1;
    const grid = el('div', 'ef-source-grid');
    const fs = {};
    fs.title = field(grid, 'source-title', 'Title', input('text', s.title));
    fs.publisher = field(grid, 'source-publisher', 'Publisher', input('text', s.publisher));
    fs.date = field(grid, 'source-date', 'Date', input('text', s.date), 'As the source gives it, e.g. 2025-11-03.');
    fs.url = field(grid, 'source-url', 'URL', input('url', s.url));
    li.sourceFields = fs;
    li.extra = { note: s.note };
    const rm = button(`Remove source ${n}`, 'ef-remove', () => { li.remove(); renumber(); (list.querySelector('input') || add).focus(); });
    li.append(grid, rm);
    list.append(li);
    return fs;
  };
  const renumber = () => [...list.children].forEach((li, i) => { li.querySelector('.ef-remove').textContent = `Remove source ${i + 1}`; });
  const add = button('Add a source', 'ef-add', () => addSource().title.focus());
  for (const s of Array.isArray(p.sources) ? p.sources : []) addSource(s);
  if (!list.children.length) addSource();
  sources.append(list, add, srcError);
  form.append(sources);
  inputs.sources = sources;

  const comment = el('textarea');
  comment.rows = 2;
  inputs.comment = field(form, 'comment', 'Comment on this change', comment, 'Why: the report or correction behind it. Shown in the history.');

  const actions = el('div', 'ef-actions');
  const submit = el('button', 'ef-save', 'Save');
  submit.type = 'submit';
  const cancel = button('Cancel', 'ef-cancel');
  actions.append(submit, cancel);
  form.append(actions);
  body.append(form);

  const clearErrors = () => {
    summary.hidden = true;
    srcError.hidden = true;
    for (const e of form.querySelectorAll('.ef-field-error')) e.remove();
    for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
    sources.removeAttribute('aria-describedby');
  };
  const showError = (err) => {
    const target = inputs[FIELD_OF[err.param]];
    if (err.param === 'sources') {
      srcError.textContent = err.message;
      srcError.hidden = false;
      sources.setAttribute('aria-describedby', srcError.id);
      (list.querySelector('input') || add).focus();
      return;
    }
    if (target) {
      const m = el('p', 'ef-error ef-field-error', err.message);
      m.id = uid('f-err');
      target.setAttribute('aria-invalid', 'true');
      const desc = target.getAttribute('aria-describedby');
      target.setAttribute('aria-describedby', desc ? `${m.id} ${desc}` : m.id);
      target.closest('.ef-field').append(m);
      target.focus();
      return;
    }
    summary.textContent = err.message || 'The change could not be saved.';
    summary.hidden = false;
    summary.focus?.();
  };

  const values = () => {
    const props = { ...p };
    const text = (k) => {
      const v = inputs[k].value.trim();
      if (v) props[k] = v; else delete props[k];
    };
    text('name');
    text('kind');
    props.valid_from = inputs.valid_from.value || null;
    props.valid_to = inputs.valid_to.value || null;
    const pr = inputs.precision_m.value.trim();
    if (pr === '') delete props.precision_m;
    else props.precision_m = Number.isFinite(Number(pr)) ? Number(pr) : pr;
    props.sources = [...list.children].map((li) => {
      const s = {};
      for (const [k, i] of Object.entries(li.sourceFields)) if (i.value.trim()) s[k] = i.value.trim();
      if (li.extra.note) s.note = li.extra.note;
      return s;
    }).filter((s) => Object.keys(s).length);
    let pt = null;
    if (point) pt = [Number(inputs.lon.value), Number(inputs.lat.value)];
    return { properties: props, comment: inputs.comment.value.trim(), point: pt };
  };

  return new Promise((resolve) => {
    let done = false;
    dialog.addEventListener('close', () => { if (!done) resolve(null); });
    cancel.addEventListener('click', close);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors();
      submit.disabled = true;
      form.setAttribute('aria-busy', 'true');
      try {
        const result = await save(values());
        done = true;
        resolve(result);
        close();
      } catch (err) {
        showError(err);
      } finally {
        submit.disabled = false;
        form.removeAttribute('aria-busy');
      }
    });
    inputs.name.focus();
  });
}
