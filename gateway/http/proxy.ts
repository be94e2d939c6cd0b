import { PassThrough } from 'node:stream';
import type { VendorId } from '../config/schema.ts';
import { GatewayError } from '../errors.ts';
import { textSlots, type BodyFormat } from '../filters/message-view.ts';
import type { JsonObject, Vendor } from '../vendors/types.ts';
import { admit } from './policy.ts';
import { appendLoggedBody } from '../recorder.ts';
import { nativeStreamRedactor, redactNativeAnswer } from '../filters/native-response.ts';
import type { Pattern } from '../filters/patterns.ts';
import { effectiveTimeouts, upstreamFailure, type UpstreamResponse } from '../forward.ts';
import { countInputTokens } from '../policy/tokens.ts';
import { CompleteEvents } from '../protocol/complete-events.ts';
import { formatSse, SseParser } from '../protocol/sse.ts';
import { KeyScrubber, scrubKey, scrubKeyBytes, scrubSecrets } from '../scrub.ts';
import { defaultTimeouts } from '../timeouts.ts';
import { isJsonObject, MAX_UPSTREAM_JSON_DEPTH, nestsDeeperThan } from '../vendors/upstream-json.ts';
import { isTokenCount } from '../vendors/usage-check.ts';
import { checkJsonLimits, readBody } from './body.ts';
import type { GatewayContext, Middleware } from './context.ts';
import { vendorOf, type EndpointDeps } from './openai-endpoints.ts';
import { pathNamesModel, rawProxyRest, upstreamTarget } from './proxy-path.ts';
import { abortOnClientClose, readBytes, streamProblem, upstreamLimits } from './relay.ts';
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

/** A JSON object body, else null (a `/proxy` body may be anything: multipart audio, no body at all). */
function parseNative(raw: Buffer | undefined): JsonObject | null {
  if (!raw || raw.length === 0) return null;
  let start = 0;
  while (
    start < raw.length &&
    (raw[start] === 0x20 || raw[start] === 0x0a || raw[start] === 0x0d || raw[start] === 0x09)
  )
    start++;
  // Not JSON (multipart audio, form data): no structure to check; the upstream reads it as it is.
  if (raw[start] !== 0x7b && raw[start] !== 0x5b) return null;
  // Checked like every other endpoint's body, before parsing: nesting, and numbers that overflow.
  checkJsonLimits(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return null;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as JsonObject)
    : null;
}

function formatOf(vendor: VendorId): BodyFormat {
  return vendor === 'anthropic' || vendor === 'gemini' ? vendor : 'openai';
}

/** The vendor's own error event, sent when its stream fails after the first byte (Anthropic names its events). */
function streamErrorEvent(vendor: Vendor, error: GatewayError): string {
  return formatSse(JSON.stringify(vendor.errorBody(error)), vendor.id === 'anthropic' ? 'error' : undefined);
}

/**
 * `/proxy/{routeId}/{rest}` → `baseUrl/{rest}` in the vendor's own format, unchanged: the
 * route's key replaces the caller's, the allow-list still applies, and usage is read from the
 * answer (or from the stream as it passes, without holding it back) for the row. Policy is
 * decided on exactly the path that is sent, and the route's key never comes back to the app.
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
    const native = parseNative(raw);
    const named = native?.['model'];
    if (named !== undefined && named !== null && typeof named !== 'string') {
      throw new GatewayError(400, 'invalid_request', '"model" must be a string.', { param: 'model' });
    }
    // A model the path names is the one that runs (Gemini ignores a body's "model"): it wins.
    const pathModel = vendor.modelFromPath(target.path);
    if (pathModel === null && hasBody && pathNamesModel(target.path)) {
      throw new GatewayError(
        400,
        'invalid_request',
        "The model could not be read from this path, so the route's allow-list, filters and budget cannot be applied.",
      );
    }
    const model = pathModel ?? (typeof named === 'string' && named !== '' ? named : null);
    draft.model = model;
    draft.stream = native?.['stream'] === true || target.path.includes(':streamGenerateContent');
    if (model !== null && !route.allowList.allows(model)) {
      throw new GatewayError(
        403,
        'model_not_allowed',
        `Model "${model}" is not on the allow-list of route "${route.id}".`,
      );
    }
    // Policy and filters apply to native bodies too; a body the filters rewrote is sent as rewritten.
    let body = raw;
    const format = formatOf(route.vendor);
    let patterns: Pattern[] = [];
    if (native && model !== null) {
      patterns = admit(deps.policy, { draft, app, route, body: native, format, model }).responsePatterns;
      // Untouched bodies go out byte for byte; only filters rewrite them.
      if (route.compiledFilters.length + app.compiledFilters.length > 0)
        body = Buffer.from(JSON.stringify(native));
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(ctx.req.headers)) {
      if (typeof value === 'string' && !DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
    }
    for (const [name, value] of Object.entries(vendor.defaultHeaders)) headers[name] ??= value;
    Object.assign(headers, vendor.authHeaders(route.apiKey));
    if (route.logBodies) draft.bodies = { request: body ? body.toString('utf8') : '', response: '' };
    const limits = upstreamLimits(deps.server());
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
      signal: abortOnClientClose(ctx).signal,
    });
    // Input tokens of a stream cut before the vendor said them: counted from the request, as on /openai.
    const countInput = () => {
      if (native && !isTokenCount(draft.usage.inputTokens) && (draft.partial || draft.errorCode !== null)) {
        draft.usage = {
          ...draft.usage,
          inputTokens: countInputTokens(
            textSlots(native, format).map((slot) => slot.text),
            route.vendor,
          ),
        };
      }
    };

    const type = String(upstream.headers['content-type'] ?? '');
    if (upstream.statusCode >= 400) draft.errorCode = `upstream_${upstream.statusCode}`;
    if (!type.includes('text/event-stream')) {
      // Read whole (up to the cap) before any header goes out: a cut or oversized body is a 502 in the vendor's shape.
      const bytes = await readBytes(upstream, limits.bodyBytes);
      answerWith(ctx, upstream, route.apiKey);
      if (!isText(type)) {
        // Audio, images, archives: bytes as they came, but for the route's key should an upstream echo it.
        ctx.body = scrubKeyBytes(bytes, route.apiKey);
        return;
      }
      const text = bytes.toString('utf8');
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
      return;
    }

    answerWith(ctx, upstream, route.apiKey);
    const reducer = vendor.chat.stream;
    const state = reducer.init({
      model: model ?? '',
      created: Math.floor(draft.time / 1000),
      clientWantsUsage: true,
    });
    const out = new PassThrough();
    const decoder = new TextDecoder();
    const scrubber = new KeyScrubber(route.apiKey);
    // Whole events only: a stream cut inside an event ends with the error event, not half an event.
    const events = new CompleteEvents();
    const redactor = patterns.length === 0 ? null : nativeStreamRedactor(format, patterns, reducer);
    const send = (text: string) => {
      if (text === '') return;
      if (draft.firstByteAt === null) draft.firstByteAt = performance.now();
      appendLoggedBody(draft, text);
      if (!out.write(text)) upstream.body.pause();
    };
    out.on('drain', () => upstream.body.resume());
    // Without filters the bytes go on as they came (the parser only reads them for usage);
    // with filters each event is re-emitted as it passes, its text held back only as long as a pattern needs.
    const parser = new SseParser(
      (event) => {
        reducer.next(state, event);
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
          countInput();
          resolve();
          return;
        }
        if (redactor)
          for (const item of redactor.end()) send(scrubber.push(formatSse(item.data, item.event)));
        // A last event without its blank line goes on when the stream ended well; half of one never does.
        // The reducer knows the chat streams only; another stream (Responses, say) that ended cleanly is whole.
        const cut = failure !== null || (!complete && isChatPath(target.path));
        const held = events.rest();
        if (!cut) send(scrubber.push(held));
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
          } else {
            draft.errorCode = reported;
          }
        } else if (upstream.statusCode < 400) {
          draft.errorCode = reducer.errorCode(state);
        }
        countInput();
        void draft.commit().then(() => {
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
  };
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
