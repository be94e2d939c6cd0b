import type { InboundDirection, JsonObject, StreamEvent } from '../../types.ts';
import { signatureFromExtraContent } from '../convert-messages.ts';
import { googleStatus } from '../error.ts';
import { isRecord } from '../json.ts';
import { geminiFinishReason, MALFORMED_CALL } from './finish-reason.ts';
import { functionCallPart } from './function-call-part.ts';
import { reasoningText } from './response.ts';
import { markSignature } from './signature.ts';
import { usageMetadata } from './usage-metadata.ts';

/** A tool call whose arguments are still arriving. */
interface OpenCall {
  id: string | undefined;
  name: string;
  arguments: string;
  extraContent: unknown;
}

interface CandidateState {
  /** Calls by their index in the hub's tool_calls deltas, held until whole. */
  calls: Map<number, OpenCall>;
  /** The index of the latest tool_calls delta, for deltas that name none. */
  lastCallIndex: number;
  finishReason: string | null;
  /** A call's arguments were not a JSON object: the answer finishes as Gemini's MALFORMED_FUNCTION_CALL. */
  malformed: boolean;
  /** The signature of the answer's text, sent on the finishing chunk as Gemini does. */
  textSignature: string | undefined;
}

export interface GeminiEncoderState {
  model: string;
  responseId: string | undefined;
  candidates: Map<number, CandidateState>;
  /** An error went out: Gemini's stream ends with it. */
  failed: boolean;
}

const event = (data: JsonObject): StreamEvent => ({ event: undefined, data: JSON.stringify(data) });

function envelope(state: GeminiEncoderState, candidates: JsonObject[], usage?: JsonObject): JsonObject {
  const response: JsonObject = { candidates };
  if (usage !== undefined) response['usageMetadata'] = usage;
  response['modelVersion'] = state.model;
  if (state.responseId !== undefined) response['responseId'] = state.responseId;
  return response;
}

function candidateState(state: GeminiEncoderState, index: number): CandidateState {
  let candidate = state.candidates.get(index);
  if (candidate === undefined) {
    candidate = {
      calls: new Map(),
      lastCallIndex: 0,
      finishReason: null,
      malformed: false,
      textSignature: undefined,
    };
    state.candidates.set(index, candidate);
  }
  return candidate;
}

/** The held calls with an index below `before` (all of them without one), as functionCall parts. */
function flushCalls(candidate: CandidateState, before = Number.POSITIVE_INFINITY): JsonObject[] {
  const parts: JsonObject[] = [];
  for (const [index, call] of [...candidate.calls].sort(([a], [b]) => a - b)) {
    if (index >= before) continue;
    candidate.calls.delete(index);
    const part = functionCallPart(call);
    if (part === null) candidate.malformed = true;
    else parts.push(part);
  }
  return parts;
}

/** One tool_calls delta: a new call (flushing those before it, whose arguments are whole) or more arguments. */
function addCallDelta(candidate: CandidateState, delta: unknown): JsonObject[] {
  if (!isRecord(delta)) return [];
  const index = typeof delta['index'] === 'number' ? delta['index'] : candidate.lastCallIndex;
  const flushed = index > candidate.lastCallIndex ? flushCalls(candidate, index) : [];
  candidate.lastCallIndex = index;
  const fn = isRecord(delta['function']) ? delta['function'] : {};
  let call = candidate.calls.get(index);
  if (call === undefined) {
    call = { id: undefined, name: '', arguments: '', extraContent: undefined };
    candidate.calls.set(index, call);
  }
  if (call.id === undefined && typeof delta['id'] === 'string' && delta['id'] !== '') call.id = delta['id'];
  if (call.name === '' && typeof fn['name'] === 'string') call.name = fn['name'];
  if (typeof fn['arguments'] === 'string') call.arguments += fn['arguments'];
  if (delta['extra_content'] !== undefined) call.extraContent = delta['extra_content'];
  return flushed;
}

/** One hub choice delta → the parts it completes: thoughts, text, then whole calls. */
function choiceParts(state: GeminiEncoderState, choice: JsonObject): { index: number; parts: JsonObject[] } {
  const index = typeof choice['index'] === 'number' ? choice['index'] : 0;
  const candidate = candidateState(state, index);
  const delta = isRecord(choice['delta']) ? choice['delta'] : {};
  const parts: JsonObject[] = [];
  const reasoning = reasoningText(delta);
  if (reasoning !== undefined) parts.push({ text: reasoning, thought: true });
  if (typeof delta['content'] === 'string' && delta['content'] !== '') parts.push({ text: delta['content'] });
  candidate.textSignature = signatureFromExtraContent(delta['extra_content']) ?? candidate.textSignature;
  const calls = Array.isArray(delta['tool_calls']) ? delta['tool_calls'] : [];
  for (const call of calls) parts.push(...addCallDelta(candidate, call));
  const finish = choice['finish_reason'];
  if (typeof finish === 'string' && finish !== '' && candidate.finishReason === null) {
    parts.push(...flushCalls(candidate));
    candidate.finishReason = geminiFinishReason(finish);
  }
  return { index, parts };
}

/** HTTP statuses by OpenAI error type, the inverse of openAiErrorType (../error.ts). */
const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
};

/** The hub's error chunk → Google's stream error `{error: {code, message, status}}`. */
function errorEvent(error: unknown): StreamEvent {
  const fields = isRecord(error) ? error : {};
  const code = typeof fields['type'] === 'string' ? (STATUS_BY_TYPE[fields['type']] ?? 500) : 500;
  const message =
    typeof fields['message'] === 'string' && fields['message'] !== ''
      ? fields['message']
      : 'The upstream reported an error in the stream.';
  return event({ error: { code, message, status: googleStatus(code) } });
}

/**
 * Hub stream parts → Gemini's SSE events (`streamGenerateContent?alt=sse`), each one
 * GenerateContentResponse. Text and thoughts go out as they come; a tool call goes out as one
 * functionCall part once its arguments are whole (Gemini sends whole calls): when the next call
 * begins or the choice finishes. The finishing chunk (finishReason, usageMetadata) waits for
 * `end`, where the usage is known: the hub sends it after the finish_reason.
 */
export const geminiEncoder: InboundDirection<GeminiEncoderState>['stream'] = {
  init(context) {
    return { model: context.model, responseId: undefined, candidates: new Map(), failed: false };
  },

  next(state, part) {
    if (state.failed || part.type !== 'chunk') return [];
    const { chunk } = part;
    if (chunk['error'] !== undefined && chunk['error'] !== null) {
      state.failed = true;
      return [errorEvent(chunk['error'])];
    }
    if (state.responseId === undefined && typeof chunk['id'] === 'string' && chunk['id'] !== '') {
      state.responseId = chunk['id'];
    }
    const choices = Array.isArray(chunk['choices']) ? chunk['choices'] : [];
    const candidates = choices
      .filter(isRecord)
      .map((choice) => choiceParts(state, choice))
      .filter(({ parts }) => parts.length > 0)
      .map(({ index, parts }) => ({ content: { role: 'model', parts }, index }));
    return candidates.length > 0 ? [event(envelope(state, candidates))] : [];
  },

  end(state, usage, complete) {
    if (state.failed || !complete) return [];
    if (state.candidates.size === 0) candidateState(state, 0);
    const candidates = [...state.candidates]
      .sort(([a], [b]) => a - b)
      .map(([index, candidate]) => {
        const parts = flushCalls(candidate);
        // Gemini's last chunk has a part, an empty text one where there is nothing else to say.
        if (candidate.textSignature !== undefined) {
          parts.push({ text: '', thoughtSignature: markSignature(candidate.textSignature) });
        } else if (parts.length === 0) {
          parts.push({ text: '' });
        }
        const finishReason = candidate.malformed ? MALFORMED_CALL : (candidate.finishReason ?? 'STOP');
        return { content: { role: 'model', parts }, finishReason, index };
      });
    return [event(envelope(state, candidates, usageMetadata(usage)))];
  },
};
