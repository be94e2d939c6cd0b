import { appMayUse, type Catalog, type RuntimeApp, type RuntimeRoute } from '../catalog.ts';
import type { ServerConfig } from '../config/schema.ts';
import { GatewayError } from '../errors.ts';
import { effectiveTimeouts, type Upstreams } from '../forward.ts';
import { FALLBACK_MAX_TOKENS, modelLimits } from '../models/catalogue.ts';
import { isGlob } from '../policy/allow-list.ts';
import { vendorFor } from '../providers/index.ts';
import type { JsonObject, Vendor } from '../formats/types.ts';
import { readJsonObject } from './body.ts';
import type { GatewayContext, Middleware } from './context.ts';
import {
  abortOnClientClose,
  isEventStream,
  passUpstreamHeaders,
  readJson,
  relayStream,
  sendUpstream,
  upstreamLimits,
} from './relay.ts';
import { scrubKey } from '../scrub.ts';
import { defaultTimeouts } from '../timeouts.ts';
import { resolveRoute, routeForApp, type ModelMapper } from './resolve-route.ts';
import { appendLoggedBody } from '../recorder.ts';
import { admit, type PolicyDeps } from './policy.ts';
import { applyModelFilters } from '../filters/engine.ts';
import { textSlots } from '../filters/message-view.ts';
import { countInputTokens } from '../policy/tokens.ts';
import { redactCompletion, redactingStream } from '../filters/response.ts';

export interface EndpointDeps {
  catalog: Catalog;
  upstreams: Upstreams;
  server: () => ServerConfig;
  policy: PolicyDeps;
}

/** Model aliases from the app's and the route's `model` filters. */
function aliasesFor(app: RuntimeApp): ModelMapper {
  // App first, then route; two calls rather than a merged list allocated on every request.
  return (route, model) =>
    applyModelFilters(route.compiledFilters, applyModelFilters(app.compiledFilters, model));
}

export function vendorOf(route: RuntimeRoute): Vendor {
  const vendor = vendorFor(route.vendor);
  if (!vendor) {
    throw new GatewayError(
      501,
      'vendor_not_supported',
      `Route "${route.id}" uses vendor "${route.vendor}", which this version cannot call yet.`,
      { type: 'api_error' },
    );
  }
  return vendor;
}

function requestedModel(body: JsonObject): string | undefined {
  const model = body['model'];
  if (model === undefined || model === null || model === '') return undefined;
  if (typeof model !== 'string')
    throw new GatewayError(400, 'invalid_request', '"model" must be a string.', { param: 'model' });
  return model;
}

async function readRequest(ctx: GatewayContext, deps: EndpointDeps) {
  const body = await readJsonObject(ctx.req, deps.server().maxBodyMb * 1024 * 1024);
  const app = ctx.state.app!;
  const resolved = resolveRoute(
    deps.catalog,
    app,
    ctx.params['routeId'],
    requestedModel(body),
    aliasesFor(app),
  );
  const { route } = resolved;
  const draft = ctx.state.draft!;
  draft.route = route.id;
  draft.vendor = route.vendor;
  draft.model = resolved.model;
  const vendor = vendorOf(route);
  return { body, route, app, model: resolved.model, vendor, draft };
}

/** Input tokens of a stream cut before the vendor reported its usage: counted with the tokenizer. */
function estimateInputTokens(body: JsonObject, route: RuntimeRoute): number {
  return countInputTokens(
    textSlots(body, 'openai').map((slot) => slot.text),
    route.vendor,
  );
}

export function chatCompletions(deps: EndpointDeps): Middleware {
  return async function chatCompletionsHandler(ctx) {
    const request = await readRequest(ctx, deps);
    const { body, route, vendor, draft } = request;
    if (!Array.isArray(body['messages'])) {
      throw new GatewayError(400, 'invalid_request', '"messages" must be an array.', { param: 'messages' });
    }
    const stream = body['stream'] === true;
    draft.stream = stream;
    // Counted only if the request is cut before the vendor says its input tokens (either side may cut it).
    draft.countInput = () => estimateInputTokens(body, route);
    const admission = admit(deps.policy, { ...request, format: 'openai' });
    const model = admission.model;
    const patterns = admission.responsePatterns;
    // As the client sent it, after filters; the answer as the client got it (below and in the relay).
    if (route.logBodies) draft.bodies = { request: JSON.stringify(body), response: '' };
    const call = vendor.chat.request(body, {
      model,
      stream,
      defaultMaxTokens: modelLimits(model).outputTokens ?? route.defaultMaxTokens ?? FALLBACK_MAX_TOKENS,
    });
    const created = Math.floor(draft.time / 1000);
    const limits = upstreamLimits(deps.server());
    const controller = abortOnClientClose(ctx);
    const upstream = await sendUpstream({
      upstreams: deps.upstreams,
      route,
      vendor,
      method: 'POST',
      path: call.path,
      body: JSON.stringify(call.body),
      headers: { ...vendor.defaultHeaders, accept: stream ? 'text/event-stream' : 'application/json' },
      timeouts: effectiveTimeouts(
        defaultTimeouts({ vendor: route.vendor, baseUrl: route.baseUrl, model, stream, kind: 'generate' }),
        deps.server().timeouts,
        route.timeouts,
      ),
      signal: controller.signal,
      controller,
      maxBodyBytes: limits.bodyBytes,
    });
    passUpstreamHeaders(ctx, upstream);

    if (!stream) {
      const { raw, parsed } = await readJson(upstream, limits.bodyBytes);
      const result = vendor.chat.response(parsed, { model, created });
      draft.usage = result.usage;
      draft.upstreamModel = result.upstreamModel;
      ctx.type = 'application/json';
      let answer: string;
      if (patterns.length === 0) {
        answer = result.body ? JSON.stringify(result.body) : raw;
      } else {
        const redacted = result.body ?? (parsed as JsonObject);
        redactCompletion(redacted, patterns);
        answer = JSON.stringify(redacted);
      }
      // The route's key never reaches an app, even when an upstream echoes it.
      ctx.body = scrubKey(answer, route.apiKey);
      appendLoggedBody(draft, ctx.body as string);
      return;
    }
    if (!isEventStream(upstream)) {
      await upstream.body.dump();
      throw new GatewayError(
        502,
        'upstream_error',
        'The upstream was asked to stream but did not answer with an event stream.',
      );
    }
    const options = body['stream_options'] as { include_usage?: unknown } | undefined;
    const reducer =
      patterns.length === 0 ? vendor.chat.stream : redactingStream(vendor.chat.stream, patterns);
    const state = reducer.init({
      model,
      created,
      clientWantsUsage: options?.include_usage === true,
    });
    draft.pending = relayStream(ctx, upstream, reducer, state, draft, {
      maxEventBytes: limits.eventBytes,
      key: route.apiKey,
    });
    await draft.pending;
  };
}

export function embeddings(deps: EndpointDeps): Middleware {
  return async function embeddingsHandler(ctx) {
    const request = await readRequest(ctx, deps);
    const { body, route, vendor, draft } = request;
    if (!vendor.embeddings) {
      throw new GatewayError(400, 'invalid_request', `Vendor "${route.vendor}" has no embeddings endpoint.`);
    }
    if (body['input'] === undefined) {
      throw new GatewayError(400, 'invalid_request', '"input" is required.', { param: 'input' });
    }
    const { model } = admit(deps.policy, { ...request, format: 'openai' });
    if (route.logBodies) draft.bodies = { request: JSON.stringify(body), response: '' };
    const limits = upstreamLimits(deps.server());
    const call = vendor.embeddings.request(body, { model });
    const upstream = await sendUpstream({
      upstreams: deps.upstreams,
      route,
      vendor,
      method: 'POST',
      path: call.path,
      body: JSON.stringify(call.body),
      headers: vendor.defaultHeaders,
      timeouts: effectiveTimeouts(
        defaultTimeouts({
          vendor: route.vendor,
          baseUrl: route.baseUrl,
          model,
          stream: false,
          kind: 'embeddings',
        }),
        deps.server().timeouts,
        route.timeouts,
      ),
      signal: abortOnClientClose(ctx).signal,
      maxBodyBytes: limits.bodyBytes,
    });
    passUpstreamHeaders(ctx, upstream);
    const { raw, parsed } = await readJson(upstream, limits.bodyBytes);
    const result = vendor.embeddings.response(parsed, {
      model,
      created: Math.floor(draft.time / 1000),
      encodingFormat: body['encoding_format'],
    });
    draft.usage = result.usage;
    draft.upstreamModel = result.upstreamModel;
    ctx.type = 'application/json';
    ctx.body = scrubKey(result.body ? JSON.stringify(result.body) : raw, route.apiKey);
    appendLoggedBody(draft, ctx.body as string);
  };
}

const MODEL_CACHE_MS = 5 * 60 * 1000;

/** The vendor's model lists, fetched with the route's key and kept for a few minutes. */
export class ModelLists {
  private cache = new Map<string, { at: number; ids: string[]; baseUrl: string }>();

  constructor(private readonly deps: EndpointDeps) {}

  async of(route: RuntimeRoute, signal: AbortSignal): Promise<string[]> {
    const cached = this.cache.get(route.id);
    if (cached && cached.baseUrl === route.baseUrl && Date.now() - cached.at < MODEL_CACHE_MS)
      return cached.ids;
    const vendor = vendorOf(route);
    let ids: string[];
    try {
      const upstream = await sendUpstream({
        upstreams: this.deps.upstreams,
        route,
        vendor,
        method: 'GET',
        path: vendor.models.path,
        headers: vendor.defaultHeaders,
        timeouts: effectiveTimeouts(
          defaultTimeouts({
            vendor: route.vendor,
            baseUrl: route.baseUrl,
            model: null,
            stream: false,
            kind: 'models',
          }),
          this.deps.server().timeouts,
          route.timeouts,
        ),
        signal,
        maxBodyBytes: upstreamLimits(this.deps.server()).bodyBytes,
      });
      ids = vendor.models.parse(
        (await readJson(upstream, upstreamLimits(this.deps.server()).bodyBytes)).parsed,
      );
    } catch (error) {
      // A vendor that cannot list: the allow-list's literal names and the default model.
      const literal = [...route.models.filter((pattern) => !isGlob(pattern))];
      if (route.defaultModel && !literal.includes(route.defaultModel)) literal.push(route.defaultModel);
      if (literal.length === 0) throw error;
      return literal;
    }
    this.cache.set(route.id, { at: Date.now(), ids, baseUrl: route.baseUrl });
    return ids;
  }

  /** The models `app` may use on `route`: the vendor's list filtered by the allow-list. */
  async allowed(route: RuntimeRoute, signal: AbortSignal): Promise<string[]> {
    return (await this.of(route, signal)).filter((id) => route.allowList.allows(id));
  }
}

function modelObject(id: string, ownedBy: string) {
  return { id, object: 'model', created: 0, owned_by: ownedBy };
}

export function listModels(deps: EndpointDeps, lists: ModelLists): Middleware {
  return async function listModelsHandler(ctx) {
    const app: RuntimeApp = ctx.state.app!;
    const draft = ctx.state.draft!;
    const signal = abortOnClientClose(ctx).signal;
    const routeId = ctx.params['routeId'];
    if (routeId !== undefined) {
      const route = routeForApp(deps.catalog, app, routeId);
      draft.route = route.id;
      draft.vendor = route.vendor;
      const ids = await lists.allowed(route, signal);
      ctx.body = { object: 'list', data: ids.map((id) => modelObject(id, route.vendor)) };
      return;
    }
    const routes = deps.catalog.orderedRoutes.filter((route) => appMayUse(app, route.id));
    const perRoute = await Promise.all(
      routes.map(async (route) => {
        try {
          return (await lists.allowed(route, signal)).map((id) =>
            modelObject(`${route.id}/${id}`, route.vendor),
          );
        } catch {
          return []; // One unreachable upstream does not hide the others' models.
        }
      }),
    );
    ctx.body = { object: 'list', data: perRoute.flat() };
  };
}
