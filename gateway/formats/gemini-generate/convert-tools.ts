import type { JsonObject } from '../types.ts';
import { prepareJsonSchema } from './json-schema.ts';
import { invalidRequest, isRecord, unsupportedParameter } from './json.ts';

/** OpenAI `tools` → Gemini `tools: [{functionDeclarations}]`; parameters as JSON Schema (see json-schema.ts). */
export function convertTools(tools: unknown): JsonObject[] | undefined {
  if (!Array.isArray(tools)) throw invalidRequest('tools', '"tools" must be an array.');
  if (tools.length === 0) return undefined;
  const declarations = tools.map((tool: unknown, index) => {
    const param = `tools[${index}]`;
    if (!isRecord(tool)) throw invalidRequest(param, `"${param}" must be an object.`);
    if (tool['type'] !== 'function') {
      throw unsupportedParameter(
        param,
        `Gemini routes take only tools of type "function"; "${param}" has type ${JSON.stringify(tool['type'])}.`,
      );
    }
    const fn = tool['function'];
    if (!isRecord(fn) || typeof fn['name'] !== 'string' || fn['name'] === '') {
      throw invalidRequest(`${param}.function.name`, `"${param}.function.name" must be a non-empty string.`);
    }
    const declaration: JsonObject = { name: fn['name'] };
    if (typeof fn['description'] === 'string' && fn['description'] !== '') {
      declaration['description'] = fn['description'];
    }
    // A function without parameters leaves the field out, as Gemini documents; `strict` has no
    // Gemini counterpart and is dropped (Gemini validates calls against the schema it is given).
    if (fn['parameters'] !== undefined && fn['parameters'] !== null) {
      declaration['parametersJsonSchema'] = prepareJsonSchema(fn['parameters'], { objectRoot: true });
    }
    return declaration;
  });
  return [{ functionDeclarations: declarations }];
}

function namedFunction(choice: JsonObject, param: string): string {
  const fn = choice['function'];
  if (!isRecord(fn) || typeof fn['name'] !== 'string' || fn['name'] === '') {
    throw invalidRequest(
      param,
      `"${param}" must name a function: {"type":"function","function":{"name":…}}.`,
    );
  }
  return fn['name'];
}

/**
 * OpenAI `tool_choice` → Gemini `toolConfig.functionCallingConfig`: auto → AUTO, none → NONE,
 * required → ANY, a named function → ANY limited to it; `allowed_tools` limits the names, with
 * mode auto → VALIDATED (call one of them or answer in text) and required → ANY.
 */
export function convertToolChoice(choice: unknown): JsonObject {
  const param = 'tool_choice';
  let config: JsonObject;
  if (choice === 'auto') config = { mode: 'AUTO' };
  else if (choice === 'none') config = { mode: 'NONE' };
  else if (choice === 'required') config = { mode: 'ANY' };
  else if (isRecord(choice) && choice['type'] === 'function') {
    config = { mode: 'ANY', allowedFunctionNames: [namedFunction(choice, param)] };
  } else if (isRecord(choice) && choice['type'] === 'allowed_tools' && isRecord(choice['allowed_tools'])) {
    const allowed = choice['allowed_tools'];
    const tools = Array.isArray(allowed['tools']) ? allowed['tools'] : [];
    const names = tools.map((tool: unknown, index) => {
      const toolParam = `${param}.allowed_tools.tools[${index}]`;
      if (!isRecord(tool) || tool['type'] !== 'function') {
        throw unsupportedParameter(toolParam, `Gemini routes allow only function tools; see "${toolParam}".`);
      }
      return namedFunction(tool, toolParam);
    });
    if (allowed['mode'] !== 'auto' && allowed['mode'] !== 'required') {
      throw invalidRequest(
        `${param}.allowed_tools.mode`,
        '"allowed_tools.mode" must be "auto" or "required".',
      );
    }
    config = { mode: allowed['mode'] === 'auto' ? 'VALIDATED' : 'ANY', allowedFunctionNames: names };
  } else if (isRecord(choice) && choice['type'] === 'custom') {
    throw unsupportedParameter(param, 'Gemini has no custom (free-form) tools.');
  } else {
    throw invalidRequest(
      param,
      '"tool_choice" must be "auto", "none", "required", {"type":"function","function":{"name":…}} or {"type":"allowed_tools",…}.',
    );
  }
  return { functionCallingConfig: config };
}
