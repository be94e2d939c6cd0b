import type { InboundRequestContext, JsonObject } from '../../types.ts';
import { readResponsesRequest, type ResponsesRequest } from '../request-schema.ts';
import { hubMessages } from './to-hub-input.ts';
import { hubToolChoice, hubTools } from './to-hub-tools.ts';

/** `text.format` → the hub's `response_format`; plain text needs none. */
function responseFormat(request: ResponsesRequest): JsonObject | null {
  const format = request.text?.format;
  if (format?.type === 'json_object') return { type: 'json_object' };
  if (format?.type !== 'json_schema') return null;
  const schema: JsonObject = { name: format.name ?? 'response', schema: format.schema };
  if (typeof format.strict === 'boolean') schema['strict'] = format.strict;
  if (typeof format.description === 'string') schema['description'] = format.description;
  return { type: 'json_schema', json_schema: schema };
}

/**
 * A Responses request → the hub's (OpenAI Chat Completions), `model` set to `context.model`.
 * Fields it does not read are dropped: `store`, `previous_response_id` and `truncation` are the
 * pipeline's to honour; `include: ["reasoning.encrypted_content"]` is met without asking
 * (reasoning items carry their sealed state whenever there is some: a client that chains by hand
 * needs it, and the gateway cannot look reasoning items up by id); `service_tier` and the rest
 * mean nothing to other vendors. 400 only for what cannot be read.
 */
export function toHubRequest(body: JsonObject, context: InboundRequestContext): JsonObject {
  const request = readResponsesRequest(body);
  const tools = hubTools(request.tools ?? []);
  const hub: JsonObject = {
    model: context.model,
    messages: hubMessages(request.instructions, request.input, context.carrier),
  };
  if (typeof request.max_output_tokens === 'number') hub['max_completion_tokens'] = request.max_output_tokens;
  if (typeof request.temperature === 'number') hub['temperature'] = request.temperature;
  if (typeof request.top_p === 'number') hub['top_p'] = request.top_p;
  if (tools.length > 0) hub['tools'] = tools;
  Object.assign(hub, hubToolChoice(request, tools));
  const effort = request.reasoning?.effort;
  if (typeof effort === 'string') hub['reasoning_effort'] = effort;
  const format = responseFormat(request);
  if (format !== null) hub['response_format'] = format;
  if (typeof request.text?.verbosity === 'string') hub['verbosity'] = request.text.verbosity;
  if (request.stream === true) {
    hub['stream'] = true;
    hub['stream_options'] = { include_usage: true };
  }
  if (typeof request.user === 'string' && request.user !== '') hub['user'] = request.user;
  if (request.metadata) hub['metadata'] = request.metadata;
  return hub;
}
