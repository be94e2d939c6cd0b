import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { carrierWithKey } from '../../../gateway/secrets/carrier.ts';

const STATE = { thinking_blocks: [{ type: 'thinking', thinking: '925 / 5 = 185', signature: 'Er4BCkYI' }] };

describe('the carrier of vendor state', () => {
  const carrier = carrierWithKey(randomBytes(32));

  it('opens what it sealed, and hides it from whoever holds the token', () => {
    const token = carrier.seal(STATE);
    expect(token).toMatch(/^sbc1\.[A-Za-z0-9_-]+$/);
    expect(token).not.toContain('925');
    expect(carrier.owns(token)).toBe(true);
    expect(carrier.open(token)).toEqual(STATE);
    // A fresh nonce each time: equal states give different tokens.
    expect(carrier.seal(STATE)).not.toBe(token);
  });

  it('opens nothing altered, cut, sealed with another key or made by someone else', () => {
    const token = carrier.seal(STATE);
    const body = token.slice('sbc1.'.length);
    const flipped = `sbc1.${body.slice(0, 40)}${body[40] === 'A' ? 'B' : 'A'}${body.slice(41)}`;
    expect(carrier.open(flipped)).toBeNull();
    expect(carrier.open(token.slice(0, -4))).toBeNull();
    expect(carrier.open('sbc1.')).toBeNull();
    expect(carrier.open('sbc1.!!!')).toBeNull();
    expect(carrierWithKey(randomBytes(32)).open(token)).toBeNull();
    // OpenAI's own encrypted reasoning is not ours: neither opened nor claimed.
    expect(carrier.open('gAAAAABoX1y2')).toBeNull();
    expect(carrier.owns('gAAAAABoX1y2')).toBe(false);
  });

  it('opens only objects, and takes only a 32-byte key', () => {
    expect(carrier.open(carrier.seal([STATE] as never))).toBeNull();
    expect(carrier.open(carrier.seal('text' as never))).toBeNull();
    expect(() => carrierWithKey(randomBytes(16))).toThrow(/32 bytes/);
  });
});
