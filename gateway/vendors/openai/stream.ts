import type { SseEvent } from '../../protocol/sse.ts';
import type { ChatStream, Usage } from '../types.ts';
import { usageFromOpenAi } from './usage.ts';

export interface OpenAiStreamState {
  clientWantsUsage: boolean;
  usage: Usage | null;
  upstreamModel: string | null;
  done: boolean;
  errorCode: string | null;
  /** Characters of streamed text and tool arguments, for an estimate when the stream is cut before its usage. */
  streamedChars: number;
}

function countStreamedChars(choices: unknown): number {
  if (!Array.isArray(choices)) return 0;
  let chars = 0;
  for (const choice of choices as { delta?: Record<string, unknown> }[]) {
    const delta = choice?.delta;
    if (!delta) continue;
    if (typeof delta['content'] === 'string') chars += delta['content'].length;
    if (typeof delta['reasoning_content'] === 'string') chars += delta['reasoning_content'].length;
    if (Array.isArray(delta['tool_calls'])) {
      for (const call of delta['tool_calls'] as { function?: { arguments?: unknown } }[]) {
        if (typeof call?.function?.arguments === 'string') chars += call.function.arguments.length;
      }
    }
  }
  return chars;
}

/**
 * OpenAI chunks pass through byte for byte; the reducer only watches them for the model and
 * usage, and drops the usage-only chunk that the gateway asked for on the client's behalf.
 */
export const openAiStream: ChatStream<OpenAiStreamState> = {
  init: ({ clientWantsUsage }) => ({
    clientWantsUsage,
    usage: null,
    upstreamModel: null,
    done: false,
    errorCode: null,
    streamedChars: 0,
  }),

  next(state, event: SseEvent) {
    if (event.data === '[DONE]') {
      state.done = true;
      return ['[DONE]'];
    }
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(event.data) as Record<string, unknown>;
    } catch {
      return [event.data];
    }
    if (chunk['error'] !== undefined) {
      const error = chunk['error'] as Record<string, unknown> | null;
      state.errorCode = String(error?.['code'] ?? error?.['type'] ?? 'upstream_error');
      return [event.data];
    }
    if (state.upstreamModel === null && typeof chunk['model'] === 'string' && chunk['model'] !== '') {
      state.upstreamModel = chunk['model'];
    }
    state.streamedChars += countStreamedChars(chunk['choices']);
    if (chunk['usage'] !== null && chunk['usage'] !== undefined) {
      state.usage = usageFromOpenAi(chunk['usage']);
      if (!state.clientWantsUsage) {
        // Usage goes only to clients that asked: the usage-only chunk is dropped, and usage that a
        // server (DeepSeek, for one) puts on its last content chunk is taken off it.
        const choices = chunk['choices'];
        if (Array.isArray(choices) && choices.length === 0) return [];
        return [JSON.stringify({ ...chunk, usage: null })];
      }
    }
    return [event.data];
  },

  end: (state) => ({ payloads: [], complete: state.done }),

  usage(state) {
    if (state.usage) return state.usage;
    return {
      inputTokens: null,
      // About four characters a token for English text and JSON; marked partial by the caller.
      outputTokens: state.streamedChars > 0 ? Math.ceil(state.streamedChars / 4) : null,
      cachedInputTokens: null,
      reasoningTokens: null,
    };
  },

  upstreamModel: (state) => state.upstreamModel,
  errorCode: (state) => state.errorCode,
};
