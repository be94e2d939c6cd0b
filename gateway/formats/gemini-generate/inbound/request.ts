import type { JsonObject } from '../../types.ts';
import { convertContents } from './convert-contents.ts';
import { convertTools, selectTools } from './convert-tools.ts';
import { field } from './field.ts';
import { convertGenerationConfig } from './generation-config.ts';

/**
 * A Gemini generateContent body → a Chat Completions request for `context.model` (Gemini names
 * the model in the URL). `safetySettings`, `cachedContent`, `labels` and unknown fields are
 * dropped; `stream` is the caller's to set, since Gemini says it in the URL too.
 */
export function fromGeminiRequest(body: JsonObject, context: { model: string }): JsonObject {
  const out: JsonObject = {
    model: context.model,
    messages: convertContents(field(body, 'contents'), field(body, 'systemInstruction')),
  };
  const { tools, toolChoice } = selectTools(convertTools(field(body, 'tools')), field(body, 'toolConfig'));
  if (tools.length > 0) out['tools'] = tools;
  if (toolChoice !== undefined) out['tool_choice'] = toolChoice;
  return { ...out, ...convertGenerationConfig(field(body, 'generationConfig')) };
}
