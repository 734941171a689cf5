// keys.js maps key presses to presenter actions. Presentation clickers
// send PageDown and PageUp (next, previous) and "." or B (blank screen).

/**
 * Returns the action a key press asks for, or "" for keys the presenter
 * leaves alone (any key with Ctrl, Alt or Meta, so browser shortcuts
 * such as Alt+Left keep working).
 * @param {{key: string, shiftKey?: boolean, ctrlKey?: boolean, altKey?: boolean, metaKey?: boolean}} e
 * @returns {string} next, prev, first, last, digit, enter, backspace,
 *   blank, fullscreen, overview, escape, speaker, play or ""
 */
export function keyAction(e) {
  if (e.ctrlKey || e.altKey || e.metaKey) return '';
  switch (e.key) {
    case 'ArrowRight': case 'ArrowDown': case 'PageDown': case 'n': case 'N':
      return 'next';
    case ' ': case 'Spacebar':
      return e.shiftKey ? 'prev' : 'next';
    case 'ArrowLeft': case 'ArrowUp': case 'PageUp': case 'p': case 'P':
      return 'prev';
    case 'Home': return 'first';
    case 'End': return 'last';
    case 'Enter': return 'enter';
    case 'Backspace': return 'backspace';
    case 'b': case 'B': case '.': return 'blank';
    case 'f': case 'F': return 'fullscreen';
    case 'o': case 'O': return 'overview';
    case 'Escape': case 'Esc': return 'escape';
    case 's': case 'S': return 'speaker';
    case 'a': case 'A': return 'play';
  }
  return /^[0-9]$/.test(e.key) ? 'digit' : '';
}
