import type { JsonObject } from '../../types.ts';
import { isJsonObject } from '../../upstream-json.ts';
import type { ResponsesRequest, ResponsesTool } from '../request-schema.ts';

/*
 * The Responses tools → the hub's functions. Only function tools are the client's to run with a
 * JSON schema the hub can carry; the others are OpenAI's hosted tools (web search, file search,
 * code interpreter…), Codex's `local_shell`, its `custom` free-form tools and `namespace` groups:
 * no other vendor knows them, so they are left out, never refused (an agent's turn must not end on
 * a 400), and `droppedTools` names them for the request's row.
 */

const isFunction = (tool: ResponsesTool): boolean =>
  tool.type === 'function' && typeof tool['name'] === 'string';

/** The tools a translation leaves out, as `type` or `type:name`, in the order sent. */
export function droppedTools(body: JsonObject): string[] {
  const tools = Array.isArray(body['tools']) ? body['tools'] : [];
  return tools.flatMap((tool): string[] => {
    if (!isJsonObject(tool)) return [];
    const type = typeof tool['type'] === 'string' ? tool['type'] : 'unknown';
    if (type === 'function' && typeof tool['name'] === 'string') return [];
    return [typeof tool['name'] === 'string' ? `${type}:${tool['name']}` : type];
  });
}

/** The request's function tools as hub functions. */
export function hubTools(tools: readonly ResponsesTool[]): JsonObject[] {
  return tools.filter(isFunction).map((tool) => {
    const parameters = tool['parameters'];
    const fn: JsonObject = {
      name: tool['name'],
      parameters: isJsonObject(parameters) ? parameters : { type: 'object', properties: {} },
    };
    if (typeof tool['description'] === 'string') fn['description'] = tool['description'];
    if (typeof tool['strict'] === 'boolean') fn['strict'] = tool['strict'];
    return { type: 'function', function: fn };
  });
}

const offered = (tools: readonly JsonObject[], name: unknown): boolean =>
  tools.some((tool) => (tool['function'] as JsonObject)['name'] === name);

/**
 * `tool_choice` and `parallel_tool_calls` → the hub's. Both mean nothing without tools (OpenAI
 * refuses them then), so they are sent only with tools. A choice of a tool that was left out (a
 * hosted tool, a custom one) cannot be honoured: the model chooses, as with `auto`.
 */
export function hubToolChoice(request: ResponsesRequest, tools: readonly JsonObject[]): JsonObject {
  if (tools.length === 0) return {};
  const out: JsonObject = {};
  const choice = request.tool_choice;
  if (choice === 'auto' || choice === 'none' || choice === 'required') out['tool_choice'] = choice;
  else if (isJsonObject(choice)) {
    if (choice.type === 'function' && offered(tools, choice['name']))
      out['tool_choice'] = { type: 'function', function: { name: choice['name'] } };
    else if (choice.type === 'allowed_tools' && choice['mode'] === 'required')
      out['tool_choice'] = 'required';
  }
  if (typeof request.parallel_tool_calls === 'boolean')
    out['parallel_tool_calls'] = request.parallel_tool_calls;
  return out;
}
