import { describe, expect, it } from 'vitest';
import {
  MAX_UPSTREAM_JSON_DEPTH,
  nestsDeeperThan,
  parseEventData,
} from '../../../gateway/formats/upstream-json.ts';

const arrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('nestsDeeperThan', () => {
  it('counts arrays and objects, each level once', () => {
    expect(nestsDeeperThan(JSON.parse(arrays(3)), 3)).toBe(false);
    expect(nestsDeeperThan(JSON.parse(arrays(4)), 3)).toBe(true);
    expect(nestsDeeperThan({ a: { b: [1] } }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: { b: [[]] } }, 3)).toBe(true);
    expect(nestsDeeperThan(5, 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
  });

  it('sees depth hidden under keys that shadow the prototype, as JSON.parse makes them', () => {
    for (const key of ['__proto__', 'toString', 'constructor']) {
      const value = JSON.parse(`{"${key}":${arrays(10)}}`) as unknown;
      expect(nestsDeeperThan(value, 10)).toBe(true);
      expect(nestsDeeperThan(value, 11)).toBe(false);
    }
  });

  it('walks a value deeper than the stack without overflowing it', () => {
    expect(nestsDeeperThan(JSON.parse(arrays(200_000)), MAX_UPSTREAM_JSON_DEPTH)).toBe(true);
  });
});

describe('parseEventData', () => {
  it('gives the JSON value, or undefined for text that is not JSON or nests too deeply', () => {
    expect(parseEventData('null')).toBeNull();
    expect(parseEventData('{"a":[1]}')).toEqual({ a: [1] });
    expect(parseEventData('{')).toBeUndefined();
    expect(parseEventData(arrays(MAX_UPSTREAM_JSON_DEPTH))).toBeDefined();
    expect(parseEventData(arrays(MAX_UPSTREAM_JSON_DEPTH + 1))).toBeUndefined();
  });
});
