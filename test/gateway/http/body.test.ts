import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../gateway/errors.ts';
import { checkJsonLimits, MAX_JSON_DEPTH, parseJsonObject } from '../../../gateway/http/body.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** The GatewayError `run` throws, or a failed expectation. */
function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a refusal, got none');
}

const nestedArrays = (levels: number, inner = '0') => '['.repeat(levels) + inner + ']'.repeat(levels);
const nestedObjects = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

/** Levels of objects and arrays in a parsed value; a scalar is 0. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((deepest, child) => Math.max(deepest, depthOf(child)), 0);
}

describe('parseJsonObject: nesting', () => {
  it('refuses a body nested 100,000 levels deep with 400, naming the limit', () => {
    for (const body of [`{"a":${nestedArrays(100_000)}}`, nestedObjects(100_000)]) {
      const error = refusal(() => parseJsonObject(bytes(body)));
      expect(error.status).toBe(400);
      expect(error.code).toBe('invalid_request');
      expect(error.message).toBe('The request body is nested deeper than 256 levels.');
    }
  });

  it('accepts exactly MAX_JSON_DEPTH levels and refuses one more, counting objects and arrays alike', () => {
    expect(MAX_JSON_DEPTH).toBe(256);
    const within = `{"tools":${nestedArrays(MAX_JSON_DEPTH - 2, nestedObjects(1))}}`;
    expect(depthOf(JSON.parse(within))).toBe(MAX_JSON_DEPTH);
    expect(parseJsonObject(bytes(within))).toEqual(JSON.parse(within));
    const over = `{"tools":${nestedArrays(MAX_JSON_DEPTH - 1, nestedObjects(1))}}`;
    expect(refusal(() => parseJsonObject(bytes(over))).status).toBe(400);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const brackets = '['.repeat(10_000) + '{'.repeat(10_000);
    // Escapes near a string's start and far into it (short and long strings are scanned differently).
    for (const lead of ['', 'x'.repeat(100)]) {
      const body = JSON.stringify({ a: brackets, b: `${lead}"${brackets}`, c: `${lead}\\"${brackets}\\` });
      expect(parseJsonObject(bytes(body))).toEqual(JSON.parse(body));
    }
  });

  it('sees the end of a string that ends in escaped backslashes, and counts what follows', () => {
    // If `\\"` were read as an escaped quote, the deep array after it would pass as string content.
    const endings = ['\\', '\\\\', 'x\\', '\\\\\\'];
    for (const ending of [...endings, ...endings.map((end) => 'x'.repeat(100) + end)]) {
      const body = `{"s":${JSON.stringify(ending)},"d":${nestedArrays(MAX_JSON_DEPTH + 1)}}`;
      expect(JSON.parse(body)).toBeTruthy();
      expect(refusal(() => parseJsonObject(bytes(body))).message).toContain('nested deeper');
    }
  });

  it('stays linear on strings full of escapes and on long runs of backslashes', () => {
    const escapedQuotes = `{"s":"${'\\"'.repeat(2 * 1024 * 1024)}"}`;
    const backslashRuns = `{"s":"${'\\\\\\\\\\\\\\\\\\\\\\"'.repeat(400_000)}"}`;
    for (const body of [escapedQuotes, backslashRuns]) {
      const raw = bytes(body);
      const started = performance.now();
      checkJsonLimits(raw);
      // Linear is a few ms; counting back to the string's start on each quote would take hours.
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(parseJsonObject(raw)).toEqual(JSON.parse(body));
    }
  });

  it('refuses deep nesting before parsing: 16 M levels are refused at once', () => {
    const raw = bytes(nestedArrays(16 * 1024 * 1024));
    const started = performance.now();
    expect(refusal(() => checkJsonLimits(raw)).status).toBe(400);
    // JSON.parse of this text takes seconds and a gigabyte; the refusal reads 257 bytes.
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe('parseJsonObject: numbers', () => {
  it('refuses 1e400 with 400, naming the field in param', () => {
    const error = refusal(() =>
      parseJsonObject(bytes('{"model":"gpt-4.1","max_completion_tokens":1e400,"messages":[]}')),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_request');
    expect(error.param).toBe('max_completion_tokens');
    expect(error.message).toContain('max_completion_tokens');
  });

  it('refuses every literal that overflows a double, wherever it is', () => {
    const cases: Array<[string, string | null]> = [
      ['{"a":-1e400}', 'a'],
      ['{"a":1E+309}', 'a'],
      ['{"a":0.5e309}', 'a'],
      [`{"a":1${'0'.repeat(400)}}`, 'a'],
      [`{"a":-${'9'.repeat(309)}.5}`, 'a'],
      ['{"messages":[{"role":"user","content":"hi"},{"n":[1,2,1e999]}]}', 'messages[1].n[2]'],
      ['{"weird key":{"x":123456789e301}}', 'weird key.x'],
      // Not valid JSON besides: refused all the same, with no path to name.
      ['{"a":1e400,}', null],
    ];
    for (const [body, param] of cases) {
      const error = refusal(() => parseJsonObject(bytes(body)));
      expect(error.status, body).toBe(400);
      expect(error.message, body).toContain('number too large');
      expect(error.param, body).toBe(param);
    }
  });

  it('accepts large, tiny and exponent numbers that a double holds', () => {
    const body =
      '{"max":1.7976931348623157e308,"neg":-1.7976931348623157E+308,"big":1e308,"tiny":1e-400,' +
      `"long":0.${'1'.repeat(500)},"exp":2.5e-7,"zero":-0.0e0,"int":${'9'.repeat(299)}}`;
    expect(parseJsonObject(bytes(body))).toEqual(JSON.parse(body));
  });

  it('leaves a malformed literal to JSON.parse (not valid JSON, not "too large")', () => {
    for (const body of ['{"a":1e}', '{"a":-}', '{"a":1e+-400}']) {
      expect(refusal(() => parseJsonObject(bytes(body))).message, body).toBe(
        'The request body is not valid JSON.',
      );
    }
  });
});

describe('parseJsonObject: property', () => {
  it('accepts any JSON object within the limits unchanged, however it is spaced', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 80 }), fc.jsonValue({ maxDepth: 6 })),
        fc.constantFrom(undefined, 1, '\t'),
        (value, space) => {
          const text = JSON.stringify(value, null, space);
          expect(parseJsonObject(bytes(text))).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts any JSON value nested to exactly the limit, and refuses it one level deeper', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 5 }),
        fc.string({ unit: 'binary', maxLength: 80 }),
        (value, key) => {
          const depth = depthOf(value);
          const padding = MAX_JSON_DEPTH - 2 - depth; // `{"x":` and the `{key: …}` around the value
          // A key of any characters (quotes, backslashes, brackets, any UTF-8) around the value.
          const inner = `{${JSON.stringify(key)}:${JSON.stringify(value)}}`;
          const within = '['.repeat(padding) + inner + ']'.repeat(padding);
          expect(parseJsonObject(bytes(`{"x":${within}}`))).toEqual(JSON.parse(`{"x":${within}}`));
          const over = `{"x":[${within}]}`;
          expect(refusal(() => parseJsonObject(bytes(over))).message).toContain('nested deeper');
        },
      ),
      { numRuns: 300 },
    );
  });
});
