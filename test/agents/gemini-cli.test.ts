import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY } from '../support/fake-anthropic.ts';
import {
  AGENT_COMMAND,
  AGENT_OUTPUT,
  AGENT_PROMPT,
  ANSWER_PREFIX,
  startAgentAnthropic,
} from '../support/fake-agent-upstreams.ts';
import { SESSION_HEADER } from '../../gateway/pipeline/agent-session.ts';
import {
  FAKE_THOUGHT_SIGNATURE,
  GEMINI_SHELL_TOOL,
  shellOutput,
  startAgentGemini,
} from '../support/fake-agent-gemini.ts';
import { GEMINI_KEY } from '../support/fake-gemini.ts';
import type { FakeServer, SeenRequest } from '../support/fake-server.ts';
import { APP_KEY, requestRows, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { geminiCliBinary, runGeminiCli, type GeminiCliRun } from './gemini-cli.ts';

/**
 * Issue 12's end-to-end check with the real Gemini CLI, offline: the fake API asks for one
 * `run_shell_command` call, Gemini CLI really runs it, and the next turn's answer quotes its output.
 * Through `/gemini/{routeId}` on a Gemini route (passed through) and on an Anthropic route (translated).
 */

const entry = geminiCliBinary();
const title = entry
  ? 'Gemini CLI end to end'
  : 'Gemini CLI end to end (skipped: @google/gemini-cli is not installed)';

type Part = {
  text?: string;
  thoughtSignature?: string;
  functionCall?: { name: string; args?: { command?: string } };
  functionResponse?: { name: string; response?: Record<string, unknown> };
};
type Content = { role: string; parts: Part[] };

const contentsOf = (request: { body: Record<string, unknown> | null }) =>
  (request.body?.['contents'] ?? []) as Content[];

/** What the shell printed, from every functionResponse Gemini CLI sent back as its newest turn. */
function shellResults(run: GeminiCliRun): string[] {
  return run.requests.flatMap((request) =>
    (contentsOf(request).at(-1)?.parts ?? [])
      .filter((part) => part.functionResponse?.name === GEMINI_SHELL_TOOL)
      .map((part) => shellOutput(part.functionResponse?.response)),
  );
}

/** The shell commands of the model turns Gemini CLI replayed in its last request. */
function shellCalls(run: GeminiCliRun): string[] {
  return contentsOf(run.requests.at(-1)!)
    .filter((content) => content.role === 'model')
    .flatMap((content) => content.parts)
    .filter((part) => part.functionCall?.name === GEMINI_SHELL_TOOL)
    .map((part) => part.functionCall?.args?.command ?? '');
}

/** What a failed run did, for the assertion message: each request's status, and what the CLI printed. */
function describeRun(run: GeminiCliRun): string {
  const requests = run.requests.map((request) => `${request.method} ${request.path} -> ${request.status}`);
  return [...requests, `stdout: ${run.stdout}`, `stderr: ${run.stderr.slice(-2000)}`].join('\n');
}

/** The task done: the shell ran once, its output came back in the next turn, and the answer quotes it. */
function expectTaskDone(run: GeminiCliRun) {
  expect(run.exitCode, describeRun(run)).toBe(0);
  expect(
    run.requests.every((request) => request.status === 200),
    describeRun(run),
  ).toBe(true);
  expect(shellCalls(run)).toEqual([AGENT_COMMAND]);
  expect(shellResults(run)).toEqual([AGENT_OUTPUT]);
  // The fakes quote what came back; how much of Gemini CLI's wrapping they keep is theirs to choose.
  expect(run.stdout).toContain(ANSWER_PREFIX);
  expect(run.stdout).toContain(AGENT_OUTPUT);
}

const modelIn = (path: string) => /\/models\/([^:/]+):/.exec(path)?.[1];

// A run takes two to three seconds; the harness kills a stuck CLI at 45 s, before this limit.
describe.skipIf(!entry)(title, { timeout: 60_000 }, () => {
  let gemini: FakeServer;
  let anthropic: FakeServer;
  let gateway: TestGateway;

  beforeAll(async () => {
    [gemini, anthropic] = await Promise.all([startAgentGemini(), startAgentAnthropic()]);
    gateway = await startTestGateway({
      routes: [
        { id: 'gem', vendor: 'gemini', baseUrl: gemini.origin, apiKey: GEMINI_KEY, models: ['gemini-*'] },
        {
          id: 'claude',
          vendor: 'anthropic',
          baseUrl: anthropic.origin,
          apiKey: ANTHROPIC_KEY,
          models: ['claude-*'],
        },
      ],
      apps: [{ name: 'agent', key: APP_KEY }],
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await gemini?.close();
    await anthropic?.close();
  });

  /** Every request of the run has its row, with the model it named and its tokens; rows are newest first. */
  async function expectRowsFor(run: GeminiCliRun, expected: Record<string, unknown>) {
    const rows = (await requestRows(gateway, 100)).slice(0, run.requests.length).reverse();
    expect(rows).toHaveLength(run.requests.length);
    for (const [index, request] of run.requests.entries()) {
      const row = rows[index]!;
      expect(row, `row ${index}`).toMatchObject({
        status: request.status,
        model: modelIn(request.path),
        ...expected,
      });
      expect(row['inputTokens'], `row ${index}`).toBeGreaterThan(0);
      expect(row['outputTokens'], `row ${index}`).toBeGreaterThan(0);
    }
  }

  it('completes the task against the fake API alone (the harness and the fake, without the gateway)', async () => {
    const run = await runGeminiCli({
      baseUrl: gemini.origin,
      apiKey: GEMINI_KEY,
      model: 'gemini-2.5-flash',
      prompt: AGENT_PROMPT,
    });
    expectTaskDone(run);
    expect(run.stdout).toContain(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
    expect(run.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      'POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    ]);
  });

  it('runs the shell once through /gemini/{routeId} on a Gemini route, passed through', async () => {
    const before = gemini.seen.length;
    const run = await runGeminiCli({
      baseUrl: `${gateway.url}/gemini/gem`,
      apiKey: APP_KEY,
      model: 'gemini-2.5-flash',
      prompt: AGENT_PROMPT,
    });
    expectTaskDone(run);
    const seen = gemini.seen.slice(before);
    expect(seen.map((request) => request.url)).toEqual(run.requests.map((request) => request.path));
    // The app's key stays at the gateway; the route's own key goes upstream.
    expect(seen.every((request) => request.headers['x-goog-api-key'] === GEMINI_KEY)).toBe(true);
    // The function call came back to the API with its thought signature untouched.
    const replayed = contentsOf(seen.at(-1)!).find((content) => content.role === 'model');
    expect(replayed?.parts[0]).toMatchObject({ thoughtSignature: FAKE_THOUGHT_SIGNATURE });
    await expectRowsFor(run, { route: 'gem', vendor: 'gemini', stream: true });
  });

  it('lets the auto router ask a flash-lite model first, each call with its row', async () => {
    const run = await runGeminiCli({
      baseUrl: `${gateway.url}/gemini/gem`,
      apiKey: APP_KEY,
      prompt: AGENT_PROMPT,
    });
    expectTaskDone(run);
    const [classifier, ...turns] = run.requests;
    expect(classifier!.path).toMatch(/^\/v1beta\/models\/gemini-[\d.]+-flash-lite:generateContent$/);
    expect(turns.map((request) => request.path)).toEqual([
      expect.stringMatching(/:streamGenerateContent\?alt=sse$/),
      expect.stringMatching(/:streamGenerateContent\?alt=sse$/),
    ]);
    await expectRowsFor(run, { route: 'gem' });
  });

  it('runs the shell once through /gemini/{routeId} on an Anthropic route, translated both ways', async () => {
    const before = anthropic.seen.length;
    const session = randomUUID();
    const run = await runGeminiCli({
      baseUrl: `${gateway.url}/gemini/claude`,
      apiKey: APP_KEY,
      model: 'claude-sonnet-4-5',
      prompt: AGENT_PROMPT,
      // What `switchboard run gemini` sets: Gemini CLI sends no session id of its own.
      env: { GEMINI_CLI_CUSTOM_HEADERS: `${SESSION_HEADER}: ${session}` },
    });
    expectTaskDone(run);
    const seen: SeenRequest[] = anthropic.seen.slice(before);
    expect(seen.map((request) => request.url)).toEqual(['/v1/messages', '/v1/messages']);
    // The function call went out as Anthropic's tool_use, and the shell's output came back to it as its tool_result.
    const messages = seen.at(-1)!.body!['messages'] as { role: string; content: unknown }[];
    expect(JSON.stringify(messages.at(-1))).toContain('tool_result');
    expect(JSON.stringify(messages.at(-1))).toContain(AGENT_OUTPUT);
    await expectRowsFor(run, { route: 'claude', vendor: 'anthropic', agent: 'gemini-cli', session });
    for (const row of await requestRows(gateway, run.requests.length))
      expect(row['costUsd']).toBeGreaterThan(0);
  });

  it('groups a run into the session Gemini CLI is told to send, since it sends none of its own', async () => {
    const session = randomUUID();
    const run = await runGeminiCli({
      baseUrl: `${gateway.url}/gemini/gem`,
      apiKey: APP_KEY,
      model: 'gemini-2.5-flash',
      prompt: AGENT_PROMPT,
      args: ['--session-id', session],
      env: { GEMINI_CLI_CUSTOM_HEADERS: `${SESSION_HEADER}: ${session}` },
    });
    expectTaskDone(run);
    expect(run.requests.every((request) => request.headers[SESSION_HEADER] === session)).toBe(true);
    await expectRowsFor(run, { route: 'gem', session });
  });

  it('names the agent on each row from Gemini CLI’s user agent', async () => {
    const run = await runGeminiCli({
      baseUrl: `${gateway.url}/gemini/gem`,
      apiKey: APP_KEY,
      model: 'gemini-2.5-flash',
      prompt: AGENT_PROMPT,
    });
    expectTaskDone(run);
    // `GeminiCLI-tui/0.61.0/gemini-2.5-flash (linux; x64; terminal)`, headless runs included.
    expect(run.requests[0]!.headers['user-agent']).toMatch(
      /^GeminiCLI-tui\/\d+\.\d+\.\d+\/gemini-2\.5-flash /,
    );
    await expectRowsFor(run, { route: 'gem', agent: 'gemini-cli' });
  });
});
