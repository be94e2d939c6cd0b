import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  signatureFromToolCallId,
  toolCallId,
} from '../../../../gateway/formats/gemini-generate/tool-call-id.ts';

describe('toolCallId', () => {
  it('builds call_<responseId>_<n>, with the signature in base64url after __thought__', () => {
    expect(toolCallId('abc', 2)).toBe('call_abc_2');
    expect(toolCallId('a.b/c', 0)).toBe('call_a_b_c_0');
    expect(toolCallId('abc', 0, '+/8=')).toBe('call_abc_0__thought__-_8');
    expect(signatureFromToolCallId('call_abc_0__thought__-_8')).toBe('+/8=');
    expect(signatureFromToolCallId('call_abc_0')).toBeUndefined();
    expect(signatureFromToolCallId('toolu_01ABC')).toBeUndefined();
  });

  it('round-trips every canonical base64 signature, within the id alphabet', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.string({ maxLength: 30 }),
        fc.nat(),
        (bytes, responseId, n) => {
          const signature = Buffer.from(bytes).toString('base64');
          const id = toolCallId(responseId, n, signature);
          expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(signatureFromToolCallId(id)).toBe(signature);
        },
      ),
    );
  });

  it('keeps a signature that is not canonical base64 out of the id rather than change it', () => {
    expect(toolCallId('r', 0, 'skip_thought_signature_validator')).toBe('call_r_0');
    expect(toolCallId('r', 0, 'abc')).toBe('call_r_0');
  });
});
