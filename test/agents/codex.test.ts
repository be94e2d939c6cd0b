import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT_COMMAND,
  AGENT_OUTPUT,
  AGENT_PROMPT,
  AGENT_THINKING,
  AGENT_THINKING_SIGNATURE,
  ANSWER_PREFIX,
  startAgentAnthropic,
} from '../support/fake-agent-upstreams.ts';
import {
  REASONING_CONTENT,
  startAgentResponses,
  type FakeAgentResponses,
} from '../support/fake-agent-responses.ts';
import type { FakeServer, SeenRequest } from '../support/fake-server.ts';
import { ANTHROPIC_KEY } from '../support/fake-anthropic.ts';
import { startAgentGemini } from '../support/fake-agent-gemini.ts';
import { GEMINI_KEY } from '../support/fake-gemini.ts';
import { APP_KEY, requestRows, startTestGateway, VENDOR_KEY, type TestGateway } from '../support/gateway.ts';
import { codexBinary, runCodex, type CodexRun } from './codex.ts';

/**
 * Issue 13's end-to-end check with the real Codex CLI, offline: the fake Responses API asks for one
 * `exec_command` call, Codex really runs it, and the next turn's answer quotes its output. Today
 * through `/proxy/{routeId}` (native pass-through); runCodex takes any base URL.
 */

const binary = codexBinary();
const title = binary
  ? 'Codex end to end'
  : 'Codex end to end (skipped: @openai/codex has no binary for this platform installed)';

type Item = {
  type?: string;
  name?: string;
  arguments?: string;
  output?: unknown;
  encrypted_content?: unknown;
};

const inputItems = (request: Pick<SeenRequest, 'body'>): Item[] => (request.body?.['input'] ?? []) as Item[];

/** The shell commands of the calls Codex replayed in its last request. */
function shellCalls(seen: SeenRequest[]): string[] {
  return inputItems(seen.at(-1)!)
    .filter((item) => item.type === 'function_call' && item.name === 'exec_command')
    .map((item) => String((JSON.parse(item.arguments ?? '{}') as { cmd?: string }).cmd));
}

/** The `function_call_output` items sent back, in order. */
function callOutputs(seen: SeenRequest[]): string[] {
  return seen.flatMap((request) =>
    inputItems(request)
      .filter((item) => item.type === 'function_call_output')
      .map((item) => (typeof item.output === 'string' ? item.output : JSON.stringify(item.output))),
  );
}

/** What a failed run did, for the assertion message: each request's status, and what the CLI printed. */
function describeRun(run: CodexRun): string {
  const requests = run.requests.map((request) => `${request.method} ${request.path} -> ${request.status}`);
  return [...requests, `stdout: ${run.stdout}`, `stderr: ${run.stderr}`].join('\n');
}

/** The task done: the shell ran once on this machine, its output came back, and the answer quotes it. */
function expectTaskDone(run: CodexRun, seen: SeenRequest[]) {
  expect(run.exitCode, describeRun(run)).toBe(0);
  expect(run.stdout).toContain(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
  expect(run.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
    'POST /responses 200',
    'POST /responses 200',
  ]);
  expect(seen).toHaveLength(run.requests.length);
  expect(shellCalls(seen)).toEqual([AGENT_COMMAND]);
  expect(callOutputs(seen)).toHaveLength(1);
  // Codex heads the output with the exit code and timing; what echo printed follows `Output:`.
  expect(callOutputs(seen)[0]).toContain('Process exited with code 0');
  expect(callOutputs(seen)[0]).toMatch(new RegExp(`Output:\\n${AGENT_OUTPUT}\\n`));
  // With store false, the reasoning item comes back whole for the model to go on from.
  const reasoning = inputItems(seen.at(-1)!).filter((item) => item.type === 'reasoning');
  expect(reasoning.map((item) => item.encrypted_content)).toEqual([REASONING_CONTENT]);
}

// A run takes well under a second; the harness kills a stuck CLI at 45 s, before this limit.
describe.skipIf(!binary)(title, { timeout: 60_000 }, () => {
  let upstream: FakeAgentResponses;
  let anthropic: FakeServer;
  let gemini: FakeServer;
  let gateway: TestGateway;

  beforeAll(async () => {
    upstream = await startAgentResponses();
    anthropic = await startAgentAnthropic();
    gemini = await startAgentGemini();
    gateway = await startTestGateway({
      routes: [
        { id: 'gpt', vendor: 'openai', baseUrl: upstream.url, apiKey: VENDOR_KEY, models: ['gpt-*'] },
        {
          id: 'claude',
          vendor: 'anthropic',
          baseUrl: anthropic.origin,
          apiKey: ANTHROPIC_KEY,
          models: ['claude-*'],
        },
        { id: 'gem', vendor: 'gemini', baseUrl: gemini.origin, apiKey: GEMINI_KEY, models: ['gemini-*'] },
      ],
      apps: [{ name: 'agent', key: APP_KEY }],
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await anthropic?.close();
    await gemini?.close();
  });

  it('completes the task against the fake API alone (the harness and the fake, without the gateway)', async () => {
    const before = upstream.seen.length;
    const run = await runCodex({
      baseUrl: upstream.url,
      apiKey: VENDOR_KEY,
      model: 'gpt-5',
      prompt: AGENT_PROMPT,
    });
    const seen = upstream.seen.slice(before);
    expectTaskDone(run, seen);
    expect(seen.every((request) => request.body?.['store'] === false)).toBe(true);
  });

  it('runs exec_command once through /proxy/{routeId} on an OpenAI route, every request with its row', async () => {
    const before = upstream.seen.length;
    const run = await runCodex({
      baseUrl: `${gateway.url}/proxy/gpt`,
      apiKey: APP_KEY,
      model: 'gpt-5',
      prompt: AGENT_PROMPT,
    });
    const seen = upstream.seen.slice(before);
    expectTaskDone(run, seen);
    // The app key stayed at the gateway; the route's key went upstream.
    expect(seen.every((request) => request.headers['authorization'] === `Bearer ${VENDOR_KEY}`)).toBe(true);

    const rows = (await requestRows(gateway, 100)).slice(0, run.requests.length).reverse();
    expect(rows).toHaveLength(run.requests.length);
    for (const [index, request] of run.requests.entries()) {
      expect(rows[index], `row ${index}`).toMatchObject({
        status: request.status,
        route: 'gpt',
        endpoint: 'proxy',
        model: request.body?.['model'],
        agent: 'codex',
        // Codex's own session id, from its `session-id` header.
        session: request.headers['session-id'],
      });
      // Usage read from the Responses stream as it passed, though /proxy knows nothing of the API.
      expect(rows[index]!['inputTokens'], `row ${index}`).toBeGreaterThan(0);
      expect(rows[index]!['outputTokens'], `row ${index}`).toBeGreaterThan(0);
    }
  });

  it('runs exec_command once through /openai/{routeId}/v1 on an OpenAI route, the Responses API passed through', async () => {
    const before = upstream.seen.length;
    const run = await runCodex({
      baseUrl: `${gateway.url}/openai/gpt/v1`,
      apiKey: APP_KEY,
      model: 'gpt-5',
      prompt: AGENT_PROMPT,
    });
    const seen = upstream.seen.slice(before);
    expectTaskDone(run, seen);
    expect(seen.map((request) => request.url)).toEqual(['/v1/responses', '/v1/responses']);
    const rows = (await requestRows(gateway, run.requests.length)).reverse();
    for (const [index, row] of rows.entries()) {
      expect(row, `row ${index}`).toMatchObject({
        endpoint: 'responses',
        route: 'gpt',
        status: 200,
        agent: 'codex',
        session: run.requests[index]!.headers['session-id'],
      });
      // Usage read from the Responses stream as it passed.
      expect(row['inputTokens'], `row ${index}`).toBeGreaterThan(0);
      expect(row['outputTokens'], `row ${index}`).toBeGreaterThan(0);
      expect(row['costUsd'], `row ${index}`).toBeGreaterThan(0);
    }
  });

  it('runs exec_command once through /openai/{routeId}/v1 on an Anthropic route, translated both ways', async () => {
    const before = anthropic.seen.length;
    const run = await runCodex({
      baseUrl: `${gateway.url}/openai/claude/v1`,
      apiKey: APP_KEY,
      model: 'claude-sonnet-4-5',
      prompt: AGENT_PROMPT,
    });
    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
    const seen = anthropic.seen.slice(before);
    expect(seen.map((request: SeenRequest) => request.url)).toEqual(['/v1/messages', '/v1/messages']);
    // Codex's exec_command went out as an Anthropic tool and its output came back as the tool_result.
    const messages = seen.at(-1)!.body!['messages'] as { role: string; content: unknown }[];
    expect(JSON.stringify(messages.at(-1))).toContain('tool_result');
    expect(JSON.stringify(messages.at(-1))).toContain(AGENT_OUTPUT);
    const rows = await requestRows(gateway, run.requests.length);
    for (const row of rows) {
      expect(row).toMatchObject({ endpoint: 'responses', route: 'claude', status: 200, agent: 'codex' });
      expect(row['session']).toBe(run.requests[0]!.headers['session-id']);
      expect(row['inputTokens']).toBeGreaterThan(0);
      expect(row['costUsd']).toBeGreaterThan(0);
      // Codex offers tools Anthropic cannot run (web search, its namespace group): dropped, and said so.
      expect(String(row['note'])).toContain('dropped');
    }
  });

  it('keeps Claude thinking through the tool loop: its signed thinking goes back sealed and comes back whole', async () => {
    const before = anthropic.seen.length;
    const run = await runCodex({
      baseUrl: `${gateway.url}/openai/claude/v1`,
      apiKey: APP_KEY,
      model: 'claude-sonnet-4-5',
      prompt: AGENT_PROMPT,
      args: ['-c', 'model_reasoning_effort="high"'],
    });
    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
    // Codex got the thinking as a reasoning item, sealed, and sent it back unchanged.
    const reasoning = inputItems(run.requests.at(-1)!).filter((item) => item.type === 'reasoning');
    expect(reasoning).toHaveLength(1);
    expect(String(reasoning[0]!.encrypted_content)).toMatch(/^sbc1\./);
    expect(String(reasoning[0]!.encrypted_content)).not.toContain(AGENT_THINKING_SIGNATURE);
    // Both turns asked Claude to think, and the second began its tool loop with the signed block, as the API requires.
    const seen = anthropic.seen.slice(before);
    expect(run.requests.map((request) => request.status)).toEqual([200, 200]);
    expect(seen.map((request) => (request.body!['thinking'] as { type?: string } | undefined)?.type)).toEqual(
      ['enabled', 'enabled'],
    );
    const messages = seen.at(-1)!.body!['messages'] as { role: string; content: unknown[] }[];
    expect(messages.at(-2)!.content[0]).toEqual({
      type: 'thinking',
      thinking: AGENT_THINKING,
      signature: AGENT_THINKING_SIGNATURE,
    });
  });

  it('runs exec_command once through /openai/{routeId}/v1 on a Gemini 3 route, translated both ways', async () => {
    const before = gemini.seen.length;
    const run = await runCodex({
      baseUrl: `${gateway.url}/openai/gem/v1`,
      apiKey: APP_KEY,
      model: 'gemini-3-pro-preview',
      prompt: AGENT_PROMPT,
    });
    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
    // The fake refuses a Gemini 3 turn whose function call lost its thought signature, as Gemini does.
    const seen = gemini.seen.slice(before);
    expect(seen.map((request: SeenRequest) => request.url)).toEqual([
      '/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse',
      '/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse',
    ]);
    const rows = await requestRows(gateway, run.requests.length);
    for (const row of rows) {
      expect(row).toMatchObject({ endpoint: 'responses', route: 'gem', status: 200, agent: 'codex' });
      expect(row['session']).toBe(run.requests[0]!.headers['session-id']);
      expect(row['inputTokens']).toBeGreaterThan(0);
      expect(row['costUsd']).toBeGreaterThan(0);
    }
  });
});
