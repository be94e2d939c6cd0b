import type { SseEvent } from '../../protocol/sse.ts';
import type { ChatStream, HubPart, JsonObject, StreamContext, Usage } from '../types.ts';
import { parseEventData } from '../upstream-json.ts';
import { estimatedUsage } from '../usage-check.ts';
import { geminiErrorPayload } from './error.ts';
import { mapFinishReason, type OpenAiFinishReason } from './finish-reason.ts';
import { convertLogprobs, type OpenAiLogprobs } from './logprobs.ts';
import { isRecord } from './json.ts';
import {
  appendPartialArg,
  finishPartialArgs,
  startPartialArgs,
  type PartialArgsState,
} from './partial-args.ts';
import { signatureExtra } from './response.ts';
import { answerId } from './response-id.ts';
import {
  errorBodySchema,
  generateContentResponseSchema,
  present,
  type GeminiCandidate,
  type GeminiPart,
  type GeminiResponse,
} from './schemas.ts';
import { toolCallId } from './tool-call-id.ts';
import { openAiUsage, usageFromGemini } from './usage.ts';

interface ChoiceState {
  /** Tool calls so far: the next call's `index` in OpenAI's tool_calls deltas. */
  toolCalls: number;
  /** A call whose arguments are still streaming (Vertex `partialArgs` / `willContinue`). */
  openCall: { index: number; args: PartialArgsState } | null;
  finishReason: OpenAiFinishReason | null;
}

export interface GeminiStreamState {
  context: StreamContext;
  /** The answer's id (Gemini's responseId), fixed by the first chunk. */
  id: string | null;
  upstreamModel: string | null;
  usage: Usage | null;
  choices: Map<number, ChoiceState>;
  /** Tool calls of the whole answer, for the `_<n>` of their ids. */
  callCounter: number;
  errorCode: string | null;
  /** Characters of streamed text, reasoning and arguments, for an estimate when no usage came. */
  streamedChars: number;
}

type Delta = JsonObject;

function chunk(
  state: GeminiStreamState,
  index: number,
  delta: Delta,
  finishReason: OpenAiFinishReason | null = null,
  logprobs: OpenAiLogprobs | null = null,
): HubPart {
  const chunk: JsonObject = {
    id: state.id,
    object: 'chat.completion.chunk',
    created: state.context.created,
    model: state.upstreamModel ?? state.context.model,
    choices: [{ index, delta, finish_reason: finishReason, logprobs }],
  };
  return { type: 'chunk', chunk };
}

/** The deltas of one function-call part, in order; arguments go out as they come, never held back. */
function functionCallDeltas(state: GeminiStreamState, choice: ChoiceState, part: GeminiPart): Delta[] {
  const call = part.functionCall!;
  const deltas: Delta[] = [];
  const signature = part.thoughtSignature;
  const argumentsDelta = (index: number, text: string, extra?: JsonObject): Delta => {
    state.streamedChars += text.length;
    return { tool_calls: [{ index, function: { arguments: text }, ...extra }] };
  };
  const pieces = present(call.partialArgs);
  if (call.name !== undefined && call.name !== '') {
    if (choice.openCall !== null) {
      deltas.push(argumentsDelta(choice.openCall.index, finishPartialArgs(choice.openCall.args)));
      choice.openCall = null;
    }
    const index = choice.toolCalls++;
    const streaming = call.args === undefined && (call.willContinue === true || pieces.length > 0);
    let text: string;
    if (streaming) {
      const args = startPartialArgs();
      text = pieces.map((piece) => appendPartialArg(args, piece)).join('');
      if (call.willContinue === true) choice.openCall = { index, args };
      else text += finishPartialArgs(args);
    } else {
      text = call.args === undefined ? '{}' : JSON.stringify(call.args);
    }
    state.streamedChars += text.length;
    deltas.push({
      tool_calls: [
        {
          index,
          id: toolCallId(state.id ?? '', state.callCounter++, signature),
          type: 'function',
          function: { name: call.name, arguments: text },
          ...(signature === undefined ? {} : { extra_content: signatureExtra(signature) }),
        },
      ],
    });
    return deltas;
  }
  const open = choice.openCall;
  if (open === null) return deltas; // A continuation of nothing: no call to add it to.
  let text = pieces.map((piece) => appendPartialArg(open.args, piece)).join('');
  if (call.willContinue !== true) {
    text += finishPartialArgs(open.args);
    choice.openCall = null;
  }
  // A signature that arrives after the call's id went out can only travel in extra_content.
  const extra = signature === undefined ? undefined : { extra_content: signatureExtra(signature) };
  if (text !== '' || extra !== undefined) deltas.push(argumentsDelta(open.index, text, extra));
  return deltas;
}

function partDeltas(state: GeminiStreamState, choice: ChoiceState, part: GeminiPart): Delta[] {
  if (part.functionCall !== undefined) return functionCallDeltas(state, choice, part);
  const delta: Delta = {};
  if (part.text !== undefined && part.text !== '') {
    delta[part.thought === true ? 'reasoning_content' : 'content'] = part.text;
    state.streamedChars += part.text.length;
  }
  // Gemini signs the last part of an answer without calls (often an empty text part).
  if (part.thoughtSignature !== undefined) delta['extra_content'] = signatureExtra(part.thoughtSignature);
  return Object.keys(delta).length > 0 ? [delta] : [];
}

function candidateParts(state: GeminiStreamState, candidate: GeminiCandidate, position: number): HubPart[] {
  const index = candidate.index ?? position;
  const parts: HubPart[] = [];
  let choice = state.choices.get(index);
  if (choice === undefined) {
    choice = { toolCalls: 0, openCall: null, finishReason: null };
    state.choices.set(index, choice);
    parts.push(chunk(state, index, { role: 'assistant', content: '' }));
  }
  const current = choice;
  let logprobs = convertLogprobs(candidate.logprobsResult);
  for (const part of present(candidate.content?.parts)) {
    for (const delta of partDeltas(state, current, part)) {
      // The step logprobs of a chunk belong to its text.
      const withLogprobs = logprobs !== null && delta['content'] !== undefined;
      parts.push(chunk(state, index, delta, null, withLogprobs ? logprobs : null));
      if (withLogprobs) logprobs = null;
    }
  }
  if (candidate.finishReason !== undefined && current.finishReason === null) {
    if (current.openCall !== null) {
      const text = finishPartialArgs(current.openCall.args);
      parts.push(
        chunk(state, index, {
          tool_calls: [{ index: current.openCall.index, function: { arguments: text } }],
        }),
      );
      current.openCall = null;
    }
    current.finishReason = mapFinishReason(candidate.finishReason, current.toolCalls > 0);
    parts.push(chunk(state, index, {}, current.finishReason));
  }
  return parts;
}

function responseParts(state: GeminiStreamState, response: GeminiResponse, data: string): HubPart[] {
  state.id ??= answerId(response.responseId, state.context.created, data);
  if (response.modelVersion !== undefined) state.upstreamModel = response.modelVersion;
  // Every chunk may repeat the cumulative usage; the latest one is the answer's.
  state.usage = usageFromGemini(response.usageMetadata) ?? state.usage;
  const candidates = present(response.candidates);
  if (
    candidates.length === 0 &&
    response.promptFeedback?.blockReason !== undefined &&
    !state.choices.has(0)
  ) {
    const blocked: ChoiceState = { toolCalls: 0, openCall: null, finishReason: 'content_filter' };
    state.choices.set(0, blocked);
    return [chunk(state, 0, { role: 'assistant', content: '' }), chunk(state, 0, {}, 'content_filter')];
  }
  return candidates.flatMap((candidate, position) => candidateParts(state, candidate, position));
}

/**
 * Gemini's SSE stream (`streamGenerateContent?alt=sse`: each event one GenerateContentResponse,
 * no `[DONE]`, the stream just ends) → OpenAI chunks. The first chunk of a choice carries the
 * role; text, thoughts (as reasoning_content) and tool calls follow as they come; a finishReason
 * gives one finish chunk; at the end come the usage chunk (when the client asked) and `[DONE]`.
 */
export const geminiStream: ChatStream<GeminiStreamState> = {
  init: (context) => ({
    context,
    id: null,
    upstreamModel: null,
    usage: null,
    choices: new Map(),
    callCounter: 0,
    errorCode: null,
    streamedChars: 0,
  }),

  next(state, event: SseEvent) {
    if (state.errorCode !== null || event.data === '[DONE]') return [];
    // Not JSON (a proxy comment, a keep-alive) or nested too deeply to translate: nothing a client could use.
    const payload = parseEventData(event.data);
    if (payload === undefined) return [];
    const parts: HubPart[] = [];
    for (const item of Array.isArray(payload) ? payload : [payload]) {
      if (!isRecord(item)) continue;
      const error = errorBodySchema.safeParse(item);
      if (error.success) {
        const body = geminiErrorPayload(error.data.error);
        state.errorCode = body.error.code;
        parts.push({ type: 'chunk', chunk: body });
        return parts;
      }
      const response = generateContentResponseSchema.safeParse(item);
      if (response.success) parts.push(...responseParts(state, response.data, event.data));
    }
    return parts;
  },

  end(state) {
    const choices = [...state.choices.values()];
    const complete =
      state.errorCode === null &&
      choices.length > 0 &&
      choices.every((choice) => choice.finishReason !== null);
    if (!complete) return { parts: [], complete: false };
    const parts: HubPart[] = [];
    if (state.context.clientWantsUsage && state.usage !== null) {
      const usageChunk: JsonObject = {
        id: state.id,
        object: 'chat.completion.chunk',
        created: state.context.created,
        model: state.upstreamModel ?? state.context.model,
        choices: [],
        usage: openAiUsage(state.usage),
      };
      parts.push({ type: 'chunk', chunk: usageChunk });
    }
    parts.push({ type: 'done' });
    return { parts, complete: true };
  },

  usage: (state) => state.usage ?? estimatedUsage(state.streamedChars),
  upstreamModel: (state) => state.upstreamModel,
  errorCode: (state) => state.errorCode,
};
