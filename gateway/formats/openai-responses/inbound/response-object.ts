import type { JsonObject } from '../../types.ts';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** Why an answer stopped short, from the hub's finish reason; null for a whole one. */
export function incompleteReason(finishReason: unknown): string | null {
  if (finishReason === 'length') return 'max_output_tokens';
  return finishReason === 'content_filter' ? 'content_filter' : null;
}

/**
 * A Responses `response` object. The request's own settings (instructions, tools, temperature) are
 * not echoed: the answer is built from the hub's, which does not carry them, and clients read the
 * output, the status and the usage.
 */
export function responseObject(fields: {
  id: string;
  model: string;
  createdAt: number;
  status: ResponseStatus;
  output: JsonObject[];
  usage: JsonObject | null;
  incompleteReason?: string | null;
  error?: JsonObject | null;
}): JsonObject {
  const reason = fields.incompleteReason ?? null;
  return {
    id: fields.id,
    object: 'response',
    created_at: fields.createdAt,
    status: fields.status,
    background: false,
    error: fields.error ?? null,
    incomplete_details: reason === null ? null : { reason },
    instructions: null,
    max_output_tokens: null,
    model: fields.model,
    output: fields.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    truncation: 'disabled',
    usage: fields.usage,
    metadata: {},
  };
}

export const outputText = (text: string): JsonObject => ({
  type: 'output_text',
  text,
  annotations: [],
  logprobs: [],
});

/**
 * A reasoning item: its text as the summary (none when empty), and the vendor state it carries
 * sealed in `encrypted_content` (carry.ts), null when there is none, as OpenAI sends it.
 */
export const reasoningItem = (id: string, summary: string, encrypted: string | null): JsonObject => ({
  id,
  type: 'reasoning',
  summary: summary === '' ? [] : [{ type: 'summary_text', text: summary }],
  encrypted_content: encrypted,
});

export const messageItem = (id: string, status: string, content: JsonObject[]): JsonObject => ({
  id,
  type: 'message',
  status,
  role: 'assistant',
  content,
});

/**
 * How a function of a `namespace` tool group is named to other vendors, which have no groups:
 * `<namespace>__ns__<function>` (within every vendor's name alphabet), split again in the answer.
 */
export const NAMESPACE_SEPARATOR = '__ns__';

/** A hub function name → the Responses call's `name`, and its `namespace` where it has one. */
export function namespacedName(name: string): { name: string; namespace?: string } {
  const at = name.indexOf(NAMESPACE_SEPARATOR);
  if (at <= 0 || at + NAMESPACE_SEPARATOR.length >= name.length) return { name };
  return { name: name.slice(at + NAMESPACE_SEPARATOR.length), namespace: name.slice(0, at) };
}

export const functionCallItem = (
  id: string,
  status: string,
  call: { callId: string; name: string; arguments: string },
): JsonObject => ({
  id,
  type: 'function_call',
  status,
  call_id: call.callId,
  ...namespacedName(call.name),
  arguments: call.arguments,
});
