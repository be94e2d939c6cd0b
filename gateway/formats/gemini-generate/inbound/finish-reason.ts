/**
 * The hub's finish_reason → Gemini's finishReason. Gemini says STOP after function calls too;
 * a finish the hub does not name (or none) is STOP.
 */
export function geminiFinishReason(reason: unknown): string {
  if (reason === 'length') return 'MAX_TOKENS';
  if (reason === 'content_filter') return 'SAFETY';
  return 'STOP';
}

/** Gemini's own finish for a call whose arguments are not a JSON object: the client retries. */
export const MALFORMED_CALL = 'MALFORMED_FUNCTION_CALL';
