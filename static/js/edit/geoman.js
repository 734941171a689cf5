// geoman.js loads the vendored Geoman (@geoman-io/leaflet-geoman-free)
// when the editor signs in: readers never download it. Geoman is one
// script that extends a global L; our Leaflet is an ES module, whose
// namespace is read-only, so Geoman gets a plain object holding the same
// classes (its L.Map.include, L.Marker.addInitHook… change the classes
// the map uses) and keeps its own L.PM there.

import * as Leaflet from '../../vendor/leaflet/leaflet-src.esm.js';

let loading = null;

/**
 * Loads Geoman once and gives the map its pm handle (the map was made
 * before Geoman's init hooks existed).
 * @param {L.Map} map
 * @returns {Promise<object>} Geoman's L.PM
 */
export function loadGeoman(map) {
  if (!loading) {
    if (!globalThis.L) globalThis.L = { ...Leaflet };
    loading = import('../../vendor/@geoman-io/leaflet-geoman-free/leaflet-geoman.min.js').then(() => {
      if (!globalThis.L.PM) throw new Error('The editing library did not load.');
      return globalThis.L.PM;
    });
  }
  return loading.then((PM) => {
    if (!map.pm) {
      map.pm = new PM.Map(map);
      map.pm.setGlobalOptions({});
    }
    return PM;
  });
}
