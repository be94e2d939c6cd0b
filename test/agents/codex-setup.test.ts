import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_COMMAND, AGENT_OUTPUT, AGENT_PROMPT, ANSWER_PREFIX } from '../support/fake-agent-upstreams.ts';
import { startAgentResponses, type FakeAgentResponses } from '../support/fake-agent-responses.ts';
import type { SeenRequest } from '../support/fake-server.ts';
import { APP_KEY, requestRows, startTestGateway, VENDOR_KEY, type TestGateway } from '../support/gateway.ts';
import { codexBinary, runCodex } from './codex.ts';

/**
 * Issue 13's set-up, with the real Codex CLI, offline: the config.toml `switchboard env codex`
 * prints, and `switchboard run codex`, each complete a one-tool-call task through a real gateway
 * on an OpenAI route (the fake Responses API behind it), every request with its row.
 */

const binary = codexBinary();
const title = binary
  ? 'Codex set up by switchboard env and run'
  : 'Codex set up by switchboard env and run (skipped: @openai/codex has no binary for this platform installed)';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/switchboard.mjs', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The bin script in a child process, as users run it; killed at 50 s, before the test's limit. */
function switchboard(args: string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

type Item = { type?: string; name?: string; arguments?: string; output?: unknown };

const inputItems = (request: SeenRequest): Item[] => (request.body?.['input'] ?? []) as Item[];

/** The task done: the shell ran once, its output went back, and the answer quotes it; each request has its row. */
async function expectTaskDone(run: Run, seen: SeenRequest[], gateway: TestGateway) {
  expect(run.code, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(0);
  expect(run.stdout).toContain(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
  expect(seen.map((request) => request.url)).toEqual(['/v1/responses', '/v1/responses']);
  // The app key stayed at the gateway; the route's key went upstream.
  expect(seen.every((request) => request.headers['authorization'] === `Bearer ${VENDOR_KEY}`)).toBe(true);
  const last = inputItems(seen.at(-1)!);
  const calls = last.filter((item) => item.type === 'function_call' && item.name === 'exec_command');
  expect(calls.map((item) => (JSON.parse(item.arguments ?? '{}') as { cmd?: string }).cmd)).toEqual([
    AGENT_COMMAND,
  ]);
  const outputs = last.filter((item) => item.type === 'function_call_output').map((item) => item.output);
  expect(outputs).toHaveLength(1);
  expect(String(outputs[0])).toMatch(new RegExp(`Output:\\n${AGENT_OUTPUT}\\n`));
  const rows = await requestRows(gateway, seen.length);
  for (const row of rows)
    expect(row).toMatchObject({
      app: 'agent',
      route: 'gpt',
      endpoint: 'responses',
      status: 200,
      agent: 'codex',
    });
}

describe.skipIf(!binary)(title, { timeout: 60_000 }, () => {
  let upstream: FakeAgentResponses;
  let gateway: TestGateway;
  let dir: string;

  beforeAll(async () => {
    upstream = await startAgentResponses();
    gateway = await startTestGateway({
      routes: [{ id: 'gpt', vendor: 'openai', baseUrl: upstream.url, apiKey: VENDOR_KEY, models: ['gpt-*'] }],
      apps: [{ name: 'agent', key: APP_KEY }],
    });
    dir = mkdtempSync(join(tmpdir(), 'switchboard-codex-setup-'));
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const route of ['gpt', undefined]) {
    it(`reads the config.toml that env codex${route ? ` --route ${route}` : ''} prints, the key from SWITCHBOARD_APP_KEY`, async () => {
      const printed = await switchboard(
        ['env', 'codex', ...(route ? ['--route', route] : []), '--data-dir', gateway.dataDir],
        { PATH: process.env['PATH'], SWITCHBOARD_APP_KEY: APP_KEY },
      );
      expect(printed.code, printed.stderr).toBe(0);
      expect(printed.stdout).not.toContain(APP_KEY);
      const before = upstream.seen.length;
      const run = await runCodex({
        baseUrl: `${gateway.url}/${route ? `openai/${route}/` : ''}v1`,
        configToml: printed.stdout,
        // Not the key: only the variable the printed provider names holds it.
        apiKey: 'not-the-app-key',
        env: { SWITCHBOARD_APP_KEY: APP_KEY },
        model: 'gpt-5',
        prompt: AGENT_PROMPT,
      });
      await expectTaskDone(
        { code: run.exitCode, stdout: run.stdout, stderr: run.stderr },
        upstream.seen.slice(before),
        gateway,
      );
    });
  }

  it("runs codex with the provider on its command line, over the user's own config, which stays as it was", async () => {
    const home = join(dir, 'home');
    const codexHome = join(home, '.codex');
    const workspace = join(home, 'workspace');
    mkdirSync(codexHome, { recursive: true });
    mkdirSync(workspace);
    // The user's own provider, at a port that refuses: the run must not use it.
    const own = [
      'model_provider = "mine"',
      '',
      '[model_providers.mine]',
      'name = "Mine"',
      'base_url = "http://127.0.0.1:9/v1"',
      'env_key = "MINE_KEY"',
      'wire_api = "responses"',
      '',
    ].join('\n');
    writeFileSync(join(codexHome, 'config.toml'), own);
    const before = upstream.seen.length;
    const run = await switchboard(
      [
        'run',
        'codex',
        '--route',
        'gpt',
        '--data-dir',
        gateway.dataDir,
        '--command',
        binary!,
        '--',
        // The user's own switches, so that nothing calls home (as runCodex's config.toml has them).
        '-c',
        'check_for_update_on_startup=false',
        '-c',
        'analytics.enabled=false',
        '-c',
        'feedback.enabled=false',
        '-c',
        'features.plugins=false',
        'exec',
        '--skip-git-repo-check',
        '--ephemeral',
        '--strict-config',
        '--dangerously-bypass-approvals-and-sandbox',
        '--model',
        'gpt-5',
        AGENT_PROMPT,
      ],
      {
        PATH: process.env['PATH'],
        HOME: home,
        CODEX_HOME: codexHome,
        SWITCHBOARD_APP_KEY: APP_KEY,
        MINE_KEY: 'not-the-app-key',
        HTTPS_PROXY: 'http://127.0.0.1:9',
        HTTP_PROXY: 'http://127.0.0.1:9',
        NO_PROXY: '127.0.0.1,localhost',
      },
      workspace,
    );
    await expectTaskDone(run, upstream.seen.slice(before), gateway);
    expect(run.stderr).toContain('provider: switchboard');
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe(own);
  });
});
