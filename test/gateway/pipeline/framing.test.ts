import { describe, expect, it } from 'vitest';
import { jsonArrayFraming, SSE_FRAMING } from '../../../gateway/pipeline/framing.ts';

describe('stream framing', () => {
  it('writes SSE events with their names, and needs no closing', () => {
    expect(
      SSE_FRAMING.frame([
        { event: 'ping', data: '{}' },
        { event: undefined, data: '[1]' },
      ]),
    ).toBe('event: ping\ndata: {}\n\ndata: [1]\n\n');
    expect(SSE_FRAMING.close()).toBe('');
  });

  it('writes Google’s JSON array across calls, an error element included, and closes it', () => {
    const framing = jsonArrayFraming();
    const text =
      framing.frame([{ event: undefined, data: '{"a":1}' }]) +
      framing.frame([]) +
      framing.frame([
        { event: undefined, data: '{"a":2}' },
        { event: 'error', data: '{"error":{"code":502}}' },
      ]) +
      framing.close();
    expect(JSON.parse(text)).toEqual([{ a: 1 }, { a: 2 }, { error: { code: 502 } }]);
    expect(JSON.parse(jsonArrayFraming().close())).toEqual([]);
  });
});
