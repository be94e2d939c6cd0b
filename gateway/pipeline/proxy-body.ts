import { GatewayError } from '../errors.ts';
import type { JsonObject } from '../formats/types.ts';
import { checkJsonLimits } from '../http/body.ts';

/** What policy needs from a `/proxy` request body, whatever its kind. */
export interface NativeBody {
  /** The body as a JSON object (filters and the budget read it), else null. */
  json: JsonObject | null;
  /** The model the body names at its top level (JSON `model`, or a form field), else null. */
  model: string | null;
  /** Models named deeper in the body (Anthropic's and OpenAI's batches nest them): each must be allowed. */
  nestedModels: string[];
}

const NONE: NativeBody = { json: null, model: null, nestedModels: [] };
/** A body naming more models than this is refused rather than walked further. */
const MAX_NESTED_MODELS = 10_000;

/**
 * Reads a `/proxy` body for policy, as the upstream will read it. A body that starts like JSON
 * (after whitespace or a byte-order mark, which Python's json module accepts) must parse, or it
 * is refused: an upstream with a lenient parser (NaN, a BOM) would otherwise run a model that
 * policy never saw. Form bodies (audio transcriptions) name their model in a field.
 */
export function readNativeBody(raw: Buffer | undefined, contentType: string): NativeBody {
  if (!raw || raw.length === 0) return NONE;
  let start = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
  while (
    start < raw.length &&
    (raw[start] === 0x20 || raw[start] === 0x0a || raw[start] === 0x0d || raw[start] === 0x09)
  )
    start++;
  if (raw[start] === 0x7b || raw[start] === 0x5b) return readJson(raw, start);
  const type = contentType.toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { json: null, model: new URLSearchParams(raw.toString('utf8')).get('model'), nestedModels: [] };
  }
  if (type.startsWith('multipart/form-data'))
    return { json: null, model: multipartModel(raw), nestedModels: [] };
  return NONE;
}

function readJson(raw: Buffer, start: number): NativeBody {
  // Nesting and overflowing numbers are refused before parsing, as on every endpoint.
  checkJsonLimits(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8', start));
  } catch {
    throw new GatewayError(
      400,
      'invalid_request',
      "The request body is not valid JSON, so the route's allow-list, filters and budget cannot be applied to it.",
    );
  }
  const json =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : null;
  const top = json?.['model'];
  if (top !== undefined && top !== null && typeof top !== 'string') {
    throw new GatewayError(400, 'invalid_request', '"model" must be a string.', { param: 'model' });
  }
  return {
    json,
    model: typeof top === 'string' && top !== '' ? top : null,
    nestedModels: nestedModels(parsed),
  };
}

/**
 * Every string under a key named `model` below the top level (depth is already bounded by
 * checkJsonLimits). A number or an array there is refused: an upstream might read it as a model.
 */
function nestedModels(root: unknown): string[] {
  const found: string[] = [];
  const stack: { value: unknown; top: boolean }[] = [{ value: root, top: true }];
  while (stack.length > 0) {
    const { value, top } = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of value)
        if (typeof item === 'object' && item !== null) stack.push({ value: item, top: false });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key === 'model' && !top) {
          if (typeof item === 'string') found.push(item);
          // An object is not a model name but may hold one (a tool's JSON Schema has a property
          // called "model": Claude Code's Agent tool does): walked like any other object.
          else if (typeof item === 'object' && item !== null && !Array.isArray(item))
            stack.push({ value: item, top: false });
          else if (item !== null && item !== undefined) {
            throw new GatewayError(400, 'invalid_request', '"model" must be a string wherever it appears.');
          }
          if (found.length > MAX_NESTED_MODELS) {
            throw new GatewayError(
              400,
              'invalid_request',
              `The request names more than ${MAX_NESTED_MODELS} models.`,
            );
          }
        } else if (typeof item === 'object' && item !== null) stack.push({ value: item, top: false });
      }
    }
  }
  return found;
}

/** The `model` field of a multipart form (OpenAI's audio endpoints), else null. */
function multipartModel(raw: Buffer): string | null {
  const header = raw.indexOf('name="model"');
  if (header === -1) return null;
  const valueStart = raw.indexOf('\r\n\r\n', header);
  if (valueStart === -1) return null;
  const valueEnd = raw.indexOf('\r\n', valueStart + 4);
  const value = raw.toString('utf8', valueStart + 4, valueEnd === -1 ? raw.length : valueEnd);
  return value === '' ? null : value;
}
