import { z } from 'zod';
import { readCount } from '../usage-check.ts';

/*
 * Gemini's answers, parsed leniently: a field of the wrong type reads as absent instead of
 * failing the whole answer, because one odd field must not cost the user the text around it.
 */

const optionalString = z.string().optional().catch(undefined);
const optionalNumber = z.number().optional().catch(undefined);
const optionalBoolean = z.boolean().optional().catch(undefined);
const list = <T extends z.ZodType>(item: T) =>
  z.array(item.optional().catch(undefined)).optional().catch(undefined);

const partialArgSchema = z.object({
  jsonPath: optionalString,
  stringValue: optionalString,
  numberValue: optionalNumber,
  boolValue: optionalBoolean,
  nullValue: z.unknown().optional(),
  willContinue: optionalBoolean,
});

const functionCallSchema = z.object({
  name: optionalString,
  args: z.record(z.string(), z.unknown()).optional().catch(undefined),
  partialArgs: list(partialArgSchema),
  willContinue: optionalBoolean,
});

const partSchema = z.object({
  text: optionalString,
  thought: optionalBoolean,
  thoughtSignature: optionalString,
  functionCall: functionCallSchema.optional().catch(undefined),
});

const logprobsCandidateSchema = z.object({ token: optionalString, logProbability: optionalNumber });

const logprobsResultSchema = z.object({
  chosenCandidates: list(logprobsCandidateSchema),
  topCandidates: list(z.object({ candidates: list(logprobsCandidateSchema) })),
});

const candidateSchema = z.object({
  index: optionalNumber,
  content: z
    .object({ parts: list(partSchema) })
    .optional()
    .catch(undefined),
  finishReason: optionalString,
  logprobsResult: logprobsResultSchema.optional().catch(undefined),
});

/**
 * A token count as sent: undefined where absent, the number as sent (checkUsage judges it), NaN
 * where it is there but not a number, so that it is recorded as unknown rather than as absent.
 */
const tokenCount = z
  .unknown()
  .optional()
  .transform((value) => readCount(value) ?? undefined);

export const usageMetadataSchema = z.object({
  promptTokenCount: tokenCount,
  candidatesTokenCount: tokenCount,
  thoughtsTokenCount: tokenCount,
  toolUsePromptTokenCount: tokenCount,
  cachedContentTokenCount: tokenCount,
  totalTokenCount: tokenCount,
});

/** A generateContent answer, or one chunk of a streamGenerateContent answer (they share the shape). */
export const generateContentResponseSchema = z.object({
  candidates: list(candidateSchema),
  promptFeedback: z.object({ blockReason: optionalString }).optional().catch(undefined),
  usageMetadata: usageMetadataSchema.optional().catch(undefined),
  modelVersion: optionalString,
  responseId: optionalString,
});

export const errorBodySchema = z.object({
  error: z.object({
    code: optionalNumber,
    message: optionalString,
    status: optionalString,
    details: list(z.record(z.string(), z.unknown())),
  }),
});

export const modelListSchema = z.object({
  models: list(z.object({ name: optionalString, supportedGenerationMethods: list(z.string()) })),
});

export const embeddingsResponseSchema = z.object({
  embeddings: list(z.object({ values: list(z.number()) })),
  usageMetadata: usageMetadataSchema.optional().catch(undefined),
});

export type GeminiPart = z.infer<typeof partSchema>;
export type GeminiFunctionCall = z.infer<typeof functionCallSchema>;
export type GeminiPartialArg = z.infer<typeof partialArgSchema>;
export type GeminiCandidate = z.infer<typeof candidateSchema>;
export type GeminiLogprobsResult = z.infer<typeof logprobsResultSchema>;
export type GeminiUsageMetadata = z.infer<typeof usageMetadataSchema>;
export type GeminiResponse = z.infer<typeof generateContentResponseSchema>;
export type GeminiError = z.infer<typeof errorBodySchema>['error'];

/** Present entries only: a list item of the wrong shape was read as undefined and is skipped. */
export function present<T>(items: readonly (T | undefined)[] | undefined): T[] {
  return (items ?? []).filter((item): item is T => item !== undefined);
}
