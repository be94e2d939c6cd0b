import { anthropicMessagesFormat } from './anthropic-messages/index.ts';
import { geminiGenerateFormat } from './gemini-generate/index.ts';
import { openAiChatFormat } from './openai-chat/index.ts';
import { openAiResponsesFormat } from './openai-responses/index.ts';
import type { FormatId, WireFormat } from './types.ts';

export * from './types.ts';
export { anthropicMessagesFormat } from './anthropic-messages/index.ts';
export { geminiGenerateFormat } from './gemini-generate/index.ts';
export {
  encodeHubPart,
  hubStreamRedactor,
  openAiChatFormat,
  validateChatRequest,
  type HubStreamRedactor,
} from './openai-chat/index.ts';

const FORMATS: Record<FormatId, WireFormat> = {
  'openai-chat': openAiChatFormat as WireFormat,
  'anthropic-messages': anthropicMessagesFormat as WireFormat,
  'gemini-generate': geminiGenerateFormat as WireFormat,
  'openai-responses': openAiResponsesFormat as WireFormat,
};

/** The wire format of an id. Adding a format: its id in FormatId, a folder here, one line above. */
export function formatFor(id: FormatId): WireFormat {
  return FORMATS[id];
}
