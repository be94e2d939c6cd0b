import { describe, expect, it } from 'vitest';
import { mapFinishReason } from '../../../../gateway/formats/gemini-generate/finish-reason.ts';

describe('mapFinishReason', () => {
  it('maps Gemini finish reasons to OpenAI ones', () => {
    expect(mapFinishReason('STOP', false)).toBe('stop');
    expect(mapFinishReason('STOP', true)).toBe('tool_calls');
    expect(mapFinishReason(undefined, true)).toBe('tool_calls');
    expect(mapFinishReason('MAX_TOKENS', true)).toBe('length');
    for (const reason of [
      'SAFETY',
      'RECITATION',
      'PROHIBITED_CONTENT',
      'BLOCKLIST',
      'SPII',
      'IMAGE_SAFETY',
    ]) {
      expect(mapFinishReason(reason, false)).toBe('content_filter');
    }
    for (const reason of [
      'MALFORMED_FUNCTION_CALL',
      'OTHER',
      'LANGUAGE',
      'FINISH_REASON_UNSPECIFIED',
      'SOMETHING_NEW',
    ]) {
      expect(mapFinishReason(reason, false)).toBe('stop');
    }
  });
});
