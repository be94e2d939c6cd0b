import { openAiErrorBody } from '../../errors.ts';
import { mapOpenAiError } from '../openai-chat/error.ts';
import { parseOpenAiModelList } from '../openai-chat/response.ts';
import type { WireFormat } from '../types.ts';
import { responsesInbound } from './inbound/index.ts';
import { openAiResponsesStreamRedactor, redactResponse } from './redact.ts';
import { toResponsesRequest } from './request.ts';
import { validateResponsesRequest } from './request-schema.ts';
import { fromResponsesAnswer } from './response.ts';
import { responsesStream, type ResponsesStreamState } from './stream.ts';
import { responsesTerminalEventStart } from './terminal-event.ts';
import { openAiResponsesView } from './view.ts';

export { droppedTools, type ResponsesEncoderState } from './inbound/index.ts';
export type { ResponsesStreamState } from './stream.ts';

/**
 * OpenAI's Responses API: spoken by Codex and the `openai` SDKs' `responses.*` (inbound, translated
 * through the hub for routes that do not speak it), and by OpenAI and the servers that offer it.
 * Its errors and model lists are OpenAI's own.
 */
export const openAiResponsesFormat: WireFormat<ResponsesStreamState> = {
  id: 'openai-responses',
  view: openAiResponsesView,
  validate: (body) => validateResponsesRequest(body),
  chat: { request: toResponsesRequest, response: fromResponsesAnswer, stream: responsesStream },
  // Embeddings are their own endpoint in OpenAI's API, spoken in the hub's format.
  embeddings: null,
  parseModelList: parseOpenAiModelList,
  mapError: mapOpenAiError,
  errorBody: openAiErrorBody,
  inbound: responsesInbound,
  // Errors in a Responses stream are `error` events.
  errorEvent: 'error',
  redact: { answer: redactResponse, stream: openAiResponsesStreamRedactor },
  terminalEventStart: responsesTerminalEventStart,
};
