import type { JsonObject } from '../../types.ts';
import { invalidRequest, isRecord, unsupportedParameter } from '../json.ts';
import { jsonSchemaFromGemini, withoutDialect } from './convert-schema.ts';
import { field } from './field.ts';

/** An OpenAI function tool. */
export type HubTool = {
  type: 'function';
  function: { name: string; description?: string; parameters: JsonObject };
};

function declarationTool(declaration: unknown, param: string): HubTool {
  if (!isRecord(declaration)) throw invalidRequest(param, `"${param}" must be an object.`);
  const name = field(declaration, 'name');
  if (typeof name !== 'string' || name === '') {
    throw invalidRequest(`${param}.name`, `"${param}.name" must be a non-empty string.`);
  }
  const jsonSchema = field(declaration, 'parametersJsonSchema');
  const openApiSchema = field(declaration, 'parameters');
  const schema =
    jsonSchema !== undefined
      ? withoutDialect(jsonSchema)
      : openApiSchema !== undefined
        ? jsonSchemaFromGemini(openApiSchema)
        : undefined;
  if (schema !== undefined && !isRecord(schema)) {
    throw invalidRequest(
      `${param}.parameters`,
      `"${param}" must describe its parameters with an object schema.`,
    );
  }
  // Every target takes an object schema; a function without parameters gets an empty one.
  const parameters: JsonObject = { type: 'object', properties: {}, ...schema };
  const description = field(declaration, 'description');
  return {
    type: 'function',
    function:
      typeof description === 'string' && description !== ''
        ? { name, description, parameters }
        : { name, parameters },
  };
}

/**
 * Gemini `tools` → hub tools: each of `functionDeclarations` becomes a function tool (`response`,
 * `responseJsonSchema` and `behavior` have no counterpart and are dropped). Gemini's built-in tools
 * (googleSearch, codeExecution, urlContext…) run inside Gemini only: they are refused rather than
 * dropped, because an answer without the search it asked for would pass for one with it.
 */
export function convertTools(tools: unknown): HubTool[] {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) throw invalidRequest('tools', '"tools" must be an array.');
  return tools.flatMap((tool: unknown, index) => {
    const param = `tools[${index}]`;
    if (!isRecord(tool)) throw invalidRequest(param, `"${param}" must be an object.`);
    const converted: HubTool[] = [];
    for (const [key, value] of Object.entries(tool)) {
      if (value === null || value === undefined) continue;
      if (key !== 'functionDeclarations' && key !== 'function_declarations') {
        throw unsupportedParameter(
          `${param}.${key}`,
          `"${param}.${key}" is a tool that runs inside Gemini; routes of other vendors take functionDeclarations only.`,
        );
      }
      if (!Array.isArray(value)) {
        throw invalidRequest(
          `${param}.functionDeclarations`,
          `"${param}.functionDeclarations" must be an array.`,
        );
      }
      value.forEach((declaration: unknown, position) => {
        converted.push(declarationTool(declaration, `${param}.functionDeclarations[${position}]`));
      });
    }
    return converted;
  });
}

export interface ToolSelection {
  tools: HubTool[];
  toolChoice?: unknown;
}

/**
 * `toolConfig.functionCallingConfig` → `tool_choice`: AUTO and VALIDATED → auto, ANY → required,
 * NONE → none. `allowedFunctionNames` is carried by offering only those tools (every target
 * takes that; few take OpenAI's `allowed_tools`), and one name with ANY is a named choice.
 */
export function selectTools(tools: HubTool[], toolConfig: unknown): ToolSelection {
  if (toolConfig === undefined) return { tools };
  if (!isRecord(toolConfig)) throw invalidRequest('toolConfig', '"toolConfig" must be an object.');
  const config = field(toolConfig, 'functionCallingConfig');
  if (config === undefined) return { tools };
  const param = 'toolConfig.functionCallingConfig';
  if (!isRecord(config)) throw invalidRequest(param, `"${param}" must be an object.`);
  const rawMode = field(config, 'mode');
  if (rawMode !== undefined && typeof rawMode !== 'string') {
    throw invalidRequest(`${param}.mode`, `"${param}.mode" must be AUTO, ANY, NONE or VALIDATED.`);
  }
  const mode = rawMode?.toUpperCase() ?? 'MODE_UNSPECIFIED';
  const names = field(config, 'allowedFunctionNames');
  if (names !== undefined && (!Array.isArray(names) || !names.every((name) => typeof name === 'string'))) {
    throw invalidRequest(
      `${param}.allowedFunctionNames`,
      `"${param}.allowedFunctionNames" must be an array of strings.`,
    );
  }
  let offered = tools;
  if (names !== undefined && names.length > 0) {
    offered = tools.filter((tool) => names.includes(tool.function.name));
    if (offered.length === 0) {
      throw invalidRequest(
        `${param}.allowedFunctionNames`,
        `"${param}.allowedFunctionNames" names no function that "tools" declares.`,
      );
    }
  }
  switch (mode) {
    case 'MODE_UNSPECIFIED':
      return { tools: offered };
    case 'AUTO':
    case 'VALIDATED':
      return offered.length > 0 ? { tools: offered, toolChoice: 'auto' } : { tools: offered };
    case 'NONE':
      return offered.length > 0 ? { tools: offered, toolChoice: 'none' } : { tools: offered };
    case 'ANY':
      if (offered.length === 0) {
        throw invalidRequest(
          `${param}.mode`,
          `"${param}.mode" ANY asks for a function call, but "tools" declares none.`,
        );
      }
      return {
        tools: offered,
        toolChoice:
          offered.length === 1 && offered[0] !== undefined && names !== undefined && names.length > 0
            ? { type: 'function', function: { name: offered[0].function.name } }
            : 'required',
      };
    default:
      throw invalidRequest(`${param}.mode`, `"${param}.mode" must be AUTO, ANY, NONE or VALIDATED.`);
  }
}
