import { request as httpRequest, type IncomingMessage } from 'node:http';
import type Router from '@koa/router';
import { z } from 'zod';
import type { Catalog } from '../catalog.ts';
import { PLAYGROUND_APP } from '../domain.ts';
import { GatewayError } from '../errors.ts';
import type { GatewayContext, GatewayState } from '../http/context.ts';
import { REQUEST_ID_HEADER } from '../http/recorded.ts';
import { displayPrefix, generateAppKey, hashKey } from '../keys.ts';
import type { SecretBox } from '../secrets/types.ts';
import type { Store } from '../store/index.ts';
import { readAdminJson } from './body.ts';
import { invalidBody, notFound } from './errors.ts';
import { param } from './params.ts';
import { replayCall, type GatewayCall, type LoggedRequest } from './replay.ts';
import { requestView } from './views.ts';

/*
 * The dashboard's playground and replays. Each is sent as a client's request would be, over HTTP
 * to the gateway's own endpoint with the key of a built-in app, so that everything a client meets
 * applies to it — the app's and the route's allow-lists, filters, rate limits and budgets — and
 * it is recorded like any request, under that app, which the user can budget like any other.
 */

/** Where the app's key is kept, sealed like vendor keys: the hash in app_keys cannot be sent. */
const KEY_SETTING = 'playground.key';
/** A non-streamed answer larger than this is not for reading in a dashboard: the rest is left out. */
export const ANSWER_LIMIT = 4 * 1024 * 1024;
/** How long the row of a finished call may take to reach the database (it is queued, then written). */
const ROW_WAIT_MS = 2_000;

export interface PlaygroundDeps {
  store: Store;
  catalog: Catalog;
  secrets: SecretBox;
  now: () => number;
  flushRecords: () => void;
}

/** What the dashboard gets back from a prompt or a replay: the answer as the client would, and its row. */
export interface PlaygroundResult {
  format: GatewayCall['format'];
  status: number;
  /** The answer's body as the gateway gave it (JSON, or an error in the endpoint's shape). */
  response: string;
  /** True when the answer was over ANSWER_LIMIT and only its start is here. */
  cut: boolean;
  /** The recorded row (tokens, cost, latency, error); null should it not be written in time. */
  request: ReturnType<typeof requestView> | null;
}

/**
 * The playground app's key: the one kept (sealed) while its app still has it, active; otherwise a
 * new one, with the app created if it is gone, so that deleting the app or revoking its key is
 * undone by the next use and never leaves the playground broken.
 */
export function playgroundKey(deps: PlaygroundDeps): string {
  const { store } = deps;
  const kept = store.settings.get<{ keyId: number; sealed: string }>(KEY_SETTING);
  const app = store.apps.get(PLAYGROUND_APP);
  let stale: number | undefined;
  if (app && kept) {
    const active = store.apps.keysOf(app.id).find((key) => key.id === kept.keyId && key.revokedAt === null);
    if (active) {
      try {
        const key = deps.secrets.open(kept.sealed);
        if (hashKey(key) === active.hash) return key;
      } catch {
        // Sealed with a secret box this gateway no longer has (a new key file): a new key below.
      }
      // A key nobody can send any more would stay active for nothing: it is revoked with the new one.
      stale = active.id;
    }
  }
  const key = generateAppKey();
  store.transaction(() => {
    const appId =
      app?.id ??
      store.apps.insert(
        {
          name: PLAYGROUND_APP,
          routes: null,
          budget: null,
          rateLimit: null,
          filters: [],
          modelMap: null,
          source: 'admin',
        },
        deps.now(),
      );
    if (stale !== undefined) store.apps.revokeKey(appId, stale, deps.now());
    const keyId = store.apps.addKey(appId, hashKey(key), displayPrefix(key), 'admin', deps.now());
    store.settings.set(KEY_SETTING, { keyId, sealed: deps.secrets.seal(key) });
  });
  deps.catalog.refresh();
  return key;
}

const text = z.string().max(1_000_000);
const promptSchema = z.strictObject({
  route: z.string().min(1).max(200),
  model: z.string().min(1).max(200),
  messages: z
    .array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: text }))
    .min(1)
    .max(200),
  maxTokens: z.number().int().min(1).max(1_000_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
});
const targetSchema = z.strictObject({
  route: z.string().min(1).max(200),
  model: z.string().min(1).max(200).optional(),
});

/** A playground prompt as a Chat Completions request: the format every route can answer. */
export function promptCall(prompt: z.infer<typeof promptSchema>): GatewayCall {
  return {
    format: 'openai-chat',
    path: `/openai/${encodeURIComponent(prompt.route)}/v1/chat/completions`,
    body: {
      model: prompt.model,
      messages: prompt.messages,
      stream: false,
      ...(prompt.maxTokens === undefined ? {} : { max_completion_tokens: prompt.maxTokens }),
      ...(prompt.temperature === undefined ? {} : { temperature: prompt.temperature }),
    },
  };
}

/** Reads a body up to `limit` bytes; the rest is drained, not kept. */
async function readCapped(response: IncomingMessage, limit: number): Promise<{ text: string; cut: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let cut = false;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size = limit;
      cut = true;
      continue;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  // A multi-byte character split by the cut is dropped rather than shown as a replacement mark.
  return {
    text: Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\uFFFD$/, ''),
    cut,
  };
}

/**
 * Sends one call to this gateway over the socket the dashboard's own request came in on (so, the
 * address and port the gateway listens on), as a client would. Aborted when the dashboard stops
 * waiting: the gateway then records the call as the client having left.
 */
function sendToGateway(
  ctx: GatewayContext,
  key: string,
  call: GatewayCall,
): Promise<{ status: number; id: string | null; response: string; cut: boolean }> {
  const { localAddress, localPort } = ctx.req.socket;
  // A socket already gone has no address: never let the key go to a default host and port instead.
  if (localAddress === undefined || localPort === undefined)
    throw new GatewayError(499, 'client_closed', 'The dashboard stopped waiting.');
  const payload = Buffer.from(JSON.stringify(call.body));
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: localAddress,
        port: localPort,
        // A socket of its own: a pooled one the server has just timed out would fail the call.
        agent: false,
        method: 'POST',
        path: call.path,
        // A loopback name the Host check accepts, whatever address the dashboard was reached on.
        headers: {
          host: `localhost:${localPort}`,
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': payload.length,
          'user-agent': 'switchboard-playground',
        },
      },
      (response) => {
        const id = response.headers[REQUEST_ID_HEADER];
        readCapped(response, ANSWER_LIMIT).then(
          ({ text, cut }) =>
            resolve({
              status: response.statusCode ?? 0,
              id: typeof id === 'string' ? id : null,
              response: text,
              cut,
            }),
          () =>
            reject(
              new GatewayError(502, 'playground_failed', 'The gateway’s answer was cut off before it ended.'),
            ),
        );
      },
    );
    const stop = () => {
      if (!ctx.res.writableFinished) outgoing.destroy();
    };
    ctx.res.once('close', stop);
    outgoing.once('close', () => ctx.res.off('close', stop));
    outgoing.once('error', () =>
      reject(
        new GatewayError(502, 'playground_failed', 'The playground could not reach the gateway it runs in.'),
      ),
    );
    outgoing.end(payload);
  });
}

/** The call's row, once the recorder has written it (a finished answer's row is already queued). */
async function rowOf(deps: PlaygroundDeps, id: string | null): Promise<PlaygroundResult['request']> {
  if (id === null) return null;
  const deadline = Date.now() + ROW_WAIT_MS;
  for (;;) {
    deps.flushRecords();
    const row = deps.store.requests.get(id);
    if (row) return requestView(row);
    if (Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function knownRoute(deps: PlaygroundDeps, id: string): void {
  if (!deps.catalog.routes.has(id)) notFound(`Route "${id}"`);
}

async function run(ctx: GatewayContext, deps: PlaygroundDeps, call: GatewayCall): Promise<PlaygroundResult> {
  const sent = await sendToGateway(ctx, playgroundKey(deps), call);
  return {
    format: call.format,
    status: sent.status,
    response: sent.response,
    cut: sent.cut,
    request: await rowOf(deps, sent.id),
  };
}

/** `POST /playground` (a prompt to a route and model) and `POST /requests/:id/replay`. */
export function addPlaygroundRoutes(router: Router<GatewayState>, deps: PlaygroundDeps): void {
  router.post('/playground', async (ctx) => {
    const parsed = promptSchema.safeParse(await readAdminJson(ctx));
    if (!parsed.success) invalidBody(parsed.error, (path) => path.join('.') || 'body');
    knownRoute(deps, parsed.data.route);
    ctx.body = await run(ctx, deps, promptCall(parsed.data));
  });

  /**
   * A logged request sent again, to the route and model given (the same ones by default), as its
   * client sent it (after filters), not streamed. Needs its body: where its route did not log it
   * there is nothing to send.
   */
  router.post('/requests/:id/replay', async (ctx) => {
    const parsed = targetSchema.safeParse(await readAdminJson(ctx));
    if (!parsed.success) invalidBody(parsed.error, (path) => path.join('.') || 'body');
    knownRoute(deps, parsed.data.route);
    const id = param(ctx, 'id');
    deps.flushRecords();
    const original = deps.store.requests.get(id) ?? notFound(`Request "${id}"`);
    const sealed = deps.store.requests.sealedBodies(id);
    if (sealed === undefined) {
      const logging = original.route !== null && deps.catalog.routes.get(original.route)?.logBodies === true;
      throw new GatewayError(
        400,
        'not_replayable',
        logging
          ? // The route logs bodies now: it did not then, or the gateway answered without a vendor call (a token count).
            'The body of this request was not logged, so there is nothing to send again: its route did not log bodies then, or Switchboard answered it itself (a token count).'
          : `The body of this request was not logged, so there is nothing to send again: turn on body logging for route "${original.route ?? '?'}" and replay a later request.`,
      );
    }
    const logged = JSON.parse(deps.secrets.open(sealed)) as LoggedRequest;
    const model = parsed.data.model ?? original.model;
    if (model === null)
      throw new GatewayError(400, 'invalid_request', 'model: the logged request names none; give one.', {
        param: 'model',
      });
    ctx.body = await run(ctx, deps, replayCall(original, logged, { route: parsed.data.route, model }));
  });
}
