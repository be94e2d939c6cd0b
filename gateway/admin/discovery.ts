import { setMaxListeners } from 'node:events';
import { request } from 'node:http';
import { z } from 'zod';
import type { VendorId } from '../domain.ts';
import { isLoopbackUrl } from '../providers/loopback.ts';

/**
 * Model servers on this machine, found by asking the ports they usually listen on. Only 127.0.0.1 is
 * asked, with no key, no redirect followed and every answer capped in size and time: a hostile local
 * process can slow a look by at most its deadline and never fill the gateway's memory.
 */

/** Where the local servers listen by default (llama.cpp and LocalAI share 8080). */
export const USUAL_PORTS: readonly number[] = [11434, 1234, 8080, 8000, 1337];

/** The whole look, every port at once, ends by then. */
const LOOK_DEADLINE_MS = 900;

/** A model list larger than this is not one a local server sends. */
const LIST_BYTES = 512 * 1024;
/** Enough of a root page to tell who answers ("Ollama is running", LocalAI's title). */
const ROOT_BYTES = 4096;
/** The models shown for a server found; beyond this many, it is no one's list. */
const MAX_MODELS = 200;
const MODEL_ID_MAX = 200;

export type ServerKind =
  'ollama' | 'lm-studio' | 'llama-cpp' | 'vllm' | 'jan' | 'localai' | 'openai-compatible';

/** What each kind is called, and the route id it suggests. */
const KINDS: Record<ServerKind, { name: string; routeId: string }> = {
  ollama: { name: 'Ollama', routeId: 'ollama' },
  'lm-studio': { name: 'LM Studio', routeId: 'lm-studio' },
  'llama-cpp': { name: 'llama.cpp', routeId: 'llama-cpp' },
  vllm: { name: 'vLLM', routeId: 'vllm' },
  jan: { name: 'Jan', routeId: 'jan' },
  localai: { name: 'LocalAI', routeId: 'localai' },
  'openai-compatible': { name: 'OpenAI-compatible server', routeId: 'local' },
};

/** Why nothing was offered on a port. */
export type MissReason = 'nothing' | 'timeout' | 'redirect' | 'needs-key' | 'too-large' | 'not-compatible';

export interface FoundServer {
  port: number;
  kind: ServerKind;
  models: string[];
}

export type PortLook = { port: number; found: FoundServer } | { port: number; miss: MissReason };

interface LocalAnswer {
  status: number;
  body: string;
  /** The body was longer than the cap; `body` holds its start. */
  cut: boolean;
}

/**
 * GET a path on 127.0.0.1:port: the status and at most `maxBytes` of the body. Rejects when the port
 * does not answer before `signal` ends; a redirect is answered as it is, never followed.
 */
function getLocal(port: number, path: string, maxBytes: number, signal: AbortSignal): Promise<LocalAnswer> {
  return new Promise((resolve, reject) => {
    // No agent: every probe has its own socket, closed when it is done, and no Authorization ever.
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        agent: false,
        signal,
        headers: { accept: 'application/json' },
      },
      (incoming) => {
        const status = incoming.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = (cut: boolean) => {
          resolve({ status, body: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'), cut });
          outgoing.destroy();
        };
        if (status >= 300 && status < 400) return finish(false);
        incoming.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size > maxBytes) finish(true);
        });
        incoming.on('end', () => finish(false));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const OpenAiList = z.object({
  data: z.array(z.object({ id: z.string(), owned_by: z.string().optional() }).passthrough()),
});
const OllamaTags = z.object({ models: z.array(z.object({ name: z.string() }).passthrough()) });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Usable model ids, each once, in the server's order. */
function modelIds(ids: readonly string[]): string[] {
  const usable = ids.map((id) => id.trim()).filter((id) => id !== '' && id.length <= MODEL_ID_MAX);
  return [...new Set(usable)].slice(0, MAX_MODELS);
}

/** Which server this is: by what it says of itself first, by the port it holds last. */
function kindOf(port: number, root: string, owners: ReadonlySet<string>): ServerKind {
  if (root.startsWith('Ollama is running')) return 'ollama';
  if (owners.has('vllm')) return 'vllm';
  if (owners.has('llamacpp')) return 'llama-cpp';
  if (/LocalAI/.test(root)) return 'localai';
  if (port === 1234) return 'lm-studio';
  if (port === 1337) return 'jan';
  return 'openai-compatible';
}

/** Why neither request had an answer: the deadline, nothing listening, or something that is not HTTP. */
function failureOf(errors: readonly unknown[], signal: AbortSignal): MissReason {
  if (signal.aborted) return 'timeout';
  const refused = errors.some((error) => (error as NodeJS.ErrnoException).code === 'ECONNREFUSED');
  return refused ? 'nothing' : 'not-compatible';
}

/** Asks one port who it is and which models it serves. */
async function lookAtPort(port: number, signal: AbortSignal): Promise<PortLook> {
  const [root, list] = await Promise.allSettled([
    getLocal(port, '/', ROOT_BYTES, signal),
    getLocal(port, '/v1/models', LIST_BYTES, signal),
  ]);
  if (root.status === 'rejected' && list.status === 'rejected')
    return { port, miss: failureOf([root.reason, list.reason], signal) };
  const rootText = root.status === 'fulfilled' && root.value.status === 200 ? root.value.body : '';
  const miss = (reason: MissReason): PortLook => ({ port, miss: reason });

  const answer = list.status === 'fulfilled' ? list.value : undefined;
  const parsed =
    answer?.status === 200 && !answer.cut ? OpenAiList.safeParse(parseJson(answer.body)) : undefined;
  if (parsed?.success) {
    const owners = new Set(parsed.data.data.map((model) => model.owned_by ?? ''));
    const models = modelIds(parsed.data.data.map((model) => model.id));
    return { port, found: { port, kind: kindOf(port, rootText, owners), models } };
  }
  // Ollama before its OpenAI-compatible list (or with it turned away) still names its models here.
  if (rootText.startsWith('Ollama is running')) {
    const tags = await getLocal(port, '/api/tags', LIST_BYTES, signal).catch(() => undefined);
    const named = tags?.status === 200 && !tags.cut ? OllamaTags.safeParse(parseJson(tags.body)) : undefined;
    return {
      port,
      found: {
        port,
        kind: 'ollama',
        models: named?.success ? modelIds(named.data.models.map((model) => model.name)) : [],
      },
    };
  }
  if (answer === undefined) return miss(signal.aborted ? 'timeout' : 'not-compatible');
  if (answer.status >= 300 && answer.status < 400) return miss('redirect');
  if (answer.status === 401 || answer.status === 403) return miss('needs-key');
  if (answer.cut) return miss('too-large');
  return miss('not-compatible');
}

/** Every port at once; the whole look ends within LOOK_DEADLINE_MS whatever the ports do. */
export async function lookAtPorts(
  ports: readonly number[],
  deadlineMs = LOOK_DEADLINE_MS,
): Promise<PortLook[]> {
  const unique = [...new Set(ports)];
  const signal = AbortSignal.timeout(deadlineMs);
  // Each port's requests listen to the one deadline: three at most per port, not a leak.
  setMaxListeners(3 * unique.length, signal);
  return Promise.all(unique.map((port) => lookAtPort(port, signal)));
}

/** What `POST /admin/api/routes` takes to add a found server. */
export interface RouteDraft {
  id: string;
  vendor: VendorId;
  baseUrl: string;
  defaultModel?: string;
}

export interface ServerOffer {
  port: number;
  kind: ServerKind;
  /** "Ollama", or "OpenAI-compatible server" where it did not say which. */
  name: string;
  baseUrl: string;
  models: string[];
  /** The routes that already point at this server; none, and `route` offers one. */
  configuredAs: string[];
  route: RouteDraft | null;
}

/** The port a loopback base URL points at, or null for any other URL. */
function loopbackPort(baseUrl: string): number | null {
  if (!isLoopbackUrl(baseUrl)) return null;
  const url = new URL(baseUrl);
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** An id free among `taken`: the kind's own, then with the port, then numbered. */
function freeId(base: string, port: number, taken: ReadonlySet<string>): string {
  if (base !== 'local' && !taken.has(base)) return base;
  const withPort = `${base}-${port}`;
  if (!taken.has(withPort)) return withPort;
  let n = 2;
  while (taken.has(`${withPort}-${n}`)) n++;
  return `${withPort}-${n}`;
}

/**
 * The servers found, each either shown as the routes already pointing at it or offered as a new route
 * whose id clashes with no route and no other offer.
 */
export function offersFor(
  found: readonly FoundServer[],
  routes: readonly { id: string; baseUrl: string }[],
): ServerOffer[] {
  const taken = new Set(routes.map((route) => route.id));
  return found.map((server) => {
    const baseUrl = `http://127.0.0.1:${server.port}/v1`;
    const configuredAs = routes
      .filter((route) => loopbackPort(route.baseUrl) === server.port)
      .map((r) => r.id);
    const kind = KINDS[server.kind];
    let route: RouteDraft | null = null;
    if (configuredAs.length === 0) {
      const id = freeId(kind.routeId, server.port, taken);
      taken.add(id);
      route = {
        id,
        vendor: server.kind === 'ollama' ? 'ollama' : 'openai-compatible',
        baseUrl,
        // No allow-list: a model pulled tomorrow works without editing the route; the first found
        // answers requests that name none.
        ...(server.models[0] === undefined ? {} : { defaultModel: server.models[0] }),
      };
    }
    return {
      port: server.port,
      kind: server.kind,
      name: kind.name,
      baseUrl,
      models: server.models,
      configuredAs,
      route,
    };
  });
}
