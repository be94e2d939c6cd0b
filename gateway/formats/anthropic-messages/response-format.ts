import { z } from 'zod';
import type { LoosePart } from '../openai-chat/request-schema.ts';
import type { AnthropicTool, OutputConfig } from './messages-request.ts';
import type { AnthropicModelTraits } from './model-traits.ts';
import { invalidRequest, parseOrThrow, unsupportedParameter } from '../openai-chat/request-errors.ts';

/**
 * The tool through which a JSON answer is given when Anthropic cannot constrain the text itself.
 * Answers are translated back without knowing the request, so the name is how the answer is
 * recognised: a tool_use of this name becomes message content, never a tool call.
 */
export const RESPONSE_FORMAT_TOOL = 'switchboard_response_format';

export type ResponseFormatPlan =
  | { kind: 'none' }
  /** Anthropic's structured outputs: the answer text is constrained to the schema. */
  | { kind: 'native'; format: NonNullable<OutputConfig['format']> }
  /** The forced-tool technique: the answer is the input of a tool the model must call. */
  | { kind: 'tool'; tool: AnthropicTool };

const jsonSchemaFormat = z.object({
  type: z.literal('json_schema'),
  json_schema: z.object({
    name: z.string().min(1),
    description: z.string().nullish(),
    schema: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});

const ANSWER_TOOL_DESCRIPTION =
  'Give your whole answer by calling this tool: its input is the answer, as a JSON object. Do not answer in text.';

/**
 * `response_format` → how Anthropic is asked for JSON. A strict `json_schema` is carried as
 * `output_config.format` where the model has structured outputs: both are constrained decoding with
 * the same schema rules (every object closed, every property required), so a schema OpenAI takes
 * strictly, Anthropic takes too. A non-strict schema may use what constrained decoding refuses, and
 * `json_object` has no schema at all, so both go through a forced tool whose input_schema guides
 * the model without Anthropic's structured-output limits.
 */
export function planResponseFormat(
  format: LoosePart | null | undefined,
  traits: AnthropicModelTraits,
  toolNames: readonly string[],
): ResponseFormatPlan {
  if (format === null || format === undefined || format.type === 'text') return { kind: 'none' };
  if (toolNames.includes(RESPONSE_FORMAT_TOOL)) {
    throw invalidRequest(
      `tools: the name "${RESPONSE_FORMAT_TOOL}" is reserved for response_format.`,
      'tools',
    );
  }
  if (format.type === 'json_object') {
    return {
      kind: 'tool',
      tool: {
        name: RESPONSE_FORMAT_TOOL,
        description: ANSWER_TOOL_DESCRIPTION,
        input_schema: { type: 'object' },
      },
    };
  }
  if (format.type !== 'json_schema') {
    throw unsupportedParameter(
      `response_format: type "${format.type}" is not supported by Anthropic models.`,
      'response_format',
    );
  }
  const { description, schema, strict } = parseOrThrow(
    jsonSchemaFormat,
    format,
    'response_format',
  ).json_schema;
  const given = schema ?? { type: 'object' };
  if (strict === true && traits.structuredOutputs) {
    return { kind: 'native', format: { type: 'json_schema', schema: given } };
  }
  // A tool's input is always an object; an answer of another shape cannot come back through one.
  if (given['type'] !== undefined && given['type'] !== 'object') {
    throw unsupportedParameter(
      'response_format.json_schema.schema: for this model (or without strict: true) the schema must describe an object.',
      'response_format',
    );
  }
  return {
    kind: 'tool',
    tool: {
      name: RESPONSE_FORMAT_TOOL,
      description: description ? `${ANSWER_TOOL_DESCRIPTION} ${description}` : ANSWER_TOOL_DESCRIPTION,
      input_schema: { ...given, type: 'object' },
    },
  };
}
