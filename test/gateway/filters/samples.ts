import fc from 'fast-check';
import { luhnValid } from '../../../gateway/filters/patterns.ts';

/** Sample secrets and harmless text for the redaction tests (arbitraries and fixed examples). */

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE64 = `${ALNUM}+/`;

export const chars = (alphabet: string, minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength, maxLength });

/** The digit that makes `body` pass the Luhn check. */
export function luhnComplete(body: string): string {
  for (let digit = 0; digit <= 9; digit++) if (luhnValid(`${body}${digit}`)) return `${body}${digit}`;
  throw new Error('unreachable');
}

/** A Luhn-invalid number: the valid one with its check digit moved. */
export const luhnBreak = (valid: string): string =>
  valid.slice(0, -1) + String((Number(valid.at(-1)) + 1 + (valid.length % 3)) % 10);

const groupBy4 = (digits: string, separator: string) => digits.match(/.{1,4}/g)!.join(separator);

/** Card-number digits (13 to 19, with a real issuer prefix), Luhn-valid. */
export const cardDigits = fc
  .tuple(fc.constantFrom('4', '51', '55', '37', '6011', '35'), fc.integer({ min: 13, max: 19 }))
  .chain(([prefix, length]) =>
    chars('0123456789', length - prefix.length - 1, length - prefix.length - 1).map((body) =>
      luhnComplete(prefix + body),
    ),
  );

const formatCard = (digits: string, separator: string) => (separator ? groupBy4(digits, separator) : digits);

export const validCard = fc
  .tuple(cardDigits, fc.constantFrom('', ' ', '-'))
  .map(([digits, separator]) => formatCard(digits, separator));

export const invalidCard = fc
  .tuple(cardDigits, fc.constantFrom('', ' ', '-'))
  .map(([digits, separator]) => formatCard(luhnBreak(digits), separator));

export const email = fc
  .tuple(
    chars(`${ALNUM}._%+-`, 1, 30),
    chars(`${ALNUM}`, 1, 12),
    fc.constantFrom('com', 'io', 'co.uk', 'example', 'dev'),
  )
  .map(([local, domain, tld]) => `${local.replace(/^[._%+-]+/, '') || 'x'}@${domain}.${tld}`);

const pemBody = fc
  .array(chars(BASE64, 64, 64), { minLength: 1, maxLength: 26 })
  .map((lines) => lines.join('\n'));

export const pemBlock = fc
  .tuple(fc.constantFrom('', 'RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED ', 'DSA '), pemBody)
  .map(([kind, body]) => `-----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY-----`);

/** One key of each vendor shape, keyed by vendor. */
export const apiKeyShapes = {
  openai: chars(`${ALNUM}_-`, 40, 156).map((rest) => `sk-proj-${rest}`),
  'openai-legacy': chars(ALNUM, 48, 48).map((rest) => `sk-${rest}`),
  anthropic: fc
    .tuple(chars(`${ALNUM}_-`, 93, 93), chars(ALNUM, 6, 6))
    .map(([body, tail]) => `sk-ant-api03-${body}-${tail}AA`),
  aws: fc
    .tuple(fc.constantFrom('AKIA', 'ASIA'), chars(UPPER_DIGITS, 16, 16))
    .map(([prefix, rest]) => prefix + rest),
  github: chars(ALNUM, 36, 36).map((rest) => `ghp_${rest}`),
  'github-pat': fc
    .tuple(chars(ALNUM, 22, 22), chars(ALNUM, 59, 59))
    .map(([id, secret]) => `github_pat_${id}_${secret}`),
  // Ending in anything but `-`: a key ending in `-` is missed (reported; see patterns.test.ts).
  google: fc
    .tuple(chars(`${ALNUM}_-`, 34, 34), chars(`${ALNUM}_`, 1, 1))
    .map(([rest, last]) => `AIza${rest}${last}`),
  slack: fc
    .tuple(fc.constantFrom('xoxb', 'xoxp', 'xoxa'), chars('0123456789', 12, 12), chars(ALNUM, 24, 24))
    .map(([prefix, team, secret]) => `${prefix}-${team}-${secret}`),
  pem: pemBlock,
} as const;

export const apiKey = fc.oneof(...Object.values(apiKeyShapes));

const hexGroup = chars('0123456789abcdefABCDEF', 1, 4);
/** IPv6 in full form, or compressed with groups on both sides of `::` (the forms the set covers). */
export const ipV6 = fc.oneof(
  fc.array(hexGroup, { minLength: 8, maxLength: 8 }).map((groups) => groups.join(':')),
  fc
    .tuple(
      fc.array(hexGroup, { minLength: 1, maxLength: 3 }),
      fc.array(hexGroup, { minLength: 1, maxLength: 3 }),
    )
    .map(([head, tail]) => `${head.join(':')}::${tail.join(':')}`),
);
export const ipAddress = fc.oneof(fc.ipV4(), ipV6);

/** Words that no builtin pattern can match, even when cut anywhere. */
export const word = chars('abcdefghijklmnopqrstuvwxyz', 1, 12);
/** Never a bare space or dash: a card number takes digits after those as part of itself (reported). */
const separator = fc.constantFrom(' and ', '\n', ', ', '. ', ' (', ') ', ' = ', ' "', '" ', '\t');

/** Prose with the given secrets scattered through it, each separated from its neighbours. */
export function prose(...secrets: fc.Arbitrary<string>[]): fc.Arbitrary<string> {
  const token = secrets.length === 0 ? word : fc.oneof({ weight: 3, arbitrary: word }, ...secrets);
  return fc
    .array(fc.tuple(token, separator), { maxLength: 30 })
    .map((parts) => parts.map(([text, gap]) => text + gap).join(''));
}

/** Text with secrets, near-misses and junk run together with no separators at all. */
export function jumble(...secrets: fc.Arbitrary<string>[]): fc.Arbitrary<string> {
  const junk = fc.oneof(
    fc.constantFrom(' ', '\n', '.', '-', '@', ':', '_', '1', ' 123', '::', 'sk-', 'AKIA', '[REDACTED:x]'),
    chars(`${ALNUM} .-`, 1, 12),
    fc.string({ maxLength: 5 }),
  );
  return fc
    .array(fc.oneof({ weight: 3, arbitrary: junk }, ...secrets), { maxLength: 25 })
    .map((parts) => parts.join(''));
}

/** Cuts text at the given points (taken modulo its length, sorted) into consecutive pieces. */
export function split(text: string, points: readonly number[]): string[] {
  const cuts = [...new Set(points.map((point) => point % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let position = 0;
  for (const cut of cuts) {
    pieces.push(text.slice(position, cut));
    position = cut;
  }
  pieces.push(text.slice(position));
  return pieces;
}

/** Fixed, realistic examples of each secret kind. */
export const EXAMPLES = {
  openai:
    'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_abcdefGHIJKLmnopQRSTuvwxYZ-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345678',
  'openai-legacy': 'sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKl',
  anthropic:
    'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-AbCdEfGhIjKlMnOpQrStUvWxYz01-AbCdEfAA',
  aws: 'AKIAIOSFODNN7EXAMPLE',
  github: 'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  'github-pat':
    'github_pat_11ABCDEFG0123456789abcde_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvW',
  google: 'AIzaSyA-1234567890abcdefghijklmnopqrstu',
  slack: 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  pem: [
    '-----BEGIN RSA PRIVATE KEY-----',
    'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB',
    'aFDrBz9vFqU4yUVGmBdZdVbLgJ8oHbFJJLbOEwIdTg1Jp2q3JbZ/ZZkO1n2fDEpD',
    'OkqwW5A7r4nJ0bS8a4tZkJ5q3fJ6q1lJbL1b3vQxGz8fM1N0m2lHk9Xz7c6D5bE1',
    '-----END RSA PRIVATE KEY-----',
  ].join('\n'),
} as const;
