import { openAiErrorBody } from '../../errors.ts';
import type { WireFormat } from '../types.ts';
import { mapOpenAiError } from './error.ts';
import { redactCompletion, openAiStreamRedactor } from './redact.ts';
import { toOpenAiChatRequest, toOpenAiEmbeddingsRequest } from './request.ts';
import { validateChatRequest, validateEmbeddingsRequest } from './request-schema.ts';
import { fromOpenAiEmbeddingsResponse, fromOpenAiResponse, parseOpenAiModelList } from './response.ts';
import { openAiStream, type OpenAiStreamState } from './stream.ts';
import { openAiTerminalEventStart } from './terminal-event.ts';
import { openAiChatView } from './view.ts';

export { encodeHubPart } from './encode-hub-part.ts';
export { hubStreamRedactor, type HubStreamRedactor } from './redact.ts';
export { validateChatRequest } from './request-schema.ts';
export type { OpenAiStreamState } from './stream.ts';

/**
 * OpenAI Chat Completions, the hub: spoken by OpenAI itself and every server that speaks its wire
 * format (Ollama, LM Studio, vLLM, OpenRouter, Groq…). Its answers and streams go on unchanged.
 */
export const openAiChatFormat: WireFormat<OpenAiStreamState> = {
  id: 'openai-chat',
  view: openAiChatView,
  validate: (body, operation) =>
    operation === 'chat' ? validateChatRequest(body) : validateEmbeddingsRequest(body),
  chat: { request: toOpenAiChatRequest, response: fromOpenAiResponse, stream: openAiStream },
  embeddings: { request: toOpenAiEmbeddingsRequest, response: fromOpenAiEmbeddingsResponse },
  parseModelList: parseOpenAiModelList,
  mapError: mapOpenAiError,
  errorBody: openAiErrorBody,
  // The hub itself: its clients' requests need no translation.
  inbound: null,
  errorEvent: undefined,
  redact: { answer: redactCompletion, stream: openAiStreamRedactor },
  terminalEventStart: openAiTerminalEventStart,
};
