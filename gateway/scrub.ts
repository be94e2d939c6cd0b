// Key-shaped tokens that vendors echo back in error messages ("Incorrect API key provided: sk-ab***yz").
// A key prefix always ends in - or _ (sk-, sk-proj-, sbk_), so words like "skip_special_tokens" are left alone.
const KEY_SHAPED = /\b(?:sk-|sk_|sbk_|AIza)[A-Za-z0-9*_-]{6,}/g;

/** Removes every known secret, and anything shaped like an API key, from text meant for a caller or a log. */
export function scrubSecrets(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(KEY_SHAPED, '[redacted]');
}

/** Keys shorter than this are not secrets worth scrubbing from answers ("ollama", "none"), and would mangle text. */
const MIN_SCRUBBED_KEY = 8;

/** Replaces every occurrence of the route's own key in an upstream body; cheap when it is absent (one search). */
export function scrubKey(text: string, key: string | null | undefined): string {
  if (!key || key.length < MIN_SCRUBBED_KEY || !text.includes(key)) return text;
  return text.split(key).join('[redacted]');
}

/** `scrubKey` for a body that is not text: the key's bytes, wherever they occur, replaced. */
export function scrubKeyBytes(bytes: Buffer, key: string | null | undefined): Buffer {
  if (!key || key.length < MIN_SCRUBBED_KEY) return bytes;
  const needle = Buffer.from(key, 'utf8');
  let at = bytes.indexOf(needle);
  if (at === -1) return bytes;
  const parts: Buffer[] = [];
  let from = 0;
  const mark = Buffer.from('[redacted]');
  while (at !== -1) {
    parts.push(bytes.subarray(from, at), mark);
    from = at + needle.length;
    at = bytes.indexOf(needle, from);
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}

/**
 * The same for a body that arrives in pieces: a key split across two pieces is still found. Only
 * the tail of a piece that could be the start of the key is held back (usually nothing: an SSE
 * piece ends with a blank line), so a stream is not delayed.
 */
export class KeyScrubber {
  private held = '';
  private readonly key: string | null;

  constructor(key: string | null | undefined) {
    this.key = key && key.length >= MIN_SCRUBBED_KEY ? key : null;
  }

  push(piece: string): string {
    if (this.key === null) return piece;
    const text = scrubKey(this.held + piece, this.key);
    const keep = heldTail(text, this.key);
    this.held = keep === 0 ? '' : text.slice(text.length - keep);
    return keep === 0 ? text : text.slice(0, text.length - keep);
  }

  end(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }
}

/** The length of the longest tail of `text` that is a proper start of `key` (0: none). */
function heldTail(text: string, key: string): number {
  const first = key[0]!;
  const from = Math.max(0, text.length - key.length + 1);
  // The earliest such start is the longest tail.
  for (let index = text.indexOf(first, from); index !== -1; index = text.indexOf(first, index + 1)) {
    if (key.startsWith(text.slice(index))) return text.length - index;
  }
  return 0;
}
