import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import type { VendorId } from '../domain.ts';
import { providerFor } from '../providers/index.ts';

interface Tokenizer {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
  setMergeCacheSize(size: number): void;
}

/**
 * Text like `<|endoftext|>` in a prompt is counted as the text it is, as the vendors' APIs treat
 * it: by default gpt-tokenizer throws on it, which would turn a prompt into a 500.
 */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * The tokenizer never sees a stretch longer than this (UTF-8 bytes) without a pre-token boundary:
 * its byte-pair merge is quadratic in the length of one pre-token (a 200 KB run of `x` took 16-45 s
 * in one call). Cut at 128 bytes, such a run costs at most what random text does, ~0.5 µs a byte.
 */
const MAX_RUN_BYTES = 128;

/** Text is handed to the tokenizer in pieces of about this many characters, so the clock can be read between them. */
const PIECE_CHARS = 4096;

/**
 * The first 32 KiB of a request are always counted exactly, so that ordinary requests get the same
 * count whatever the machine's load: at worst (random text, ~0.7 µs a byte) that takes ~25 ms here.
 */
const ALWAYS_EXACT_BYTES = 32 * 1024;

/**
 * Beyond those, text is counted exactly until this much time has passed in the call, less the
 * estimated cost of the bound that takes over (one `Buffer.byteLength` of what is left, measured at
 * up to ~2 ns a character on 32 MiB of emoji on a busy machine): about 100 ms at most in all,
 * whatever the size.
 */
const EXACT_BUDGET_MS = 75;
const BOUND_MS_PER_CHAR = 2e-6;

let tokenizer: Tokenizer | undefined;

/** gpt-tokenizer's tables take ~50 MB: loaded on the first count, i.e. once a budget or TPM limit is used. */
function loadTokenizer(): Tokenizer {
  if (tokenizer) return tokenizer;
  tokenizer = createRequire(import.meta.url)('gpt-tokenizer') as Tokenizer;
  // Its LRU merge cache (100,000 pre-tokens by default) evicts with `keys().next()` on a Map full
  // of deleted slots: once full, on text of many distinct pre-tokens (random text, base64) it made
  // counting 2-5 times slower. A small one still spares re-merging a repeated run (`xxxx…`).
  tokenizer.setMergeCacheSize(1024);
  return tokenizer;
}

// Character classes, as the o200k pre-tokenizer's regular expression sees them.
const OTHER = 0;
const SPACE = 1; // \s, except the two below
const NEWLINE = 2; // \r and \n
const LETTER = 3; // \p{L}
const MARK = 4; // \p{M}
const NUMBER = 5; // \p{N}
const APOSTROPHE = 6; // starts a contraction suffix (`'s`, `'ll`) that continues a word
const SLASH = 7; // may follow newlines inside a punctuation pre-token
const UNKNOWN = 8; // surrogates: the class of the astral character is not known from one half

let classes: Uint8Array | undefined;

/** The class of every UTF-16 code unit, from the same regular-expression engine the tokenizer uses. */
function characterClasses(): Uint8Array {
  if (classes) return classes;
  const table = new Uint8Array(0x10000);
  const space = /\s/u;
  const letter = /\p{L}/u;
  const mark = /\p{M}/u;
  const number = /\p{N}/u;
  for (let code = 0; code < 0x10000; code++) {
    const char = String.fromCharCode(code);
    if (code >= 0xd800 && code <= 0xdfff) table[code] = UNKNOWN;
    else if (code === 10 || code === 13) table[code] = NEWLINE;
    else if (code === 39) table[code] = APOSTROPHE;
    else if (code === 47) table[code] = SLASH;
    else if (space.test(char)) table[code] = SPACE;
    else if (letter.test(char)) table[code] = LETTER;
    else if (mark.test(char)) table[code] = MARK;
    else if (number.test(char)) table[code] = NUMBER;
    else table[code] = OTHER;
  }
  classes = table;
  return table;
}

/**
 * Whether o200k's pre-tokenizer always ends a pre-token between two adjacent characters of these
 * classes, wherever its matching started, and matches the text before the point the same whether
 * or not the text after follows. No alternative of its pattern
 *   letters (one leading non-letter, a contraction suffix) | \p{N}{1,3}
 *   | ` ?[^\s\p{L}\p{N}]+[\r\n/]*` | `\s*[\r\n]+` | `\s+(?!\S)` | `\s+`
 * contains a non-space followed by a space other than \r or \n, a newline followed by a non-space
 * other than `/`, a letter followed by anything but a letter, a mark or an apostrophe, or a digit
 * next to a non-digit. The one look-ahead, `(?!\S)`, sees past the point only if the text before
 * ends in spaces: hence no cut after a space, except after a newline, which `\s*[\r\n]+` takes
 * whatever follows. So counting the text on either side of such a point gives exactly the count of
 * the whole (checked against the tokenizer in the tests), and a stretch without one can be cut at
 * a fixed width for a token or so more.
 */
function isBoundary(before: number, after: number): boolean {
  if (after === SPACE) return before !== SPACE && before !== NEWLINE;
  if (before === NEWLINE) return after !== NEWLINE && after !== SLASH;
  if (before === UNKNOWN || after === UNKNOWN) return false;
  if (before === LETTER) return after !== LETTER && after !== MARK && after !== APOSTROPHE;
  if (before === NUMBER) return after !== NUMBER;
  return after === NUMBER && before !== SPACE;
}

/** One call's progress: exact counting stops once past `ALWAYS_EXACT_BYTES` and `deadline`. */
interface Tally {
  tokens: number;
  bytes: number;
  deadline: number;
  exact: boolean;
}

/**
 * Adds the tokens of `text` to `tally`, in pieces cut at pre-token boundaries (exact) or, where a
 * stretch has none for `MAX_RUN_BYTES`, at that width (a token or so more per cut: an over-count).
 * Once out of time, the rest is counted by its UTF-8 length, which no tokenization exceeds.
 */
function addText(tally: Tally, text: string, count: Tokenizer['countTokens'], table: Uint8Array): void {
  if (!tally.exact) {
    tally.tokens += Buffer.byteLength(text, 'utf8');
    return;
  }
  let pieceStart = 0;
  let runBytes = 0;
  let previous = -1;
  // Where the current run of digits began (-1: not in one, or its start is unknown), since
  // `\p{N}{1,3}` groups a run by threes from its start: every third digit after it is a boundary
  // too (its start is one only as `isBoundary` says: not after a space).
  let digitsStart = -1;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    const type = table[code]!;
    const bytes = code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code <= 0xdfff) ? 2 : 3;
    tally.bytes += bytes;
    if (type !== NUMBER) digitsStart = -1;
    else if (previous !== NUMBER) digitsStart = previous === UNKNOWN ? -1 : index;
    let cut = false;
    if (
      previous !== -1 &&
      (isBoundary(previous, type) ||
        (digitsStart !== -1 && index > digitsStart && (index - digitsStart) % 3 === 0))
    ) {
      runBytes = bytes;
      cut = index - pieceStart >= PIECE_CHARS;
    } else if (
      runBytes + bytes > MAX_RUN_BYTES &&
      !(previous === UNKNOWN && code >= 0xdc00 && code <= 0xdfff)
    ) {
      // No boundary for a while: cut anyway, but never between the halves of a surrogate pair.
      // A cut inside a pre-token changes its merges, most often for a token more, rarely for one
      // fewer: the extra token keeps the count from falling below the tokenizer's own.
      tally.tokens++;
      runBytes = bytes;
      cut = true;
    } else {
      runBytes += bytes;
    }
    if (cut) {
      tally.tokens += count(text.slice(pieceStart, index), AS_PLAIN_TEXT);
      pieceStart = index;
      if (tally.bytes > ALWAYS_EXACT_BYTES && performance.now() > tally.deadline) {
        tally.exact = false;
        tally.tokens += Buffer.byteLength(text.slice(index), 'utf8');
        return;
      }
    }
    previous = type;
  }
  tally.tokens += count(pieceStart === 0 ? text : text.slice(pieceStart), AS_PLAIN_TEXT);
}

/**
 * Input tokens of a request, counted with a real BPE tokenizer (OpenAI's o200k, from
 * gpt-tokenizer). For Claude and Gemini, whose tokenizers are not published, o200k undercounts a
 * little, so budget estimates add a margin for them: an estimate errs towards refusing, never
 * towards overspending.
 *
 * Counting runs on the event loop, so it is linear and bounded in time: the first 32 KiB are always
 * counted exactly, the rest exactly while the call is under ~75 ms (on this project's 2-core
 * machine, about 400 KB of English, 1 MB of code, 100 KB of random text or CJK), and whatever is
 * left after that is counted as its UTF-8 length in bytes. Every token is at least one byte, so
 * that never undercounts; it over-counts English about four times, which only requests of several
 * hundred KB pay. A call on 32 MiB of anything takes 12-55 ms here.
 */
export function countInputTokens(texts: readonly string[], vendor: VendorId): number {
  let totalChars = 0;
  for (const text of texts) totalChars += text.length;
  const tally: Tally = { tokens: 0, bytes: 0, deadline: 0, exact: true };
  if (totalChars > 0) {
    const { countTokens } = loadTokenizer();
    const table = characterClasses();
    tally.deadline = performance.now() + EXACT_BUDGET_MS - totalChars * BOUND_MS_PER_CHAR;
    for (const text of texts) if (text) addText(tally, text, countTokens, table);
  }
  const margin = providerFor(vendor)?.tokenMargin ?? 1;
  // A few tokens of framing per message, as every chat format adds.
  return Math.ceil(tally.tokens * margin) + 4 * texts.length;
}
