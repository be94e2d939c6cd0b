import type { IncomingHttpHeaders } from 'node:http';
import type { JsonObject } from '../formats/types.ts';

/** The agent session a request belongs to, and the tool that sent it, where the client says them. */
export interface AgentSession {
  session: string | null;
  agent: string | null;
}

/** The header any client may send to group its requests into a session. */
export const SESSION_HEADER = 'x-switchboard-session';

/** Tools known by their user agent, in the order tried. */
const AGENTS: [RegExp, string][] = [
  [/^claude-cli\//i, 'claude-code'],
  // `GeminiCLI/…`, and `GeminiCLI-tui/…` (also headless), `GeminiCLI-acp/…`.
  [/^GeminiCLI(-[\w-]+)?\//i, 'gemini-cli'],
  [/^codex_/i, 'codex'],
];

/** Session headers that tools send, and the tool each names. */
const SESSION_HEADERS: [string, string | null][] = [
  [SESSION_HEADER, null],
  ['x-claude-code-session-id', 'claude-code'],
  // Codex 0.171 (`session_id` in earlier versions).
  ['session-id', 'codex'],
  ['session_id', 'codex'],
];

const header = (headers: IncomingHttpHeaders, name: string): string | null => {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' && text.trim() !== '' ? text.trim() : null;
};

/**
 * Claude Code's `metadata.user_id`: a JSON string with `session_id` (2.x), or the older
 * `user_<hash>_account_<uuid>_session_<uuid>`.
 */
function sessionInUserId(body: JsonObject | null): string | null {
  const metadata = body?.['metadata'];
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return null;
  const userId = (metadata as JsonObject)['user_id'];
  if (typeof userId !== 'string') return null;
  if (userId.startsWith('{')) {
    try {
      const parsed = JSON.parse(userId) as unknown;
      const session = (parsed as { session_id?: unknown } | null)?.session_id;
      return typeof session === 'string' && session !== '' ? session : null;
    } catch {
      return null;
    }
  }
  return /_session_([0-9a-f-]{8,})$/i.exec(userId)?.[1] ?? null;
}

/**
 * Reads who sent a request and in which session, from what clients say: the gateway's own header
 * first (Gemini CLI sends no session id with an API key: `switchboard run gemini` sets this one),
 * then the tools' own (Claude Code's header and `metadata.user_id`, Codex's),
 * and the tool from the user agent. Nothing here is trusted for policy: it only groups rows.
 */
export function agentSession(headers: IncomingHttpHeaders, body: JsonObject | null): AgentSession {
  const userAgent = header(headers, 'user-agent') ?? '';
  let agent = AGENTS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;
  let session: string | null = null;
  for (const [name, tool] of SESSION_HEADERS) {
    session = header(headers, name);
    if (session !== null) {
      agent ??= tool;
      break;
    }
  }
  if (session === null) {
    session = sessionInUserId(body);
    if (session !== null) agent ??= 'claude-code';
  }
  return { session, agent };
}
