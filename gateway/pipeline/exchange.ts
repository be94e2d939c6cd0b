import { setTimeout as delay } from 'node:timers/promises';
import { appMayUse, type Catalog, type RuntimeApp, type RuntimeRoute } from '../catalog.ts';
import type { ServerConfig } from '../config/schema.ts';
import { GatewayError } from '../errors.ts';
import { applyModelFilters } from '../filters/engine.ts';
import { effectiveTimeouts, upstreamFailure, type UpstreamResponse, type Upstreams } from '../forward.ts';
import { formatFor } from '../formats/index.ts';
// The hub: every translated request and answer passes through its shape.
import { openAiChatFormat as hub, hubStreamRedactor } from '../formats/openai-chat/index.ts';
import type { Carrier, ChatResult, JsonObject, WireFormat } from '../formats/types.ts';
import { parseJsonObject, readBody } from '../http/body.ts';
import type { GatewayContext, RequestState } from '../http/context.ts';
import { FALLBACK_MAX_TOKENS, isReasoningModel, modelLimits } from '../models/limits.ts';
import type { Pattern } from '../filters/patterns.ts';
import { countInputTokens } from '../policy/tokens.ts';
import type { Operation, OtherFormat, Provider } from '../providers/index.ts';
import type { VendorId } from '../domain.ts';
import { appendLoggedBody } from '../recorder.ts';
import { scrubKey, scrubSecrets } from '../scrub.ts';
import { defaultTimeouts } from '../timeouts.ts';
import type { ResponseStore } from '../store/responses.ts';
import { admit, type PolicyDeps } from './admit.ts';
import { agentSession } from './agent-session.ts';
import { answerWith, isText, nativeHeaders, readNativeCall, type NativeCall } from './native.ts';
import { upstreamTarget } from './proxy-path.ts';
import { jsonArrayFraming, SSE_FRAMING } from './framing.ts';
import { EVENT_STREAM_HEADERS, relayBytes, relayStream } from './relay.ts';
import { resolveRoute, routeForApp, type ModelMapper } from './resolve-route.ts';
import { HUB_ENCODER, hubStreamReader, inboundEncoder, nativeStreamReader } from './stream-readers.ts';
import { AttemptError, serveFromCandidates, type AttemptDeps, type Plan } from './attempts.ts';
import { retrySettings, verdictOf } from './retry.ts';
import type { RouteHealthBook } from '../policy/route-health.ts';
import {
  primeBody,
  isEventStream,
  passUpstreamHeaders,
  readBytes,
  readJson,
  sendUpstream,
  upstreamLimits,
} from './upstream.ts';
import { isJsonObject, MAX_UPSTREAM_JSON_DEPTH, nestsDeeperThan } from '../formats/upstream-json.ts';

export interface ExchangeDeps {
  catalog: Catalog;
  upstreams: Upstreams;
  server: () => ServerConfig;
  policy: PolicyDeps;
  /** Answers kept for clients to continue from (the Responses API's store), sealed. */
  kept: ResponseStore;
  /** Seals vendor state a client hands back next turn (signed thinking in Responses reasoning items). */
  carrier: Carrier;
  /** Routes cooling down after failures, skipped for their fallbacks. */
  health: RouteHealthBook;
  /** The provider of each vendor (`providerFor`; tests put a fake one in). */
  providers: (vendor: VendorId) => Provider | undefined;
}

/**
 * What an endpoint asks of the exchange: a call in a wire format the gateway reads (translated
 * through the hub to whatever the route speaks), or a native call on `/proxy` (passed through in
 * the route's own format).
 */
export type Call =
  | {
      operation: 'chat' | 'embeddings' | 'count_tokens';
      /** The format the client speaks. */
      inbound: WireFormat;
      routeId: string | undefined;
      /** The model the path names (Gemini puts it there): it wins over the body's. */
      pathModel?: string;
      /** Whether the path asks for a stream (Gemini's `:streamGenerateContent`), whatever the body says. */
      pathStream?: boolean;
      /** The client wants the stream as a JSON array (Gemini without `alt=sse`), not SSE. */
      arrayStream?: boolean;
    }
  | { operation: 'native'; routeId: string };

/** The provider of a route's vendor; a vendor this version cannot call is a 501. */
export function providerOf(deps: ExchangeDeps, route: RuntimeRoute): Provider {
  const provider = deps.providers(route.vendor);
  if (!provider) {
    throw new GatewayError(
      501,
      'vendor_not_supported',
      `Route "${route.id}" uses vendor "${route.vendor}", which this version cannot call yet.`,
      { type: 'api_error' },
    );
  }
  return provider;
}

/** The embeddings half of the route's format; a vendor without embeddings is the client's mistake. */
function embeddingsOf(format: WireFormat, route: RuntimeRoute): NonNullable<WireFormat['embeddings']> {
  if (format.embeddings === null) {
    throw new GatewayError(400, 'invalid_request', `Vendor "${route.vendor}" has no embeddings endpoint.`);
  }
  return format.embeddings;
}

/** Model aliases from the app's and the route's `model` filters. */
function aliasesFor(app: RuntimeApp): ModelMapper {
  // App first, then route; two calls rather than a merged list allocated on every request.
  return (route, model) =>
    applyModelFilters(route.compiledFilters, applyModelFilters(app.compiledFilters, model));
}

function requestedModel(body: JsonObject): string | undefined {
  const model = body['model'];
  if (model === undefined || model === null || model === '') return undefined;
  if (typeof model !== 'string')
    throw new GatewayError(400, 'invalid_request', '"model" must be a string.', { param: 'model' });
  return model;
}

export interface UpstreamCall {
  route: RuntimeRoute;
  provider: Provider;
  /** Token counts are the vendor's own only on pass-through; the gateway counts them itself. */
  operation: Exclude<Operation, 'count_tokens'>;
  model: string;
  stream: boolean;
  /** The body in the provider's format (none for a model list). */
  body?: JsonObject;
  signal: AbortSignal;
  controller?: AbortController;
}

/** Sends one call the gateway makes itself (chat, embeddings, a model list) with the timeouts in force. */
export function sendCall(deps: ExchangeDeps, call: UpstreamCall): Promise<UpstreamResponse> {
  const { route, operation } = call;
  const kind = operation === 'chat' ? 'generate' : operation;
  return sendUpstream({
    upstreams: deps.upstreams,
    route,
    provider: call.provider,
    target: { operation, model: call.model, stream: call.stream },
    method: call.body === undefined ? 'GET' : 'POST',
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
    headers: operation === 'chat' ? { accept: call.stream ? 'text/event-stream' : 'application/json' } : {},
    timeouts: effectiveTimeouts(
      defaultTimeouts({
        vendor: route.vendor,
        baseUrl: route.baseUrl,
        model: operation === 'models' ? null : call.model,
        stream: call.stream,
        kind,
      }),
      deps.server().timeouts,
      route.timeouts,
    ),
    signal: call.signal,
    controller: call.controller,
    maxBodyBytes: upstreamLimits(deps.server()).bodyBytes,
  });
}

/** A non-streamed chat answer read whole and turned into the hub's shape. */
export async function readChatAnswer(
  deps: ExchangeDeps,
  upstream: UpstreamResponse,
  format: WireFormat,
  context: { model: string; created: number },
): Promise<{ raw: string; parsed: unknown; result: ChatResult }> {
  const { raw, parsed } = await readJson(upstream, upstreamLimits(deps.server()).bodyBytes);
  return { raw, parsed, result: format.chat.response(parsed, context) };
}

/**
 * The one exchange every proxy endpoint runs: decode and validate the body, resolve the route,
 * admit (allow-list, filters, rate limits, budget), then either pass the bytes through (the
 * client speaks the route's own format: `/proxy`, or an inbound format its provider speaks) or
 * translate through the hub, send, read the answer or the stream, redact once, encode for the
 * client. The request's row is written by `recorded()` from the draft this fills in, once,
 * whatever happens.
 */
export async function runExchange(
  ctx: GatewayContext,
  deps: ExchangeDeps,
  state: RequestState,
  call: Call,
): Promise<void> {
  if (call.operation === 'native') {
    const hasBody = ctx.method !== 'GET' && ctx.method !== 'HEAD';
    const raw = hasBody ? await readBody(ctx.req, deps.server().maxBodyMb * 1024 * 1024) : undefined;
    const route = routeForApp(deps.catalog, state.app, call.routeId);
    state.draft.route = route.id;
    state.draft.vendor = route.vendor;
    const native = readNativeCall(ctx, route, providerOf(deps, route), raw);
    noteSession(ctx, state, native.json);
    return passThrough(ctx, deps, state, route, native);
  }
  const { draft, app } = state;
  const { inbound, operation } = call;

  // Decode.
  const raw = await readBody(ctx.req, deps.server().maxBodyMb * 1024 * 1024);
  const body = parseJsonObject(raw);
  const requested = call.pathModel ?? requestedModel(body);
  noteSession(ctx, state, body);

  // Resolve the route and the model (aliases and allow-list applied). A refusal's row still says
  // what was asked for, and where the path named a route the app may use, that route.
  draft.model = requested ?? null;
  const named = call.routeId === undefined ? undefined : deps.catalog.routes.get(call.routeId);
  if (named && appMayUse(app, named.id)) {
    draft.route = named.id;
    draft.vendor = named.vendor;
  }
  const resolved = resolveRoute(deps.catalog, app, call.routeId, requested, aliasesFor(app));
  const { route } = resolved;
  draft.route = route.id;
  draft.vendor = route.vendor;
  draft.model = resolved.model;
  if (resolved.asked !== resolved.model) draft.requestedModel = resolved.asked;
  const stream = call.pathStream ?? (operation === 'chat' && body['stream'] === true);
  const request: ClientRequest = { call, raw, stream, requested, asked: resolved.asked };

  // A token count the route cannot make is the gateway's own: no vendor call, no fallback.
  if (operation === 'count_tokens' && nativePathFor(deps, call, route, resolved.model, stream) === null) {
    const translator = inbound.inbound;
    if (translator === null)
      throw new GatewayError(404, 'route_not_found', 'This format has no token counting.');
    ctx.body = translator.tokenCount(countRequestTokens(inbound, body, route));
    return;
  }

  // The route, then its fallbacks (chat only: an embedding from another model is another vector
  // space), each planned when its turn comes on its own copy of the body as the client sent it.
  const fallbacks = operation === 'chat' ? fallbackCandidates(deps, app, route, resolved.asked) : [];
  let planned = 0;
  const planOn = (candidate: { route: RuntimeRoute; model: string }) => () =>
    planCall(
      ctx,
      deps,
      state,
      request,
      candidate,
      // A fallback gets the body parsed afresh from the bytes the client sent (the routes before it
      // may have rewritten theirs): no copy is made for the many requests that never fall back.
      planned++ === 0 ? body : parseJsonObject(raw),
    );
  await serveFromCandidates(ctx, attemptDeps(deps), draft, [
    { route, plan: planOn({ route, model: resolved.model }) },
    ...fallbacks.map((candidate) => ({ route: candidate.route, plan: planOn(candidate) })),
  ]);
}

/** What the client asked, as every route's plan reads it. */
interface ClientRequest {
  call: Extract<Call, { inbound: WireFormat }>;
  raw: Buffer;
  stream: boolean;
  /** The model the client named, if any. */
  requested: string | undefined;
  /** The model as asked on the route (its prefix removed), before maps and aliases. */
  asked: string;
}

/** The route's path for a call in the client's own format, where its server takes it as it is; else null. */
function nativePathFor(
  deps: ExchangeDeps,
  call: ClientRequest['call'],
  route: RuntimeRoute,
  model: string,
  stream: boolean,
): string | null {
  const { inbound, operation } = call;
  if (inbound.inbound === null) return null;
  const provider = providerOf(deps, route);
  const target = { operation, model, stream };
  return provider.format === inbound.id
    ? provider.path(target)
    : otherFormatPath(provider.alsoSpeaks[inbound.id], route, target);
}

/**
 * A route's fallbacks that this app may use, each with its model: the fallback's model map applied
 * to the model asked, else its default model, else the model asked where its allow-list takes it.
 */
function fallbackCandidates(
  deps: ExchangeDeps,
  app: RuntimeApp,
  route: RuntimeRoute,
  asked: string,
): { route: RuntimeRoute; model: string }[] {
  return route.fallbacks.flatMap((id) => {
    const fallback = deps.catalog.routes.get(id);
    if (fallback === undefined || !appMayUse(app, id) || !deps.providers(fallback.vendor)) return [];
    const model = fallback.compiledModelMap.lookup(asked) ?? fallback.defaultModel ?? asked;
    return fallback.allowList.allows(model) ? [{ route: fallback, model }] : [];
  });
}

/** Retries and cooldowns as the server section and the route say. */
function attemptDeps(deps: ExchangeDeps): AttemptDeps {
  return {
    health: deps.health,
    retry: (route) => retrySettings(deps.server().retry, route.retries),
    now: Date.now,
    sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
  };
}

/** How the request is served on one route: passed through where it speaks the client's format, else translated. */
function planCall(
  ctx: GatewayContext,
  deps: ExchangeDeps,
  state: RequestState,
  request: ClientRequest,
  candidate: { route: RuntimeRoute; model: string },
  body: JsonObject,
): Plan {
  const { route, model } = candidate;
  const { call, stream } = request;
  const nativePath = nativePathFor(deps, call, route, model, stream);
  if (nativePath !== null) {
    const native = inboundNativeCall(
      ctx,
      route,
      call.inbound,
      nativePath,
      { raw: request.raw, body, operation: call.operation, stream },
      model,
      deps.carrier,
    );
    return nativePlan(ctx, deps, state, route, {
      ...native,
      framing: call.arrayStream ? jsonArrayFraming() : null,
    });
  }
  return translatedPlan(ctx, deps, state, request, candidate, body);
}

/** A whole answer read, or a stream that has shown its first byte. */
type TranslatedReady =
  | {
      status: number;
      kind: 'embeddings' | 'chat';
      upstream: UpstreamResponse;
      text: string;
      parsed: unknown;
      result: ChatResult;
    }
  | { status: number; kind: 'stream'; upstream: UpstreamResponse };

/**
 * The request translated through the hub for a route of another format: validated, continued from
 * a kept answer, admitted by policy, translated; then sent, read, redacted once and encoded for the
 * client.
 */
function translatedPlan(
  ctx: GatewayContext,
  deps: ExchangeDeps,
  state: RequestState,
  request: ClientRequest,
  candidate: { route: RuntimeRoute; model: string },
  clientBody: JsonObject,
): Plan<TranslatedReady> {
  const { draft, app } = state;
  const { route } = candidate;
  const { call, stream, requested } = request;
  const { inbound, operation } = call;
  const provider = providerOf(deps, route);
  const target = formatFor(provider.format);
  const framing = call.arrayStream ? jsonArrayFraming() : SSE_FRAMING;
  const translator = inbound.inbound;
  let body = clientBody;
  const embedder = operation === 'embeddings' ? embeddingsOf(target, route) : null;
  inbound.validate(body, operation === 'embeddings' ? 'embeddings' : 'chat');
  // A request that continues an answer the gateway keeps stands alone from here on.
  const stored = operation === 'chat' ? (translator?.stored ?? null) : null;
  const previousId = stored?.continues(body) ?? null;
  if (stored && previousId !== null) {
    const previous = deps.kept.get(previousId, app.name, Date.now());
    if (previous === null) throw stored.continuesUnknown(previousId);
    body = stored.expand(body, previous);
  }
  const keep = (answer: JsonObject | null) => {
    if (!stored || answer === null || !stored.keep(body)) return;
    const id = stored.id(answer);
    if (id === null) return;
    try {
      const record = {
        id,
        app: app.name,
        route: route.id,
        createdAt: Date.now(),
        ...stored.record(body, answer),
      };
      if (!deps.kept.save(record)) draft.note = 'the answer was not kept: it is over the size limit';
    } catch (error) {
      deps.policy.log('error', `could not keep answer ${id}: ${String(error)}`);
    }
  };
  if (operation === 'chat') {
    draft.stream = stream;
    // Counted only if the request is cut before the vendor says its input tokens (either side may cut it).
    draft.countInput = () =>
      countInputTokens(
        inbound.view.textSlots(body).map((slot) => slot.text),
        route.vendor,
      );
  }

  // Admit.
  const admission = admit(deps.policy, {
    draft,
    app,
    route,
    body,
    view: inbound.view,
    model: candidate.model,
  });
  const { model } = admission;
  const patterns = operation === 'chat' ? admission.responsePatterns : [];
  // As the client sent it, after filters; the answer as the client got it (below and in the relay).
  if (route.logBodies) draft.bodies = { request: JSON.stringify(body), response: '', path: ctx.path };

  // Translate to the hub, then to the route's format.
  const created = Math.floor(draft.time / 1000);
  const hubBody =
    translator && operation === 'chat' ? translator.request(body, { model, carrier: deps.carrier }) : body;
  const dropped = translator?.dropped?.(body) ?? [];
  if (dropped.length > 0) draft.note = `dropped, the route cannot run them: ${dropped.join(', ')}`;
  if (translator) {
    // Gemini says "stream" in its path, not its body.
    if (operation === 'chat') hubBody['stream'] = stream;
    // A client of another format asked to think (Claude Code and Gemini CLI always may): only a model that reasons takes it.
    if (!isReasoningModel(model)) delete hubBody['reasoning_effort'];
  }
  const upstreamBody = embedder
    ? embedder.request(hubBody, { model })
    : target.chat.request(hubBody, {
        model,
        stream,
        defaultMaxTokens: modelLimits(model).outputTokens ?? route.defaultMaxTokens ?? FALLBACK_MAX_TOKENS,
      });
  const answerModel = requested ?? model;
  const limits = upstreamLimits(deps.server());

  return {
    route,
    model,
    async attempt(controller) {
      const upstream = await sendCall(deps, {
        route,
        provider,
        operation: embedder ? 'embeddings' : 'chat',
        model,
        stream,
        body: upstreamBody,
        signal: controller.signal,
        controller,
      });
      if (embedder) {
        const { raw: text, parsed } = await readJson(upstream, limits.bodyBytes).catch(unanswered);
        const result = embedder.response(parsed, { model, created, encodingFormat: body['encoding_format'] });
        return { status: upstream.statusCode, kind: 'embeddings', upstream, text, parsed, result };
      }
      if (!stream) {
        const read = await readChatAnswer(deps, upstream, target, { model, created }).catch(unanswered);
        return { status: upstream.statusCode, kind: 'chat', upstream, text: read.raw, ...read };
      }
      if (!isEventStream(upstream)) {
        await upstream.body.dump();
        throw new GatewayError(
          502,
          'upstream_error',
          'The upstream was asked to stream but did not answer with an event stream.',
        );
      }
      await primeBody(upstream).catch(unanswered);
      return { status: upstream.statusCode, kind: 'stream', upstream };
    },
    async answer(ready) {
      passUpstreamHeaders(ctx, ready.upstream);
      if (ready.kind !== 'stream') {
        const { result, text, parsed } = ready;
        draft.usage = result.usage;
        draft.upstreamModel = result.upstreamModel;
        let answer: string;
        if (ready.kind === 'embeddings' || (patterns.length === 0 && translator === null)) {
          answer = result.body ? JSON.stringify(result.body) : text;
        } else {
          const hubAnswer = result.body ?? (parsed as JsonObject);
          if (patterns.length > 0) hub.redact.answer(hubAnswer, patterns);
          const client = translator
            ? translator.response(hubAnswer, { model: answerModel, carrier: deps.carrier })
            : hubAnswer;
          keep(client);
          answer = JSON.stringify(client);
        }
        ctx.type = 'application/json';
        // The route's key never reaches an app, even when an upstream echoes it.
        ctx.body = scrubKey(answer, route.apiKey);
        appendLoggedBody(draft, ctx.body as string);
        return;
      }
      const options = body['stream_options'] as { include_usage?: unknown } | undefined;
      const reader = hubStreamReader(
        target.chat.stream,
        // A translated client gets usage in its own format's way: the hub must carry it.
        { model, created, clientWantsUsage: translator !== null || options?.include_usage === true },
        patterns.length === 0 ? null : hubStreamRedactor(patterns),
        translator === null
          ? HUB_ENCODER
          : inboundEncoder(
              translator,
              {
                model: answerModel,
                estimatedInputTokens: countRequestTokens(inbound, body, route),
                carrier: deps.carrier,
              },
              framing,
              stored ? (events) => keep(stored.finalAnswer(events)) : undefined,
            ),
      );
      ctx.set({ ...EVENT_STREAM_HEADERS, 'content-type': framing.contentType });
      draft.pending = relayStream(ctx, ready.upstream, reader, draft, {
        framing,
        clientFormat: inbound,
        status: 200,
        key: route.apiKey,
        maxEventBytes: limits.eventBytes,
      });
      await draft.pending;
    },
  };
}

/** The path of a call in another format the provider takes as it is, where this route's server does. */
function otherFormatPath(
  other: OtherFormat | undefined,
  route: RuntimeRoute,
  target: { operation: Operation; model: string; stream: boolean },
): string | null {
  if (other === undefined || !(other.always || route.speaksResponses)) return null;
  return other.path(target);
}

/** The agent session and tool the request says it belongs to, for its row. */
function noteSession(ctx: GatewayContext, { draft }: RequestState, body: JsonObject | null): void {
  const { session, agent } = agentSession(ctx.req.headers, body);
  draft.session = session;
  draft.agent = agent;
}

/** The request's input tokens as the gateway counts them (text and tool definitions), with the route's margin. */
function countRequestTokens(format: WireFormat, body: JsonObject, route: RuntimeRoute): number {
  return countInputTokens(
    [
      ...format.view.textSlots(body).map((slot) => slot.text),
      body['tools'] ? JSON.stringify(body['tools']) : '',
    ],
    route.vendor,
  );
}

/**
 * A request in the route's own format, sent to the provider's path for the operation: the
 * client's query kept (less `key`), its model rewritten only where routing changed it
 * (`routeId/model`, an alias), so that everything else goes on byte for byte.
 */
function inboundNativeCall(
  ctx: GatewayContext,
  route: RuntimeRoute,
  format: WireFormat,
  path: string | null,
  request: { raw: Buffer; body: JsonObject; operation: Operation; stream: boolean },
  model: string,
  carrier: Carrier,
): NativeCall {
  const { raw, operation, stream } = request;
  if (path === null) {
    throw new GatewayError(400, 'invalid_request', `Vendor "${route.vendor}" has no ${operation} endpoint.`);
  }
  const [pathOnly = '', pathQuery = ''] = path.split('?');
  const query = new URLSearchParams(ctx.querystring);
  for (const [name, value] of new URLSearchParams(pathQuery)) query.set(name, value);
  // State the gateway carried for another vendor (a session that changed routes) is not this server's.
  const own = format.inbound?.forNative?.(request.body, carrier) ?? null;
  const body = own ?? request.body;
  const named = body['model'];
  const renamed = typeof named === 'string' && named !== model;
  if (renamed) format.view.setModel(body, model);
  const rewritten = renamed || own !== null;
  return {
    target: upstreamTarget(route.baseUrl, pathOnly, query.toString()),
    reading: { model, stream, chat: operation === 'chat' },
    json: body,
    raw: rewritten ? Buffer.from(JSON.stringify(body)) : raw,
    model,
    sendsBody: true,
    framing: null,
    format,
  };
}

/** A pass-through call on one route (`/proxy`, a kept answer read again), with its retries. */
function passThrough(
  ctx: GatewayContext,
  deps: ExchangeDeps,
  state: RequestState,
  route: RuntimeRoute,
  call: NativeCall,
): Promise<void> {
  return serveFromCandidates(ctx, attemptDeps(deps), state.draft, [
    { route, plan: () => nativePlan(ctx, deps, state, route, call) },
  ]);
}

/** The upstream's answer to a pass-through call: its error body already read where it failed. */
interface NativeReady {
  status: number;
  upstream: UpstreamResponse;
  /** The whole body, where it was read to judge a failure. */
  text: string | null;
}

/** A body that failed before it was whole (or, streamed, before its first byte) had no answer in it. */
function unanswered(error: unknown): never {
  throw new AttemptError({ status: null, error: upstreamFailure(error) });
}

/**
 * A call in the route's own format, passed through unchanged: the route's key replaces the
 * caller's, the allow-list and the rest of policy still apply, and usage is read from the answer
 * (or from the stream as it passes, without holding it back) for the row. Policy is decided on
 * exactly the path that is sent and on the body as the upstream will read it, and the route's key
 * never comes back to the app. A failed answer is passed on as the vendor gave it, when it is the
 * last try.
 */
function nativePlan(
  ctx: GatewayContext,
  deps: ExchangeDeps,
  { draft, app }: RequestState,
  route: RuntimeRoute,
  call: NativeCall,
): Plan<NativeReady> {
  const provider = providerOf(deps, route);
  const { target, reading, json, model, sendsBody, format } = call;
  draft.model = model;
  draft.stream = json?.['stream'] === true || reading.stream;

  // Admit: policy applies to every body; filters read JSON ones, rate limits and budgets hold for all.
  let body = call.raw;
  let patterns: Pattern[] = [];
  if (sendsBody) {
    patterns = admit(deps.policy, {
      draft,
      app,
      route,
      body: json ?? {},
      view: format.view,
      model: model ?? route.defaultModel ?? '',
    }).responsePatterns;
    // Untouched bodies go out byte for byte; only filters rewrite them.
    if (json && route.compiledFilters.length + app.compiledFilters.length > 0)
      body = Buffer.from(JSON.stringify(json));
  }
  if (json) {
    // A stream cut before the vendor said its input tokens: counted from the request, as on /openai.
    draft.countInput = () =>
      countInputTokens(
        format.view.textSlots(json).map((slot) => slot.text),
        route.vendor,
      );
  }
  if (route.logBodies)
    draft.bodies = { request: body ? body.toString('utf8') : '', response: '', path: ctx.path };
  const limits = upstreamLimits(deps.server());

  return {
    route,
    // The row says what the call named: nothing, where it named none (not the route's default).
    model,
    async attempt(controller) {
      // Send, the bytes unchanged, signed with the route's key.
      const upstream = await deps.upstreams.send({
        url: target.url,
        method: ctx.method,
        headers: await nativeHeaders(ctx, route, provider),
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
        signal: controller.signal,
        controller,
      });
      const status = upstream.statusCode;
      if (ctx.method === 'HEAD') return { status, upstream, text: null };
      if (status >= 400) {
        // Read whole to judge it: the vendor's words say whether trying again can help.
        const text = (await readBytes(upstream, limits.bodyBytes).catch(unanswered)).toString('utf8');
        const error = format.mapError(status, scrubSecrets(text, [route.apiKey]));
        const retryAfter = upstream.headers['retry-after'];
        if (typeof retryAfter === 'string') error.headers['retry-after'] = retryAfter;
        const ready = { status, upstream, text };
        const failure = { status, error };
        if (verdictOf(failure) !== 'stop') throw new AttemptError(failure, () => answerNative(ready));
        return ready;
      }
      if (isEventStream(upstream) || !isText(String(upstream.headers['content-type'] ?? ''))) {
        // An answer that says it is empty has no first byte to wait for: it is passed on as it is.
        if (upstream.headers['content-length'] === '0') return { status, upstream, text: null };
        await primeBody(upstream).catch(unanswered);
        return { status, upstream, text: null };
      }
      // Read whole (up to the cap) before any header goes out: a cut or oversized body fails the attempt.
      const text = (await readBytes(upstream, limits.bodyBytes).catch(unanswered)).toString('utf8');
      return { status, upstream, text };
    },
    answer: (ready) => answerNative(ready),
  };

  async function answerNative({ upstream, text }: NativeReady): Promise<void> {
    // Read: as it comes, for usage; redacted once where a filter redacts answers.
    const type = String(upstream.headers['content-type'] ?? '');
    if (upstream.statusCode >= 400) draft.errorCode = `upstream_${upstream.statusCode}`;
    if (ctx.method === 'HEAD') {
      await upstream.body.dump();
      answerWith(ctx, upstream, route.apiKey);
      const length = upstream.headers['content-length'];
      if (typeof length === 'string') ctx.set('content-length', length);
      return;
    }
    if (text === null && isEventStream(upstream)) {
      answerWith(ctx, upstream, route.apiKey);
      if (call.framing) ctx.set('content-type', call.framing.contentType);
      const reader = nativeStreamReader(
        format.chat.stream,
        { model: model ?? '', created: Math.floor(draft.time / 1000), clientWantsUsage: true },
        patterns.length === 0 ? null : format.redact.stream(patterns),
        reading.chat,
        call.framing,
      );
      draft.pending = relayStream(ctx, upstream, reader, draft, {
        framing: call.framing ?? SSE_FRAMING,
        clientFormat: format,
        status: upstream.statusCode,
        key: route.apiKey,
        maxEventBytes: limits.eventBytes,
      });
      await draft.pending;
      return;
    }
    if (text === null) {
      // Audio, images, files: streamed as they come (never held whole), the route's key scrubbed all the same.
      answerWith(ctx, upstream, route.apiKey);
      draft.pending = relayBytes(ctx, upstream, draft, route.apiKey);
      await draft.pending;
      return;
    }
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
          const result = format.chat.response(parsed, {
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
          format.redact.answer(parsed, patterns);
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
  }
}

const ANSWER_ID = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * `GET` or `DELETE …/responses/{id}`: a kept answer read again or removed. A route whose server
 * keeps its own (OpenAI's) is asked through; for the others the gateway answers from what it kept,
 * for this app only.
 */
export async function keptAnswer(
  ctx: GatewayContext,
  deps: ExchangeDeps,
  state: RequestState,
  call: { inbound: WireFormat; routeId: string; id: string },
): Promise<void> {
  const { draft, app } = state;
  const route = routeForApp(deps.catalog, app, call.routeId);
  draft.route = route.id;
  draft.vendor = route.vendor;
  const provider = providerOf(deps, route);
  const stored = call.inbound.inbound?.stored;
  // Ids are `resp_…`: anything else (an encoded '/', '%', '..') is no id, and never reaches a path.
  if (!ANSWER_ID.test(call.id)) {
    throw (
      stored?.unknown(call.id) ??
      new GatewayError(404, 'route_not_found', 'There is no endpoint at this path.')
    );
  }
  const own = otherFormatPath(provider.alsoSpeaks[call.inbound.id], route, {
    operation: 'chat',
    model: '',
    stream: false,
  });
  if (own !== null) {
    return passThrough(ctx, deps, state, route, {
      target: upstreamTarget(route.baseUrl, `${own.split('?')[0] ?? own}/${call.id}`, ctx.querystring),
      reading: { model: null, stream: false, chat: false },
      json: null,
      raw: undefined,
      model: null,
      sendsBody: false,
      framing: null,
      format: call.inbound,
    });
  }
  if (stored === undefined)
    throw new GatewayError(404, 'route_not_found', 'There is no endpoint at this path.');
  const now = Date.now();
  const kept = deps.kept.get(call.id, app.name, now);
  if (kept === null) throw stored.unknown(call.id);
  draft.model = kept.model;
  if (ctx.method === 'DELETE') {
    deps.kept.delete(call.id, app.name, now);
    ctx.body = stored.deleted(call.id);
    return;
  }
  ctx.body = stored.show(call.id, kept.createdAt, kept);
}
