import type { JsonObject } from '../../types.ts';
import { isJsonObject } from '../../upstream-json.ts';
import type { ResponsesRequest, ResponsesTool } from '../request-schema.ts';
import { NAMESPACE_SEPARATOR } from './response-object.ts';

/*
 * The Responses tools → the hub's functions. Function tools are the client's to run with a JSON
 * schema the hub can carry, and so are the functions of a `namespace` group (Codex's
 * `multi_agent_v1`), named `<namespace>__ns__<function>` since other vendors have no groups. The
 * rest are OpenAI's hosted tools (web search, file search, code interpreter…), Codex's
 * `local_shell` and its `custom` free-form tools: no other vendor knows them, so they are left
 * out, never refused (an agent's turn must not end on a 400), and `droppedTools` names them for
 * the request's row.
 */

const isFunction = (tool: ResponsesTool | JsonObject): boolean =>
  tool['type'] === 'function' && typeof tool['name'] === 'string';

/** A namespace group's functions, each named with its group. */
function namespaceFunctions(tool: ResponsesTool | JsonObject): JsonObject[] {
  const group = tool['name'];
  if (tool['type'] !== 'namespace' || typeof group !== 'string' || group === '') return [];
  const inner = Array.isArray(tool['tools']) ? tool['tools'] : [];
  return inner
    .filter(isJsonObject)
    .filter(isFunction)
    .map((fn) => ({ ...fn, name: `${group}${NAMESPACE_SEPARATOR}${String(fn['name'])}` }));
}

/** The tools a translation leaves out, as `type` or `type:name`, in the order sent. */
export function droppedTools(body: JsonObject): string[] {
  const tools = Array.isArray(body['tools']) ? body['tools'] : [];
  return tools.flatMap((tool): string[] => {
    if (!isJsonObject(tool)) return [];
    const type = typeof tool['type'] === 'string' ? tool['type'] : 'unknown';
    if (type === 'function' && typeof tool['name'] === 'string') return [];
    if (namespaceFunctions(tool).length > 0) return [];
    return [typeof tool['name'] === 'string' ? `${type}:${tool['name']}` : type];
  });
}

/** The request's function tools as hub functions. */
export function hubTools(tools: readonly ResponsesTool[]): JsonObject[] {
  const functions = tools.flatMap((tool) => (isFunction(tool) ? [tool] : namespaceFunctions(tool)));
  return functions.map((tool) => {
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
