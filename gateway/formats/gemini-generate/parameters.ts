import { refuseUnhonoured } from '../openai-chat/parameters.ts';
import type { JsonObject } from '../types.ts';
import { isRecord, unsupportedParameter } from './json.ts';

/*
 * Every Chat Completions parameter, and what a Gemini route does with it (CONTRACT §3): carried
 * into the Gemini request, dropped because leaving it out keeps the request's meaning, or refused
 * with 400 unsupported_parameter because it would not. This is the one list; docs/vendors/gemini.md
 * shows it as a table, and a test keeps the two in step. A parameter that is null counts as absent.
 * A parameter that is not listed is ignored, as on every route (refuseUnhonoured).
 */

export type ParameterRule =
  | { kind: 'carried' }
  | { kind: 'dropped' }
  /** Dropped at a value that asks for nothing, refused at any other. */
  | { kind: 'dropped-when'; keeps: (value: unknown) => boolean; why: string }
  | { kind: 'refused'; why: string };

const carried: ParameterRule = { kind: 'carried' };
const dropped: ParameterRule = { kind: 'dropped' };

export const CHAT_PARAMETERS: ReadonlyMap<string, ParameterRule> = new Map(
  Object.entries({
    model: carried,
    messages: carried,
    stream: carried,
    temperature: carried,
    top_p: carried,
    top_k: carried,
    n: carried,
    max_completion_tokens: carried,
    max_tokens: carried,
    stop: carried,
    seed: carried,
    presence_penalty: carried,
    frequency_penalty: carried,
    logprobs: carried,
    top_logprobs: carried,
    response_format: carried,
    reasoning_effort: carried,
    tools: carried,
    tool_choice: carried,
    extra_body: carried,

    stream_options: dropped,
    parallel_tool_calls: dropped,
    user: dropped,
    safety_identifier: dropped,
    store: dropped,
    metadata: dropped,
    service_tier: dropped,
    prompt_cache_key: dropped,
    prompt_cache_options: dropped,
    prompt_cache_retention: dropped,
    prediction: dropped,

    logit_bias: {
      kind: 'dropped-when',
      keeps: (value) => isRecord(value) && Object.keys(value).length === 0,
      why: 'Gemini has no token biases.',
    },
    modalities: {
      kind: 'dropped-when',
      keeps: (value) => Array.isArray(value) && value.every((modality) => modality === 'text'),
      why: 'Gemini routes answer in text only.',
    },
    verbosity: {
      kind: 'dropped-when',
      keeps: (value) => value === 'medium',
      why: 'Gemini has no verbosity setting (only "medium", the default, can be dropped).',
    },
    audio: { kind: 'refused', why: 'Gemini routes answer in text only; there is no audio output.' },
    web_search_options: {
      kind: 'refused',
      why: "Gemini routes do not search the web; use /proxy with Gemini's own google_search tool.",
    },
    moderation: { kind: 'refused', why: 'Gemini routes run no OpenAI moderation.' },
    functions: { kind: 'refused', why: 'The legacy "functions" parameter is not carried: send "tools".' },
    function_call: {
      kind: 'refused',
      why: 'The legacy "function_call" parameter is not carried: send "tool_choice".',
    },
  } satisfies Record<string, ParameterRule>),
);

/** Throws 400 unsupported_parameter for the first parameter Gemini cannot honour. */
export function checkChatParameters(body: JsonObject): void {
  refuseUnhonoured(body, CHAT_PARAMETERS, (key, value, rule) =>
    rule.kind === 'refused' || (rule.kind === 'dropped-when' && !rule.keeps(value))
      ? unsupportedParameter(key, `"${key}" cannot be sent to a Gemini route: ${rule.why}`)
      : null,
  );
}
