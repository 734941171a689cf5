// credits.js folds a map's credits (Leaflet's attribution) on small
// screens, where the full line covers the bottom of the map: a button
// marked "i" shows or hides them. On wider screens the button is hidden
// by CSS and the credits are always shown.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';

/**
 * A control with the button that shows or hides the map's credits.
 */
export const CreditsToggle = L.Control.extend({
  options: { position: 'bottomright' },

  onAdd(map) {
    const b = L.DomUtil.create('button', 'credits-toggle');
    b.type = 'button';
    b.textContent = 'i';
    b.title = 'Map credits';
    b.setAttribute('aria-label', 'Map credits');
    b.setAttribute('aria-expanded', 'false');
    L.DomEvent.disableClickPropagation(b);
    b.addEventListener('click', () => {
      const open = map.getContainer().classList.toggle('credits-open');
      b.setAttribute('aria-expanded', String(open));
    });
    return b;
  },
});
