import { GatewayError } from '../../errors.ts';
import { refuseUnhonoured } from '../openai-chat/parameters.ts';
import type { JsonObject } from '../types.ts';

/**
 * Every OpenAI Chat Completions parameter the Anthropic translation knows, and what becomes of it.
 * This is the one list: `refuseWhatCannotBeHonoured` enforces its `refusedWhen` column, and the table in
 * docs/vendors/anthropic.md is checked against it by a test. A parameter that is in no row is
 * ignored, as on every route (refuseUnhonoured).
 */
export interface ParameterRule {
  name: string;
  /** How it reaches Anthropic; null when it never does. */
  carriedAs: string | null;
  /** When it is left out because leaving it out keeps the request's meaning; null when never. */
  droppedWhen: string | null;
  /** When the request is refused with 400 `unsupported_parameter`; null when never. */
  refusedWhen: string | null;
  /** True when this value cannot be dropped without changing the meaning (for rows with a `refusedWhen`). */
  refuses?: (value: unknown) => boolean;
}

const isNonZeroNumber = (value: unknown): boolean => typeof value === 'number' && value !== 0;
const isObjectWithEntries = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.keys(value).length > 0;

export const PARAMETER_RULES: readonly ParameterRule[] = [
  { name: 'model', carriedAs: '`model`, as the route resolved it', droppedWhen: null, refusedWhen: null },
  {
    name: 'messages',
    carriedAs: '`messages` and `system`, see below',
    droppedWhen: null,
    refusedWhen: 'a part is `input_audio`, a `file_id`, or a file type other than PDF, plain text or image',
  },
  {
    name: 'max_completion_tokens, max_tokens',
    carriedAs:
      '`max_tokens` (the first one given, else the model’s output limit); raised above the thinking budget when needed',
    droppedWhen: null,
    refusedWhen: null,
  },
  { name: 'stream', carriedAs: '`stream`', droppedWhen: null, refusedWhen: null },
  {
    name: 'stream_options',
    carriedAs: null,
    droppedWhen: 'always: every Anthropic stream reports usage; the usage chunk goes out only if asked for',
    refusedWhen: null,
  },
  {
    name: 'temperature',
    carriedAs: '`temperature`, values above 1 lowered to 1 (Anthropic’s range is 0–1)',
    droppedWhen: 'thinking is on and it is not 1; the model refuses sampling parameters (Opus 4.7 and later)',
    refusedWhen: null,
  },
  {
    name: 'top_p',
    carriedAs: '`top_p`',
    droppedWhen:
      'thinking is on and it is below 0.95; `temperature` is also given and the model refuses both (Opus 4.1 and later); the model refuses sampling parameters',
    refusedWhen: null,
  },
  {
    name: 'stop',
    carriedAs: '`stop_sequences` (a string becomes a list of one)',
    droppedWhen: null,
    refusedWhen: null,
  },
  {
    name: 'tools',
    carriedAs: '`tools`: `{name, description, input_schema}`, `strict` where the model supports it',
    droppedWhen: null,
    refusedWhen: 'a tool is not of type `function`',
  },
  {
    name: 'tool_choice',
    carriedAs:
      '`tool_choice`: `auto` → auto, `none` → none, `required` → any, a named function → tool, `allowed_tools` → the listed tools with auto or any',
    droppedWhen: 'no tools are given',
    refusedWhen: null,
  },
  {
    name: 'parallel_tool_calls',
    carriedAs: '`false` → `disable_parallel_tool_use: true` on the tool choice',
    droppedWhen: '`true` (Anthropic’s default)',
    refusedWhen: null,
  },
  {
    name: 'response_format',
    carriedAs:
      '`json_schema` with `strict: true` → `output_config.format` (Claude 4.5 and later); other `json_schema` and `json_object` → a forced answer tool whose input becomes the message content',
    droppedWhen: '`{"type": "text"}`',
    refusedWhen:
      'another type; a `json_schema` whose root is not an object, when it has to go through the answer tool',
  },
  {
    name: 'reasoning_effort',
    carriedAs: '`thinking`: a token budget, or adaptive thinking with `output_config.effort`, by model',
    droppedWhen:
      '`none`; the model cannot think; a tool call is forced; the current tool loop’s assistant turn lacks its thinking blocks',
    refusedWhen: null,
  },
  {
    name: 'user, safety_identifier',
    carriedAs: '`metadata.user_id` (`user` first)',
    droppedWhen: null,
    refusedWhen: null,
  },
  { name: 'seed', carriedAs: null, droppedWhen: 'always (Anthropic has no seed)', refusedWhen: null },
  {
    name: 'n',
    carriedAs: null,
    droppedWhen: '1',
    refusedWhen: 'above 1 (Anthropic answers with one choice)',
    refuses: (value) => typeof value === 'number' && value !== 1,
  },
  {
    name: 'presence_penalty',
    carriedAs: null,
    droppedWhen: '0',
    refusedWhen: 'not 0',
    refuses: isNonZeroNumber,
  },
  {
    name: 'frequency_penalty',
    carriedAs: null,
    droppedWhen: '0',
    refusedWhen: 'not 0',
    refuses: isNonZeroNumber,
  },
  {
    name: 'logprobs',
    carriedAs: null,
    droppedWhen: '`false`',
    refusedWhen: '`true` (Anthropic reports no log probabilities)',
    refuses: (value) => value === true,
  },
  {
    name: 'top_logprobs',
    carriedAs: null,
    droppedWhen: '0',
    refusedWhen: 'above 0',
    refuses: isNonZeroNumber,
  },
  {
    name: 'logit_bias',
    carriedAs: null,
    droppedWhen: 'empty',
    refusedWhen: 'it has entries',
    refuses: isObjectWithEntries,
  },
  {
    name: 'modalities',
    carriedAs: null,
    droppedWhen: '`["text"]`',
    refusedWhen: 'it asks for audio',
    refuses: (value) => Array.isArray(value) && value.some((modality) => modality !== 'text'),
  },
  {
    name: 'audio',
    carriedAs: null,
    droppedWhen: null,
    refusedWhen: 'given (Claude does not speak)',
    refuses: () => true,
  },
  {
    name: 'web_search_options',
    carriedAs: null,
    droppedWhen: null,
    refusedWhen: 'given (the client expects a searched answer)',
    refuses: () => true,
  },
  {
    name: 'functions, function_call',
    carriedAs: null,
    droppedWhen: null,
    refusedWhen: 'given (the legacy function API: send `tools` instead)',
    refuses: () => true,
  },
  { name: 'store', carriedAs: null, droppedWhen: 'always (nothing is stored upstream)', refusedWhen: null },
  {
    name: 'metadata',
    carriedAs: null,
    droppedWhen: 'always (OpenAI’s stored-completion tags; Anthropic’s metadata holds only a user id)',
    refusedWhen: null,
  },
  { name: 'service_tier', carriedAs: null, droppedWhen: 'always', refusedWhen: null },
  {
    name: 'prompt_cache_key, prompt_cache_retention',
    carriedAs: null,
    droppedWhen: 'always (Anthropic caches by explicit breakpoints)',
    refusedWhen: null,
  },
  {
    name: 'prediction',
    carriedAs: null,
    droppedWhen: 'always (a latency hint; the answer is the same)',
    refusedWhen: null,
  },
  { name: 'verbosity', carriedAs: null, droppedWhen: 'always', refusedWhen: null },
];

/** The request field names one rule covers (`"user, safety_identifier"` covers two). */
export function ruleFields(rule: ParameterRule): string[] {
  return rule.name.split(',').map((field) => field.trim());
}

const RULE_OF_FIELD: ReadonlyMap<string, ParameterRule> = new Map(
  PARAMETER_RULES.flatMap((rule) => ruleFields(rule).map((field) => [field, rule] as const)),
);

/**
 * Throws 400 `unsupported_parameter` for the first parameter whose value Anthropic cannot honour
 * and whose absence would change the answer.
 */
export function refuseWhatCannotBeHonoured(body: JsonObject): void {
  refuseUnhonoured(body, RULE_OF_FIELD, (field, value, rule) =>
    rule.refuses?.(value)
      ? new GatewayError(
          400,
          'unsupported_parameter',
          `"${field}" is not supported by Anthropic models with this value: refused when ${rule.refusedWhen}.`,
          { param: field },
        )
      : null,
  );
}
