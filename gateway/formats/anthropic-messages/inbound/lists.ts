import type { JsonObject } from '../../types.ts';

/** `count_tokens`'s answer: Anthropic's shape, the gateway's count. */
export const tokenCount = (inputTokens: number): JsonObject => ({ input_tokens: inputTokens });

/**
 * Model ids as Anthropic's model list, one page with all of them. The list says no release date:
 * `created_at` (required by the SDKs' types) is the epoch, the same for every model.
 */
export function modelList(ids: string[]): JsonObject {
  return {
    data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' })),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids.at(-1) ?? null,
  };
}
