import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY } from '../support/fake-anthropic.ts';
import {
  AGENT_COMMAND,
  AGENT_OUTPUT,
  AGENT_PROMPT,
  ANSWER_PREFIX,
  startAgentAnthropic,
  startAgentOpenAi,
} from '../support/fake-agent-upstreams.ts';
import type { FakeServer, SeenRequest } from '../support/fake-server.ts';
import { startAgentGemini } from '../support/fake-agent-gemini.ts';
import { GEMINI_KEY } from '../support/fake-gemini.ts';
import { APP_KEY, requestRows, startTestGateway, VENDOR_KEY, type TestGateway } from '../support/gateway.ts';
import { claudeCodeBinary, runClaudeCode, type ClaudeCodeRun } from './claude-code.ts';

/**
 * Issue 12's end-to-end check with the real Claude Code CLI, offline: the fake Anthropic API asks
 * for one Bash call, Claude Code really runs it, and the next turn's answer quotes its output.
 * Today through `/proxy/{routeId}` (native pass-through); runClaudeCode takes any base URL.
 */

const binary = claudeCodeBinary();
const title = binary
  ? 'Claude Code end to end'
  : 'Claude Code end to end (skipped: @anthropic-ai/claude-code has no binary for this platform installed)';

type Block = { type: string; name?: string; input?: { command?: string }; content?: unknown };

function lastUserBlocks(request: SeenRequest): Block[] {
  const messages = (request.body?.['messages'] ?? []) as { role: string; content: string | Block[] }[];
  const content = messages.findLast((message) => message.role === 'user')?.content;
  return Array.isArray(content) ? content : [];
}

/** The text of every tool result sent back, in order. */
function toolResults(seen: SeenRequest[]): string[] {
  return seen.flatMap((request) =>
    lastUserBlocks(request)
      .filter((block) => block.type === 'tool_result')
      .map((block) => (typeof block.content === 'string' ? block.content : JSON.stringify(block.content))),
  );
}

/** The Bash commands of the assistant turns the agent replayed in its last request. */
function toolCalls(seen: SeenRequest[]): string[] {
  const messages = (seen.at(-1)?.body?.['messages'] ?? []) as { role: string; content: string | Block[] }[];
  return messages
    .filter((message) => message.role === 'assistant' && Array.isArray(message.content))
    .flatMap((message) => message.content as Block[])
    .filter((block) => block.type === 'tool_use' && block.name === 'Bash')
    .map((block) => block.input?.command ?? '');
}

/** What a failed run did, for the assertion message: each request's status, and what the CLI printed. */
function describeRun(run: ClaudeCodeRun): string {
  const requests = run.requests.map((request) => `${request.method} ${request.path} -> ${request.status}`);
  return [...requests, `stdout: ${run.stdout}`, `stderr: ${run.stderr}`].join('\n');
}

// A run takes about a second; the harness kills a stuck CLI at 45 s, before this limit.
describe.skipIf(!binary)(title, { timeout: 60_000 }, () => {
  let upstream: FakeServer;
  let openAi: FakeServer & { url: string };
  let gemini: FakeServer;
  let gateway: TestGateway;

  beforeAll(async () => {
    upstream = await startAgentAnthropic();
    openAi = await startAgentOpenAi();
    gemini = await startAgentGemini();
    gateway = await startTestGateway({
      routes: [
        {
          id: 'claude',
          vendor: 'anthropic',
          baseUrl: upstream.origin,
          apiKey: ANTHROPIC_KEY,
          models: ['claude-*'],
        },
        { id: 'gpt', vendor: 'openai', baseUrl: openAi.url, apiKey: VENDOR_KEY, models: ['gpt-*'] },
        { id: 'gem', vendor: 'gemini', baseUrl: gemini.origin, apiKey: GEMINI_KEY, models: ['gemini-*'] },
      ],
      apps: [{ name: 'agent', key: APP_KEY }],
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await openAi?.close();
    await gemini?.close();
  });

  /** Every request of the run has its row, each answered one with its tokens; rows are newest first. */
  async function expectRowsFor(run: ClaudeCodeRun, expected: Record<string, unknown> = {}) {
    const rows = (await requestRows(gateway, 100)).slice(0, run.requests.length).reverse();
    expect(rows).toHaveLength(run.requests.length);
    for (const [index, request] of run.requests.entries()) {
      const row = rows[index]!;
      expect(row['status'], `row ${index}`).toBe(request.status);
      expect(row, `row ${index}`).toMatchObject({ model: request.body?.['model'], ...expected });
      if (request.status === 200) {
        expect(row['inputTokens'], `row ${index}`).toBeGreaterThan(0);
        expect(row['outputTokens'], `row ${index}`).toBeGreaterThan(0);
      }
    }
  }

  it('completes the task against the fake API alone (the harness and the fake, without the gateway)', async () => {
    const run = await runClaudeCode({
      baseUrl: upstream.origin,
      apiKey: ANTHROPIC_KEY,
      model: 'claude-sonnet-4-5',
      prompt: AGENT_PROMPT,
    });
    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
  });

  it('runs Bash once through /proxy/{routeId} and answers with its output', async () => {
    const before = upstream.seen.length;
    const run = await runClaudeCode({
      baseUrl: `${gateway.url}/proxy/claude`,
      apiKey: APP_KEY,
      model: 'claude-sonnet-4-5',
      prompt: AGENT_PROMPT,
    });
    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);

    const seen = upstream.seen.slice(before);
    expect(toolCalls(seen)).toEqual([AGENT_COMMAND]);
    // What Bash printed came back in the next turn: the command really ran on this machine.
    expect(toolResults(seen)).toHaveLength(1);
    expect(toolResults(seen)[0]).toMatch(new RegExp(`^${AGENT_OUTPUT}(\\n|$)`));

    expect(run.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /v1/messages?beta=true',
      'POST /v1/messages?beta=true',
    ]);
    expect(seen).toHaveLength(run.requests.length);
    await expectRowsFor(run);
  });

  it('resends without its mid-conversation system message when the API refuses it, each try with its row', async () => {
    const before = upstream.seen.length;
    // The `opus` alias is a model Claude Code gives a `system`-role message inside `messages`.
    const run = await runClaudeCode({
      baseUrl: `${gateway.url}/proxy/claude`,
      apiKey: APP_KEY,
      model: 'opus',
      prompt: AGENT_PROMPT,
    });
    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
    expect(run.requests.map((request) => request.status)).toEqual([400, 200, 200]);
    expect(toolResults(upstream.seen.slice(before))).toHaveLength(1);
    await expectRowsFor(run);
  });

  /** The task done through `baseUrl`: Bash ran once, its output came back, and the answer quotes it. */
  async function expectTaskDone(run: ClaudeCodeRun, seen: SeenRequest[]) {
    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
    expect(run.requests.every((request) => request.status === 200)).toBe(true);
    expect(seen).toHaveLength(run.requests.length);
  }

  it('runs Bash once through /anthropic/{routeId} on an Anthropic route, bytes passed through', async () => {
    const before = upstream.seen.length;
    const run = await runClaudeCode({
      baseUrl: `${gateway.url}/anthropic/claude`,
      apiKey: APP_KEY,
      model: 'claude-sonnet-4-5',
      prompt: AGENT_PROMPT,
    });
    const seen = upstream.seen.slice(before);
    await expectTaskDone(run, seen);
    expect(toolCalls(seen)).toEqual([AGENT_COMMAND]);
    expect(toolResults(seen)[0]).toMatch(new RegExp(`^${AGENT_OUTPUT}(\\n|$)`));
    expect(seen.map((request) => request.url)).toEqual(['/v1/messages?beta=true', '/v1/messages?beta=true']);
    await expectRowsFor(run, { endpoint: 'messages', route: 'claude' });
  });

  it('runs Bash once through /anthropic/{routeId} on an OpenAI route, translated both ways', async () => {
    const before = openAi.seen.length;
    const run = await runClaudeCode({
      baseUrl: `${gateway.url}/anthropic/gpt`,
      apiKey: APP_KEY,
      model: 'gpt-5',
      prompt: AGENT_PROMPT,
    });
    const seen = openAi.seen.slice(before);
    await expectTaskDone(run, seen);
    expect(seen.map((request) => request.url)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
    // The tool call went out as OpenAI's, and Bash's output came back to it as a tool message.
    const messages = seen.at(-1)!.body!['messages'] as { role: string; content?: unknown }[];
    const toolMessage = messages.find((message) => message.role === 'tool');
    expect(String(toolMessage?.content)).toContain(AGENT_OUTPUT);
    await expectRowsFor(run, { endpoint: 'messages', route: 'gpt', vendor: 'openai', agent: 'claude-code' });
    for (const row of await requestRows(gateway, run.requests.length))
      expect(row['costUsd']).toBeGreaterThan(0);
    // One session: Claude Code's own id, the same on every row of the run.
    const sessions = new Set(run.requests.map((request) => request.headers['x-claude-code-session-id']));
    expect(sessions.size).toBe(1);
    const rows = await requestRows(gateway, run.requests.length);
    expect(new Set(rows.map((row) => row['session']))).toEqual(sessions);
  });

  it('runs Bash once through /anthropic/{routeId} on a Gemini 3 route, its thought signature kept', async () => {
    const before = gemini.seen.length;
    const run = await runClaudeCode({
      baseUrl: `${gateway.url}/anthropic/gem`,
      apiKey: APP_KEY,
      model: 'gemini-3-pro-preview',
      prompt: AGENT_PROMPT,
    });
    const seen = gemini.seen.slice(before);
    // The fake refuses a Gemini 3 turn whose function call lost its signature, as Gemini does.
    await expectTaskDone(run, seen);
    expect(seen.map((request) => request.url)).toEqual([
      '/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse',
      '/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse',
    ]);
    await expectRowsFor(run, { endpoint: 'messages', route: 'gem', vendor: 'gemini', agent: 'claude-code' });
    const rows = await requestRows(gateway, run.requests.length);
    for (const row of rows) expect(row['costUsd']).toBeGreaterThan(0);
  });

  it('runs Bash once with the gateway root as its base URL, the route picked from the model', async () => {
    const before = openAi.seen.length;
    const run = await runClaudeCode({
      baseUrl: gateway.url,
      apiKey: APP_KEY,
      model: 'gpt/gpt-5',
      prompt: AGENT_PROMPT,
    });
    const seen = openAi.seen.slice(before);
    await expectTaskDone(run, seen);
    expect(seen.every((request) => request.body?.['model'] === 'gpt-5')).toBe(true);
    const rows = (await requestRows(gateway, run.requests.length)).reverse();
    for (const row of rows) expect(row).toMatchObject({ endpoint: 'messages', route: 'gpt', model: 'gpt-5' });
  });
});
