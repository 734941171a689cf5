// Unit tests of static/js/present/offline.js in Node: items requests are
// answered from the exporter's lists of what each step's date shows,
// without parsing datetime in the page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answer } from '../../static/js/present/offline.js';

const point = (id, lon, lat) => ({ type: 'Feature', id, geometry: { type: 'Point', coordinates: [lon, lat] }, properties: {} });

// A bundle as internal/bundle writes it: "at" holds indexes into items.
const data = {
  briefing: { id: 'b', title: 'B', steps: [{ id: 's1', date: '2025-10-11', layers: ['towns'] }] },
  collections: [{ id: 'towns', title: 'Towns' }],
  items: { towns: [point('a', 34.4, 31.5), point('b', 34.3, 31.3), point('c', 10, 10)] },
  at: { '2025-10-11': { towns: [0, 2] }, '2025-12-02/2025-12-25': { towns: [] } },
  basemap: {},
};

async function items(query) {
  const res = answer(data, 'collections/towns/items', new URLSearchParams(query));
  return { status: res.status, body: await res.json() };
}

test('items at a step date are the exported list, in its order', async () => {
  const cases = [
    { query: 'datetime=2025-10-11', ids: ['a', 'c'] },
    { query: 'datetime=2025-10-11&bbox=34,31,35,32', ids: ['a'] },
    { query: 'datetime=2025-12-02%2F2025-12-25', ids: [] },
    { query: '', ids: ['a', 'b', 'c'] },
  ];
  for (const c of cases) {
    const { status, body } = await items(c.query);
    assert.equal(status, 200, c.query);
    assert.deepEqual(body.features.map((f) => f.id), c.ids, c.query);
    assert.equal(body.numberMatched, c.ids.length, c.query);
  }
});

test('items at a date no step shows are not in the file', async () => {
  for (const query of ['datetime=2025-10-12', 'datetime=2025-10-11T00:00:00Z', 'datetime=nonsense']) {
    const { status, body } = await items(query);
    assert.equal(status, 404, query);
    assert.match(body.description, /not in this exported file/, query);
  }
});

test('a bad bbox is a 400', async () => {
  const { status } = await items('datetime=2025-10-11&bbox=1,2,3');
  assert.equal(status, 400);
});
