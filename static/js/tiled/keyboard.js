// keyboard.js is the keyboard's way to what tiles draw. With the map
// focused (arrow keys move it, the centre is marked), Enter opens the
// feature or cluster nearest the centre, as a click on it would. Each
// tiled layer listens; the first with something there takes the key.

/** Pixels from the map's centre within which Enter finds a symbol. */
export const KEY_SLOP = 24;

/**
 * Listens for Enter on the focused map.
 * @param {L.Map} map
 * @param {(center: object) => boolean} open opens what is at the map's
 *   centre (a LatLng) and reports whether there was something
 * @returns {() => void} stops listening
 */
export function listenForEnter(map, open) {
  const container = map.getContainer();
  const onKey = (e) => {
    if (e.key !== 'Enter' || e.defaultPrevented || e.target !== container) return;
    if (open(map.getCenter())) e.preventDefault();
  };
  container.addEventListener('keydown', onKey);
  return () => container.removeEventListener('keydown', onKey);
}
