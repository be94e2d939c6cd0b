import type { Vendor } from '../types.ts';
import { anthropicErrorBody, mapAnthropicError } from './error.ts';
import { MODELS_PATH, parseAnthropicModelList } from './models.ts';
import { toAnthropicRequest } from './request.ts';
import { fromAnthropicResponse } from './response.ts';
import { anthropicStream, type AnthropicStreamState } from './stream.ts';

export type { AnthropicStreamState } from './stream.ts';

/** Anthropic's Messages API, spoken to by OpenAI clients (docs/vendors/anthropic.md). */
export const anthropicVendor: Vendor<AnthropicStreamState> = {
  id: 'anthropic',
  authHeaders: (apiKey): Record<string, string> => (apiKey ? { 'x-api-key': apiKey } : {}),
  defaultHeaders: { 'anthropic-version': '2023-06-01' },
  chat: { request: toAnthropicRequest, response: fromAnthropicResponse, stream: anthropicStream },
  // The pipeline answers 400 for embeddings on this vendor: Anthropic has no embeddings endpoint.
  embeddings: null,
  models: { path: MODELS_PATH, parse: parseAnthropicModelList },
  mapError: mapAnthropicError,
  errorBody: anthropicErrorBody,
  modelFromPath: () => null,
};
