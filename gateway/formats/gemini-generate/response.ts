import { GatewayError } from '../../errors.ts';
import type { ChatResult, JsonObject, ResponseContext } from '../types.ts';
import { NO_USAGE } from '../types.ts';
import { MAX_UPSTREAM_JSON_DEPTH, nestsDeeperThan, tooDeepError } from '../upstream-json.ts';
import { mapFinishReason } from './finish-reason.ts';
import { convertLogprobs } from './logprobs.ts';
import { appendPartialArg, finishPartialArgs, startPartialArgs } from './partial-args.ts';
import { answerId } from './response-id.ts';
import {
  generateContentResponseSchema,
  present,
  type GeminiCandidate,
  type GeminiFunctionCall,
} from './schemas.ts';
import { toolCallId } from './tool-call-id.ts';
import { openAiUsage, usageFromGemini } from './usage.ts';

/** Where a thought signature travels in OpenAI shapes: Google's own OpenAI-layer convention. */
export function signatureExtra(signature: string): { google: { thought_signature: string } } {
  return { google: { thought_signature: signature } };
}

/** A whole function call's arguments as JSON text; partial arguments (streaming only) assembled in order. */
export function functionCallArguments(call: GeminiFunctionCall): string {
  if (call.args !== undefined) return JSON.stringify(call.args);
  const pieces = present(call.partialArgs);
  if (pieces.length === 0) return '{}';
  const state = startPartialArgs();
  return pieces.map((piece) => appendPartialArg(state, piece)).join('') + finishPartialArgs(state);
}

interface Counter {
  next: number;
}

function choiceFrom(candidate: GeminiCandidate, position: number, id: string, counter: Counter): JsonObject {
  const texts: string[] = [];
  const thoughts: string[] = [];
  const toolCalls: JsonObject[] = [];
  let textSignature: string | undefined;
  for (const part of present(candidate.content?.parts)) {
    if (part.functionCall !== undefined) {
      const signature = part.thoughtSignature;
      toolCalls.push({
        id: toolCallId(id, counter.next++, signature),
        type: 'function',
        function: { name: part.functionCall.name ?? '', arguments: functionCallArguments(part.functionCall) },
        ...(signature === undefined ? {} : { extra_content: signatureExtra(signature) }),
      });
      continue;
    }
    if (part.text !== undefined) (part.thought === true ? thoughts : texts).push(part.text);
    // Gemini signs the last part of an answer without calls; the message carries it back.
    if (part.thoughtSignature !== undefined) textSignature = part.thoughtSignature;
  }
  const message: JsonObject = {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : null,
    reasoning_content: thoughts.length > 0 ? thoughts.join('') : null,
    refusal: null,
  };
  if (toolCalls.length > 0) message['tool_calls'] = toolCalls;
  if (textSignature !== undefined) message['extra_content'] = signatureExtra(textSignature);
  return {
    index: candidate.index ?? position,
    message,
    finish_reason: mapFinishReason(candidate.finishReason, toolCalls.length > 0),
    logprobs: convertLogprobs(candidate.logprobsResult),
  };
}

/**
 * A generateContent answer → an OpenAI chat.completion. A prompt Gemini blocked (promptFeedback,
 * no candidates) is one empty choice finished by 'content_filter'. Anything else without
 * candidates is a 502: the upstream answered nonsense (on /proxy, where the same function reads
 * any JSON answer for its usage, the caller catches it and records none).
 */
export function fromGeminiResponse(body: unknown, context: ResponseContext): ChatResult {
  // Function-call args are re-serialised as `arguments`, and the body itself for an id: JSON.stringify
  // must not meet a stack-deep value.
  if (nestsDeeperThan(body, MAX_UPSTREAM_JSON_DEPTH)) throw tooDeepError();
  const parsed = generateContentResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new GatewayError(
      502,
      'upstream_error',
      'Gemini answered with something that is not a generateContent response.',
    );
  }
  const response = parsed.data;
  const usage = usageFromGemini(response.usageMetadata);
  const upstreamModel = response.modelVersion ?? null;
  const candidates = present(response.candidates);
  const blocked = response.promptFeedback?.blockReason !== undefined;
  if (candidates.length === 0 && !blocked) {
    throw new GatewayError(502, 'upstream_error', 'Gemini answered with no candidates and no reason.');
  }
  const id = answerId(response.responseId, context.created, JSON.stringify(body));
  const counter: Counter = { next: 0 };
  const choices =
    candidates.length > 0
      ? candidates.map((candidate, position) => choiceFrom(candidate, position, id, counter))
      : [
          {
            index: 0,
            message: { role: 'assistant', content: null, reasoning_content: null, refusal: null },
            finish_reason: 'content_filter',
            logprobs: null,
          },
        ];
  const out: JsonObject = {
    id,
    object: 'chat.completion',
    created: context.created,
    model: upstreamModel ?? context.model,
    choices,
  };
  if (usage !== null) out['usage'] = openAiUsage(usage);
  return { body: out, usage: usage ?? NO_USAGE, upstreamModel };
}
