import { geminiGenerateFormat } from '../../../../../gateway/formats/gemini-generate/index.ts';
import {
  geminiInbound,
  type GeminiEncoderState,
} from '../../../../../gateway/formats/gemini-generate/inbound/index.ts';
import { openAiChatFormat } from '../../../../../gateway/formats/openai-chat/index.ts';
import type { ChatStream, HubPart, JsonObject, Usage } from '../../../../../gateway/formats/types.ts';

/** A Gemini stream chunk as the encoder writes it. */
export interface GeminiChunk {
  candidates?: {
    content?: { role: string; parts: JsonObject[] };
    finishReason?: string;
    index: number;
  }[];
  usageMetadata?: JsonObject;
  modelVersion?: string;
  responseId?: string;
  error?: { code: number; message: string; status: string };
}

export interface Encoded {
  chunks: GeminiChunk[];
  /** The events' data as sent, in order. */
  data: string[];
}

/** Hub parts → the encoder's events, ended with `usage` and `complete`. */
export function encodeParts(parts: readonly HubPart[], usage: Usage, complete = true): Encoded {
  const state: GeminiEncoderState = geminiInbound.stream.init({
    model: 'client-model',
    estimatedInputTokens: 10,
  });
  const events = [
    ...parts.flatMap((part) => geminiInbound.stream.next(state, part)),
    ...geminiInbound.stream.end(state, usage, complete),
  ];
  for (const event of events) if (event.event !== undefined) throw new Error('Gemini events have no name');
  const data = events.map((event) => event.data);
  return { chunks: data.map((text) => JSON.parse(text) as GeminiChunk), data };
}

function replayThrough<State>(reducer: ChatStream<State>, lines: readonly string[]): Encoded {
  const state = reducer.init({ model: 'upstream-model', created: 1770000000, clientWantsUsage: true });
  const parts = lines.flatMap((data) => reducer.next(state, { event: undefined, data, id: undefined }));
  const end = reducer.end(state);
  return encodeParts([...parts, ...end.parts], reducer.usage(state), end.complete);
}

/** An OpenAI-format recording (lines of chunk JSON) through the hub's reducer, then the encoder. */
export function encodeOpenAiChunks(lines: readonly string[]): Encoded {
  return replayThrough(openAiChatFormat.chat.stream, [...lines, '[DONE]']);
}

/** A Gemini recording through the outbound reducer to hub parts, then back to Gemini by the encoder. */
export function encodeGeminiChunks(lines: readonly string[]): Encoded {
  return replayThrough(geminiGenerateFormat.chat.stream, lines);
}

export const partsOf = (chunks: readonly GeminiChunk[]): JsonObject[] =>
  chunks.flatMap((chunk) => chunk.candidates?.flatMap((candidate) => candidate.content?.parts ?? []) ?? []);

export const textOf = (parts: readonly JsonObject[], thought = false): string =>
  parts
    .filter((part) => typeof part['text'] === 'string' && (part['thought'] === true) === thought)
    .map((part) => part['text'] as string)
    .join('');
