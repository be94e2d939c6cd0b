/** A pattern to find in text: a regex, how long a match can be (for stream hold-back) and its label. */
export interface Pattern {
  label: string;
  regex: RegExp;
  /** The longest text a match can span; a stream holds back this much so a split match is still caught. */
  maxLength: number;
  /**
   * Where a long match (a PEM private key) begins: a stream holds back from an unfinished one,
   * however long, and a stream that ends inside one has the rest redacted.
   */
  opener?: RegExp;
  /** A further check on a match (the Luhn digit for card numbers). */
  accept?: (match: string) => boolean;
}

export function luhnValid(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const HEX = '[0-9A-Fa-f]{1,4}';
const IPV4_TAIL = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}`;
/**
 * Every IPv6 form: full, compressed with '::' at the start, middle or end, and with an IPv4 tail
 * (`::ffff:192.0.2.1`, `64:ff9b::192.0.2.33`). Not inside a longer token, and not the bare `::`.
 */
const IPV6 = new RegExp(
  String.raw`(?<![:\w.])(?:` +
    [
      `(?:${HEX}:){7}${HEX}`,
      `(?:${HEX}:){1,5}:?${IPV4_TAIL}`,
      `::(?:[fF]{4}:(?:0{1,4}:)?)?${IPV4_TAIL}`,
      ...[1, 2, 3, 4, 5, 6].map((before) => `(?:${HEX}:){${before}}(?::${HEX}){1,${7 - before}}`),
      `(?:${HEX}:){1,7}:`,
      `::(?:${HEX}:){0,6}${HEX}`,
    ].join('|') +
    String.raw`)(?![\w]|:[0-9A-Fa-f])`,
  'g',
);

const BUILTIN: Record<string, Pattern[]> = {
  'api-keys': [
    { label: 'api-keys', regex: /\bsk-ant-[A-Za-z0-9_-]{20,200}/g, maxLength: 210 },
    { label: 'api-keys', regex: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}/g, maxLength: 215 },
    { label: 'api-keys', regex: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, maxLength: 20 },
    { label: 'api-keys', regex: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g, maxLength: 260 },
    { label: 'api-keys', regex: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g, maxLength: 266 },
    { label: 'api-keys', regex: /\bAIza[0-9A-Za-z_-]{35}(?![\w-])/g, maxLength: 39 },
    { label: 'api-keys', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,250}/g, maxLength: 255 },
    {
      label: 'api-keys',
      regex: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/g,
      maxLength: 64,
      opener: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g,
    },
  ],
  emails: [
    {
      label: 'emails',
      regex: /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b/g,
      maxLength: 254,
    },
  ],
  // The layouts card numbers are written in, each checked with the Luhn digit. (One loose pattern
  // for any 13-19 digits with any separators swallowed a neighbouring number and then failed Luhn.)
  'credit-cards': [
    { label: 'credit-cards', regex: /\b\d{13,19}\b/g, maxLength: 19, accept: luhnValid },
    {
      label: 'credit-cards',
      regex: /\b\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?\b/g,
      maxLength: 23,
      accept: luhnValid,
    },
    { label: 'credit-cards', regex: /\b\d{4}([ -])\d{6}\1\d{4,5}\b/g, maxLength: 17, accept: luhnValid },
    // Any length written in groups of four (a short last group), e.g. 13-digit numbers as 4-4-4-1.
    {
      label: 'credit-cards',
      regex: /\b\d{4}([ -])\d{4}(?:\1\d{4}){1,3}(?:\1\d{1,3})?\b/g,
      maxLength: 24,
      accept: luhnValid,
    },
  ],
  'ip-addresses': [
    {
      label: 'ip-addresses',
      regex: /\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b/g,
      maxLength: 15,
    },
    { label: 'ip-addresses', regex: IPV6, maxLength: 45 },
  ],
};

export const BUILTIN_SETS = Object.keys(BUILTIN).map((name) => `builtin:${name}`);

/** Text a user pattern may match at most, unless the filter says otherwise. */
export const DEFAULT_MAX_MATCH = 256;

/**
 * Compiles a filter's patterns: `builtin:<set>` names, or regular expressions in JavaScript syntax
 * with an optional leading `(?i)` (the inline flag other tools use) for case-insensitivity.
 * Throws with a message naming the pattern when one is not valid.
 */
export function compilePatterns(
  sources: readonly string[],
  label: string,
  maxLength = DEFAULT_MAX_MATCH,
): Pattern[] {
  return sources.flatMap((source) => {
    if (source.startsWith('builtin:')) {
      const set = BUILTIN[source.slice('builtin:'.length)];
      if (!set) throw new Error(`unknown pattern set "${source}"; known: ${BUILTIN_SETS.join(', ')}`);
      return set.map((pattern) => ({
        ...pattern,
        regex: new RegExp(pattern.regex.source, pattern.regex.flags),
      }));
    }
    let body = source;
    let flags = 'g';
    const inline = /^\(\?([ims]+)\)/.exec(body);
    if (inline) {
      body = body.slice(inline[0].length);
      flags += inline[1];
    }
    try {
      return [{ label, regex: new RegExp(body, flags), maxLength }];
    } catch (error) {
      throw new Error(
        `pattern ${JSON.stringify(source)} is not a valid regular expression: ${(error as Error).message}`,
        { cause: error },
      );
    }
  });
}

export interface Match {
  start: number;
  end: number;
  label: string;
}

/** Every accepted match in text, earliest first, overlaps resolved in favour of the earlier/longer one. */
export function findMatches(text: string, patterns: readonly Pattern[]): Match[] {
  const found: Match[] = [];
  for (const pattern of patterns) {
    pattern.regex.lastIndex = 0;
    for (const match of text.matchAll(pattern.regex)) {
      if (match[0] === '' || (pattern.accept && !pattern.accept(match[0]))) continue;
      found.push({ start: match.index, end: match.index + match[0].length, label: pattern.label });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  // Overlapping matches are joined, so that no part of either survives redaction.
  const merged: Match[] = [];
  for (const match of found) {
    const last = merged.at(-1);
    if (last && match.start < last.end) {
      last.end = Math.max(last.end, match.end);
      continue;
    }
    merged.push({ ...match });
  }
  return merged;
}
