import type { WireFormat } from '../types.ts';
import { anthropicErrorBody, mapAnthropicError } from './error.ts';
import { anthropicInbound } from './inbound/index.ts';
import { parseAnthropicModelList } from './models.ts';
import { anthropicStreamRedactor, redactMessage } from './redact.ts';
import { toAnthropicRequest } from './request.ts';
import { fromAnthropicResponse } from './response.ts';
import { anthropicStream, type AnthropicStreamState } from './stream.ts';
import { anthropicTerminalEventStart } from './terminal-event.ts';
import { anthropicMessagesView } from './view.ts';

export type { AnthropicStreamState } from './stream.ts';

/** Anthropic's Messages API, spoken to by OpenAI clients (docs/vendors/anthropic.md). */
export const anthropicMessagesFormat: WireFormat<AnthropicStreamState> = {
  id: 'anthropic-messages',
  view: anthropicMessagesView,
  // Its bodies come only to /proxy so far, where Anthropic itself judges them.
  validate: () => undefined,
  chat: { request: toAnthropicRequest, response: fromAnthropicResponse, stream: anthropicStream },
  // Anthropic has no embeddings endpoint: the pipeline answers 400 for embeddings here.
  embeddings: null,
  parseModelList: parseAnthropicModelList,
  mapError: mapAnthropicError,
  errorBody: anthropicErrorBody,
  inbound: anthropicInbound,
  errorEvent: 'error',
  redact: { answer: redactMessage, stream: anthropicStreamRedactor },
  terminalEventStart: anthropicTerminalEventStart,
};
