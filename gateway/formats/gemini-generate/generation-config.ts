import type { JsonObject } from '../types.ts';
import { prepareJsonSchema } from './json-schema.ts';
import { invalidRequest, isRecord, unsupportedParameter } from './json.ts';
import { thinkingConfigForEffort } from './thinking-config.ts';

function numberParameter(body: JsonObject, key: string, integer = false): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw invalidRequest(key, `"${key}" must be ${integer ? 'an integer' : 'a number'}.`);
  }
  return value;
}

function stopSequences(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    throw invalidRequest('stop', '"stop" must be a string or an array of strings.');
  }
  return list.length === 0 ? undefined : list;
}

/** `response_format` → responseMimeType, and responseJsonSchema for json_schema (see json-schema.ts). */
function responseFormat(value: unknown, config: JsonObject): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) throw invalidRequest('response_format', '"response_format" must be an object.');
  const type = value['type'];
  if (type === 'text') return;
  if (type === 'json_object') {
    config['responseMimeType'] = 'application/json';
    return;
  }
  if (type === 'json_schema') {
    const format = value['json_schema'];
    if (!isRecord(format)) {
      throw invalidRequest('response_format.json_schema', '"response_format.json_schema" must be an object.');
    }
    config['responseMimeType'] = 'application/json';
    // name, description and strict have no Gemini counterpart: Gemini always follows the schema it gets.
    if (format['schema'] !== undefined && format['schema'] !== null) {
      config['responseJsonSchema'] = prepareJsonSchema(format['schema'], { objectRoot: false });
    }
    return;
  }
  throw unsupportedParameter(
    'response_format',
    `Gemini routes cannot carry response_format ${JSON.stringify(type)}.`,
  );
}

/**
 * The sampling and output settings → `generationConfig`. Values that ask for the default are
 * left out (`n: 1`, penalties of 0, `logprobs: false`): Gemini 2.5 and later refuse penalties
 * altogether, so sending a zero would turn a harmless request into an error.
 */
export function buildGenerationConfig(body: JsonObject, model: string): JsonObject {
  const config: JsonObject = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) config[key] = value;
  };
  set('temperature', numberParameter(body, 'temperature'));
  set('topP', numberParameter(body, 'top_p'));
  set('topK', numberParameter(body, 'top_k', true));
  set('seed', numberParameter(body, 'seed', true));
  set(
    'maxOutputTokens',
    numberParameter(body, 'max_completion_tokens', true) ?? numberParameter(body, 'max_tokens', true),
  );
  const n = numberParameter(body, 'n', true);
  if (n !== undefined && n < 1) throw invalidRequest('n', '"n" must be at least 1.');
  if (n !== undefined && n > 1) config['candidateCount'] = n;
  set('stopSequences', stopSequences(body['stop']));
  for (const [key, target] of [
    ['presence_penalty', 'presencePenalty'],
    ['frequency_penalty', 'frequencyPenalty'],
  ] as const) {
    const penalty = numberParameter(body, key);
    if (penalty !== undefined && penalty !== 0) config[target] = penalty;
  }
  const logprobs = body['logprobs'];
  if (logprobs !== undefined && logprobs !== null && typeof logprobs !== 'boolean') {
    throw invalidRequest('logprobs', '"logprobs" must be a boolean.');
  }
  if (logprobs === true) {
    config['responseLogprobs'] = true;
    // top_logprobs means nothing without logprobs (OpenAI refuses it there): carried only with it.
    set('logprobs', numberParameter(body, 'top_logprobs', true));
  }
  responseFormat(body['response_format'], config);
  const effort = body['reasoning_effort'];
  if (effort !== undefined && effort !== null)
    config['thinkingConfig'] = thinkingConfigForEffort(effort, model);
  return config;
}
