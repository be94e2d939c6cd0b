import type { RuntimeRoute } from '../catalog.ts';
import { GatewayError } from '../errors.ts';
import type { UpstreamResponse } from '../forward.ts';
import { formatFor } from '../formats/index.ts';
import type { JsonObject, WireFormat } from '../formats/types.ts';
import type { GatewayContext } from '../http/context.ts';
import type { PathReading, Provider } from '../providers/index.ts';
import { scrubSecrets } from '../scrub.ts';
import type { Framing } from './framing.ts';
import { readNativeBody } from './proxy-body.ts';
import { pathNamesModel, rawProxyRest, upstreamTarget, type UpstreamTarget } from './proxy-path.ts';

/** Request headers never passed upstream: the caller's credentials, hop-by-hop and origin-bound headers. */
const DROPPED_REQUEST_HEADERS = new Set([
  'authorization',
  'x-api-key',
  'x-goog-api-key',
  'cookie',
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'origin',
  'referer',
  'accept-encoding',
]);

const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'set-cookie',
]);

/** What a `/proxy` request asks for, read as the upstream will read it. */
export interface NativeCall {
  target: UpstreamTarget;
  reading: PathReading;
  /** The body as a JSON object (filters and the budget read it), else null. */
  json: JsonObject | null;
  /** The body's bytes, as they go upstream unless a filter rewrites them. */
  raw: Buffer | undefined;
  /** The model that runs: the one the path names, else the body's. */
  model: string | null;
  /** How the client wants the stream framed, where it is not the upstream's own (Gemini's JSON array). */
  framing: Framing | null;
  /** The wire format of the bytes (the route's own on /proxy; the client's where its provider takes it as it is). */
  format: WireFormat;
  sendsBody: boolean;
}

/** Whether the allow-list lets through only some models, so that a request must say which. */
function restrictsModels(models: readonly string[]): boolean {
  return models.length > 0 && !models.includes('*');
}

/**
 * Reads a `/proxy` call's path and body and applies the allow-list to every model they name
 * (the path's model wins: Gemini ignores a body's "model"). A call whose model cannot be read
 * where the route restricts models is refused, since the upstream would pick one policy never saw.
 */
export function readNativeCall(
  ctx: GatewayContext,
  route: RuntimeRoute,
  provider: Provider,
  raw: Buffer | undefined,
): NativeCall {
  const target = upstreamTarget(route.baseUrl, rawProxyRest(ctx.path), ctx.querystring);
  const sendsBody = raw !== undefined && raw.length > 0;
  const native = readNativeBody(raw, ctx.get('content-type'));
  const reading = provider.readPath(target.path);
  if (reading.model === null && (ctx.method === 'POST' || sendsBody) && pathNamesModel(target.path)) {
    throw new GatewayError(
      400,
      'invalid_request',
      "The model could not be read from this path, so the route's allow-list, filters and budget cannot be applied.",
    );
  }
  const model = reading.model ?? native.model;
  for (const named of model === null ? native.nestedModels : [model, ...native.nestedModels]) {
    if (!route.allowList.allows(named)) {
      throw new GatewayError(
        403,
        'model_not_allowed',
        `Model "${named}" is not on the allow-list of route "${route.id}".`,
      );
    }
  }
  if (model === null && sendsBody && native.nestedModels.length === 0 && restrictsModels(route.models)) {
    // The upstream would pick a model itself (local servers do): one the allow-list never saw.
    throw new GatewayError(
      400,
      'invalid_request',
      `Route "${route.id}" allows only some models: name the model in the request.`,
      { param: 'model' },
    );
  }
  return {
    target,
    reading,
    json: native.json,
    raw,
    model,
    sendsBody,
    framing: null,
    format: formatFor(reading.format ?? provider.format),
  };
}

/** The caller's headers less its credentials and hop-by-hop ones, the vendor's defaults, the route's signature. */
export async function nativeHeaders(
  ctx: GatewayContext,
  route: RuntimeRoute,
  provider: Provider,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.req.headers)) {
    if (typeof value === 'string' && !DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
  }
  for (const [name, value] of Object.entries(provider.defaultHeaders)) headers[name] ??= value;
  return Object.assign(headers, await provider.authorize(route.apiKey));
}

/** Bodies read as text (and scrubbed): JSON, text/*, and bodies that do not say what they are. */
export function isText(type: string): boolean {
  return type === '' || type.includes('json') || type.startsWith('text/') || type.includes('xml');
}

/** The upstream's status and headers, less hop-by-hop ones and cookies, for the client. */
export function answerWith(ctx: GatewayContext, upstream: UpstreamResponse, key: string | null): void {
  ctx.status = upstream.statusCode;
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name)) continue;
    // A header may repeat the request's credentials (debug headers, WWW-Authenticate): scrubbed like bodies.
    ctx.set(
      name,
      Array.isArray(value) ? value.map((item) => scrubSecrets(item, [key])) : scrubSecrets(value, [key]),
    );
  }
}
