/**
 * Passes an SSE byte stream on in whole events only: the text up to the last blank line goes on,
 * what follows it waits for the rest of its event. A stream cut inside an event then never leaves
 * half an event at the client (where an error event glued to it would be unreadable too). Linear:
 * each piece is scanned once, and a long event's pieces are joined once, when it is complete.
 */
export class CompleteEvents {
  private pieces: string[] = [];
  /** The last characters held: a blank line can begin in them and end in the next piece. */
  private lastChars = '';

  push(text: string): string {
    const window = this.lastChars + text;
    const end = lastBlankLineEnd(window);
    if (end === -1) {
      if (text !== '') this.pieces.push(text);
      this.lastChars = window.slice(-3);
      return '';
    }
    const cut = end - this.lastChars.length;
    const out = this.pieces.length === 0 ? text.slice(0, cut) : this.pieces.join('') + text.slice(0, cut);
    const rest = text.slice(cut);
    this.pieces = rest === '' ? [] : [rest];
    this.lastChars = rest.slice(-3);
    return out;
  }

  /** Whether part of an event is held (not just line breaks between events). */
  get midEvent(): boolean {
    return this.pieces.some((piece) => /[^\r\n]/.test(piece));
  }

  /** What is held, for a stream that ended normally (a last event without its blank line). */
  rest(): string {
    const rest = this.pieces.join('');
    this.pieces = [];
    this.lastChars = '';
    return rest;
  }
}

/** The index just past the last blank line (two line ends in a row: \n, \r or \r\n) in `text`, else -1. */
function lastBlankLineEnd(text: string): number {
  // Searched from the end: an SSE piece usually ends with its blank line, so this is one step.
  let index = text.length - 1;
  // A `\r` at the very end may be the first half of `\r\n`: decided with the next piece.
  if (index >= 0 && text.charCodeAt(index) === 13) index--;
  while (index >= 0) {
    while (index >= 0 && !isLineEnd(text.charCodeAt(index))) index--;
    if (index < 0) return -1;
    const runEnd = index + 1;
    while (index >= 0 && isLineEnd(text.charCodeAt(index))) index--;
    // Line ends in this run of \r and \n, a \r\n counting as one.
    let count = 0;
    for (let at = index + 1; at < runEnd; at++) {
      if (text.charCodeAt(at) === 13 && at + 1 < runEnd && text.charCodeAt(at + 1) === 10) at++;
      if (++count === 2) return runEnd;
    }
  }
  return -1;
}

const isLineEnd = (char: number) => char === 10 || char === 13;
