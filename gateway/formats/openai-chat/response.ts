import { GatewayError } from '../../errors.ts';
import type { ChatResult } from '../types.ts';
import { NO_USAGE } from '../types.ts';
import { isJsonObject, MAX_UPSTREAM_JSON_DEPTH, nestsDeeperThan, tooDeepError } from '../upstream-json.ts';
import { usageFromOpenAi } from './usage.ts';

/**
 * The upstream already speaks OpenAI: read usage and model, and send its bytes on unchanged. A
 * chat completion and an embeddings list are JSON objects; anything else (`null`, a number, an
 * array, a string) is no answer a client could use, and passing it on would be a 200 with nothing
 * in it, so it is a 502. So is an object nested too deeply for the gateway to re-serialise when
 * a filter redacts it.
 */
function readOpenAiAnswer(body: unknown, what: string): ChatResult {
  if (!isJsonObject(body)) {
    throw new GatewayError(
      502,
      'upstream_error',
      `The upstream answered with something that is not ${what}.`,
    );
  }
  if (nestsDeeperThan(body, MAX_UPSTREAM_JSON_DEPTH)) throw tooDeepError();
  return {
    body: null,
    usage: usageFromOpenAi(body['usage']) ?? NO_USAGE,
    upstreamModel: typeof body['model'] === 'string' && body['model'] !== '' ? body['model'] : null,
  };
}

export const fromOpenAiResponse = (body: unknown): ChatResult => readOpenAiAnswer(body, 'a chat completion');

export const fromOpenAiEmbeddingsResponse = (body: unknown): ChatResult =>
  readOpenAiAnswer(body, 'an embeddings list');

export function parseOpenAiModelList(body: unknown): string[] {
  const data = isJsonObject(body) ? body['data'] : undefined;
  if (!Array.isArray(data)) return [];
  return (data as unknown[])
    .map((item) => (isJsonObject(item) ? item['id'] : undefined))
    .filter((id): id is string => typeof id === 'string');
}
