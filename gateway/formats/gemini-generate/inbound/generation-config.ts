import type { JsonObject } from '../../types.ts';
import { invalidRequest, isRecord, unsupportedParameter } from '../json.ts';
import { jsonSchemaFromGemini, withoutDialect } from './convert-schema.ts';
import { field } from './field.ts';

const PARAM = 'generationConfig';

function numberField(config: JsonObject, name: string, integer = false): number | undefined {
  const value = field(config, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw invalidRequest(
      `${PARAM}.${name}`,
      `"${PARAM}.${name}" must be ${integer ? 'an integer' : 'a number'}.`,
    );
  }
  return value;
}

/** Gemini 3's levels are OpenAI's efforts by name. */
const EFFORT_BY_LEVEL: Record<string, string> = {
  MINIMAL: 'minimal',
  LOW: 'low',
  MEDIUM: 'medium',
  HIGH: 'high',
};

/**
 * A thinking budget → an effort, inverting the budgets the outbound direction sends for each
 * effort (1024, 8192, 24576): 0 turns thinking off, -1 leaves it to the model, as on Gemini.
 */
function effortForBudget(budget: number): string | undefined {
  if (budget === -1) return undefined;
  if (budget < 0) {
    throw invalidRequest(
      `${PARAM}.thinkingConfig.thinkingBudget`,
      `"${PARAM}.thinkingConfig.thinkingBudget" must be -1 (dynamic), 0 (off) or a number of tokens.`,
    );
  }
  if (budget === 0) return 'none';
  if (budget <= 1024) return 'low';
  return budget <= 8192 ? 'medium' : 'high';
}

/** `thinkingConfig` → `reasoning_effort`; a level wins over a budget. `includeThoughts` has no counterpart. */
function reasoningEffort(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const param = `${PARAM}.thinkingConfig`;
  if (!isRecord(value)) throw invalidRequest(param, `"${param}" must be an object.`);
  const level = field(value, 'thinkingLevel');
  if (level !== undefined) {
    const name = typeof level === 'string' ? level.toUpperCase() : '';
    if (name === 'THINKING_LEVEL_UNSPECIFIED') return undefined;
    const effort = EFFORT_BY_LEVEL[name];
    if (effort === undefined) {
      throw invalidRequest(
        `${param}.thinkingLevel`,
        `"${param}.thinkingLevel" must be MINIMAL, LOW, MEDIUM or HIGH.`,
      );
    }
    return effort;
  }
  const budget = numberField(value, 'thinkingBudget', true);
  return budget === undefined ? undefined : effortForBudget(budget);
}

/** `responseMimeType: application/json`, with a schema or without → `response_format`. Other types are text. */
function responseFormat(config: JsonObject): JsonObject | undefined {
  const mimeType = field(config, 'responseMimeType');
  if (mimeType !== undefined && typeof mimeType !== 'string') {
    throw invalidRequest(`${PARAM}.responseMimeType`, `"${PARAM}.responseMimeType" must be a string.`);
  }
  if (mimeType?.toLowerCase() !== 'application/json') return undefined;
  const jsonSchema = field(config, 'responseJsonSchema');
  const openApiSchema = field(config, 'responseSchema');
  const schema =
    jsonSchema !== undefined
      ? withoutDialect(jsonSchema)
      : openApiSchema !== undefined
        ? jsonSchemaFromGemini(openApiSchema)
        : undefined;
  if (schema === undefined) return { type: 'json_object' };
  if (!isRecord(schema)) {
    throw invalidRequest(`${PARAM}.responseSchema`, `"${PARAM}.responseSchema" must be an object.`);
  }
  // OpenAI requires a name; Gemini's schemas have none.
  return { type: 'json_schema', json_schema: { name: 'response', schema } };
}

function stopSequences(config: JsonObject): string[] | undefined {
  const value = field(config, 'stopSequences');
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidRequest(`${PARAM}.stopSequences`, `"${PARAM}.stopSequences" must be an array of strings.`);
  }
  return value.length > 0 ? value : undefined;
}

function checkModalities(config: JsonObject): void {
  const value = field(config, 'responseModalities');
  if (value === undefined) return;
  const param = `${PARAM}.responseModalities`;
  if (!Array.isArray(value)) throw invalidRequest(param, `"${param}" must be an array.`);
  if (value.some((modality) => typeof modality !== 'string' || modality.toUpperCase() !== 'TEXT')) {
    throw unsupportedParameter(param, 'Routes of other vendors answer through the gateway in text only.');
  }
}

/**
 * `generationConfig` → the hub's sampling and output parameters. `candidateCount` above 1 is
 * refused (answers carry one candidate). Dropped: `topK` (OpenAI refuses the parameter),
 * `responseLogprobs`/`logprobs`, `speechConfig`, `mediaResolution` and anything unknown.
 */
export function convertGenerationConfig(config: unknown): JsonObject {
  if (config === undefined) return {};
  if (!isRecord(config)) throw invalidRequest(PARAM, `"${PARAM}" must be an object.`);
  const out: JsonObject = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) out[key] = value;
  };
  set('temperature', numberField(config, 'temperature'));
  set('top_p', numberField(config, 'topP'));
  set('max_completion_tokens', numberField(config, 'maxOutputTokens', true));
  set('stop', stopSequences(config));
  set('seed', numberField(config, 'seed', true));
  set('presence_penalty', numberField(config, 'presencePenalty'));
  set('frequency_penalty', numberField(config, 'frequencyPenalty'));
  const candidates = numberField(config, 'candidateCount', true);
  if (candidates !== undefined && candidates < 1) {
    throw invalidRequest(`${PARAM}.candidateCount`, `"${PARAM}.candidateCount" must be at least 1.`);
  }
  if (candidates !== undefined && candidates > 1) {
    throw unsupportedParameter(
      `${PARAM}.candidateCount`,
      'Routes of other vendors answer through the gateway with one candidate: send candidateCount 1.',
    );
  }
  checkModalities(config);
  set('response_format', responseFormat(config));
  set('reasoning_effort', reasoningEffort(field(config, 'thinkingConfig')));
  return out;
}
