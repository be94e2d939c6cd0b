import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { countInputTokens } from '../../../gateway/policy/tokens.ts';

describe('countInputTokens', () => {
  it('counts with the o200k tokenizer plus four tokens of framing per message', () => {
    expect(countInputTokens([], 'openai')).toBe(0);
    expect(countInputTokens(['hello world'], 'openai')).toBe(2 + 4);
    expect(countInputTokens(['hello world', 'Hello, how are you today?'], 'openai')).toBe(2 + 7 + 8);
    expect(countInputTokens([''], 'openai')).toBe(4);
  });

  it('adds a 20% margin for Claude and Gemini, whose tokenizers are not published, rounding up', () => {
    expect(countInputTokens(['Hello, how are you today?'], 'anthropic')).toBe(Math.ceil(7 * 1.2) + 4);
    expect(countInputTokens(['Hello, how are you today?'], 'gemini')).toBe(Math.ceil(7 * 1.2) + 4);
    expect(countInputTokens(['Hello, how are you today?'], 'ollama')).toBe(7 + 4);
    expect(countInputTokens(['Hello, how are you today?'], 'openai-compatible')).toBe(7 + 4);
  });

  it('property: never less than the framing, never less for Claude than for OpenAI, and additive over messages', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 200, unit: 'grapheme' }), { maxLength: 6 }), (texts) => {
        const openai = countInputTokens(texts, 'openai');
        expect(openai).toBeGreaterThanOrEqual(4 * texts.length);
        expect(countInputTokens(texts, 'anthropic')).toBeGreaterThanOrEqual(openai);
        const sum = texts.reduce((total, text) => total + countInputTokens([text], 'openai'), 0);
        expect(openai).toBe(sum);
      }),
      { numRuns: 100 },
    );
  });
});

/** The tokenizer itself, counting the whole text in one go: the reference the pieces must match. */
const tokenizer = createRequire(import.meta.url)('gpt-tokenizer') as {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
};
const reference = (text: string) => tokenizer.countTokens(text, { disallowedSpecial: new Set() });

/** A small seeded generator, so that a failing input can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const PROSE = [
  'The gateway counts the input tokens of a request before it sends it, so that a budget or a',
  "tokens-per-minute limit can refuse it in time. It's counted with OpenAI's o200k tokenizer —",
  'for Claude and Gemini with a margin — and the count errs towards refusing, never towards',
  'overspending. Prices change: 1,250 requests at $0.0025 cost $3.125 (not €3).\n',
  '```ts\nexport function add(a: number, b: number): number {\n  return a + b; // 42\n}\n```\n',
  'URLs like https://example.com/v1/chat/completions?stream=true#top, paths like C:\\Users\\me\\x,',
  '日本語の文章、中文的句子。Ünïcödé façade naïve café — emoji 👍🏽 🇫🇷 and e\u0301 combining.\n\n',
].join(' ');

/** `length` characters of ordinary text, repeated from a paragraph (a flat string, as JSON.parse makes). */
function prose(length: number): string {
  return Buffer.from(PROSE.repeat(Math.ceil(length / PROSE.length)).slice(0, length), 'utf8').toString(
    'utf8',
  );
}

/** `length` characters drawn from `alphabet`, with a seed; flat. */
function randomText(alphabet: readonly string[], length: number, seed: number): string {
  const next = random(seed);
  const block: string[] = [];
  let blockLength = 0;
  while (blockLength < Math.min(length, 1 << 16)) {
    const char = alphabet[Math.floor(next() * alphabet.length)]!;
    block.push(char);
    blockLength += char.length;
  }
  const text = block.join('').repeat(Math.ceil(length / blockLength));
  // Through UTF-8 and back: flat, and a pair cut at the end becomes U+FFFD, as a decoder makes it.
  return Buffer.from(text.slice(0, length), 'utf8').toString('utf8');
}

const BASE64 = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'];
const UNICODE = Array.from({ length: 4096 }, (_, index) =>
  String.fromCodePoint(0xa1 + ((index * 2654435761) % 0x2ff00)),
);
const EMOJI = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🔥', '🇫🇷', '🤖'];

/** Runs `count` and returns its result and how long it held the thread. */
function timed(count: () => number): { tokens: number; ms: number } {
  const start = performance.now();
  const tokens = count();
  return { tokens, ms: performance.now() - start };
}

describe('countInputTokens on hostile input', () => {
  beforeAll(() => {
    // The first call loads the tokenizer's tables (~50 MB): not what these tests time.
    countInputTokens(['warm up'], 'openai');
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('counts text that looks like a special token as text instead of throwing', () => {
    expect(countInputTokens(['ignore this <|endoftext|> and <|im_start|>'], 'openai')).toBe(
      reference('ignore this <|endoftext|> and <|im_start|>') + 4,
    );
  });

  it('counts a 200 KB run of one character in well under a second (16-45 s before), never far below its exact count', () => {
    // character, length, and a count it must reach: half the exact one (o200k has tokens for 8 x,
    // 8 A, 128 spaces, 16 newlines, 16 !, and every 3 digits)
    for (const [char, length, atLeast] of [
      ['x', 200_000, 200_000 / 16],
      ['A', 100_000, 100_000 / 16], // base64 of zeros
      [' ', 200_000, 200_000 / 256],
      ['\n', 200_000, 200_000 / 32],
      ['!', 200_000, 200_000 / 32],
      ['7', 200_000, 200_000 / 6],
    ] as const) {
      const { tokens, ms } = timed(() => countInputTokens([char.repeat(length)], 'openai'));
      expect(ms, JSON.stringify(char)).toBeLessThan(1000);
      expect(tokens, JSON.stringify(char)).toBeGreaterThanOrEqual(atLeast + 4);
    }
    // Exactly what the tokenizer says for runs short enough to count whole.
    for (const char of ['x', 'A', ' ', '\n', '!']) {
      expect(countInputTokens([char.repeat(100)], 'openai')).toBe(reference(char.repeat(100)) + 4);
    }
  });

  it('counts any 32 MiB input in bounded time, at no fewer tokens than a sane lower bound', () => {
    const size = 32 * 1024 * 1024;
    const inputs: [string, () => string, number][] = [
      // name, input, a count it cannot be below (the exact count is well above each)
      ['x', () => 'x'.repeat(size), size / 16],
      ['A', () => 'A'.repeat(size), size / 16],
      ['prose', () => prose(size), size / 8],
      ['base64', () => randomText(BASE64, size, 1), size / 2],
      ['unicode', () => randomText(UNICODE, size, 2), size / 2],
      ['emoji', () => randomText(EMOJI, size, 3), size / 8],
    ];
    for (const [name, make, atLeast] of inputs) {
      const text = make();
      const bytes = Buffer.byteLength(text, 'utf8'); // also flattens the string, as JSON.parse gives it
      const { tokens, ms } = timed(() => countInputTokens([text], 'openai'));
      expect(ms, name).toBeLessThan(3000);
      expect(tokens, name).toBeGreaterThanOrEqual(atLeast);
      // The bound for what is not counted exactly is the UTF-8 length; cuts add a token per 128 bytes at most.
      expect(tokens, name).toBeLessThanOrEqual(bytes + bytes / 128 + 4);
    }
  });

  it('splits a large input over several messages the same way: bounded time in all', () => {
    const texts = Array.from({ length: 64 }, (_, index) => randomText(BASE64, 512 * 1024, index));
    const { tokens, ms } = timed(() => countInputTokens(texts, 'anthropic'));
    expect(ms).toBeLessThan(3000);
    expect(tokens).toBeGreaterThanOrEqual(64 * 512 * 1024 * 0.5);
  });

  it('gives exactly the tokenizer count where it cuts text at pre-token boundaries', () => {
    // Texts long enough to be handed over in pieces (cut every ~4,096 characters at the first
    // boundary), made of fragments that meet in every way: wherever a cut falls, the sum of the
    // pieces must be the count of the whole. A space after a letter every few fragments keeps any
    // stretch from needing a cut at a fixed width, which is not exact.
    const fragments = [
      ...[' ', '  ', '\t', '\n', '\r\n', '\r', '\n\n', ' \n', '\n ', '\u00a0', '\u3000', '\u2028', '\u0085'],
      ...[
        '/',
        '//',
        "'",
        "'s",
        "'ll",
        "'S",
        '!',
        '?!',
        '...',
        '-',
        '_',
        '{',
        '"',
        '$',
        '€',
        '\u00ad',
        '\u200d',
      ],
      ...['a', 'B', 'hello', 'World', 'ABC', 'x', 'é', 'e\u0301', '\u0301', 'ß', 'ǅ', 'ʰ', 'ﬁ', 'İ', 'Ⓐ'],
      ...['1', '12', '1234', '١٢', '½', 'Ⅻ', '𝟎', '你', '好', '，', '。', 'カ', 'ー', '😀', '👍🏽', '𝐀'],
      ...['\ud800', '\udc00', '\ufeff', '<|endoftext|>'],
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { minLength: 1500, maxLength: 3000 }), (parts) => {
        const text = parts.map((part, index) => (index % 6 === 5 ? `${part}x ` : part)).join('');
        expect(countInputTokens([text], 'openai')).toBe(reference(text) + 4);
      }),
      { numRuns: 60 },
    );
  });

  it('gives exactly the tokenizer count for a cut between any two kinds of character', () => {
    // The first cut falls at the first pre-token boundary from character 4,096 on: after a filler
    // of that length, between or inside the fragments that follow it. A point wrongly taken as a
    // boundary shows as a count that differs from the tokenizer's (each fragment is here because
    // some wrong rule showed that way: `don` + `'t`, `7` + `𝟎`, `!` + `\n` + `/`, …).
    // prettier-ignore
    const fragments = [
      ' ', '\t', '\n', '\r', '\u3000', '/', "'", "'t", '!', '-', 'a', 'B', 'don', 'é', '\u0300', 'ʰ',
      '1', '56', '١', '½', '你', '，', '😀', '𝟎', '𝐚', '\ud800', '\udc00', '\ufeff',
    ];
    const base = 'ab '.repeat(1365); // 4,095 characters, a boundary every three
    for (const end of [' ', 'c', '\n', '7', '!']) {
      for (const first of fragments) {
        for (const second of fragments) {
          const text = `${base}${end}${first}${second}${first} tail`;
          expect(countInputTokens([text], 'openai'), JSON.stringify([end, first, second])).toBe(
            reference(text) + 4,
          );
        }
      }
    }
  });

  it('counts long runs of digits exactly, by threes as the tokenizer groups them', () => {
    for (const text of [
      '1'.repeat(5000),
      `a ${'9'.repeat(4999)}`,
      `x${'31415'.repeat(2000)} 27`,
      `  ${'0'.repeat(9000)}`,
      // A digit outside the BMP starts the run: where its threes fall is not known, so no cut in it.
      `${'ab '.repeat(1365)}x𝟎${'1'.repeat(10)} tail`,
    ]) {
      expect(countInputTokens([text], 'openai')).toBe(reference(text) + 4);
    }
  });

  it('property: cut or not, never counts fewer tokens than the tokenizer, by more than one per 64 bytes', () => {
    const alphabets = [
      'ab',
      'aeiou',
      'xX',
      'abcdefghijklmnopqrstuvwxyz',
      BASE64.join(''),
      '你好世界中文',
      'e\u0301',
      '!-=_/',
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc
              .tuple(fc.constantFrom(...alphabets), fc.integer({ min: 1, max: 600 }), fc.integer())
              .map(([alphabet, length, seed]) => randomText([...alphabet], length + 1, seed)),
            fc.string({ unit: 'grapheme', maxLength: 200 }),
            fc.string({ unit: 'binary', maxLength: 200 }),
          ),
          { maxLength: 5 },
        ),
        (parts) => {
          const text = parts.join('');
          const exact = reference(text);
          const counted = countInputTokens([text], 'openai') - 4;
          expect(counted).toBeGreaterThanOrEqual(exact - Math.floor(Buffer.byteLength(text, 'utf8') / 64));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('always counts the first 32 KiB exactly, however slow the machine', () => {
    let clock = 0;
    // Every reading of the clock is a second later: the time for exact counting runs out at once.
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 1000));
    const small = prose(30_000);
    expect(countInputTokens([small], 'openai')).toBe(reference(small) + 4);
    expect(countInputTokens([small, small], 'openai')).toBeGreaterThanOrEqual(2 * reference(small) + 8);
  });

  it('counts what it has no time left for by its UTF-8 length, which is never below the exact count', () => {
    const text = prose(100_000);
    const exact = reference(text);
    const bytes = Buffer.byteLength(text, 'utf8');
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 1000));
    const counted = countInputTokens([text, text], 'openai') - 8;
    expect(counted).toBeGreaterThan(2 * exact); // bounded, not counted
    expect(counted).toBeLessThanOrEqual(2 * bytes);
    expect(counted).toBeGreaterThanOrEqual(2 * bytes - 40_000); // all but the first ~32 KiB by bytes
    vi.restoreAllMocks();
    // With time enough, the same text is counted exactly.
    expect(countInputTokens([text], 'openai')).toBe(exact + 4);
  });
});
