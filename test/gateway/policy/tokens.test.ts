import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
