import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_COMMAND, AGENT_OUTPUT, AGENT_PROMPT, ANSWER_PREFIX } from '../support/fake-agent-upstreams.ts';
import {
  REASONING_CONTENT,
  startAgentResponses,
  type FakeAgentResponses,
} from '../support/fake-agent-responses.ts';
import type { SeenRequest } from '../support/fake-server.ts';
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

const inputItems = (request: SeenRequest): Item[] => (request.body?.['input'] ?? []) as Item[];

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
  let gateway: TestGateway;

  beforeAll(async () => {
    upstream = await startAgentResponses();
    gateway = await startTestGateway({
      routes: [{ id: 'gpt', vendor: 'openai', baseUrl: upstream.url, apiKey: VENDOR_KEY, models: ['gpt-*'] }],
      apps: [{ name: 'agent', key: APP_KEY }],
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
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
    }
  });
});
