import { z } from 'zod';
import type { JsonObject } from '../types.ts';
import { invalidRequest, parseOrThrow, unsupportedParameter } from './request-errors.ts';

/*
 * The hub's request: an OpenAI Chat Completions body. `validateChatRequest` checks, for every chat
 * request whatever its route, the types of the fields the translations read, so that they can trust
 * them. Values and message shapes are not checked there: OpenAI-compatible servers accept more than
 * OpenAI (Ollama takes a temperature above 2, Gemini routes carry legacy function messages), and a
 * route must not refuse what its server takes. A translation that needs them in OpenAI's own
 * ranges and shapes reads the request strictly (`readChatRequestStrictly`). Content parts and tools
 * are loose objects here, checked where they are converted, where the error can say what is
 * unsupported.
 */

const part = z.looseObject({ type: z.string() });
export type LoosePart = z.infer<typeof part>;

const chatRequestFields = z.object({
  messages: z.array(z.unknown()),
  max_completion_tokens: z.number().nullish(),
  max_tokens: z.number().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  tools: z.array(part).nullish(),
  tool_choice: z.union([z.string(), part]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: part.nullish(),
  reasoning_effort: z.string().nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
});

/** A chat request that validateChatRequest let through: the fields a translation reads, typed. */
export type ValidChatRequest = z.infer<typeof chatRequestFields>;

/**
 * Throws 400 `invalid_request`, naming the first field, when `messages` is not a list or a field
 * the translations read has the wrong type. Cheap: a few microseconds for a small request.
 */
export function validateChatRequest(body: JsonObject): void {
  if (!Array.isArray(body['messages'])) throw invalidRequest('"messages" must be an array.', 'messages');
  parseOrThrow(chatRequestFields, body, '');
}

/** Throws 400 `invalid_request` for an embeddings request without `input`, whatever the route. */
export function validateEmbeddingsRequest(body: JsonObject): void {
  if (body['input'] === undefined) throw invalidRequest('"input" is required.', 'input');
}

const content = z.union([z.string(), z.array(part)]);

const systemMessage = z.object({
  role: z.enum(['system', 'developer']),
  content,
});

const userMessage = z.object({
  role: z.literal('user'),
  content,
});

const toolCall = z.object({
  id: z.string().min(1),
  type: z.string().default('function'),
  function: z.object({
    name: z.string().min(1),
    // OpenAI sends a JSON string; a few clients send the object itself.
    arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  }),
});
export type ToolCall = z.infer<typeof toolCall>;

const assistantMessage = z.object({
  role: z.literal('assistant'),
  content: content.nullish(),
  tool_calls: z.array(toolCall).nullish(),
  /** LiteLLM's field for Anthropic thinking blocks, which our answers carry too. */
  thinking_blocks: z.array(part).nullish(),
  function_call: z.unknown().optional(),
  audio: z.unknown().optional(),
});

const toolMessage = z.object({
  role: z.literal('tool'),
  tool_call_id: z.string().min(1),
  content,
});

export type ChatMessage =
  | z.infer<typeof systemMessage>
  | z.infer<typeof userMessage>
  | z.infer<typeof assistantMessage>
  | z.infer<typeof toolMessage>;

const MESSAGE_SCHEMAS = {
  system: systemMessage,
  developer: systemMessage,
  user: userMessage,
  assistant: assistantMessage,
  tool: toolMessage,
} as const;

function parseMessage(value: unknown, index: number): ChatMessage {
  const where = `messages[${index}]`;
  const role = typeof value === 'object' && value !== null ? (value as JsonObject)['role'] : undefined;
  if (role === 'function') {
    throw unsupportedParameter(
      `${where}: "function" messages belong to the legacy function API; send tools and tool messages instead.`,
      where,
    );
  }
  if (typeof role !== 'string' || !Object.hasOwn(MESSAGE_SCHEMAS, role)) {
    throw invalidRequest(
      `${where}.role: must be one of system, developer, user, assistant, tool.`,
      `${where}.role`,
    );
  }
  return parseOrThrow(MESSAGE_SCHEMAS[role as keyof typeof MESSAGE_SCHEMAS], value, where);
}

const positiveInteger = z.number().int().positive();

/** The values OpenAI's API takes, where validateChatRequest checked only the type. */
const chatRequestValues = z.object({
  messages: z.array(z.unknown()).min(1, 'at least one message is required'),
  max_completion_tokens: positiveInteger.nullish(),
  max_tokens: positiveInteger.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
});

export type ChatRequest = Omit<ValidChatRequest, 'messages'> & { messages: ChatMessage[] };

/**
 * A validated request read as OpenAI's API reads it: at least one message, each as its role
 * requires (legacy function messages refused), and counts and sampling values in OpenAI's ranges.
 * Throws 400 naming the first field that is wrong.
 */
export function readChatRequestStrictly(body: JsonObject): ChatRequest {
  parseOrThrow(chatRequestValues, body, '');
  const request = body as unknown as ValidChatRequest;
  return { ...request, messages: request.messages.map(parseMessage) };
}
