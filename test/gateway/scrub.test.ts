import { describe, expect, it } from 'vitest';
import { scrubSecrets } from '../../gateway/scrub.ts';

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
