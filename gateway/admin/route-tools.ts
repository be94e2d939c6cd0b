import type Router from '@koa/router';
import type { Catalog, RuntimeRoute } from '../catalog.ts';
import { GatewayError } from '../errors.ts';
import { param } from './params.ts';
import { formatFor } from '../formats/index.ts';
import type { JsonObject } from '../formats/types.ts';
import type { GatewayState } from '../http/context.ts';
import { toGatewayError, type Logger } from '../http/errors.ts';
import { parseJsonObject, readBody } from '../http/body.ts';
import { providerOf, readChatAnswer, sendCall, type ExchangeDeps } from '../pipeline/exchange.ts';
import type { ModelLists } from '../pipeline/model-lists.ts';
import { isGlob } from '../policy/allow-list.ts';

export interface RouteToolsDeps {
  catalog: Catalog;
  routeTools: { lists: ModelLists; exchange: ExchangeDeps };
  log: Logger;
  /**
   * The route a test body describes, unsaved: the stored route `id` with the body applied as a
   * PATCH, or (no id) a new route from the body as a POST. Throws the write's own 400/404.
   */
  draftRoute: (id: string | undefined, body: JsonObject) => RuntimeRoute;
}

/** A draft's fields are a few hundred bytes; the admin API's writes allow far more. */
const TEST_BODY_LIMIT = 1024 * 1024;

/** The JSON object a request carries, or undefined for none (an empty body). */
async function optionalBody(request: Parameters<typeof readBody>[0]): Promise<JsonObject | undefined> {
  const raw = await readBody(request, TEST_BODY_LIMIT);
  return raw.length === 0 ? undefined : parseJsonObject(raw);
}

function routeOrNotFound(catalog: Catalog, id: string) {
  const route = catalog.routes.get(id);
  if (!route)
    throw new GatewayError(404, 'not_found', `Route "${id}" does not exist.`, { type: 'not_found_error' });
  return route;
}

const TEST_TIMEOUTS = { connectMs: 5_000, headersMs: 30_000, idleMs: 30_000 };

/** "Test connection" and the vendor's model list, for the dashboard's route editor. */
export function addRouteTools(router: Router<GatewayState>, deps: RouteToolsDeps): void {
  const { lists, exchange } = deps.routeTools;
  // A test answers within seconds or says why: shorter timeouts than a client's call, the route's own still winning.
  const testDeps: ExchangeDeps = {
    ...exchange,
    server: () => ({ ...exchange.server(), timeouts: { ...exchange.server().timeouts, ...TEST_TIMEOUTS } }),
  };

  /**
   * Every model the vendor lists with the route's key, before the allow-list; with `?allowed=true`
   * only those the allow-list takes (the playground offers those), as the proxy's model list has them.
   */
  router.get('/routes/:id/models', async (ctx) => {
    const route = routeOrNotFound(deps.catalog, param(ctx, 'id'));
    const controller = new AbortController();
    const allowed = ctx.query['allowed'] === 'true';
    ctx.body = {
      data: await (allowed ? lists.allowed(route, controller.signal) : lists.of(route, controller.signal)),
    };
  });

  /**
   * One tiny real request through the route, as a client's would go: the answer, or the exact
   * error the vendor (or the network) gave. Not recorded and not charged to any budget.
   */
  const test = async (route: RuntimeRoute) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const signal = new AbortController().signal;
    try {
      const provider = providerOf(exchange, route);
      let model = route.defaultModel ?? route.models.find((pattern) => !isGlob(pattern));
      model ??= (await lists.allowed(route, signal))[0];
      if (!model) {
        throw new GatewayError(
          400,
          'no_model',
          'Give the route a default model (or a model name in its allow-list) to test it with.',
        );
      }
      const request = {
        model,
        messages: [{ role: 'user', content: 'Reply with the word OK.' }],
        max_completion_tokens: 64,
      };
      // The exchange's own translate, send and read stages; no admission or row: a test is not a client's call.
      const format = formatFor(provider.format);
      const upstream = await sendCall(testDeps, {
        route,
        provider,
        operation: 'chat',
        model,
        stream: false,
        body: format.chat.request(request, { model, stream: false, defaultMaxTokens: 64 }),
        signal,
      });
      const { parsed, result } = await readChatAnswer(testDeps, upstream, format, {
        model,
        created: Math.floor(Date.now() / 1000),
      });
      const answer = (result.body ?? (parsed as JsonObject))['choices'] as
        { message?: { content?: unknown } }[] | undefined;
      const content = answer?.[0]?.message?.content;
      return {
        ok: true,
        model: result.upstreamModel ?? model,
        answer: typeof content === 'string' ? content : '',
        latencyMs: elapsed(),
      };
    } catch (thrown) {
      const error = toGatewayError(thrown, deps.log);
      return {
        ok: false,
        status: error.status,
        code: error.code,
        message: error.message,
        latencyMs: elapsed(),
      };
    }
  };

  /**
   * A new route's form, tested before it is created: the body is what `POST /routes` would take.
   * Nothing is saved.
   */
  router.post('/routes/test', async (ctx) => {
    ctx.body = await test(deps.draftRoute(undefined, (await optionalBody(ctx.req)) ?? {}));
  });

  /**
   * The stored route; or, with a body (what `PATCH /routes/:id` would take), the stored route with
   * the form's unsaved edits applied for this one test. Nothing is saved.
   */
  router.post('/routes/:id/test', async (ctx) => {
    const body = await optionalBody(ctx.req);
    const id = param(ctx, 'id');
    ctx.body = await test(body === undefined ? routeOrNotFound(deps.catalog, id) : deps.draftRoute(id, body));
  });
}
