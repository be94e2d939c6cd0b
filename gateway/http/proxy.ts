import { PassThrough } from 'node:stream';
import type { VendorId } from '../config/schema.ts';
import { GatewayError } from '../errors.ts';
import type { BodyFormat } from '../filters/message-view.ts';
import type { JsonObject } from '../vendors/types.ts';
import { admit } from './policy.ts';
import { appendLoggedBody } from '../recorder.ts';
import { nativeStreamRedactor, redactNativeAnswer } from '../filters/native-response.ts';
import type { Pattern } from '../filters/patterns.ts';
import { formatSse } from '../protocol/sse.ts';
import { effectiveTimeouts } from '../forward.ts';
import { SseParser } from '../protocol/sse.ts';
import { readBody } from './body.ts';
import type { Middleware } from './context.ts';
import { vendorOf, type EndpointDeps } from './openai-endpoints.ts';
import { abortOnClientClose, passUpstreamHeaders } from './relay.ts';
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

function parseNative(raw: Buffer | undefined): JsonObject | null {
  if (!raw || raw.length === 0) return null;
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as JsonObject)
      : null;
  } catch {
    return null;
  }
}

function formatOf(vendor: VendorId): BodyFormat {
  return vendor === 'anthropic' || vendor === 'gemini' ? vendor : 'openai';
}

/**
 * `/proxy/{routeId}/{rest}` → `baseUrl/{rest}` in the vendor's own format, unchanged: the
 * route's key replaces the caller's, the allow-list still applies, and usage is read from the
 * answer (or from the stream as it passes, without holding it back) for the row.
 */
export function proxyPassThrough(deps: EndpointDeps): Middleware {
  return async function proxyHandler(ctx) {
    const app = ctx.state.app!;
    const draft = ctx.state.draft!;
    const route = routeForApp(deps.catalog, app, ctx.params['routeId']!);
    const vendor = vendorOf(route);
    draft.route = route.id;
    draft.vendor = route.vendor;
    const hasBody = ctx.method !== 'GET' && ctx.method !== 'HEAD';
    const raw = hasBody ? await readBody(ctx.req, deps.server().maxBodyMb * 1024 * 1024) : undefined;
    const rest = ctx.params['rest'] ?? '';
    const native = parseNative(raw);
    const model =
      (typeof native?.['model'] === 'string' ? native['model'] : null) ?? vendor.modelFromPath(rest);
    draft.model = model;
    draft.stream = native?.['stream'] === true || rest.includes(':streamGenerateContent');
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
    const search = new URLSearchParams(ctx.querystring);
    search.delete('key');
    const query = search.size > 0 ? `?${search.toString()}` : '';
    if (route.logBodies) draft.bodies = { request: body ? body.toString('utf8') : '', response: '' };
    const upstream = await deps.upstreams.send({
      url: `${route.baseUrl}/${rest}${query}`,
      method: ctx.method,
      headers,
      body,
      timeouts: effectiveTimeouts(deps.server().timeouts, route.timeouts),
      signal: abortOnClientClose(ctx).signal,
    });

    ctx.status = upstream.statusCode;
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) ctx.set(name, value);
    }
    passUpstreamHeaders(ctx, upstream);
    const type = String(upstream.headers['content-type'] ?? '');
    if (upstream.statusCode >= 400) draft.errorCode = `upstream_${upstream.statusCode}`;

    if (type.includes('text/event-stream')) {
      const reducer = vendor.chat.stream;
      const state = reducer.init({
        model: model ?? '',
        created: Math.floor(draft.time / 1000),
        clientWantsUsage: true,
      });
      const out = new PassThrough();
      const decoder = new TextDecoder();
      let parser: SseParser;
      if (patterns.length === 0) {
        // Two consumers attached in the same tick: the client's copy and the usage reader; neither holds bytes back.
        parser = new SseParser((event) => void reducer.next(state, event));
        upstream.body.pipe(out);
      } else {
        // Redacting: each event is re-emitted as it passes, its text held back only as long as a pattern needs.
        const redactor = nativeStreamRedactor(format, patterns, reducer);
        parser = new SseParser((event) => {
          reducer.next(state, event);
          for (const item of redactor.next(event)) {
            const formatted = formatSse(item.data, item.event);
            out.write(formatted);
            appendLoggedBody(draft, formatted);
          }
        });
        upstream.body.once('end', () => {
          parser.end();
          for (const item of redactor.end()) out.write(formatSse(item.data, item.event));
          out.end();
        });
        upstream.body.once('error', (error) => out.destroy(error));
      }
      upstream.body.on('data', (chunk: Buffer) => {
        const text = decoder.decode(chunk, { stream: true });
        parser.push(text);
        // The native stream as it came (before any redaction of the client's copy).
        if (draft.bodies && patterns.length === 0) appendLoggedBody(draft, text);
      });
      draft.pending = new Promise<void>((resolve) => {
        const done = () => {
          parser.end();
          draft.usage = reducer.usage(state);
          draft.upstreamModel = reducer.upstreamModel(state);
          if (!reducer.end(state).complete) draft.partial = true;
          resolve();
        };
        upstream.body.once('end', done);
        upstream.body.once('error', done);
        upstream.body.once('close', done);
      });
      draft.stream = true;
      ctx.body = out;
      return;
    }
    if (type.includes('json')) {
      const text = await upstream.body.text();
      try {
        const result = vendor.chat.response(JSON.parse(text), {
          model: model ?? '',
          created: Math.floor(draft.time / 1000),
        });
        draft.usage = result.usage;
        draft.upstreamModel = result.upstreamModel;
      } catch {
        // Not JSON after all: passed on as it is, with no usage to record.
      }
      if (patterns.length > 0 && upstream.statusCode < 400) {
        try {
          const answer = JSON.parse(text) as JsonObject;
          redactNativeAnswer(answer, format, patterns);
          ctx.body = answer;
          appendLoggedBody(draft, JSON.stringify(answer));
          return;
        } catch {
          // Not JSON: nothing to redact in a structure we know.
        }
      }
      ctx.body = text;
      appendLoggedBody(draft, text);
      return;
    }
    ctx.body = upstream.body;
  };
}
