import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  APP_KEY_PREFIX,
  displayPrefix,
  generateAppKey,
  hashKey,
  randomBase62,
  safeEqual,
} from '../../gateway/keys.ts';

describe('generateAppKey', () => {
  it('is sbk_ followed by 32 base62 characters', () => {
    expect(APP_KEY_PREFIX).toBe('sbk_');
    for (let index = 0; index < 50; index++) {
      expect(generateAppKey()).toMatch(/^sbk_[0-9A-Za-z]{32}$/);
    }
  });

  it('gives 1000 different keys in 1000 calls, all well formed', () => {
    const keys = Array.from({ length: 1000 }, () => generateAppKey());
    expect(new Set(keys).size).toBe(1000);
    expect(keys.every((key) => /^sbk_[0-9A-Za-z]{32}$/.test(key))).toBe(true);
  });

  it('uses the whole base62 alphabet', () => {
    const seen = new Set(
      Array.from({ length: 1000 }, () => generateAppKey().slice(4))
        .join('')
        .split(''),
    );
    expect(seen.size).toBe(62);
  });
});

describe('randomBase62', () => {
  it.each([1, 7, 32, 100])('gives exactly %i characters', (length) => {
    const text = randomBase62(length);
    expect(text).toHaveLength(length);
    expect(text).toMatch(/^[0-9A-Za-z]+$/);
  });
});

describe('hashKey', () => {
  it('is the hex SHA-256 of the key', () => {
    const key = 'sbk_test_0123456789abcdef0123';
    expect(hashKey(key)).toBe(createHash('sha256').update(key, 'utf8').digest('hex'));
    expect(hashKey(key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches a known SHA-256 value', () => {
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('differs for keys that differ in one character', () => {
    expect(hashKey('sbk_aaaa')).not.toBe(hashKey('sbk_aaab'));
  });
});

describe('displayPrefix', () => {
  it('shows at most the first 8 characters of a generated key', () => {
    for (let index = 0; index < 100; index++) {
      const key = generateAppKey();
      const prefix = displayPrefix(key);
      expect(prefix).toBe(`${key.slice(0, 8)}…`);
      const shown = prefix.replace(/…$/, '');
      expect(shown.length).toBeLessThanOrEqual(8);
      expect(key.startsWith(shown)).toBe(true);
    }
  });

  it('shows at most 8 characters of a fixed key from a config file', () => {
    expect(displayPrefix('sbk_test_0123456789abcdef0123')).toBe('sbk_test…');
  });
});

describe('safeEqual', () => {
  it('is true for equal strings', () => {
    expect(safeEqual('sbk_same', 'sbk_same')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
  });

  it('is false for different strings of the same length', () => {
    expect(safeEqual('sbk_same', 'sbk_samf')).toBe(false);
  });

  it('is false, without throwing, for strings of different lengths', () => {
    expect(safeEqual('token', 'token-longer')).toBe(false);
    expect(safeEqual('token', '')).toBe(false);
  });

  it('compares bytes, so equal-length strings with different multi-byte characters are different', () => {
    expect(safeEqual('é', 'e')).toBe(false);
    expect(safeEqual('ü', 'ü')).toBe(true);
  });
});
