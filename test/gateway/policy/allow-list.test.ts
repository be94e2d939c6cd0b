import { describe, expect, it } from 'vitest';
import { compileAllowList, globToRegExp, isGlob } from '../../../gateway/policy/allow-list.ts';

describe('compileAllowList', () => {
  it('allows every model when the list is empty', () => {
    const list = compileAllowList([]);
    expect(list.allowsAll).toBe(true);
    for (const model of ['gpt-4o', 'claude-sonnet-4-6', 'meta-llama/llama-3', '']) {
      expect(list.allows(model)).toBe(true);
    }
  });

  it('matches claude-* against claude models only', () => {
    const list = compileAllowList(['claude-*']);
    expect(list.allowsAll).toBe(false);
    expect(list.patterns).toEqual(['claude-*']);
    expect(list.allows('claude-sonnet-4-6')).toBe(true);
    expect(list.allows('claude-')).toBe(true);
    expect(list.allows('gpt-4o')).toBe(false);
    expect(list.allows('claude')).toBe(false);
    expect(list.allows('my-claude-sonnet')).toBe(false);
  });

  it('matches ? against exactly one character', () => {
    const list = compileAllowList(['gpt-4?']);
    expect(list.allows('gpt-4o')).toBe(true);
    expect(list.allows('gpt-41')).toBe(true);
    expect(list.allows('gpt-4')).toBe(false);
    expect(list.allows('gpt-4o-mini')).toBe(false);
  });

  it('takes dots literally', () => {
    expect(compileAllowList(['gpt-4.1']).allows('gpt-441')).toBe(false);
    expect(compileAllowList(['gpt-4.1']).allows('gpt-4.1')).toBe(true);
    expect(compileAllowList(['gpt-4.1*']).allows('gpt-441-mini')).toBe(false);
    expect(compileAllowList(['gpt-4.1*']).allows('gpt-4.1-mini')).toBe(true);
  });

  it('takes every other regex metacharacter literally', () => {
    const pattern = 'a+b(c)[d]{2}^$|\\e*';
    const list = compileAllowList([pattern]);
    expect(list.allows('a+b(c)[d]{2}^$|\\e')).toBe(true);
    expect(list.allows('a+b(c)[d]{2}^$|\\e-anything')).toBe(true);
    expect(list.allows('aab(c)[d]{2}^$|\\e')).toBe(false);
    expect(list.allows('abc')).toBe(false);
    expect(list.allows('a+bcdd')).toBe(false);
  });

  it('lets * span slashes', () => {
    const list = compileAllowList(['openai/*']);
    expect(list.allows('openai/gpt-4o')).toBe(true);
    expect(list.allows('openai/org/gpt-4o')).toBe(true);
    expect(list.allows('anthropic/claude')).toBe(false);
  });

  it('compares literal names exactly, with case', () => {
    const list = compileAllowList(['gpt-4o', 'o3']);
    expect(list.allows('gpt-4o')).toBe(true);
    expect(list.allows('o3')).toBe(true);
    expect(list.allows('GPT-4o')).toBe(false);
    expect(list.allows('gpt-4o-mini')).toBe(false);
    expect(list.allows('o3-mini')).toBe(false);
  });

  it('allows a model that any one of several patterns matches', () => {
    const list = compileAllowList(['gpt-4o', 'claude-*', 'gemini-?.?-*']);
    expect(list.allows('gpt-4o')).toBe(true);
    expect(list.allows('claude-opus-4')).toBe(true);
    expect(list.allows('gemini-2.5-flash')).toBe(true);
    expect(list.allows('gemini-25-flash')).toBe(false);
    expect(list.allows('llama3')).toBe(false);
  });
});

describe('globToRegExp and isGlob', () => {
  it('anchors the expression at both ends', () => {
    expect(globToRegExp('gpt*').test('xgpt-4')).toBe(false);
    expect(globToRegExp('*4').test('gpt-4o')).toBe(false);
    expect(globToRegExp('*4').test('gpt-4')).toBe(true);
  });

  it('knows a glob from a literal', () => {
    expect(isGlob('claude-*')).toBe(true);
    expect(isGlob('gpt-4?')).toBe(true);
    expect(isGlob('gpt-4.1')).toBe(false);
  });
});
