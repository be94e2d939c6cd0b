import { findMatches, type Pattern } from './patterns.ts';

export function replacement(label: string): string {
  return `[REDACTED:${label}]`;
}

function redactOnce(text: string, patterns: readonly Pattern[]): string {
  const matches = findMatches(text, patterns);
  if (matches.length === 0) return text;
  let out = '';
  let position = 0;
  for (const match of matches) {
    out += text.slice(position, match.start) + replacement(match.label);
    position = match.end;
  }
  return out + text.slice(position);
}

/**
 * Replaces every match with `[REDACTED:<label>]`; text without matches comes back unchanged (the
 * same string). Repeated until nothing matches, because a marker can itself complete a match
 * next to it (it adds a word boundary).
 */
export function redactText(text: string, patterns: readonly Pattern[]): string {
  let current = text;
  for (let pass = 0; pass < 8; pass++) {
    const next = redactOnce(current, patterns);
    if (next === current) return current;
    current = next;
  }
  return current;
}

/**
 * Redaction over streamed text: pieces go in as they arrive and come out redacted, holding back
 * only the last `maxLength` characters (the longest any pattern can match), and from any match
 * that touches that tail or any unfinished opener (a PEM block's BEGIN line). So a secret split
 * across chunks is still caught, and the delay is bounded by the longest pattern.
 */
export class StreamRedactor {
  private buffer = '';
  private readonly holdBack: number;
  private readonly openers: { regex: RegExp; label: string }[];

  constructor(private readonly patterns: readonly Pattern[]) {
    this.holdBack = Math.max(0, ...patterns.map((pattern) => pattern.maxLength));
    this.openers = patterns.flatMap((pattern) =>
      pattern.opener ? [{ regex: new RegExp(pattern.opener.source, 'g'), label: pattern.label }] : [],
    );
  }

  /** Where the last opener without its complete match after it begins, if any. */
  private unfinished(): { at: number; label: string } | null {
    let found: { at: number; label: string } | null = null;
    for (const opener of this.openers) {
      opener.regex.lastIndex = 0;
      let last = -1;
      for (const match of this.buffer.matchAll(opener.regex)) last = match.index;
      if (last === -1) continue;
      const complete = findMatches(this.buffer.slice(last), this.patterns).some((match) => match.start === 0);
      if (!complete && (found === null || last < found.at)) found = { at: last, label: opener.label };
    }
    return found;
  }

  /** Adds a piece; returns the redacted text now safe to send (possibly empty). */
  push(text: string): string {
    this.buffer += text;
    let cut = Math.max(0, this.buffer.length - this.holdBack);
    for (const match of findMatches(this.buffer, this.patterns)) {
      if (match.end > cut) {
        cut = Math.min(cut, match.start);
        break;
      }
    }
    const open = this.unfinished();
    if (open && open.at < cut) cut = open.at;
    if (cut === 0) return '';
    const ready = this.buffer.slice(0, cut);
    this.buffer = this.buffer.slice(cut);
    return redactText(ready, this.patterns);
  }

  /** The stream ended: everything left, redacted — a private key cut off before its END line included. */
  end(): string {
    const open = this.unfinished();
    const rest = open
      ? redactText(this.buffer.slice(0, open.at), this.patterns) + replacement(open.label)
      : redactText(this.buffer, this.patterns);
    this.buffer = '';
    return rest;
  }
}

/**
 * Several texts redacted as they stream, one StreamRedactor each, made on first use: a choice's
 * content and each of its tool calls' arguments, a content block, a candidate. The hold-back is
 * StreamRedactor's; this only keeps one per text, so that no format writes that bookkeeping again.
 */
export class StreamRedactors<Key> {
  private readonly redactors = new Map<Key, StreamRedactor>();

  constructor(private readonly patterns: readonly Pattern[]) {}

  /** Adds a piece of the text `key`; returns the redacted text now safe to send (possibly empty). */
  push(key: Key, text: string): string {
    let redactor = this.redactors.get(key);
    if (!redactor) {
      redactor = new StreamRedactor(this.patterns);
      this.redactors.set(key, redactor);
    }
    return redactor.push(text);
  }

  /** The text `key` ended: what was held of it, redacted ('' when nothing). */
  end(key: Key): string {
    const rest = this.redactors.get(key)?.end() ?? '';
    this.redactors.delete(key);
    return rest;
  }

  /** The texts that may still hold something, in the order they began. */
  keys(): Key[] {
    return [...this.redactors.keys()];
  }
}

/**
 * Redacts a JSON value in place (a tool call's input, a function call's arguments) through its
 * text; a rewrite that is no longer JSON is kept as `{text}`, as request filters do.
 */
export function redactJsonField(
  holder: Record<string, unknown>,
  key: string,
  patterns: readonly Pattern[],
): void {
  if (holder[key] === undefined) return;
  const text = JSON.stringify(holder[key]);
  const redacted = redactText(text, patterns);
  if (redacted === text) return;
  try {
    holder[key] = JSON.parse(redacted) as unknown;
  } catch {
    holder[key] = { text: redacted };
  }
}
