import type { Vendor } from '../types.ts';
import { fromGeminiEmbeddingsResponse, toGeminiEmbeddingsRequest } from './embeddings.ts';
import { geminiErrorBody, mapGeminiError } from './error.ts';
import { GEMINI_MODELS_PATH, modelFromGeminiPath, parseGeminiModelList } from './models.ts';
import { toGeminiChatRequest } from './request.ts';
import { fromGeminiResponse } from './response.ts';
import { geminiStream, type GeminiStreamState } from './stream.ts';

export type { GeminiStreamState } from './stream.ts';

/** Google's Generative Language API (v1beta), from the host root https://generativelanguage.googleapis.com. */
export const geminiVendor: Vendor<GeminiStreamState> = {
  id: 'gemini',
  authHeaders: (apiKey): Record<string, string> => (apiKey ? { 'x-goog-api-key': apiKey } : {}),
  defaultHeaders: {},
  chat: { request: toGeminiChatRequest, response: fromGeminiResponse, stream: geminiStream },
  embeddings: { request: toGeminiEmbeddingsRequest, response: fromGeminiEmbeddingsResponse },
  models: { path: GEMINI_MODELS_PATH, parse: parseGeminiModelList },
  mapError: mapGeminiError,
  errorBody: geminiErrorBody,
  modelFromPath: modelFromGeminiPath,
};
