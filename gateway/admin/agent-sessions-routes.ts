import type Router from '@koa/router';
import type { GatewayState } from '../http/context.ts';
import type { AgentSessionSummary } from '../store/agent-sessions.ts';
import type { Store } from '../store/index.ts';
import { notFound } from './errors.ts';
import { param } from './params.ts';
import { requestView } from './views.ts';

export interface AgentSessionsAdminDeps {
  store: Store;
  flushRecords: () => void;
}

/** At most this many sessions a page: each one's rows are summed. */
const MAX_LIMIT = 200;

export function agentSessionView(summary: AgentSessionSummary) {
  return {
    ...summary,
    firstAt: new Date(summary.firstAt).toISOString(),
    lastAt: new Date(summary.lastAt).toISOString(),
  };
}

/**
 * Agent sessions (`/sessions`): the requests a client said belong together (Claude Code's session id,
 * Gemini CLI's, `x-switchboard-session`), summed per session, newest activity first; one session with
 * its requests, oldest first. Not the dashboard's login sessions, which live in `sessions.ts`.
 */
export function addAgentSessionsRoutes(router: Router<GatewayState>, deps: AgentSessionsAdminDeps): void {
  const { store } = deps;

  router.get('/sessions', (ctx) => {
    const query = ctx.query;
    const text = (name: string) =>
      typeof query[name] === 'string' && query[name] !== '' ? (query[name] as string) : undefined;
    const limit = Math.min(Math.max(Number(text('limit') ?? 50) || 50, 1), MAX_LIMIT);
    deps.flushRecords();
    ctx.body = {
      data: store.agentSessions
        .list({ limit, before: text('before'), app: text('app'), agent: text('agent') })
        .map(agentSessionView),
    };
  });

  router.get('/sessions/:id', (ctx) => {
    const id = param(ctx, 'id');
    deps.flushRecords();
    const session = store.agentSessions.get(id) ?? notFound(`Agent session "${id}"`);
    ctx.body = { ...agentSessionView(session.summary), requests: session.requests.map(requestView) };
  });
}
