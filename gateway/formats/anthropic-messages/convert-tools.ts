import { z } from 'zod';
import type { LoosePart } from '../openai-chat/request-schema.ts';
import type { AnthropicTool, AnthropicToolChoice } from './messages-request.ts';
import type { AnthropicModelTraits } from './model-traits.ts';
import { invalidRequest, parseOrThrow, unsupportedParameter } from '../openai-chat/request-errors.ts';

const functionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});

/** OpenAI function tools → Anthropic tools. */
export function convertTools(tools: readonly LoosePart[], traits: AnthropicModelTraits): AnthropicTool[] {
  const names = new Set<string>();
  return tools.map((tool, index) => {
    const where = `tools[${index}]`;
    if (tool.type !== 'function') {
      throw unsupportedParameter(
        `${where}: tools of type "${tool.type}" are not supported by Anthropic models.`,
        where,
      );
    }
    const { name, description, parameters, strict } = parseOrThrow(functionTool, tool, where).function;
    if (names.has(name)) throw invalidRequest(`${where}: tool names must be unique ("${name}").`, where);
    names.add(name);
    if (parameters?.['type'] !== undefined && parameters['type'] !== 'object') {
      throw invalidRequest(
        `${where}.function.parameters: must describe an object.`,
        `${where}.function.parameters`,
      );
    }
    // A function without parameters takes none; Anthropic still needs an object schema.
    const schema = { type: 'object', properties: {}, ...parameters };
    return {
      name,
      ...(description ? { description } : {}),
      input_schema: schema,
      // Strict tools are validated the way OpenAI's are, where the model has it; elsewhere the tool still works.
      ...(strict === true && traits.structuredOutputs ? { strict: true } : {}),
    };
  });
}

const namedChoice = z.object({
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1) }),
});
const allowedToolsChoice = z.object({
  type: z.literal('allowed_tools'),
  allowed_tools: z.object({
    mode: z.enum(['auto', 'required']),
    tools: z.array(
      z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
    ),
  }),
});

/** The client's tool choice in Anthropic's terms, before the answer tool of `response_format` is added. */
export type ToolChoicePlan =
  | { type: 'auto' | 'any' | 'none' }
  | { type: 'tool'; name: string }
  /** `allowed_tools`: only these tools are offered. */
  | { type: 'auto' | 'any'; only: string[] };

export function planToolChoice(
  choice: string | LoosePart | null | undefined,
  tools: readonly AnthropicTool[],
): ToolChoicePlan {
  const known = (name: string, where: string) => {
    if (!tools.some((tool) => tool.name === name)) {
      throw invalidRequest(`${where}: no tool named "${name}" is in tools.`, where);
    }
    return name;
  };
  if (choice === null || choice === undefined || choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  if (typeof choice === 'string') {
    throw invalidRequest(
      'tool_choice: must be "none", "auto", "required" or a named function.',
      'tool_choice',
    );
  }
  if (choice.type === 'function') {
    return {
      type: 'tool',
      name: known(parseOrThrow(namedChoice, choice, 'tool_choice').function.name, 'tool_choice'),
    };
  }
  if (choice.type === 'allowed_tools') {
    const { mode, tools: allowed } = parseOrThrow(allowedToolsChoice, choice, 'tool_choice').allowed_tools;
    const only = allowed.map((tool, index) =>
      known(tool.function.name, `tool_choice.allowed_tools.tools[${index}]`),
    );
    return { type: mode === 'required' ? 'any' : 'auto', only };
  }
  throw unsupportedParameter(
    `tool_choice: type "${choice.type}" is not supported by Anthropic models.`,
    'tool_choice',
  );
}

/** Anthropic's tool_choice, with `parallel_tool_calls: false` carried as `disable_parallel_tool_use`. */
export function anthropicToolChoice(
  plan: { type: 'auto' | 'any' | 'none' } | { type: 'tool'; name: string },
  parallelToolCalls: boolean | null | undefined,
): AnthropicToolChoice {
  if (plan.type === 'none') return { type: 'none' };
  const serial = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  return plan.type === 'tool' ? { type: 'tool', name: plan.name, ...serial } : { type: plan.type, ...serial };
}
