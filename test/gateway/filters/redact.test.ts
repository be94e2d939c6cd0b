import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SETS, compilePatterns, findMatches } from '../../../gateway/filters/patterns.ts';
import type { Pattern } from '../../../gateway/filters/patterns.ts';
import { redactText, replacement, StreamRedactor } from '../../../gateway/filters/redact.ts';
import {
  apiKey,
  apiKeyShapes,
  chars,
  email,
  EXAMPLES,
  invalidCard,
  ipAddress,
  jumble,
  pemBlock,
  prose,
  split,
  validCard,
  word,
} from './samples.ts';

/** User patterns of an `internal` filter, and text they match. */
const USER_SOURCES = ['\\bTICKET-\\d{4,8}\\b', '(?i)password=[^\\s,]{1,30}'];
const userSecret = fc.oneof(
  chars('0123456789', 4, 8).map((digits) => `TICKET-${digits}`),
  fc
    .tuple(fc.constantFrom('password=', 'PASSWORD=', 'Password='), chars('abcXYZ123!$%', 1, 30))
    .map(([key, value]) => key + value),
);

interface Case {
  name: string;
  patterns: () => Pattern[];
  /** Text that each pattern matches. */
  secrets: fc.Arbitrary<string>[];
}

const CASES: Case[] = [
  { name: 'builtin:api-keys', patterns: () => compilePatterns(['builtin:api-keys'], 'f'), secrets: [apiKey] },
  { name: 'builtin:emails', patterns: () => compilePatterns(['builtin:emails'], 'f'), secrets: [email] },
  {
    name: 'builtin:credit-cards',
    patterns: () => compilePatterns(['builtin:credit-cards'], 'f'),
    secrets: [validCard, invalidCard],
  },
  {
    name: 'builtin:ip-addresses',
    patterns: () => compilePatterns(['builtin:ip-addresses'], 'f'),
    secrets: [ipAddress],
  },
  { name: 'user patterns', patterns: () => compilePatterns(USER_SOURCES, 'internal'), secrets: [userSecret] },
];
const ALL_BUILTIN: Case = {
  name: 'every builtin set and user patterns together',
  patterns: () => compilePatterns([...BUILTIN_SETS, ...USER_SOURCES], 'internal'),
  secrets: [apiKey, email, validCard, invalidCard, ipAddress, userSecret],
};

/** Feeds the pieces to a fresh redactor; returns what came out of each push, and of end(). */
function stream(patterns: readonly Pattern[], pieces: readonly string[]): { pushed: string[]; end: string } {
  const redactor = new StreamRedactor(patterns);
  const pushed = pieces.map((piece) => redactor.push(piece));
  return { pushed, end: redactor.end() };
}
const streamed = (patterns: readonly Pattern[], pieces: readonly string[]) => {
  const { pushed, end } = stream(patterns, pieces);
  return pushed.join('') + end;
};
const holdBackOf = (patterns: readonly Pattern[]) =>
  Math.max(...patterns.map((pattern) => pattern.maxLength));

describe('redactText', () => {
  it('replaces each match with [REDACTED:<label>]', () => {
    const patterns = compilePatterns(['builtin:emails', 'builtin:api-keys', 'TICKET-\\d+'], 'internal');
    expect(redactText(`mail jane@example.com the key ${EXAMPLES.aws} re TICKET-123.`, patterns)).toBe(
      'mail [REDACTED:emails] the key [REDACTED:api-keys] re [REDACTED:internal].',
    );
    expect(replacement('emails')).toBe('[REDACTED:emails]');
  });

  it('redacts a whole PEM block, and a card number only when it passes the Luhn check', () => {
    const patterns = compilePatterns(['builtin:api-keys', 'builtin:credit-cards'], 'f');
    expect(redactText(`key:\n${EXAMPLES.pem}\ndone`, patterns)).toBe('key:\n[REDACTED:api-keys]\ndone');
    expect(redactText('pay 4111 1111 1111 1111 or 4111 1111 1111 1112', patterns)).toBe(
      'pay [REDACTED:credit-cards] or 4111 1111 1111 1112',
    );
  });

  it('returns the very same string when nothing matches', () => {
    const patterns = compilePatterns(BUILTIN_SETS, 'f');
    const text = 'nothing secret here, version 1.2.3, call me at noon';
    expect(redactText(text, patterns)).toBe(text);
    expect(redactText('', patterns)).toBe('');
  });

  for (const testCase of [...CASES, ALL_BUILTIN]) {
    describe(testCase.name, () => {
      const patterns = testCase.patterns();

      it('property: nothing that matches survives, in prose', () => {
        fc.assert(
          fc.property(prose(...testCase.secrets), (text) => {
            const out = redactText(text, patterns);
            expect(findMatches(out, patterns)).toEqual([]);
            expect(redactText(out, patterns)).toBe(out);
          }),
          { numRuns: 150 },
        );
      });

      it('property: each secret is replaced by one marker and appears nowhere in the output', () => {
        fc.assert(
          fc.property(prose(), fc.oneof(...testCase.secrets), prose(), (before, secret, after) => {
            const matches = findMatches(secret, patterns);
            fc.pre(matches.length === 1 && matches[0]!.end - matches[0]!.start === secret.length);
            const out = redactText(`${before}${secret}\n${after}`, patterns);
            expect(out).toBe(`${before}${replacement(matches[0]!.label)}\n${after}`);
          }),
          { numRuns: 150 },
        );
      });

      it('property: text without a match comes back as the same string', () => {
        fc.assert(
          fc.property(fc.oneof(prose(), fc.string({ maxLength: 80 }), jumble()), (text) => {
            fc.pre(findMatches(text, patterns).length === 0);
            expect(redactText(text, patterns)).toBe(text);
          }),
          { numRuns: 150 },
        );
      });
    });
  }

  // Even when secrets, near-misses and junk run together, no secret that was found comes out as it
  // was; and for emails and credit cards nothing in the output matches at all. Not asserted
  // elsewhere (reported):
  // - where matches of two patterns overlap, the later one is dropped whole and its remainder can
  //   still match: with every set, in `0::0:0.0.0.0a@a.com` the IPv6 match `0::0:0` wins and
  //   `0.0.0a@a.com` survives; in `0::0 4000000000006` the card survives; within ip-addresses,
  //   `1:2:3:4:5:6:7:8.8.8.8.8` keeps `8.8.8.8`, and `64:ff9b::192.0.2.33` becomes
  //   `[REDACTED:ip-addresses].0.2.33`.
  // - for patterns with `\b`: a marker put next to text can make it match. With the user patterns
  //   here, `TICKET-0000password=a` becomes `TICKET-0000[REDACTED:internal]`, where `TICKET-0000`
  //   now matches; with api-keys, a 200-character `sk-…` key run straight into `…AAghp_<36>` is
  //   cut at 200 and the `ghp_` token, not a match before (no `\b` after `A`), matches after `]`.
  for (const testCase of CASES) {
    const strict = ['builtin:emails', 'builtin:credit-cards'].includes(testCase.name);
    it(`property: ${testCase.name}: no secret survives, even in a jumble`, () => {
      const patterns = testCase.patterns();
      fc.assert(
        fc.property(jumble(...testCase.secrets), (text) => {
          const out = redactText(text, patterns);
          for (const match of findMatches(text, patterns)) {
            const secret = text.slice(match.start, match.end);
            if (secret.length >= 12) expect(out).not.toContain(secret);
          }
          if (strict) expect(findMatches(out, patterns)).toEqual([]);
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe('StreamRedactor', () => {
  it('catches an email split across pieces and releases text far from it', () => {
    const patterns = compilePatterns(['builtin:emails'], 'f');
    expect(holdBackOf(patterns)).toBe(254);
    const redactor = new StreamRedactor(patterns);
    const filler = 'x'.repeat(300);
    const first = redactor.push(`${filler} write to jane.d`);
    expect(first).toBe('x'.repeat(filler.length + ' write to jane.d'.length - 254));
    const second = redactor.push('oe@example.');
    const third = redactor.push(`com today ${filler}`);
    const released = first + second + third;
    expect(released).not.toContain('jane');
    expect(released).toContain(' write to [REDACTED:emails]');
    expect(released + redactor.end()).toBe(`${filler} write to [REDACTED:emails] today ${filler}`);
  });

  it('emits nothing when given nothing, and end() of an empty stream is empty', () => {
    const redactor = new StreamRedactor(compilePatterns(BUILTIN_SETS, 'f'));
    expect(redactor.push('')).toBe('');
    expect(redactor.end()).toBe('');
  });

  // Not asserted (reported): the opener `-----BEGIN ` is any PEM header, so a certificate or a public
  // key in an answer holds back everything after it until the stream ends (2 200 characters pushed
  // after `-----BEGIN CERTIFICATE-----…-----END CERTIFICATE-----` release nothing); and a private
  // key whose END line never comes (a cut answer) is released in clear by end().
  it('catches a PEM private key block split across many small pieces', () => {
    const patterns = compilePatterns(['builtin:api-keys'], 'f');
    const text = `Here is the key:\n${EXAMPLES.pem}\n${'and that is all. '.repeat(20)}`;
    const pieces = text.match(/[\s\S]{1,3}/g)!;
    const { pushed, end } = stream(patterns, pieces);
    const out = pushed.join('') + end;
    expect(out).toBe(`Here is the key:\n[REDACTED:api-keys]\n${'and that is all. '.repeat(20)}`);
    expect(out).not.toContain('MIIE');
    // The block was released, redacted, before the stream ended.
    expect(pushed.join('')).toContain('[REDACTED:api-keys]');
  });

  it.each(Object.entries(EXAMPLES))('catches a %s key streamed one character at a time', (_vendor, key) => {
    const patterns = compilePatterns(['builtin:api-keys'], 'f');
    const text = `export KEY="${key}"\n`;
    expect(streamed(patterns, [...text])).toBe('export KEY="[REDACTED:api-keys]"\n');
  });

  it('property: every vendor key shape is caught however it is split', () => {
    const patterns = compilePatterns(['builtin:api-keys'], 'f');
    fc.assert(
      fc.property(
        fc
          .constantFrom(...(Object.keys(apiKeyShapes) as (keyof typeof apiKeyShapes)[]))
          .chain((vendor) => apiKeyShapes[vendor]),
        prose(),
        fc.array(fc.nat(), { maxLength: 40 }),
        (key, after, points) => {
          const text = `the key: ${key}\n${after}`;
          expect(streamed(patterns, split(text, points))).toBe(`the key: [REDACTED:api-keys]\n${after}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: a PEM block fed in pieces of 1 to 8 characters comes out as one marker', () => {
    const patterns = compilePatterns(['builtin:api-keys'], 'f');
    fc.assert(
      fc.property(pemBlock, fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1 }), (block, sizes) => {
        const text = `before\n${block}\nafter`;
        const pieces: string[] = [];
        for (let position = 0, index = 0; position < text.length; index++) {
          const size = sizes[index % sizes.length]!;
          pieces.push(text.slice(position, position + size));
          position += size;
        }
        expect(streamed(patterns, pieces)).toBe('before\n[REDACTED:api-keys]\nafter');
      }),
      { numRuns: 60 },
    );
  });

  // In prose (secrets separated from their neighbours), a stream split anywhere gives exactly what
  // redactText gives for the whole. Invalid card numbers are left out (reported): where a piece
  // boundary falls inside a digit run that is not a card, the redactor treats the boundary as the
  // end of the text, so `\b` and look-aheads hold there and a Luhn-valid prefix of the run is
  // redacted though redactText(whole) keeps it (for ' 41111111111111112222' + 33 × 'x', pushed at
  // once, the stream gives '[REDACTED:credit-cards]2222…'). The same goes for an IPv6 address
  // followed by `:` (`0::0: ` + 37 characters, pushed at once: the stream redacts `0::0`,
  // redactText does not), so the prose here never puts a colon straight after a token.
  for (const testCase of [...CASES, ALL_BUILTIN]) {
    it(`property: ${testCase.name}: any split of the text gives exactly redactText(whole)`, () => {
      const patterns = testCase.patterns();
      const secrets = testCase.secrets.filter((secret) => secret !== invalidCard);
      fc.assert(
        fc.property(prose(...secrets), fc.array(fc.nat(), { maxLength: 30 }), (text, points) => {
          expect(streamed(patterns, split(text, points))).toBe(redactText(text, patterns));
        }),
        { numRuns: 150 },
      );
    });
  }

  // Even in a jumble, the stream never lets out a secret that redactText catches. Not asserted for
  // credit cards (reported): `A4000780000002 6011-0000-0000-0000-001` pushed at once gives the
  // text back unredacted, while redactText redacts the card.
  for (const testCase of CASES.filter((each) => each.name !== 'builtin:credit-cards')) {
    it(`property: ${testCase.name}: even in a jumble, no secret redactText catches gets out`, () => {
      const patterns = testCase.patterns();
      fc.assert(
        fc.property(jumble(...testCase.secrets), fc.array(fc.nat(), { maxLength: 20 }), (text, points) => {
          const out = streamed(patterns, split(text, points));
          for (const match of findMatches(text, patterns)) {
            const secret = text.slice(match.start, match.end);
            if (secret.length >= 8) expect(out).not.toContain(secret);
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it('property: holds back exactly the longest pattern length of harmless text, no more', () => {
    for (const testCase of [...CASES, ALL_BUILTIN]) {
      const patterns = testCase.patterns();
      const holdBack = holdBackOf(patterns);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(word, fc.constantFrom(' ', '\n', ', ')), { minLength: 1, maxLength: 80 }),
          fc.array(fc.nat(), { maxLength: 30 }),
          (words, points) => {
            const text = words.map(([each, gap]) => each + gap).join('');
            const redactor = new StreamRedactor(patterns);
            let input = 0;
            let output = '';
            for (const piece of split(text, points)) {
              input += piece.length;
              output += redactor.push(piece);
              expect(output).toBe(text.slice(0, Math.max(0, input - holdBack)));
            }
            expect(output + redactor.end()).toBe(text);
          },
        ),
        { numRuns: 40 },
      );
    }
  });

  it('property: a secret comes out, redacted, as soon as enough harmless text follows it', () => {
    const patterns = ALL_BUILTIN.patterns();
    const holdBack = holdBackOf(patterns);
    fc.assert(
      fc.property(
        prose(...ALL_BUILTIN.secrets.filter((secret) => secret !== invalidCard)),
        fc.array(fc.nat(), { maxLength: 30 }),
        (text, points) => {
          const tail = `${'z'.repeat(holdBack)} end`;
          const { pushed, end } = stream(patterns, split(`${text}\n${tail}`, points));
          const released = pushed.join('');
          const whole = redactText(`${text}\n${tail}`, patterns);
          expect(whole.startsWith(released)).toBe(true);
          expect(released.length).toBeGreaterThanOrEqual(redactText(text, patterns).length);
          expect(released + end).toBe(whole);
        },
      ),
      { numRuns: 150 },
    );
  });
});
