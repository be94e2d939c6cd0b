import type { JsonObject } from '../../types.ts';

/** The gateway's own token count → Google's countTokens answer. */
export function geminiTokenCount(inputTokens: number): JsonObject {
  return { totalTokens: inputTokens };
}
