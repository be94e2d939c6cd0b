import type Router from '@koa/router';
import type { Catalog } from './catalog.ts';
import { formatFor } from './formats/index.ts';
import type { WireFormat } from './formats/types.ts';
import { GatewayError } from './errors.ts';
import { appAuth } from './http/auth.ts';
import { endpoint, type GatewayContext, type GatewayState, type Middleware } from './http/context.ts';
import { proxyCors } from './http/cors.ts';
import type { Logger } from './http/errors.ts';
import { recorded } from './http/recorded.ts';
import type { Recorder } from './recorder.ts';
import type { Endpoint } from './store/types.ts';
import { keptAnswer, runExchange, type Call, type ExchangeDeps } from './pipeline/exchange.ts';
import { listModels, ModelLists } from './pipeline/model-lists.ts';

export interface EndpointDeps extends ExchangeDeps {
  recorder: Recorder;
  log: Logger;
  corsOrigins: () => readonly string[];
}

/**
 * The proxy's endpoints: which path speaks which wire format and asks for what. Every one is
 * recorded (one row each), authenticated with an app key, and run by the one exchange; errors
 * come in the endpoint's own format, unknown paths under a format's prefix included.
 */
export function mountProxyEndpoints(
  router: Router<GatewayState>,
  deps: EndpointDeps,
  catalog: Catalog,
): ModelLists {
  const lists = new ModelLists(deps);
  const auth = appAuth(catalog);
  const cors = proxyCors(deps.corsOrigins);
  const wrap = (
    kind: Endpoint,
    handler: Middleware,
    errorShape?: Parameters<typeof recorded>[3],
  ): Middleware[] => [cors, recorded(kind, deps.recorder, deps.log, errorShape), auth, handler];
  const routeId = (ctx: GatewayContext): string | undefined => ctx.params['routeId'];
  const run = (call: (ctx: GatewayContext) => Call) =>
    endpoint((ctx, state) => runExchange(ctx, deps, state, call(ctx)));
  const models = (format: WireFormat) =>
    endpoint((ctx, state) => listModels(ctx, deps, lists, state, routeId(ctx), format));
  /** Unknown paths under a format's prefix: a 404 the format's clients read as one (never "no such model"). */
  const unknownPath = endpoint(() => {
    throw new GatewayError(404, 'route_not_found', 'There is no endpoint at this path.');
  });

  // OpenAI Chat Completions (the hub), at /openai/{routeId}/v1 and at the root.
  const openAi = formatFor('openai-chat');
  const responses = formatFor('openai-responses');
  for (const prefix of ['/openai/:routeId/v1', '/v1']) {
    const call = (operation: 'chat' | 'embeddings') => (ctx: GatewayContext) =>
      ({ operation, inbound: openAi, routeId: routeId(ctx) }) satisfies Call;
    router.post(`${prefix}/chat/completions`, ...wrap('chat.completions', run(call('chat'))));
    router.post(`${prefix}/embeddings`, ...wrap('embeddings', run(call('embeddings'))));
    router.get(`${prefix}/models`, ...wrap('models', models(openAi)));
    // OpenAI's Responses API (Codex, the SDKs' responses.*): passed through where the route speaks it.
    router.post(
      `${prefix}/responses`,
      ...wrap(
        'responses',
        run((ctx) => ({ operation: 'chat', inbound: responses, routeId: routeId(ctx) })),
      ),
    );
    router.options(`${prefix}/{*rest}`, cors);
  }

  // Responses the gateway keeps (or the route's server does), read again or removed.
  const kept = endpoint((ctx, state) =>
    keptAnswer(ctx, deps, state, {
      inbound: responses,
      routeId: ctx.params['routeId'] ?? '',
      id: ctx.params['id'] ?? '',
    }),
  );
  router.get('/openai/:routeId/v1/responses/:id', ...wrap('responses', kept));
  router.delete('/openai/:routeId/v1/responses/:id', ...wrap('responses', kept));

  // Any other path under a route's OpenAI prefix: a 404 with its row, so that a client calling
  // something the gateway does not serve shows in the dashboard.
  router.all('/openai/:routeId/v1/{*rest}', ...wrap('chat.completions', unknownPath));

  // Anthropic Messages (Claude Code, the Anthropic SDKs), at /anthropic/{routeId} and at the root.
  const anthropic = formatFor('anthropic-messages');
  const anthropicShape = () => anthropic.errorBody;
  for (const prefix of ['/anthropic/:routeId/v1', '/v1']) {
    const call = (operation: 'chat' | 'count_tokens') => (ctx: GatewayContext) =>
      ({ operation, inbound: anthropic, routeId: routeId(ctx) }) satisfies Call;
    router.post(`${prefix}/messages`, ...wrap('messages', run(call('chat')), anthropicShape));
    router.post(
      `${prefix}/messages/count_tokens`,
      ...wrap('messages', run(call('count_tokens')), anthropicShape),
    );
  }
  router.get('/anthropic/:routeId/v1/models', ...wrap('models', models(anthropic), anthropicShape));
  router.options('/anthropic/{*rest}', cors);
  router.all('/anthropic/{*rest}', ...wrap('messages', unknownPath, anthropicShape));
  // The root's Messages paths with another method, or below them: Anthropic's clients read these errors too.
  router.all('/v1/messages', ...wrap('messages', unknownPath, anthropicShape));
  router.all('/v1/messages/{*rest}', ...wrap('messages', unknownPath, anthropicShape));

  // Gemini (Gemini CLI, @google/genai): the model and the method are in the path.
  const gemini = formatFor('gemini-generate');
  const geminiShape = () => gemini.errorBody;
  router.post(
    '/gemini/:routeId/v1beta/models/:modelMethod',
    ...wrap(
      'chat.completions',
      run((ctx) => geminiCall(ctx, gemini)),
      geminiShape,
    ),
  );
  router.get('/gemini/:routeId/v1beta/models', ...wrap('models', models(gemini), geminiShape));
  router.options('/gemini/{*rest}', cors);
  router.all('/gemini/{*rest}', ...wrap('chat.completions', unknownPath, geminiShape));

  // On /proxy, errors come in the route's own format, so that its SDK can read them.
  const routeShape = (ctx: GatewayContext) => {
    const route = catalog.routes.get(ctx.params['routeId'] ?? '');
    const provider = route ? deps.providers(route.vendor) : undefined;
    return provider ? formatFor(provider.format).errorBody : undefined;
  };
  router.all(
    '/proxy/:routeId/{*rest}',
    ...wrap(
      'proxy',
      run((ctx) => ({ operation: 'native', routeId: ctx.params['routeId'] ?? '' })),
      routeShape,
    ),
  );
  return lists;
}

/** Gemini's methods a client may call, and what each asks of the exchange. */
const GEMINI_METHODS: Record<string, { operation: 'chat' | 'count_tokens'; stream: boolean }> = {
  generateContent: { operation: 'chat', stream: false },
  streamGenerateContent: { operation: 'chat', stream: true },
  countTokens: { operation: 'count_tokens', stream: false },
};

/** `gemini-2.5-flash:streamGenerateContent` → the call; another method is a 404 in Google's shape. */
function geminiCall(ctx: GatewayContext, gemini: WireFormat): Call {
  const modelMethod = ctx.params['modelMethod'] ?? '';
  const colon = modelMethod.lastIndexOf(':');
  const method = Object.hasOwn(GEMINI_METHODS, modelMethod.slice(colon + 1))
    ? GEMINI_METHODS[modelMethod.slice(colon + 1)]
    : undefined;
  if (colon <= 0 || method === undefined) {
    throw new GatewayError(404, 'route_not_found', `There is no method "${modelMethod}" here.`);
  }
  return {
    operation: method.operation,
    inbound: gemini,
    routeId: ctx.params['routeId'],
    pathModel: modelMethod.slice(0, colon),
    pathStream: method.stream,
    // Google streams a JSON array unless the client asks for SSE.
    arrayStream: method.stream && ctx.query['alt'] !== 'sse',
  };
}
