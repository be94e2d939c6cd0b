import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyScrubber, scrubKey, scrubKeyBytes, scrubSecrets } from '../../gateway/scrub.ts';

describe('scrubSecrets', () => {
  it('leaves words that merely start with "sk" alone, and the full stop after a key', () => {
    const text = "Unsupported parameter: 'skip_special_tokens'. skeleton skyscraper";
    expect(scrubSecrets(text)).toBe(text);
    expect(scrubSecrets('provided: sk-proj-abcdefghij. You can')).toBe('provided: [redacted]. You can');
  });

  it('leaves ordinary text alone', () => {
    const text = "Unsupported parameter: 'max_tokens' is not supported with this model.";
    expect(scrubSecrets(text)).toBe(text);
  });

  it.each([
    ['an OpenAI project key', 'sk-proj-abcdefghijklmnop'],
    ['an old OpenAI key', 'sk-abcdefghijklmnopqrstuvwxyz0123456789'],
    ['an Anthropic key', 'sk-ant-api03-AbCdEf_0123456789-xyz'],
    ['a Switchboard app key', 'sbk_0cJqfXgyei5xKr45jGF7LBeS0q7vtKVY'],
    ['a Google API key', 'AIzaSyA-1234567890abcdefghijklmnopqrstu'],
    ['a masked key as vendors echo it', 'sk-ab***********************yz12'],
  ])('redacts %s', (_name, key) => {
    const out = scrubSecrets(`Incorrect API key provided: ${key} (check your settings)`);
    expect(out).toBe('Incorrect API key provided: [redacted] (check your settings)');
    expect(out).not.toContain(key.slice(0, 8));
  });

  it('redacts every occurrence', () => {
    expect(scrubSecrets('sk-proj-aaaaaaaaaa and sk-proj-bbbbbbbbbb')).toBe('[redacted] and [redacted]');
  });

  it('redacts a key in a URL query', () => {
    const out = scrubSecrets('GET https://host/v1beta/models?key=AIzaSyDummyDummyDummy123 failed');
    expect(out).toBe('GET https://host/v1beta/models?key=[redacted] failed');
  });

  it('redacts the known secrets it is given, whatever their shape', () => {
    const out = scrubSecrets('upstream said: token hunter2-very-private was rejected', [
      'hunter2-very-private',
    ]);
    expect(out).toBe('upstream said: token [redacted] was rejected');
  });

  it('redacts every occurrence of a known secret', () => {
    expect(scrubSecrets('abcd-abcd-abcd', ['abcd'])).toBe('[redacted]-[redacted]-[redacted]');
  });

  it('ignores null, undefined, empty and very short known secrets', () => {
    expect(scrubSecrets('a bc abc text', [null, undefined, '', 'a', 'bc', 'abc'])).toBe('a bc abc text');
  });

  it('does not take a short sk- prefix for a key', () => {
    expect(scrubSecrets('sk-abc')).toBe('sk-abc');
  });

  it('does not take sk inside a word for a key', () => {
    expect(scrubSecrets('task-abcdefghijkl')).toBe('task-abcdefghijkl');
    expect(scrubSecrets('disk_abcdefghijkl')).toBe('disk_abcdefghijkl');
  });
});

describe('scrubKey and KeyScrubber (the route key in upstream bodies)', () => {
  const key = 'sk-route-key-0123456789abcdef';

  it('replaces the exact key and leaves everything else byte for byte', () => {
    expect(scrubKey(`{"echo":"Bearer ${key}","n":1}`, key)).toBe('{"echo":"Bearer [redacted]","n":1}');
    expect(scrubKey('{"text":"sk-example-abcdef"}', key)).toBe('{"text":"sk-example-abcdef"}');
  });

  it('does not scrub keys too short to be secrets (local servers take "ollama")', () => {
    expect(scrubKey('ollama says hi', 'ollama')).toBe('ollama says hi');
    expect(new KeyScrubber('none').push('none of this')).toBe('none of this');
  });

  it('finds a key split anywhere across pieces, and holds back nothing when no piece ends like the key', () => {
    const scrubber = new KeyScrubber(key);
    expect(scrubber.push('data: {"a":1}\n\n')).toBe('data: {"a":1}\n\n');
    expect(scrubber.push(`data: "${key.slice(0, 5)}`)).toBe('data: "');
    expect(scrubber.push(`${key.slice(5)}"\n\n`)).toBe('[redacted]"\n\n');
    expect(scrubber.end()).toBe('');
  });

  it('emits exactly the scrubbed whole for any text cut into any pieces', () => {
    const alphabet = fc.constantFrom(...'sk-route-key-0123456789abcdef'.split(''), ' ', '\n', 'x');
    const piece = fc.oneof(
      fc.string({ unit: alphabet, maxLength: 12 }),
      fc.constant(key),
      fc.constant(key.slice(0, 9)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), (parts, cuts) => {
        const whole = parts.join('');
        const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b);
        const pieces: string[] = [];
        let last = 0;
        for (const point of points) {
          pieces.push(whole.slice(last, point));
          last = point;
        }
        pieces.push(whole.slice(last));
        const scrubber = new KeyScrubber(key);
        const out = pieces.map((text) => scrubber.push(text)).join('') + scrubber.end();
        expect(out).toBe(scrubKey(whole, key));
        expect(out).not.toContain(key);
      }),
      { numRuns: 500 },
    );
  });
});

describe('scrubKeyBytes', () => {
  it('replaces the key in a binary body and leaves other bytes alone', () => {
    const key = 'sk-route-key-0123456789abcdef';
    const bytes = Buffer.concat([
      Buffer.from([0, 255, 1]),
      Buffer.from(key),
      Buffer.from([7]),
      Buffer.from(key),
    ]);
    expect(scrubKeyBytes(bytes, key)).toEqual(
      Buffer.concat([
        Buffer.from([0, 255, 1]),
        Buffer.from('[redacted]'),
        Buffer.from([7]),
        Buffer.from('[redacted]'),
      ]),
    );
    const clean = Buffer.from([1, 2, 3]);
    expect(scrubKeyBytes(clean, key)).toBe(clean);
  });
});
