import type { JsonObject } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';

const detail = (details: unknown, key: string): unknown => (isJsonObject(details) ? details[key] : undefined);

/** A Responses `usage` as the hub's (`prompt_tokens` and its details), counts as the vendor sent them. */
export function hubUsage(usage: JsonObject): JsonObject {
  const input = usage['input_tokens'];
  const output = usage['output_tokens'];
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: usage['total_tokens'],
    prompt_tokens_details: { cached_tokens: detail(usage['input_tokens_details'], 'cached_tokens') ?? 0 },
    completion_tokens_details: {
      reasoning_tokens: detail(usage['output_tokens_details'], 'reasoning_tokens') ?? 0,
    },
  };
}
