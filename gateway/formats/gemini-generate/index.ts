import type { WireFormat } from '../types.ts';
import { fromGeminiEmbeddingsResponse, toGeminiEmbeddingsRequest } from './embeddings.ts';
import { geminiErrorBody, mapGeminiError } from './error.ts';
import { parseGeminiModelList } from './models.ts';
import { geminiStreamRedactor, redactGeminiAnswer } from './redact.ts';
import { geminiInbound } from './inbound/index.ts';
import { toGeminiChatRequest } from './request.ts';
import { fromGeminiResponse } from './response.ts';
import { geminiStream, type GeminiStreamState } from './stream.ts';
import { geminiTerminalEventStart } from './terminal-event.ts';
import { geminiGenerateView } from './view.ts';

export type { GeminiStreamState } from './stream.ts';

/** Google's Generative Language API (v1beta): generateContent and its stream, batchEmbedContents. */
export const geminiGenerateFormat: WireFormat<GeminiStreamState> = {
  id: 'gemini-generate',
  view: geminiGenerateView,
  // Its bodies come only to /proxy so far, where Gemini itself judges them.
  validate: () => undefined,
  chat: { request: toGeminiChatRequest, response: fromGeminiResponse, stream: geminiStream },
  embeddings: { request: toGeminiEmbeddingsRequest, response: fromGeminiEmbeddingsResponse },
  parseModelList: parseGeminiModelList,
  mapError: mapGeminiError,
  errorBody: geminiErrorBody,
  inbound: geminiInbound,
  errorEvent: undefined,
  redact: { answer: redactGeminiAnswer, stream: geminiStreamRedactor },
  terminalEventStart: geminiTerminalEventStart,
};
