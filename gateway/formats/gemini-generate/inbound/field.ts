import type { JsonObject } from '../../types.ts';

const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * A field of a Gemini request object by its camelCase name. Google's JSON reader takes proto field
 * names in either spelling (`inlineData`, `inline_data`), and its curl examples use snake_case;
 * null counts as absent.
 */
export function field(object: JsonObject, name: string): unknown {
  const value = object[name] ?? object[snakeCase(name)];
  return value === null ? undefined : value;
}
