import type { JsonObject } from '../../types.ts';
import { isRecord } from '../json.ts';

/*
 * Gemini takes schemas two ways: `parameters` / `responseSchema` in its OpenAPI subset (upper-case
 * types, `nullable`, `propertyOrdering`, int64 limits that may come as strings, proto field names
 * in either spelling), and `parametersJsonSchema` / `responseJsonSchema` as JSON Schema. The hub
 * takes JSON Schema, so the first is rewritten and the second kept, less `$schema` (a dialect
 * marker that some OpenAI-compatible servers refuse).
 */

/** The Schema fields whose snake_case spelling differs, by that spelling. */
const CAMEL_CASE: Record<string, string> = {
  any_of: 'anyOf',
  property_ordering: 'propertyOrdering',
  min_items: 'minItems',
  max_items: 'maxItems',
  min_length: 'minLength',
  max_length: 'maxLength',
  min_properties: 'minProperties',
  max_properties: 'maxProperties',
};

/** int64 in proto JSON: Google's reader takes `"5"` as well as `5`. */
const INTEGER_LIMITS = new Set([
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'minProperties',
  'maxProperties',
]);

/** Gemini-only annotations with no JSON Schema meaning. */
const DROPPED = new Set(['nullable', 'propertyOrdering', 'example']);

function mapSchemas(value: unknown, convert: (schema: unknown) => unknown): unknown {
  return isRecord(value)
    ? Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, convert(schema)]))
    : value;
}

/** Gemini's OpenAPI-subset Schema → JSON Schema. */
export function jsonSchemaFromGemini(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(jsonSchemaFromGemini);
  if (!isRecord(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    const name = CAMEL_CASE[key] ?? key;
    if (DROPPED.has(name)) continue;
    if (name === 'type' && typeof value === 'string') {
      const type = value.toLowerCase();
      if (type !== 'type_unspecified') out['type'] = type;
    } else if (name === 'properties') {
      out[name] = mapSchemas(value, jsonSchemaFromGemini);
    } else if (name === 'items' || name === 'anyOf') {
      out[name] = jsonSchemaFromGemini(value);
    } else if (INTEGER_LIMITS.has(name) && typeof value === 'string' && /^\d+$/.test(value)) {
      out[name] = Number(value);
    } else {
      out[name] = value;
    }
  }
  if (schema['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  return out;
}

/** A JSON Schema without `$schema`, anywhere but as a property name. */
export function withoutDialect(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDialect);
  if (!isRecord(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema') continue;
    out[key] =
      key === 'properties' || key === '$defs' || key === 'definitions'
        ? mapSchemas(value, withoutDialect)
        : withoutDialect(value);
  }
  return out;
}
