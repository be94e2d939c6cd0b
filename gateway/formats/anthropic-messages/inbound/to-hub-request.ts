import type { JsonObject } from '../../types.ts';
import { readMessagesRequest, type InboundRequest } from './request-schema.ts';
import { hubMessages, systemMessage } from './to-hub-messages.ts';
import { hubToolChoice, hubTools } from './to-hub-tools.ts';

/*
 * Thinking → `reasoning_effort`. Budgets split where the outbound direction's budgets for low
 * (2048), medium (8192) and high (16384) meet, so that Claude Code's "think" (4000), "think hard"
 * (10000) and "ultrathink" (31999) land on low, medium and high. Adaptive thinking says its effort
 * in `output_config.effort`; without one the target's own default stands.
 */
function reasoningEffort(request: InboundRequest): string | null {
  const thinking = request.thinking;
  if (thinking?.type === 'enabled' && typeof thinking.budget_tokens === 'number') {
    if (thinking.budget_tokens < 4096) return 'low';
    return thinking.budget_tokens < 16384 ? 'medium' : 'high';
  }
  if (thinking?.type !== 'adaptive') return null;
  const effort = request.output_config?.effort;
  if (effort === 'low' || effort === 'medium') return effort;
  return effort === 'high' || effort === 'xhigh' || effort === 'max' ? 'high' : null;
}

/** Structured outputs: the schema the answer must follow, which the hub says as a strict json_schema. */
function responseFormat(request: InboundRequest): JsonObject | null {
  const format = request.output_config?.format;
  if (format?.type !== 'json_schema') return null;
  return { type: 'json_schema', json_schema: { name: 'response', schema: format.schema, strict: true } };
}

/**
 * An Anthropic Messages request → the hub's (OpenAI Chat Completions), `model` set to
 * `context.model`. Fields it does not read are dropped; 400 only for what cannot be read.
 */
export function toHubRequest(body: JsonObject, context: { model: string }): JsonObject {
  const request = readMessagesRequest(body);
  const tools = hubTools(request.tools ?? []);
  const hub: JsonObject = {
    model: context.model,
    messages: [...systemMessage(request.system), ...hubMessages(request.messages)],
  };
  if (typeof request.max_tokens === 'number') hub['max_completion_tokens'] = request.max_tokens;
  if (request.stop_sequences && request.stop_sequences.length > 0) hub['stop'] = request.stop_sequences;
  if (typeof request.temperature === 'number') hub['temperature'] = request.temperature;
  if (typeof request.top_p === 'number') hub['top_p'] = request.top_p;
  if (tools.length > 0) hub['tools'] = tools;
  Object.assign(hub, hubToolChoice(request.tool_choice, tools));
  const effort = reasoningEffort(request);
  if (effort !== null) hub['reasoning_effort'] = effort;
  const format = responseFormat(request);
  if (format !== null) hub['response_format'] = format;
  if (request.stream === true) {
    hub['stream'] = true;
    hub['stream_options'] = { include_usage: true };
  }
  const user = request.metadata?.user_id;
  if (typeof user === 'string' && user !== '') hub['user'] = user;
  return hub;
}
