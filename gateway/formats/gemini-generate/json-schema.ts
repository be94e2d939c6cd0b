import { isRecord } from './json.ts';

/*
 * Tool parameters go to Gemini as `parametersJsonSchema` and structured output as
 * `responseJsonSchema`: both take JSON Schema as it is (additionalProperties, anyOf, $defs…),
 * unlike the older OpenAPI-subset `parameters`/`responseSchema`, whose strict parser refuses the
 * whole request for one unknown keyword. What is left to do is what Gemini's JSON Schema reader
 * still gets wrong in practice:
 * - `$ref` next to other keywords is refused, and references it cannot resolve fail the request:
 *   local references (`#/$defs/X`, `#/definitions/X`, any `#/…` pointer) are inlined; a cyclic
 *   one is left as a reference (Gemini unrolls cycles a few levels) with its definitions kept;
 * - `$schema` is dropped (a dialect marker, not a constraint);
 * - `const: x` becomes the equivalent `enum: [x]`, which Gemini documents;
 * - a tool's parameters must describe an object: a missing root type becomes `object`.
 */

type Json = unknown;

function resolvePointer(root: Json, ref: string): Json | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: Json = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else if (isRecord(node) && Object.hasOwn(node, key)) node = node[key];
    else return undefined;
  }
  return node;
}

interface Walk {
  root: Json;
  /** A reference was left in place (cyclic or unresolvable): the definitions must stay. */
  keptReference: boolean;
}

function transform(node: Json, walk: Walk, resolving: readonly string[]): Json {
  if (Array.isArray(node)) return node.map((item) => transform(item, walk, resolving));
  if (!isRecord(node)) return node;
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    const target = resolvePointer(walk.root, ref);
    if (target === undefined || !isRecord(target) || resolving.includes(ref)) {
      walk.keptReference = true;
      return { $ref: ref };
    }
    const { $ref: _ref, ...siblings } = node;
    const inlined = transform(target, walk, [...resolving, ref]);
    return { ...(isRecord(inlined) ? inlined : {}), ...(transform(siblings, walk, resolving) as object) };
  }
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if (key === 'const') {
      out['enum'] = [value];
      continue;
    }
    // `properties` and `$defs` map names to schemas: a property may be called "const" or "$ref".
    if ((key === 'properties' || key === '$defs' || key === 'definitions') && isRecord(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, transform(schema, walk, resolving)]),
      );
      continue;
    }
    out[key] = transform(value, walk, resolving);
  }
  return out;
}

/** A JSON Schema as Gemini's `parametersJsonSchema` / `responseJsonSchema` takes it (see above). */
export function prepareJsonSchema(schema: Json, options: { objectRoot: boolean }): Json {
  const walk: Walk = { root: schema, keptReference: false };
  const prepared = transform(schema, walk, []);
  if (!isRecord(prepared)) return options.objectRoot ? { type: 'object', properties: {} } : prepared;
  if (!walk.keptReference) {
    delete prepared['$defs'];
    delete prepared['definitions'];
  }
  if (options.objectRoot && prepared['type'] === undefined && prepared['anyOf'] === undefined) {
    prepared['type'] = 'object';
  }
  return prepared;
}
