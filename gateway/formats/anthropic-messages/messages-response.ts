import { z } from 'zod';

/**
 * Zod schemas for what Anthropic sends back: the message, its stream events and its errors. They
 * check only what the translation reads and keep the rest (new block and event types keep coming),
 * so an unknown block or event is ignored rather than failing the answer.
 */

/**
 * Usage is left as it came (any JSON, or absent): readUsage (usage.ts) reads it, telling a count
 * that is absent from one that is there but unreadable, which a schema's catch would blur.
 */
const usageSchema = z.unknown().optional();

/** Any content block; the known ones are read with the schemas below. */
export const blockSchema = z.looseObject({ type: z.string() });

export const textBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
export const thinkingBlockSchema = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().nullish(),
});
export const redactedThinkingBlockSchema = z.looseObject({
  type: z.literal('redacted_thinking'),
  data: z.string(),
});
export const toolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});

/** Why the model refused, when `stop_reason` is `refusal`. */
export const stopDetailsSchema = z
  .looseObject({ explanation: z.string().nullish().catch(null) })
  .nullish()
  .catch(null);

export const messageSchema = z.looseObject({
  id: z.string(),
  model: z.string().nullish(),
  content: z.array(blockSchema),
  stop_reason: z.string().nullish(),
  stop_details: stopDetailsSchema,
  usage: usageSchema,
});

export const errorBodySchema = z.looseObject({
  error: z.looseObject({ type: z.string().nullish(), message: z.string().nullish() }),
});

/** Stream events, by their `type`. */
export const streamEventSchemas = {
  message_start: z.looseObject({ message: messageSchema.partial() }),
  content_block_start: z.looseObject({ index: z.number(), content_block: blockSchema }),
  content_block_delta: z.looseObject({
    index: z.number(),
    delta: z.looseObject({
      type: z.string(),
      text: z.string().nullish(),
      thinking: z.string().nullish(),
      signature: z.string().nullish(),
      partial_json: z.string().nullish(),
    }),
  }),
  content_block_stop: z.looseObject({ index: z.number() }),
  message_delta: z.looseObject({
    delta: z.looseObject({ stop_reason: z.string().nullish(), stop_details: stopDetailsSchema }).nullish(),
    usage: usageSchema,
  }),
  error: errorBodySchema,
} as const;
