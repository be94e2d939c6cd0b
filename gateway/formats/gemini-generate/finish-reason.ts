export type OpenAiFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** Gemini withheld or cut the output because of what it says (or would have said). */
const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/**
 * Gemini's finishReason → OpenAI's. Gemini says STOP after function calls too, so the calls
 * decide 'tool_calls'. MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL and TOO_MANY_TOOL_CALLS end
 * the answer without a usable call: 'stop', with whatever text came, so that a client does not
 * wait for calls that are not there. LANGUAGE, OTHER, unknown and future reasons are 'stop' too.
 */
export function mapFinishReason(reason: string | undefined, hasToolCalls: boolean): OpenAiFinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason !== undefined && FILTERED.has(reason)) return 'content_filter';
  if (hasToolCalls && (reason === undefined || reason === 'STOP')) return 'tool_calls';
  return 'stop';
}
