import type { InboundResponseContext, JsonObject } from '../../types.ts';
import { usageFromOpenAi } from '../../openai-chat/usage.ts';
import { signatureFromExtraContent } from '../convert-messages.ts';
import { isRecord } from '../json.ts';
import { geminiFinishReason, MALFORMED_CALL } from './finish-reason.ts';
import { functionCallPart } from './function-call-part.ts';
import { markSignature } from './signature.ts';
import { usageMetadata } from './usage-metadata.ts';

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** A message's text: a string, or its text (and refusal) parts joined. */
function messageText(content: unknown): string | undefined {
  if (!Array.isArray(content)) return nonEmpty(content);
  const texts = content.flatMap((part: unknown) =>
    isRecord(part) && typeof part['text'] === 'string' ? [part['text']] : [],
  );
  return nonEmpty(texts.join(''));
}

/** The reasoning a hub message carries: `reasoning_content`, or `reasoning` (Ollama, vLLM, OpenRouter). */
export function reasoningText(carrier: JsonObject): string | undefined {
  return nonEmpty(carrier['reasoning_content']) ?? nonEmpty(carrier['reasoning']);
}

function candidateFrom(choice: JsonObject, position: number): JsonObject {
  const message = isRecord(choice['message']) ? choice['message'] : {};
  const parts: JsonObject[] = [];
  const reasoning = reasoningText(message);
  if (reasoning !== undefined) parts.push({ text: reasoning, thought: true });
  const text = messageText(message['content']) ?? nonEmpty(message['refusal']);
  const signature = signatureFromExtraContent(message['extra_content']);
  if (text !== undefined || signature !== undefined) {
    // Gemini signs the last part of an answer without calls, an empty text part if need be.
    parts.push(
      signature === undefined ? { text } : { text: text ?? '', thoughtSignature: markSignature(signature) },
    );
  }
  let malformed = false;
  const calls = Array.isArray(message['tool_calls']) ? message['tool_calls'] : [];
  for (const call of calls) {
    const fn = isRecord(call) ? call['function'] : undefined;
    if (!isRecord(call) || !isRecord(fn)) continue;
    const part = functionCallPart({
      id: nonEmpty(call['id']),
      name: typeof fn['name'] === 'string' ? fn['name'] : '',
      arguments: typeof fn['arguments'] === 'string' ? fn['arguments'] : '',
      extraContent: call['extra_content'],
    });
    if (part === null) malformed = true;
    else parts.push(part);
  }
  const candidate: JsonObject = {};
  if (parts.length > 0) candidate['content'] = { role: 'model', parts };
  candidate['finishReason'] = malformed ? MALFORMED_CALL : geminiFinishReason(choice['finish_reason']);
  candidate['index'] = typeof choice['index'] === 'number' ? choice['index'] : position;
  return candidate;
}

/**
 * The hub's chat.completion → a GenerateContentResponse: each choice a candidate (reasoning as a
 * thought part, then text, then functionCall parts), usage as usageMetadata, the model the
 * client named as modelVersion, the answer's id as responseId.
 */
export function toGeminiResponse(answer: JsonObject, context: InboundResponseContext): JsonObject {
  const choices = Array.isArray(answer['choices']) ? answer['choices'] : [];
  const out: JsonObject = {
    candidates: choices.filter(isRecord).map(candidateFrom),
  };
  const usage = usageFromOpenAi(answer['usage']);
  const metadata = usage === null ? undefined : usageMetadata(usage);
  if (metadata !== undefined) out['usageMetadata'] = metadata;
  out['modelVersion'] = context.model;
  const id = nonEmpty(answer['id']);
  if (id !== undefined) out['responseId'] = id;
  return out;
}
