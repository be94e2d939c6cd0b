import type { ChatCallContext, JsonObject } from '../types.ts';
import { convertMessages } from './convert-messages.ts';
import { convertToolChoice, convertTools } from './convert-tools.ts';
import { buildGenerationConfig } from './generation-config.ts';
import { invalidRequest, isRecord, unsupportedParameter } from './json.ts';
import { checkChatParameters } from './parameters.ts';
import { thinkingConfigFromGoogleExtension } from './thinking-config.ts';

/**
 * A model id → its resource name (`models/gemini-2.5-flash`), as a body names it. Whether it is a
 * model id at all is the provider's check (providers/gemini.ts), made on the path every call takes.
 */
export function modelResource(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}

/** Google's OpenAI-layer extensions, `extra_body.google.{thinking_config, cached_content, safety_settings}`. */
function applyGoogleExtensions(extraBody: unknown, out: JsonObject, generationConfig: JsonObject): void {
  if (extraBody === undefined || extraBody === null) return;
  if (!isRecord(extraBody)) throw invalidRequest('extra_body', '"extra_body" must be an object.');
  for (const [key, google] of Object.entries(extraBody)) {
    if (key !== 'google' || !isRecord(google)) {
      throw unsupportedParameter(`extra_body.${key}`, 'Gemini routes carry only "extra_body.google".');
    }
    for (const [name, value] of Object.entries(google)) {
      if (name === 'thinking_config') {
        const current = isRecord(generationConfig['thinkingConfig'])
          ? generationConfig['thinkingConfig']
          : {};
        generationConfig['thinkingConfig'] = { ...current, ...thinkingConfigFromGoogleExtension(value) };
      } else if (name === 'cached_content' && typeof value === 'string') {
        out['cachedContent'] = value;
      } else if (name === 'safety_settings' && Array.isArray(value)) {
        out['safetySettings'] = value;
      } else {
        throw unsupportedParameter(
          `extra_body.google.${name}`,
          `"extra_body.google.${name}" is not carried (thinking_config, cached_content and safety_settings are).`,
        );
      }
    }
  }
}

/** OpenAI Chat Completions request → the body of Gemini's generateContent (and streamGenerateContent). */
export function toGeminiChatRequest(body: JsonObject, context: ChatCallContext): JsonObject {
  checkChatParameters(body);
  const { contents, systemInstruction } = convertMessages(body['messages']);
  if (contents.length === 0) {
    throw invalidRequest('messages', 'Gemini needs at least one user or assistant message with content.');
  }
  const out: JsonObject = { contents };
  if (systemInstruction !== undefined) out['systemInstruction'] = systemInstruction;
  const tools =
    body['tools'] === undefined || body['tools'] === null ? undefined : convertTools(body['tools']);
  if (tools !== undefined) out['tools'] = tools;
  const toolChoice = body['tool_choice'];
  if (toolChoice !== undefined && toolChoice !== null) {
    const config = convertToolChoice(toolChoice);
    if (tools !== undefined) out['toolConfig'] = config;
    else if (toolChoice !== 'auto' && toolChoice !== 'none') {
      // OpenAI refuses a forced call without tools too; "auto" and "none" without tools mean nothing.
      throw invalidRequest('tool_choice', '"tool_choice" asks for a tool call, but "tools" declares none.');
    }
  }
  const generationConfig = buildGenerationConfig(body, context.model);
  applyGoogleExtensions(body['extra_body'], out, generationConfig);
  if (Object.keys(generationConfig).length > 0) out['generationConfig'] = generationConfig;
  return out;
}
