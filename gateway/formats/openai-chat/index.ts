import type { VendorId } from '../../domain.ts';
import { openAiErrorBody } from '../../errors.ts';
import type { Vendor } from '../types.ts';
import { mapOpenAiError } from './error.ts';
import { toOpenAiChatRequest, toOpenAiEmbeddingsRequest } from './request.ts';
import { fromOpenAiEmbeddingsResponse, fromOpenAiResponse, parseOpenAiModelList } from './response.ts';
import { openAiStream, type OpenAiStreamState } from './stream.ts';

/** OpenAI itself and every server that speaks its wire format (Ollama, LM Studio, vLLM, OpenRouter, Groq…). */
export function openAiVendor(id: VendorId): Vendor<OpenAiStreamState> {
  return {
    id,
    authHeaders: (apiKey): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    defaultHeaders: {},
    chat: { request: toOpenAiChatRequest, response: fromOpenAiResponse, stream: openAiStream },
    embeddings: { request: toOpenAiEmbeddingsRequest, response: fromOpenAiEmbeddingsResponse },
    models: { path: 'models', parse: parseOpenAiModelList },
    mapError: mapOpenAiError,
    errorBody: openAiErrorBody,
    modelFromPath: () => null,
  };
}
