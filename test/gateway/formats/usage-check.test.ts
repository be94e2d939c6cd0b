import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceRequest } from '../../../gateway/policy/pricing.ts';
import { readUsage, toUsage } from '../../../gateway/formats/anthropic-messages/usage.ts';
import { usageFromGemini } from '../../../gateway/formats/gemini-generate/usage.ts';
import { usageFromOpenAi } from '../../../gateway/formats/openai-chat/usage.ts';
import type { Usage } from '../../../gateway/formats/types.ts';
import {
  checkUsage,
  isTokenCount,
  MAX_TOKEN_COUNT,
  sumCounts,
} from '../../../gateway/formats/usage-check.ts';

const valid: Usage = {
  inputTokens: 100,
  outputTokens: 40,
  cachedInputTokens: 30,
  reasoningTokens: 10,
  cacheWriteTokens: 20,
};

describe('checkUsage', () => {
  it('leaves a usage that can be true as it is, with no notes', () => {
    expect(checkUsage(valid)).toEqual({ usage: valid, problems: [] });
    const withoutWrites: Usage = {
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    };
    const checked = checkUsage(withoutWrites);
    expect(checked).toEqual({ usage: withoutWrites, problems: [] });
    // No cache-write field is made up where the vendor has none.
    expect('cacheWriteTokens' in checked.usage).toBe(false);
    const unknown: Usage = {
      inputTokens: null,
      outputTokens: null,
      cachedInputTokens: null,
      reasoningTokens: null,
    };
    expect(checkUsage(unknown)).toEqual({ usage: unknown, problems: [] });
  });

  it("records the issue's negative completion_tokens as unknown, with a note", () => {
    // {"prompt_tokens":1,"completion_tokens":-1}, as an OpenAI-compatible upstream sent it.
    const reported = usageFromOpenAi({ prompt_tokens: 1, completion_tokens: -1 })!;
    expect(reported.outputTokens).toBe(-1);
    expect(checkUsage(reported)).toEqual({
      usage: { inputTokens: 1, outputTokens: null, cachedInputTokens: 0, reasoningTokens: null },
      problems: ['the upstream reported output tokens as -1; recorded as unknown'],
    });
  });

  it('gives the price library only counts it accepts (it throws on the raw ones)', () => {
    const route = { vendor: 'openai' as const, baseUrl: 'https://api.openai.com/v1' };
    const reported = usageFromOpenAi({
      prompt_tokens: 1,
      completion_tokens: -1,
      prompt_tokens_details: { cached_tokens: -3 },
    })!;
    expect(() => priceRequest(reported, ['gpt-4.1-nano'], route, new Map())).toThrow(/Invalid usage value/);
    const { usage } = checkUsage(reported);
    expect(() => priceRequest(usage, ['gpt-4.1-nano'], route, new Map())).not.toThrow();
  });

  it.each([
    ['negative', -1, 'as -1'],
    ['fractional', 2.5, 'as 2.5'],
    ['NaN (sent as something other than a number)', Number.NaN, 'as something other than a number'],
    ['infinite', Number.POSITIVE_INFINITY, 'as Infinity'],
    ['negative infinite', Number.NEGATIVE_INFINITY, 'as -Infinity'],
    ['above the limit', MAX_TOKEN_COUNT + 1, `as ${MAX_TOKEN_COUNT + 1}, above the ${MAX_TOKEN_COUNT} limit`],
    ['far above the limit', 1e21, `as 1e+21, above the ${MAX_TOKEN_COUNT} limit`],
  ])('records %s counts as unknown, in every field', (_kind, value, said) => {
    const labels: [keyof Usage, string][] = [
      ['inputTokens', 'input tokens'],
      ['outputTokens', 'output tokens'],
      ['cachedInputTokens', 'cached input tokens'],
      ['reasoningTokens', 'reasoning tokens'],
      ['cacheWriteTokens', 'cache write tokens'],
    ];
    for (const [field, label] of labels) {
      const checked = checkUsage({ ...valid, [field]: value });
      expect(checked.usage).toEqual({ ...valid, [field]: null });
      expect(checked.problems).toEqual([`the upstream reported ${label} ${said}; recorded as unknown`]);
    }
  });

  it('believes the limit itself, and zero', () => {
    const atLimit: Usage = {
      inputTokens: MAX_TOKEN_COUNT,
      outputTokens: 0,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    };
    expect(checkUsage(atLimit)).toEqual({ usage: atLimit, problems: [] });
  });

  it('records -0 as 0', () => {
    const { usage, problems } = checkUsage({ ...valid, reasoningTokens: -0 });
    expect(Object.is(usage.reasoningTokens, 0)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('never repeats a count of the wrong type, which could be any text', () => {
    const lying = {
      ...valid,
      inputTokens: 'sk-live-secret-key' as unknown as number,
      reasoningTokens: {} as number,
    };
    const checked = checkUsage(lying);
    expect(checked.usage).toEqual({ ...valid, inputTokens: null, reasoningTokens: null });
    expect(checked.problems).toEqual([
      'the upstream reported input tokens as something other than a number; recorded as unknown',
      'the upstream reported reasoning tokens as something other than a number; recorded as unknown',
    ]);
  });

  it('drops cached input above the input, keeping the input', () => {
    expect(checkUsage({ ...valid, cachedInputTokens: 101, cacheWriteTokens: 0 })).toEqual({
      usage: { ...valid, cachedInputTokens: null, cacheWriteTokens: 0 },
      problems: [
        'the upstream reported cached input tokens (101) above input tokens (100); recorded as unknown',
      ],
    });
  });

  it('drops cache writes that do not fit in the input beside the cached input', () => {
    expect(checkUsage({ ...valid, cacheWriteTokens: 71 })).toEqual({
      usage: { ...valid, cacheWriteTokens: null },
      problems: [
        'the upstream reported cache write tokens (71) above input tokens (100) less cached input tokens (30); recorded as unknown',
      ],
    });
    expect(checkUsage({ ...valid, cacheWriteTokens: 70 }).problems).toEqual([]);
    expect(checkUsage({ ...valid, cachedInputTokens: null, cacheWriteTokens: 101 })).toEqual({
      usage: { ...valid, cachedInputTokens: null, cacheWriteTokens: null },
      problems: [
        'the upstream reported cache write tokens (101) above input tokens (100); recorded as unknown',
      ],
    });
  });

  it('drops reasoning above the output, keeping the output', () => {
    expect(checkUsage({ ...valid, reasoningTokens: 41 })).toEqual({
      usage: { ...valid, reasoningTokens: null },
      problems: ['the upstream reported reasoning tokens (41) above output tokens (40); recorded as unknown'],
    });
  });

  it('checks relations only between counts it believes', () => {
    // The input is unknown, so the cached count cannot be compared with it and is kept.
    expect(checkUsage({ ...valid, inputTokens: -5, cachedInputTokens: 30 })).toEqual({
      usage: { ...valid, inputTokens: null },
      problems: ['the upstream reported input tokens as -5; recorded as unknown'],
    });
  });

  const count = fc.oneof(
    fc.constant(null),
    fc.nat({ max: 1000 }),
    fc.integer({ min: -1e12, max: 1e12 }),
    fc.double(),
    fc.constantFrom(
      -0,
      MAX_TOKEN_COUNT,
      MAX_TOKEN_COUNT + 1,
      Number.MAX_SAFE_INTEGER,
      Number.POSITIVE_INFINITY,
    ),
  );
  const anyUsage: fc.Arbitrary<Usage> = fc.record(
    {
      inputTokens: count,
      outputTokens: count,
      cachedInputTokens: count,
      reasoningTokens: count,
      cacheWriteTokens: count,
    },
    { requiredKeys: ['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens'] },
  );

  it('gives, for any numbers in, counts that are null or whole numbers from 0 to the limit, and relations that hold', () => {
    fc.assert(
      fc.property(anyUsage, (reported) => {
        const { usage, problems } = checkUsage(reported);
        for (const value of Object.values(usage) as unknown[]) {
          expect(
            value === null ||
              (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TOKEN_COUNT),
          ).toBe(true);
        }
        const {
          inputTokens: input,
          cachedInputTokens: cached,
          outputTokens: output,
          reasoningTokens: reasoning,
        } = usage;
        if (input !== null && cached !== null) expect(cached).toBeLessThanOrEqual(input);
        if (input !== null && usage.cacheWriteTokens !== null && usage.cacheWriteTokens !== undefined) {
          expect(usage.cacheWriteTokens + (cached ?? 0)).toBeLessThanOrEqual(input);
        }
        if (output !== null && reasoning !== null) expect(reasoning).toBeLessThanOrEqual(output);
        // A note per change, no more; each names a field and numbers only.
        const changed = (Object.keys(reported) as (keyof Usage)[]).filter(
          (field) =>
            !Object.is(reported[field], usage[field]) &&
            !(Object.is(reported[field], -0) && usage[field] === 0),
        );
        expect(problems).toHaveLength(changed.length);
        for (const problem of problems) {
          expect(problem).toMatch(
            /^the upstream reported [a-z ]+ (as |\()[-+0-9.e(),a-zA-Z ]+; recorded as unknown$/,
          );
        }
        // Checking twice changes nothing more.
        expect(checkUsage(usage)).toEqual({ usage, problems: [] });
        // And the price library accepts it.
        expect(() =>
          priceRequest(
            usage,
            ['gpt-4.1-nano'],
            { vendor: 'openai', baseUrl: 'https://api.openai.com/v1' },
            new Map(),
          ),
        ).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('changes nothing in a usage that can be true', () => {
    const trueUsage = fc
      .tuple(
        fc.nat({ max: MAX_TOKEN_COUNT }),
        fc.nat({ max: MAX_TOKEN_COUNT }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
      )
      .map(([input, output, cachedShare, writeShare, reasoningShare]): Usage => {
        const cached = Math.floor(input * cachedShare);
        return {
          inputTokens: input,
          outputTokens: output,
          cachedInputTokens: cached,
          cacheWriteTokens: Math.floor((input - cached) * writeShare),
          reasoningTokens: Math.floor(output * reasoningShare),
        };
      });
    fc.assert(
      fc.property(trueUsage, (usage) => {
        expect(checkUsage(usage)).toEqual({ usage, problems: [] });
      }),
    );
  });
});

describe('sumCounts', () => {
  it('adds the parts, missing ones as 0', () => {
    expect(sumCounts(10, null, 5, undefined)).toBe(15);
    expect(sumCounts(undefined, 3)).toBe(3);
  });

  it('gives a part that cannot be true in place of the total, for checkUsage to report', () => {
    expect(sumCounts(-1, 5)).toBe(-1);
    expect(sumCounts(2.5)).toBe(2.5);
    expect(sumCounts(10, -5)).toBe(-5);
    expect(sumCounts(10, Number.NaN)).toBeNaN();
    expect(sumCounts(10, MAX_TOKEN_COUNT + 1)).toBe(MAX_TOKEN_COUNT + 1);
  });

  it('agrees with isTokenCount', () => {
    expect([0, 1, MAX_TOKEN_COUNT].every(isTokenCount)).toBe(true);
    expect(
      [-1, 0.5, MAX_TOKEN_COUNT + 1, Number.NaN, Number.POSITIVE_INFINITY, '1', null].some(isTokenCount),
    ).toBe(false);
  });
});

describe("the vendors' usage readers", () => {
  // Any JSON where a usage object or a count goes: objects with counts of every type and sign.
  const anyCount = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.integer({ min: -1e9, max: 1e12 }), fc.double());
  const usageLike = (keys: string[], nested: Record<string, string[]>): fc.Arbitrary<unknown> =>
    fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record(
        Object.fromEntries([
          ...keys.map((key) => [key, anyCount] as const),
          ...Object.entries(nested).map(
            ([key, inner]) =>
              [
                key,
                fc.oneof(
                  anyCount,
                  fc.record(Object.fromEntries(inner.map((name) => [name, anyCount] as const)), {
                    requiredKeys: [],
                  }),
                ),
              ] as const,
          ),
        ]) as Record<string, fc.Arbitrary<unknown>>,
        { requiredKeys: [] },
      ),
    );

  const expectNumberOrNull = (usage: Usage | null): void => {
    if (usage === null) return;
    for (const value of Object.values(usage) as unknown[])
      expect(value === null || typeof value === 'number').toBe(true);
    const checked = checkUsage(usage).usage;
    for (const value of Object.values(checked) as unknown[])
      expect(value === null || isTokenCount(value)).toBe(true);
  };

  it('OpenAI: usageFromOpenAi reads anything without throwing', () => {
    const arbitrary = usageLike(['prompt_tokens', 'completion_tokens', 'total_tokens'], {
      prompt_tokens_details: ['cached_tokens'],
      completion_tokens_details: ['reasoning_tokens'],
    });
    fc.assert(
      fc.property(arbitrary, (usage) => expectNumberOrNull(usageFromOpenAi(usage))),
      { numRuns: 500 },
    );
  });

  it('Anthropic: readUsage and toUsage read anything without throwing', () => {
    const arbitrary = usageLike(
      ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'],
      { output_tokens_details: ['thinking_tokens'] },
    );
    fc.assert(
      fc.property(arbitrary, fc.boolean(), (usage, thinking) => {
        const counts = readUsage(usage);
        for (const value of Object.values(counts) as unknown[])
          expect(value === null || typeof value === 'number').toBe(true);
        expectNumberOrNull(toUsage(counts, thinking));
      }),
      { numRuns: 500 },
    );
  });

  it('Anthropic: a negative count reaches checkUsage as sent, and a bad part makes the prompt total unknown', () => {
    expect(toUsage(readUsage({ input_tokens: -4, output_tokens: 3 }), false).inputTokens).toBe(-4);
    const usage = toUsage(
      readUsage({ input_tokens: 10, cache_read_input_tokens: -5, output_tokens: 3 }),
      false,
    );
    expect(usage).toMatchObject({ inputTokens: -5, cachedInputTokens: -5 });
    expect(checkUsage(usage)).toEqual({
      usage: {
        inputTokens: null,
        outputTokens: 3,
        cachedInputTokens: null,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
      },
      problems: [
        'the upstream reported input tokens as -5; recorded as unknown',
        'the upstream reported cached input tokens as -5; recorded as unknown',
      ],
    });
  });

  it('Gemini: usageFromGemini reads anything without throwing', () => {
    const arbitrary = usageLike(
      [
        'promptTokenCount',
        'candidatesTokenCount',
        'thoughtsTokenCount',
        'toolUsePromptTokenCount',
        'cachedContentTokenCount',
        'totalTokenCount',
      ],
      {},
    );
    fc.assert(
      fc.property(arbitrary, (usage) => expectNumberOrNull(usageFromGemini(usage))),
      { numRuns: 500 },
    );
  });

  it('Gemini: wrong types read as unknown', () => {
    expect(usageFromGemini('x')).toBeNull();
    expect(usageFromGemini(null)).toBeNull();
    expect(checkUsage(usageFromGemini({ promptTokenCount: '9', candidatesTokenCount: { a: 1 } })!)).toEqual({
      usage: { inputTokens: null, outputTokens: null, cachedInputTokens: null, reasoningTokens: 0 },
      problems: [
        'the upstream reported input tokens as something other than a number; recorded as unknown',
        'the upstream reported output tokens as something other than a number; recorded as unknown',
      ],
    });
    expect(usageFromGemini({ promptTokenCount: 9, thoughtsTokenCount: -2 })).toMatchObject({
      inputTokens: 9,
      outputTokens: -2,
      reasoningTokens: -2,
    });
  });
});

describe('a count of any wrong value makes what it feeds unknown, never a guess', () => {
  const BAD: unknown[] = [
    -1,
    -0.5,
    1.5,
    1e20,
    Number.POSITIVE_INFINITY, // what JSON.parse makes of 1e400
    Number.NEGATIVE_INFINITY,
    'NaN',
    '-7',
    '12',
    true,
    [],
    [3],
    {},
    { value: 3 },
  ];
  type Field = keyof Usage;
  interface Slot {
    path: string[];
    /** The recorded fields computed from this count. */
    feeds: Field[];
  }
  const VENDORS: Record<
    string,
    { base: Record<string, unknown>; read(usage: unknown): Usage | null; slots: Slot[] }
  > = {
    openai: {
      base: {
        prompt_tokens: 100,
        completion_tokens: 40,
        total_tokens: 140,
        prompt_tokens_details: { cached_tokens: 30 },
        completion_tokens_details: { reasoning_tokens: 10 },
      },
      read: usageFromOpenAi,
      slots: [
        { path: ['prompt_tokens'], feeds: ['inputTokens'] },
        { path: ['completion_tokens'], feeds: ['outputTokens'] },
        { path: ['prompt_tokens_details', 'cached_tokens'], feeds: ['cachedInputTokens'] },
        { path: ['prompt_tokens_details'], feeds: ['cachedInputTokens'] },
        { path: ['completion_tokens_details', 'reasoning_tokens'], feeds: ['reasoningTokens'] },
      ],
    },
    anthropic: {
      base: {
        input_tokens: 50,
        output_tokens: 40,
        cache_read_input_tokens: 30,
        cache_creation_input_tokens: 20,
        output_tokens_details: { thinking_tokens: 10 },
      },
      read: (usage) => toUsage(readUsage(usage), true),
      slots: [
        { path: ['input_tokens'], feeds: ['inputTokens'] },
        { path: ['output_tokens'], feeds: ['outputTokens'] },
        { path: ['cache_read_input_tokens'], feeds: ['cachedInputTokens', 'inputTokens'] },
        { path: ['cache_creation_input_tokens'], feeds: ['cacheWriteTokens', 'inputTokens'] },
        { path: ['output_tokens_details', 'thinking_tokens'], feeds: ['reasoningTokens'] },
        { path: ['output_tokens_details'], feeds: ['reasoningTokens'] },
      ],
    },
    gemini: {
      base: {
        promptTokenCount: 100,
        candidatesTokenCount: 30,
        thoughtsTokenCount: 10,
        cachedContentTokenCount: 30,
        totalTokenCount: 140,
      },
      read: usageFromGemini,
      slots: [
        { path: ['promptTokenCount'], feeds: ['inputTokens'] },
        { path: ['candidatesTokenCount'], feeds: ['outputTokens'] },
        { path: ['cachedContentTokenCount'], feeds: ['cachedInputTokens'] },
        { path: ['thoughtsTokenCount'], feeds: ['reasoningTokens', 'outputTokens'] },
        { path: ['toolUsePromptTokenCount'], feeds: ['inputTokens'] },
      ],
    },
  };

  function withValue(base: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
    const copy = structuredClone(base);
    let target = copy;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
    target[path.at(-1)!] = value;
    return copy;
  }

  it.each(Object.entries(VENDORS))('%s', (_name, vendor) => {
    const clean = checkUsage(vendor.read(vendor.base)!);
    expect(clean.problems).toEqual([]);
    for (const slot of vendor.slots) {
      for (const value of BAD) {
        // A details object replaced by another object is details without the count: that count is absent.
        if (slot.path.length === 1 && slot.path[0]!.endsWith('details') && isPlainObject(value)) continue;
        const reported = vendor.read(withValue(vendor.base, slot.path, value))!;
        const { usage, problems } = checkUsage(reported);
        const label = `${slot.path.join('.')} = ${JSON.stringify(value)}`;
        for (const field of slot.feeds) expect(usage[field], `${label}: ${field}`).toBeNull();
        // Counts it does not feed keep their values.
        for (const field of Object.keys(clean.usage) as Field[]) {
          if (!slot.feeds.includes(field))
            expect(usage[field], `${label}: ${field}`).toBe(clean.usage[field]);
        }
        expect(problems.length, `${label}: a note`).toBeGreaterThan(0);
      }
    }
  });
});

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
