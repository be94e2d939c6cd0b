import { PassThrough } from 'node:stream';
import type { VendorId } from '../domain.ts';
import type { RuntimeRoute } from '../catalog.ts';
import { GatewayError } from '../errors.ts';
import { textSlots, type BodyFormat } from '../filters/message-view.ts';
import type { Vendor } from '../formats/types.ts';
import { admit } from './policy.ts';
import { appendLoggedBody, type RecordDraft } from '../recorder.ts';
import { nativeStreamRedactor, redactNativeAnswer } from '../filters/native-response.ts';
import type { Pattern } from '../filters/patterns.ts';
import { effectiveTimeouts, upstreamFailure, type UpstreamResponse } from '../forward.ts';
import { countInputTokens } from '../policy/tokens.ts';
import { CompleteEvents } from '../protocol/complete-events.ts';
import { formatSse, SseParser } from '../protocol/sse.ts';
import { KeyScrubber, scrubKey, scrubKeyBytes, scrubSecrets } from '../scrub.ts';
import { defaultTimeouts } from '../timeouts.ts';
import { isJsonObject, MAX_UPSTREAM_JSON_DEPTH, nestsDeeperThan } from '../formats/upstream-json.ts';
import { readBody } from './body.ts';
import { readNativeBody } from './proxy-body.ts';
import { errorMessageOf } from './recorded.ts';
import type { GatewayContext, Middleware } from './context.ts';
import { vendorOf, type EndpointDeps } from './openai-endpoints.ts';
import { pathNamesModel, rawProxyRest, upstreamTarget } from './proxy-path.ts';
import {
  abortOnClientClose,
  readBytes,
  streamProblem,
  upstreamLimits,
  type UpstreamLimits,
} from './relay.ts';
import { routeForApp } from './resolve-route.ts';

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

function formatOf(vendor: VendorId): BodyFormat {
  return vendor === 'anthropic' || vendor === 'gemini' ? vendor : 'openai';
}

/** The vendor's own error event, sent when its stream fails after the first byte (Anthropic names its events). */
function streamErrorEvent(vendor: Vendor, error: GatewayError): string {
  return formatSse(JSON.stringify(vendor.errorBody(error)), vendor.id === 'anthropic' ? 'error' : undefined);
}

/**
 * Where a stream's last event begins (OpenAI's `[DONE]`, Anthropic's `message_stop`, Gemini's
 * chunk with its finish reason), else -1. That event waits until the row is written: a client
 * that saw the end of its answer must find the answer recorded.
 */
function terminalEventStart(text: string): number {
  const match = /^data: ?\[DONE\]|^event: ?message_stop|"finishReason"/m.exec(text);
  if (match === null) return -1;
  if (match[0] !== '"finishReason"') return match.index;
  const start = Math.max(text.lastIndexOf('\n\n', match.index), text.lastIndexOf('\r\r', match.index));
  return start === -1 ? 0 : start + 2;
}

/** Whether the allow-list lets through only some models, so that a request must say which. */
function restrictsModels(models: readonly string[]): boolean {
  return models.length > 0 && !models.includes('*');
}

/**
 * `/proxy/{routeId}/{rest}` → `baseUrl/{rest}` in the vendor's own format, unchanged: the
 * route's key replaces the caller's, the allow-list still applies, and usage is read from the
 * answer (or from the stream as it passes, without holding it back) for the row. Policy is
 * decided on exactly the path that is sent and on the body as the upstream will read it, and the
 * route's key never comes back to the app.
 */
export function proxyPassThrough(deps: EndpointDeps): Middleware {
  return async function proxyHandler(ctx) {
    const app = ctx.state.app!;
    const draft = ctx.state.draft!;
    const route = routeForApp(deps.catalog, app, ctx.params['routeId']!);
    const vendor = vendorOf(route);
    draft.route = route.id;
    draft.vendor = route.vendor;
    const target = upstreamTarget(route.baseUrl, rawProxyRest(ctx.path), ctx.querystring);
    const hasBody = ctx.method !== 'GET' && ctx.method !== 'HEAD';
    const raw = hasBody ? await readBody(ctx.req, deps.server().maxBodyMb * 1024 * 1024) : undefined;
    const sendsBody = raw !== undefined && raw.length > 0;
    const native = readNativeBody(raw, ctx.get('content-type'));
    // A model the path names is the one that runs (Gemini ignores a body's "model"): it wins.
    const pathModel = vendor.modelFromPath(target.path);
    if (pathModel === null && (ctx.method === 'POST' || sendsBody) && pathNamesModel(target.path)) {
      throw new GatewayError(
        400,
        'invalid_request',
        "The model could not be read from this path, so the route's allow-list, filters and budget cannot be applied.",
      );
    }
    const model = pathModel ?? native.model;
    draft.model = model;
    draft.stream = native.json?.['stream'] === true || target.path.includes(':streamGenerateContent');
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
    // Policy applies to every body: filters read JSON ones; rate limits and budgets hold for all.
    let body = raw;
    const format = formatOf(route.vendor);
    let patterns: Pattern[] = [];
    if (sendsBody) {
      const policyModel = model ?? route.defaultModel ?? '';
      patterns = admit(deps.policy, {
        draft,
        app,
        route,
        body: native.json ?? {},
        format,
        model: policyModel,
      }).responsePatterns;
      // Untouched bodies go out byte for byte; only filters rewrite them.
      if (native.json && route.compiledFilters.length + app.compiledFilters.length > 0)
        body = Buffer.from(JSON.stringify(native.json));
    }
    if (native.json) {
      const json = native.json;
      // A stream cut before the vendor said its input tokens: counted from the request, as on /openai.
      draft.countInput = () =>
        countInputTokens(
          textSlots(json, format).map((slot) => slot.text),
          route.vendor,
        );
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(ctx.req.headers)) {
      if (typeof value === 'string' && !DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
    }
    for (const [name, value] of Object.entries(vendor.defaultHeaders)) headers[name] ??= value;
    Object.assign(headers, vendor.authHeaders(route.apiKey));
    if (route.logBodies) draft.bodies = { request: body ? body.toString('utf8') : '', response: '' };
    const limits = upstreamLimits(deps.server());
    const client = abortOnClientClose(ctx);
    const upstream = await deps.upstreams.send({
      url: target.url,
      method: ctx.method,
      headers,
      body,
      timeouts: effectiveTimeouts(
        defaultTimeouts({
          vendor: route.vendor,
          baseUrl: route.baseUrl,
          model,
          stream: draft.stream,
          kind: 'generate',
        }),
        deps.server().timeouts,
        route.timeouts,
      ),
      signal: client.signal,
      controller: client,
    });

    const type = String(upstream.headers['content-type'] ?? '');
    if (upstream.statusCode >= 400) draft.errorCode = `upstream_${upstream.statusCode}`;
    if (ctx.method === 'HEAD') {
      await upstream.body.dump();
      answerWith(ctx, upstream, route.apiKey);
      const length = upstream.headers['content-length'];
      if (typeof length === 'string') ctx.set('content-length', length);
      return;
    }
    if (type.includes('text/event-stream')) {
      relayNativeStream(ctx, upstream, {
        vendor,
        route,
        draft,
        model,
        patterns,
        format,
        limits,
        path: target.path,
      });
      return;
    }
    if (!isText(type)) {
      // Audio, images, files: streamed as they come (never held whole), the route's key scrubbed all the same.
      answerWith(ctx, upstream, route.apiKey);
      ctx.body = relayBytes(upstream, draft, route.apiKey);
      return;
    }
    // Read whole (up to the cap) before any header goes out: a cut or oversized body is a 502 in the vendor's shape.
    const text = (await readBytes(upstream, limits.bodyBytes)).toString('utf8');
    answerWith(ctx, upstream, route.apiKey);
    if (type.includes('json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        // Not JSON after all: passed on as it is (scrubbed), with no usage to record.
      }
      if (parsed !== undefined && upstream.statusCode < 400) {
        try {
          const result = vendor.chat.response(parsed, {
            model: model ?? '',
            created: Math.floor(draft.time / 1000),
          });
          draft.usage = result.usage;
          draft.upstreamModel = result.upstreamModel;
        } catch {
          // Not an answer the usage reader knows (another endpoint, an odd shape): passed on, no usage.
        }
        if (
          patterns.length > 0 &&
          isJsonObject(parsed) &&
          !nestsDeeperThan(parsed, MAX_UPSTREAM_JSON_DEPTH)
        ) {
          redactNativeAnswer(parsed, format, patterns);
          const redacted = scrubKey(JSON.stringify(parsed), route.apiKey);
          ctx.body = redacted;
          appendLoggedBody(draft, redacted);
          return;
        }
      }
    }
    // An error body may repeat the request's headers, the key among them: scrubbed, with anything key-shaped.
    const safe =
      upstream.statusCode >= 400 ? scrubSecrets(text, [route.apiKey]) : scrubKey(text, route.apiKey);
    ctx.body = safe;
    appendLoggedBody(draft, safe);
  };
}

interface NativeStream {
  vendor: Vendor;
  route: RuntimeRoute;
  draft: RecordDraft;
  model: string | null;
  patterns: Pattern[];
  format: BodyFormat;
  limits: UpstreamLimits;
  path: string;
}

/**
 * A native SSE stream, relayed as it comes (in whole events), read for usage on the way. A stream
 * the upstream cuts ends at once with the vendor's error event; its last event and the end of the
 * response wait until the row is written.
 */
function relayNativeStream(ctx: GatewayContext, upstream: UpstreamResponse, options: NativeStream): void {
  const { vendor, route, draft, patterns, format, limits } = options;
  answerWith(ctx, upstream, route.apiKey);
  const reducer = vendor.chat.stream;
  const state = reducer.init({
    model: options.model ?? '',
    created: Math.floor(draft.time / 1000),
    clientWantsUsage: true,
  });
  const out = new PassThrough();
  const decoder = new TextDecoder();
  const scrubber = new KeyScrubber(route.apiKey);
  // Whole events only: a stream cut inside an event ends with the error event, not half an event.
  const events = new CompleteEvents();
  const redactor = patterns.length === 0 ? null : nativeStreamRedactor(format, patterns, reducer);
  // From the last event on, everything waits for the row.
  let held: string[] | null = null;
  const emit = (text: string) => {
    if (text === '') return;
    if (draft.firstByteAt === null) draft.firstByteAt = performance.now();
    appendLoggedBody(draft, text);
    if (!out.write(text)) upstream.body.pause();
  };
  const send = (text: string) => {
    if (text === '') return;
    if (held !== null) return void held.push(text);
    const last = terminalEventStart(text);
    if (last === -1) return emit(text);
    emit(text.slice(0, last));
    held = [text.slice(last)];
  };
  out.on('drain', () => upstream.body.resume());
  // Without filters the bytes go on as they came (the parser only reads them for usage);
  // with filters each event is re-emitted as it passes, its text held back only as long as a pattern needs.
  const parser = new SseParser(
    (event) => {
      reducer.next(state, event);
      if (draft.errorMessage === null && reducer.errorCode(state) !== null)
        draft.errorMessage = errorMessageOf(event.data);
      if (redactor)
        for (const item of redactor.next(event)) send(scrubber.push(formatSse(item.data, item.event)));
    },
    { maxEventBytes: limits.eventBytes },
  );
  let failure: GatewayError | null = null;
  let finished = false;
  draft.stream = true;
  draft.pending = new Promise<void>((resolve) => {
    const finish = () => {
      if (finished) return;
      finished = true;
      try {
        parser.end();
      } catch (error) {
        failure ??= new GatewayError(502, 'upstream_error', streamProblem(error));
      }
      draft.usage = reducer.usage(state);
      draft.upstreamModel = reducer.upstreamModel(state);
      const complete = reducer.end(state).complete;
      if (out.destroyed || ctx.res.destroyed) {
        draft.partial = true;
        draft.errorCode ??= 'client_closed';
        resolve();
        return;
      }
      if (redactor) for (const item of redactor.end()) send(scrubber.push(formatSse(item.data, item.event)));
      // The reducer knows the chat streams only; another stream (Responses, say) that ended cleanly is whole.
      const cut = failure !== null || (!complete && isChatPath(options.path));
      // A last event without its blank line goes on when the stream ended well; half of one never does.
      const rest = events.rest();
      if (!cut) send(scrubber.push(rest));
      send(scrubber.end());
      if (cut) {
        draft.partial = true;
        const reported = reducer.errorCode(state);
        if (failure || reported === null) {
          const error =
            failure ??
            new GatewayError(
              502,
              'upstream_error',
              'The upstream stream ended before the answer was complete.',
            );
          // The client learns at once, in its vendor's own words, and the stream ends.
          send(streamErrorEvent(vendor, error));
          draft.errorCode = error.code;
          draft.errorMessage = error.message;
        } else {
          draft.errorCode = reported;
        }
      } else if (upstream.statusCode < 400) {
        draft.errorCode = reducer.errorCode(state);
      }
      void draft.commit().then(() => {
        if (held !== null) for (const text of held) emit(text);
        out.end();
        resolve();
      });
    };
    upstream.body.on('data', (chunk: Buffer) => {
      if (finished) return;
      const text = decoder.decode(chunk, { stream: true });
      if (!redactor) send(scrubber.push(events.push(text)));
      try {
        parser.push(text);
      } catch (error) {
        failure = new GatewayError(502, 'upstream_error', streamProblem(error));
        upstream.body.destroy();
        finish();
      }
    });
    upstream.body.once('end', finish);
    upstream.body.once('error', (error) => {
      failure ??= upstreamFailure(error);
      finish();
    });
    upstream.body.once('close', finish);
  });
  ctx.body = out;
}

/**
 * A body that is not text, streamed through: the route's key is replaced wherever its bytes
 * occur (the last key-length bytes of each piece wait for the next), and the response ends only
 * once the row is written. A cut upstream cuts the client too: bytes have no error event.
 */
function relayBytes(upstream: UpstreamResponse, draft: RecordDraft, key: string | null): PassThrough {
  const out = new PassThrough();
  const keep = key && key.length >= 8 ? Buffer.byteLength(key) - 1 : 0;
  let tail: Buffer = Buffer.alloc(0);
  let finished = false;
  out.on('drain', () => upstream.body.resume());
  draft.pending = new Promise<void>((resolve) => {
    const finish = (failure: unknown) => {
      if (finished) return;
      finished = true;
      if (failure !== null || out.destroyed) {
        draft.partial = true;
        draft.errorCode ??= out.destroyed ? 'client_closed' : upstreamFailure(failure).code;
        if (!out.destroyed) void draft.commit().then(() => out.destroy());
        resolve();
        return;
      }
      void draft.commit().then(() => {
        out.end(tail);
        resolve();
      });
    };
    upstream.body.on('data', (chunk: Buffer) => {
      if (draft.firstByteAt === null) draft.firstByteAt = performance.now();
      const data = scrubKeyBytes(tail.length === 0 ? chunk : Buffer.concat([tail, chunk]), key);
      const cut = Math.max(0, data.length - keep);
      tail = data.subarray(cut);
      if (!out.write(data.subarray(0, cut))) upstream.body.pause();
    });
    upstream.body.once('end', () => finish(null));
    upstream.body.once('error', (error) => finish(error));
    upstream.body.once('close', () => finish(null));
  });
  return out;
}

/** The paths whose streams the vendor's chat reducer reads: only there can it tell a stream is incomplete. */
function isChatPath(path: string): boolean {
  return /(^|\/)chat\/completions$|(^|\/)messages$|:streamGenerateContent$/.test(path);
}

/** Bodies read as text (and scrubbed): JSON, text/*, and bodies that do not say what they are. */
function isText(type: string): boolean {
  return type === '' || type.includes('json') || type.startsWith('text/') || type.includes('xml');
}

/** The upstream's status and headers, less hop-by-hop ones and cookies, for the client. */
function answerWith(ctx: GatewayContext, upstream: UpstreamResponse, key: string | null): void {
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
