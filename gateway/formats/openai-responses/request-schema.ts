import { z } from 'zod';
import { invalidRequest, parseOrThrow } from '../openai-chat/request-errors.ts';
import type { JsonObject } from '../types.ts';

/*
 * A Responses API request as clients send it (Codex, the `openai` SDKs' `responses.*`), read
 * loosely: only the fields the translation reads are typed, every object keeps what it does not
 * name, and input items are checked where they are converted, where the error can say what
 * cannot be read.
 */

const item = z.looseObject({ type: z.string().nullish(), role: z.string().nullish() });
export type InputItem = z.infer<typeof item>;

const tool = z.looseObject({ type: z.string() });
export type ResponsesTool = z.infer<typeof tool>;

const responsesRequest = z.looseObject({
  model: z.string().nullish(),
  instructions: z.string().nullish(),
  input: z.union([z.string(), z.array(item)]).nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: z.union([z.string(), z.looseObject({ type: z.string() })]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z
    .looseObject({
      format: z
        .looseObject({
          type: z.string(),
          name: z.string().nullish(),
          schema: z.unknown().optional(),
          strict: z.boolean().nullish(),
          description: z.string().nullish(),
        })
        .nullish(),
      verbosity: z.string().nullish(),
    })
    .nullish(),
  max_output_tokens: z.number().nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish() }).nullish(),
  stream: z.boolean().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
export type ResponsesRequest = z.infer<typeof responsesRequest>;

/** The request's fields the translation reads, typed; throws 400 naming the first wrong field. */
export function readResponsesRequest(body: JsonObject): ResponsesRequest {
  return parseOrThrow(responsesRequest, body, '');
}

/**
 * Checks a Responses request as a client sent it, whatever the route: `input` a string or a list
 * of items (or absent: a request may continue a stored response), `tools` a list, and the types of
 * what the translation reads.
 */
export function validateResponsesRequest(body: JsonObject): void {
  const input = body['input'];
  if (input !== undefined && input !== null && typeof input !== 'string' && !Array.isArray(input))
    throw invalidRequest('"input" must be a string or an array of input items.', 'input');
  const tools = body['tools'];
  if (tools !== undefined && tools !== null && !Array.isArray(tools))
    throw invalidRequest('"tools" must be an array.', 'tools');
  readResponsesRequest(body);
}
