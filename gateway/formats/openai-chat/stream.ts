import type { SseEvent } from '../../protocol/sse.ts';
import type { ChatStream, HubPart, Usage } from '../types.ts';
import { isJsonObject, parseEventData } from '../upstream-json.ts';
import { estimatedUsage } from '../usage-check.ts';
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
  for (const choice of choices as unknown[]) {
    const delta = isJsonObject(choice) ? choice['delta'] : undefined;
    if (!isJsonObject(delta)) continue;
    if (typeof delta['content'] === 'string') chars += delta['content'].length;
    if (typeof delta['reasoning_content'] === 'string') chars += delta['reasoning_content'].length;
    const calls = delta['tool_calls'];
    if (!Array.isArray(calls)) continue;
    for (const call of calls as unknown[]) {
      const fn = isJsonObject(call) ? call['function'] : undefined;
      if (isJsonObject(fn) && typeof fn['arguments'] === 'string') chars += fn['arguments'].length;
    }
  }
  return chars;
}

/**
 * The error code of an error chunk: the vendor's `code`, else its `type`, read only where they
 * are plain strings or numbers (an object there has no code to give).
 */
function streamErrorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'upstream_error';
  const fields = error as Record<string, unknown>;
  for (const value of [fields['code'], fields['type']]) {
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return 'upstream_error';
}

/**
 * OpenAI chunks pass through byte for byte (each part keeps the upstream's text); the reducer only
 * watches them for the model and usage, and drops the usage-only chunk that the gateway asked for
 * on the client's behalf.
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

  next(state, event: SseEvent): HubPart[] {
    if (event.data === '[DONE]') {
      state.done = true;
      return [{ type: 'done' }];
    }
    // Anything but a JSON object (not JSON, null, a number, an array; or nested too deeply to
    // re-serialise) is none of ours to read: its bytes go on as they came.
    const chunk = parseEventData(event.data);
    if (!isJsonObject(chunk)) return [{ type: 'raw', data: event.data }];
    const unchanged: HubPart[] = [{ type: 'chunk', chunk, text: event.data }];
    const error = chunk['error'];
    if (error !== undefined && error !== null) {
      state.errorCode = streamErrorCode(error);
      return unchanged;
    }
    if (state.upstreamModel === null && typeof chunk['model'] === 'string' && chunk['model'] !== '') {
      state.upstreamModel = chunk['model'];
    }
    state.streamedChars += countStreamedChars(chunk['choices']);
    if (chunk['usage'] !== null && chunk['usage'] !== undefined) {
      // A usage that is not an object reads as none: it does not wipe out one already seen.
      state.usage = usageFromOpenAi(chunk['usage']) ?? state.usage;
      if (!state.clientWantsUsage) {
        // Usage goes only to clients that asked: the usage-only chunk is dropped, and usage that a
        // server (DeepSeek, for one) puts on its last content chunk is taken off it.
        const choices = chunk['choices'];
        if (Array.isArray(choices) && choices.length === 0) return [];
        return [{ type: 'chunk', chunk: { ...chunk, usage: null } }];
      }
    }
    return unchanged;
  },

  end: (state) => ({ parts: [], complete: state.done }),

  usage: (state) => state.usage ?? estimatedUsage(state.streamedChars),

  upstreamModel: (state) => state.upstreamModel,
  errorCode: (state) => state.errorCode,
};
