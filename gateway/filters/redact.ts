import { findMatches, type Pattern } from './patterns.ts';

export function replacement(label: string): string {
  return `[REDACTED:${label}]`;
}

/** Replaces every match with `[REDACTED:<label>]`; text without matches comes back unchanged (the same string). */
export function redactText(text: string, patterns: readonly Pattern[]): string {
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
 * Redaction over streamed text: pieces go in as they arrive and come out redacted, holding back
 * only the last `maxLength` characters (the longest any pattern can match), and from any match
 * that touches that tail or any unfinished opener (a PEM block's BEGIN line). So a secret split
 * across chunks is still caught, and the delay is bounded by the longest pattern.
 */
export class StreamRedactor {
  private buffer = '';
  private readonly holdBack: number;
  private readonly openers: string[];

  constructor(private readonly patterns: readonly Pattern[]) {
    this.holdBack = Math.max(0, ...patterns.map((pattern) => pattern.maxLength));
    this.openers = patterns.flatMap((pattern) => (pattern.opener ? [pattern.opener] : []));
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
    for (const opener of this.openers) {
      const at = this.buffer.lastIndexOf(opener);
      if (
        at !== -1 &&
        at < cut &&
        findMatches(this.buffer.slice(at), this.patterns).every((match) => match.start !== 0)
      ) {
        cut = at;
      }
    }
    if (cut === 0) return '';
    const ready = this.buffer.slice(0, cut);
    this.buffer = this.buffer.slice(cut);
    return redactText(ready, this.patterns);
  }

  /** The stream ended: everything left, redacted. */
  end(): string {
    const rest = redactText(this.buffer, this.patterns);
    this.buffer = '';
    return rest;
  }
}
