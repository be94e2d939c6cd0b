import type { JsonObject } from '../../types.ts';
import { isJsonObject } from '../../upstream-json.ts';
import { malformed, type InboundTool, type InboundToolChoice } from './request-schema.ts';

/*
 * Anthropic's tools → the hub's functions. Only custom tools (no `type`, or `custom`) are the
 * client's to run; the others are Anthropic's server tools (web search, code execution) or its
 * Anthropic-defined client tools, which no other vendor knows: they are left out.
 */

const isCustom = (tool: InboundTool): boolean =>
  tool.type === undefined || tool.type === null || tool.type === 'custom';

/**
 * `$schema` removed at every level: a dialect marker, not a constraint, that some OpenAI-compatible
 * servers refuse. Property names are names, not keywords, and are kept whatever they are called.
 * Gemini routes clean the rest of what Gemini refuses on their side (gemini-generate/json-schema.ts).
 */
function withoutDialect(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDialect);
  if (!isJsonObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema') continue;
    const namesSchemas =
      (key === 'properties' || key === '$defs' || key === 'definitions') && isJsonObject(value);
    out[key] = namesSchemas
      ? Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, withoutDialect(inner)]))
      : withoutDialect(value);
  }
  return out;
}

function parameters(schema: unknown, where: string): unknown {
  if (schema === undefined || schema === null) return { type: 'object', properties: {} };
  if (!isJsonObject(schema)) throw malformed(`${where}: must be a JSON Schema object.`, where);
  return withoutDialect(schema);
}

/** The client's tools as hub functions (`strict` and `cache_control` are not carried). */
export function hubTools(tools: readonly InboundTool[]): JsonObject[] {
  return tools.flatMap((tool, index): JsonObject[] => {
    if (!isCustom(tool)) return [];
    const fn: JsonObject = {
      name: tool.name,
      parameters: parameters(tool.input_schema, `tools[${index}].input_schema`),
    };
    if (typeof tool.description === 'string') fn['description'] = tool.description;
    return [{ type: 'function', function: fn }];
  });
}

/**
 * `tool_choice` and `disable_parallel_tool_use` → the hub's `tool_choice` and `parallel_tool_calls`.
 * Both mean nothing without tools (OpenAI refuses them then), so they are sent only with tools.
 */
export function hubToolChoice(
  choice: InboundToolChoice | null | undefined,
  tools: readonly JsonObject[],
): JsonObject {
  if (choice === null || choice === undefined || tools.length === 0) return {};
  const out: JsonObject = {};
  if (choice.type === 'tool') {
    const name = choice.name;
    if (typeof name !== 'string' || name === '')
      throw malformed('tool_choice.name: required for type "tool".', 'tool_choice.name');
    const offered = tools.some((tool) => (tool['function'] as JsonObject)['name'] === name);
    // A forced tool that is not offered here (a server tool, left out) cannot be honoured.
    if (!offered)
      throw malformed(
        `tool_choice: the tool "${name}" is not a client tool of this request.`,
        'tool_choice.name',
      );
    out['tool_choice'] = { type: 'function', function: { name } };
  } else {
    out['tool_choice'] = choice.type === 'any' ? 'required' : choice.type;
  }
  if (choice.disable_parallel_tool_use === true && choice.type !== 'none') out['parallel_tool_calls'] = false;
  return out;
}
