import { z } from 'zod';
import { GatewayError } from '../../../errors.ts';
import { fieldPath } from '../../openai-chat/request-errors.ts';

/*
 * An Anthropic Messages request as clients send it (Claude Code, the Anthropic SDKs), read loosely:
 * only the fields the translation reads are typed, every object keeps what it does not name
 * (`cache_control`, `citations`, new fields), and content blocks are checked where they are
 * converted, where the error can say what cannot be read.
 */

const block = z.looseObject({ type: z.string() });
export type LooseBlock = z.infer<typeof block>;

const content = z.union([z.string(), z.array(block)]);

const message = z.looseObject({
  // `system` inside `messages`: Claude Code sends one for model names it does not know as Claude's.
  role: z.enum(['user', 'assistant', 'system']),
  content,
});
export type InboundMessage = z.infer<typeof message>;

const tool = z.looseObject({
  type: z.string().nullish(),
  name: z.string(),
  description: z.string().nullish(),
  input_schema: z.unknown().optional(),
});
export type InboundTool = z.infer<typeof tool>;

const toolChoice = z.looseObject({
  type: z.enum(['auto', 'any', 'tool', 'none']),
  name: z.string().nullish(),
  disable_parallel_tool_use: z.boolean().nullish(),
});
export type InboundToolChoice = z.infer<typeof toolChoice>;

const thinking = z.looseObject({
  type: z.string(),
  budget_tokens: z.number().nullish(),
});

const messagesRequest = z.looseObject({
  messages: z.array(message),
  system: content.nullish(),
  max_tokens: z.number().nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  stream: z.boolean().nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  thinking: thinking.nullish(),
  output_config: z
    .looseObject({
      effort: z.string().nullish(),
      format: z.looseObject({ type: z.string(), schema: z.unknown() }).nullish(),
    })
    .nullish(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
});
export type InboundRequest = z.infer<typeof messagesRequest>;

/** 400 `invalid_request_error`, as Anthropic answers a request it cannot read. */
export function malformed(message: string, param: string | null = null): GatewayError {
  return new GatewayError(400, 'invalid_request', message, { type: 'invalid_request_error', param });
}

/** The request's fields the translation reads, typed; throws 400 naming the first wrong field. */
export function readMessagesRequest(body: unknown): InboundRequest {
  const result = messagesRequest.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = fieldPath('', issue?.path ?? []);
  throw malformed(`${where || 'body'}: ${issue?.message ?? 'invalid value'}.`, where || null);
}
