import fc from 'fast-check';

/*
 * Generators of the JSON an upstream may send when it is broken, hostile or just different: any
 * JSON value, values that JavaScript handles badly (own `toString`/`__proto__` keys, numbers past
 * the float range, nesting deeper than the stack), and recorded payloads with parts of them
 * replaced, removed or added. Some of it cannot be built as a JavaScript value (`1e400` parses to
 * Infinity, 10,000 levels of nesting overflow JSON.stringify), so values carry raw JSON text.
 */

/** JSON text placed verbatim where a value goes. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A value to put into a payload: plain JSON, or raw JSON text for what JSON.stringify cannot write. */
export type Hostile = unknown;

/** Keys that JavaScript objects inherit: JSON.parse makes them own properties that shadow the prototype's. */
const PROTOTYPE_KEYS = ['__proto__', 'toString', 'valueOf', 'constructor', 'toJSON', 'hasOwnProperty'];

/** Keys that the vendor parsers read, so that an added key lands where the code looks. */
const READ_KEYS = [
  'error',
  'code',
  'type',
  'message',
  'status',
  'details',
  'usage',
  'model',
  'id',
  'choices',
  'delta',
  'content',
  'reasoning_content',
  'tool_calls',
  'function',
  'arguments',
  'prompt_tokens',
  'completion_tokens',
  'prompt_tokens_details',
  'cached_tokens',
  'completion_tokens_details',
  'reasoning_tokens',
  'index',
  'content_block',
  'input',
  'name',
  'text',
  'thinking',
  'signature',
  'partial_json',
  'stop_reason',
  'stop_details',
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
  'output_tokens_details',
  'candidates',
  'parts',
  'functionCall',
  'args',
  'partialArgs',
  'jsonPath',
  'stringValue',
  'numberValue',
  'willContinue',
  'thought',
  'thoughtSignature',
  'finishReason',
  'logprobsResult',
  'usageMetadata',
  'promptTokenCount',
  'candidatesTokenCount',
  'thoughtsTokenCount',
  'promptFeedback',
  'blockReason',
  'modelVersion',
  'responseId',
  'embeddings',
  'values',
  'data',
  'retryDelay',
  '@type',
  ...PROTOTYPE_KEYS,
];

function nested(depth: number, open: string, close: string, inner: string): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** Raw JSON texts that cannot be written from a JavaScript value. */
const rawFragment: fc.Arbitrary<RawJson> = fc.oneof(
  fc
    .constantFrom('1e400', '-1e400', '1e-400', '-0', '123456789012345678901234567890', '4.9e-324')
    .map((text) => new RawJson(text)),
  // Deeper than JSON.stringify's recursion can go (it overflows near 5,000 levels on Node 20).
  fc
    .tuple(fc.integer({ min: 100, max: 12_000 }), fc.constantFrom('array', 'object'))
    .map(
      ([depth, kind]) =>
        new RawJson(kind === 'array' ? nested(depth, '[', ']', '') : nested(depth, '{"a":', '}', '1')),
    ),
);

/** Objects whose own keys shadow Object.prototype's, as JSON.parse makes them. */
const prototypeShadow: fc.Arbitrary<unknown> = fc
  .tuple(fc.subarray(PROTOTYPE_KEYS, { minLength: 1 }), fc.jsonValue({ maxDepth: 1 }))
  .map(
    ([keys, value]) =>
      JSON.parse(
        `{${keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`,
      ) as unknown,
  );

const awkwardConstant = fc.constantFrom<unknown>(
  null,
  true,
  false,
  0,
  -1,
  -0.5,
  1.5,
  1e308,
  2 ** 53 + 2,
  '',
  'x',
  '[DONE]',
  [],
  {},
  [null],
  [[]],
  { '': null },
  { type: 'x' },
  { error: null },
);

/** Any value an upstream may put where the parser expects something else. */
export const hostileValue: fc.Arbitrary<Hostile> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: awkwardConstant },
  { weight: 1, arbitrary: prototypeShadow },
  { weight: 1, arbitrary: rawFragment },
);

/** JSON text of a hostile value, raw fragments written in place. */
export function writeJson(value: Hostile): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof RawJson) {
      raws.push(item.text);
      return `\u0000raw${raws.length - 1}\u0000`;
    }
    return item;
  }) as string | undefined;
  // JSON.stringify writes NUL as \u0000, so a marker cannot come from the data itself.
  return (text ?? 'null').replace(
    /"\\u0000raw(\d+)\\u0000"/g,
    (_match, index: string) => raws[Number(index)]!,
  );
}

/** One change to a parsed payload, at the node `pick` chooses (modulo the number of nodes). */
export type Edit =
  | { op: 'replace'; pick: number; value: Hostile }
  | { op: 'delete'; pick: number }
  | { op: 'set'; pick: number; key: string; value: Hostile };

export const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('replace' as const), pick: fc.nat(), value: hostileValue }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      pick: fc.nat(),
      key: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...READ_KEYS) }, fc.string({ maxLength: 4 })),
      value: hostileValue,
    }),
  },
);

interface Slot {
  get(): unknown;
  set(value: unknown): void;
  remove(): void;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null && !(value instanceof RawJson);
}

/**
 * A fresh copy of a generated value: fast-check hands out the same constants again, and an edit
 * must not change them (or put a value inside itself).
 */
function copy(value: Hostile): Hostile {
  if (!isContainer(value)) return value;
  if (Array.isArray(value)) return value.map(copy);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(out, key, {
      value: copy(value[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Every node of a payload, the root first, as places to read and write. */
function slots(root: { value: unknown }): Slot[] {
  const out: Slot[] = [
    { get: () => root.value, set: (value) => (root.value = value), remove: () => (root.value = null) },
  ];
  const visit = (node: unknown): void => {
    if (!isContainer(node)) return;
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        out.push({
          get: () => node[index],
          set: (value) => (node[index] = value),
          remove: () => node.splice(index, 1),
        });
        visit(item);
      });
      return;
    }
    for (const key of Object.keys(node)) {
      const item = node[key];
      out.push({
        get: () => node[key],
        set: (value) =>
          Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true }),
        remove: () => delete node[key],
      });
      visit(item);
    }
  };
  visit(root.value);
  return out;
}

/** How deeply a value nests, counted without recursion (the value may be deeper than the stack). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    deepest = Math.max(deepest, depth);
    if (isContainer(node)) for (const item of Object.values(node)) pending.push([item, depth + 1]);
  }
  return deepest;
}

/**
 * A payload (JSON text) with the edits applied in order; the text as it was if it is not JSON or
 * nests too deeply to walk (it was hostile already).
 */
export function mutate(text: string, edits: readonly Edit[]): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (depthOf(parsed) > 100) return text;
  const root = { value: parsed };
  for (const change of edits) {
    const all = slots(root);
    const slot = all[change.pick % all.length]!;
    if (change.op === 'replace') slot.set(copy(change.value));
    else if (change.op === 'delete') slot.remove();
    else {
      const target = slot.get();
      if (isContainer(target) && !Array.isArray(target)) {
        // defineProperty, as JSON.parse does: plain assignment to `__proto__` would set the prototype.
        Object.defineProperty(target, change.key, {
          value: copy(change.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else slot.set({ [change.key]: copy(change.value) });
    }
  }
  return writeJson(root.value);
}

/** Event data that is no payload of the vendor's: any JSON, raw fragments, text that is not JSON. */
export const foreignData: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileValue.map(writeJson) },
  { weight: 1, arbitrary: fc.constantFrom('null', '[DONE]', '', '{', 'data: x', '[]', '""') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

/** A recorded payload with one to four edits. */
export const mutatedFrom = (lines: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...lines), fc.array(edit, { minLength: 1, maxLength: 4 }))
    .map(([line, edits]) => mutate(line, edits));
