import type { JsonObject } from '../../types.ts';

/** The answer to a token count where the route cannot count: the gateway's own count. */
export const tokenCount = (inputTokens: number): JsonObject => ({
  object: 'response.input_tokens',
  input_tokens: inputTokens,
});

/** Model ids as OpenAI's model list; no owner or date is known, so the gateway is named and the epoch given. */
export function modelList(ids: string[]): JsonObject {
  return {
    object: 'list',
    data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'switchboard' })),
  };
}
