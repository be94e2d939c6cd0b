import type Router from '@koa/router';
import { z } from 'zod';
import type { GatewayState } from '../http/context.ts';
import type { Store } from '../store/index.ts';
import { readAdminJson } from './body.ts';
import {
  lookAtPorts,
  offersFor,
  USUAL_PORTS,
  type FoundServer,
  type MissReason,
  type PortLook,
} from './discovery.ts';
import { invalidBody } from './errors.ts';

export interface DiscoveryDeps {
  store: { routes: Pick<Store['routes'], 'list'> };
  now: () => number;
  /** Where to look when no port is named; the usual ports of the local servers unless a test says. */
  usualPorts?: readonly number[];
}

/** A first look serves the dashboard's pages opened one after another; "Look again" always looks anew. */
const CACHE_MS = 15_000;
/** Ports a user may add to one look: enough to try a few, too few to scan the machine. */
const MAX_EXTRA_PORTS = 16;

const LookBody = z
  .object({
    ports: z.array(z.number().int().min(1).max(65_535)).max(MAX_EXTRA_PORTS).default([]),
  })
  .strict();

/** Local model servers found on this machine, offered as routes (`/discovery`). */
export function addDiscoveryRoutes(router: Router<GatewayState>, deps: DiscoveryDeps): void {
  const usualPorts = deps.usualPorts ?? USUAL_PORTS;
  let cached: { at: number; looks: Promise<PortLook[]> } | undefined;

  // The gateway's own port answers /v1/models too (refusing, without an app key): never ask it.
  const look = (ports: readonly number[], ownPort: number | undefined) =>
    lookAtPorts(ports.filter((port) => port !== ownPort));

  /** The answer, with each server told apart from the routes as they are now (not as when it was found). */
  const answer = (looks: readonly PortLook[], at: number) => {
    const found: FoundServer[] = [];
    const misses: { port: number; reason: MissReason }[] = [];
    for (const entry of looks) {
      if ('found' in entry) found.push(entry.found);
      else misses.push({ port: entry.port, reason: entry.miss });
    }
    return {
      lookedAt: new Date(at).toISOString(),
      ports: looks.map((entry) => entry.port),
      servers: offersFor(found, deps.store.routes.list()),
      misses,
    };
  };

  /** The usual ports, looked at within the last CACHE_MS (a look under way is shared, not repeated). */
  router.get('/discovery', async (ctx) => {
    if (!cached || deps.now() - cached.at > CACHE_MS) {
      const looks = look(usualPorts, ctx.req.socket.localPort);
      cached = { at: deps.now(), looks };
    }
    const { at, looks } = cached;
    ctx.body = answer(await looks, at);
  });

  /** A new look now: the usual ports and the ones the body names (`{"ports": [9000]}`). */
  router.post('/discovery', async (ctx) => {
    const body = LookBody.safeParse(await readAdminJson(ctx));
    if (!body.success) invalidBody(body.error, (path) => path.join('.') || 'body');
    const at = deps.now();
    const all = await look([...usualPorts, ...body.data.ports], ctx.req.socket.localPort);
    cached = { at, looks: Promise.resolve(all.filter((entry) => usualPorts.includes(entry.port))) };
    ctx.body = answer(all, at);
  });
}
