/**
 * What the admin API answers about agent sessions (`/sessions`), derived from the gateway's own
 * types like those in types.ts.
 */
import type { AgentSessionSummary } from '../../../gateway/store/agent-sessions.ts';
import type { RequestRow } from './types.ts';

/** One session, summed; its times as ISO strings. */
export type AgentSession = Omit<AgentSessionSummary, 'firstAt' | 'lastAt'> & {
  firstAt: string;
  lastAt: string;
};

/** A session with its requests, oldest first, each as the request log shows it. */
export type AgentSessionDetail = AgentSession & { requests: RequestRow[] };
