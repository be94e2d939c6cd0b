import { getJson, sendJson } from './client.ts';
import type { Route } from './types.ts';

/** The admin API's `/discovery`: model servers found on this machine's loopback ports. */

export type ServerKind =
  'ollama' | 'lm-studio' | 'llama-cpp' | 'vllm' | 'jan' | 'localai' | 'openai-compatible';

/** Why nothing was offered on a port that was looked at. */
export type MissReason = 'nothing' | 'timeout' | 'redirect' | 'needs-key' | 'too-large' | 'not-compatible';

/** What `POST /routes` takes to add a server found. */
export interface RouteDraft {
  id: string;
  vendor: 'ollama' | 'openai-compatible';
  baseUrl: string;
  defaultModel?: string;
}

export interface ServerOffer {
  port: number;
  kind: ServerKind;
  /** "Ollama", or "OpenAI-compatible server" where the server did not say which. */
  name: string;
  baseUrl: string;
  models: string[];
  /** Routes already pointing at this server; while there are none, `route` offers one. */
  configuredAs: string[];
  route: RouteDraft | null;
}

export interface DiscoveryLook {
  lookedAt: string;
  ports: number[];
  servers: ServerOffer[];
  misses: { port: number; reason: MissReason }[];
}

/** The usual ports, as the gateway last looked at them (it looks anew after a few seconds). */
export const lastLook = (): Promise<DiscoveryLook> => getJson<DiscoveryLook>('/discovery');

/** A new look now, at the usual ports and the ones given. */
export const lookNow = (ports: readonly number[]): Promise<DiscoveryLook> =>
  sendJson<DiscoveryLook>('POST', '/discovery', { ports });

export const addServerRoute = (draft: RouteDraft): Promise<Route> =>
  sendJson<Route>('POST', '/routes', draft);
