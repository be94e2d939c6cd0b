import { describe, expect, it } from 'vitest';
import { agentSession } from '../../../gateway/pipeline/agent-session.ts';

describe('agentSession: who sent a request, in which session', () => {
  it('reads Claude Code’s header and user agent', () => {
    expect(
      agentSession(
        { 'user-agent': 'claude-cli/2.1.332 (external, cli)', 'x-claude-code-session-id': 's-1' },
        null,
      ),
    ).toEqual({ session: 's-1', agent: 'claude-code' });
  });

  it('reads the session in Claude Code’s metadata.user_id, as JSON and in the older form', () => {
    const json = JSON.stringify({ device_id: 'd', account_uuid: '', session_id: '7c1e-uuid' });
    expect(agentSession({}, { metadata: { user_id: json } })).toEqual({
      session: '7c1e-uuid',
      agent: 'claude-code',
    });
    expect(
      agentSession({}, { metadata: { user_id: 'user_abc_account_1234-5678_session_0a1b2c3d-4e5f' } }),
    ).toEqual({ session: '0a1b2c3d-4e5f', agent: 'claude-code' });
    expect(agentSession({}, { metadata: { user_id: '{not json' } })).toEqual({ session: null, agent: null });
  });

  it('knows Gemini CLI by its user agent, whatever follows its name', () => {
    for (const userAgent of [
      'GeminiCLI/0.61.0/gemini-3',
      'GeminiCLI-tui/0.61.0/gemini-3 (linux; x64; terminal)',
    ]) {
      expect(agentSession({ 'user-agent': userAgent }, null).agent).toBe('gemini-cli');
    }
  });

  it('puts the explicit x-switchboard-session first, and keeps the tool from the user agent', () => {
    expect(
      agentSession(
        {
          'user-agent': 'GeminiCLI-tui/0.61.0',
          'x-switchboard-session': ' run-9 ',
          'x-claude-code-session-id': 'other',
        },
        null,
      ),
    ).toEqual({ session: 'run-9', agent: 'gemini-cli' });
  });

  it('reads Codex’s session header', () => {
    expect(agentSession({ 'user-agent': 'codex_exec/0.171.0 (Linux)', 'session-id': 'c-1' }, null)).toEqual({
      session: 'c-1',
      agent: 'codex',
    });
  });

  it('says nothing when the client says nothing', () => {
    expect(agentSession({ 'user-agent': 'OpenAI/Python 1.99' }, { metadata: 'x' })).toEqual({
      session: null,
      agent: null,
    });
  });
});
