import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeCodeBinary } from '../agents/claude-code.ts';
import { ANTHROPIC_KEY } from '../support/fake-anthropic.ts';
import {
  AGENT_OUTPUT,
  AGENT_PROMPT,
  ANSWER_PREFIX,
  startAgentAnthropic,
} from '../support/fake-agent-upstreams.ts';
import { requestRows, startTestGateway } from '../support/gateway.ts';

// `switchboard env` and `run` as users run them: the real bin script, in a child process.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/switchboard.mjs', import.meta.url));
const KEY = 'sbk_test_0123456789abcdef0123';
const READY = /^Switchboard listening on (http:\/\/127\.0\.0\.1:\d+)\n/;
/** Start-up goes through tsx, which can take several seconds on a busy machine. */
const TIMEOUT_MS = 20_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];

afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-agents-'));
  dirs.push(dir);
  return dir;
}

function spawnBin(args: string[], env: Record<string, string | undefined> = {}) {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['SWITCHBOARD_APP_KEY', 'SWITCHBOARD_ADMIN_TOKEN', 'ANTHROPIC_AUTH_TOKEN']) {
    if (!(name in env)) delete environment[name];
  }
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<Run>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, output: () => stdout, closed };
}

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const run = spawnBin(args, env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), TIMEOUT_MS);
  try {
    return await run.closed;
  } finally {
    clearTimeout(timer);
  }
}

/** A data dir whose runtime.json names a live process (this one): env and run never call the gateway. */
function fakeGatewayDir(url = 'http://127.0.0.1:4141'): string {
  const dataDir = tempDir();
  writeFileSync(
    join(dataDir, 'runtime.json'),
    JSON.stringify({ url, pid: process.pid, secret: 'unused', startedAt: new Date().toISOString() }),
  );
  return dataDir;
}

/** A script that prints the variables `run` sets and its arguments as JSON, then exits with its first argument. */
function printingTool(dir: string): string {
  const script = join(dir, 'tool.mjs');
  writeFileSync(
    script,
    `const names = ['ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'OPENAI_BASE_URL',
  'OPENAI_API_KEY', 'GOOGLE_GEMINI_BASE_URL', 'GEMINI_API_KEY', 'GEMINI_CLI_CUSTOM_HEADERS', 'KEEP'];
const env = Object.fromEntries(names.filter((name) => name in process.env).map((name) => [name, process.env[name]]));
process.stdout.write(JSON.stringify({ env, args: process.argv.slice(2) }));
process.exit(Number(process.argv[2]));
`,
  );
  return script;
}

describe('switchboard env', { timeout: 60_000 }, () => {
  it('prints the Claude Code variables for the gateway on the data dir, ready for eval', async () => {
    // A wildcard bind is reached on loopback.
    const dataDir = fakeGatewayDir('http://0.0.0.0:4242');
    const result = await cli(['env', 'claude', '--data-dir', dataDir, '--key', KEY]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      [
        'unset ANTHROPIC_AUTH_TOKEN',
        "export ANTHROPIC_BASE_URL='http://127.0.0.1:4242'",
        `export ANTHROPIC_API_KEY='${KEY}'`,
        "# The model picks the route: --model ROUTE/MODEL, or a model one of the app's routes allows.",
        '',
      ].join('\n'),
    );
    const evaluated = execFileSync(
      'sh',
      ['-c', 'eval "$(cat)"; printf "%s %s" "$ANTHROPIC_BASE_URL" "$ANTHROPIC_API_KEY"'],
      { input: result.stdout, encoding: 'utf8' },
    );
    expect(evaluated).toBe(`http://127.0.0.1:4242 ${KEY}`);
  });

  it('takes the key from SWITCHBOARD_APP_KEY, a route, and fish or PowerShell forms', async () => {
    const dataDir = fakeGatewayDir();
    const gemini = await cli(
      ['env', 'gemini', '--route', 'claude', '--shell', 'fish', '--data-dir', dataDir],
      {
        SWITCHBOARD_APP_KEY: KEY,
      },
    );
    expect(gemini.code).toBe(0);
    expect(gemini.stdout).toContain("set -gx GOOGLE_GEMINI_BASE_URL 'http://127.0.0.1:4141/gemini/claude'\n");
    expect(gemini.stdout).toContain(`set -gx GEMINI_API_KEY '${KEY}'\n`);
    expect(gemini.stdout).toContain('"selectedType": "gemini-api-key"');
    const openai = await cli(
      ['env', 'openai', '--route', 'local', '--shell', 'powershell', '--data-dir', dataDir],
      {
        SWITCHBOARD_APP_KEY: KEY,
      },
    );
    expect(openai.stdout).toBe(
      `$env:OPENAI_BASE_URL = 'http://127.0.0.1:4141/openai/local/v1'\n$env:OPENAI_API_KEY = '${KEY}'\n`,
    );
  });

  it('exits 2 with one line, printing no key, for what it cannot do', async () => {
    const dataDir = fakeGatewayDir();
    const cases: Array<[string[], RegExp]> = [
      [['env', 'claude'], /^No app key: pass --key KEY or set SWITCHBOARD_APP_KEY\. .*Apps & keys/],
      [['env', 'codex', '--route', 'a"b', '--key', KEY], /--route must be a route id/],
      [['env', 'gemini', '--key', KEY], /give one with --route ID/],
      [['env', 'claude', '--route', 'x/../y', '--key', KEY], /--route must be a route id/],
      [['env', 'cursor', '--key', KEY], /^Unknown tool "cursor": use one of claude, gemini, codex, openai\./],
      [['env', 'claude', '--shell', 'csh', '--key', KEY], /--shell must be one of sh, fish, powershell/],
      [['env', 'claude', '--key', 'two words'], /printable ASCII without spaces/],
      [
        ['env', 'claude', '--port', '1'],
        /^env takes only --route, --key, --shell and --data-dir, not --port\./,
      ],
      [['run', 'claude', '--shell', 'sh'], /^run takes only --route, --key, --command and --data-dir/],
      [['env', 'claude', '--key', KEY, '--', 'x'], /^Only run passes arguments after --\./],
      [['run', 'openai', '--key', KEY], /^run openai needs --command CMD/],
      [
        ['run', 'claude', 'hello', '--key', KEY],
        /^run takes one tool, not "claude hello"; the tool's own arguments go after --\./,
      ],
    ];
    // A few at a time: each starts through tsx, and a busy machine would time out all of them at once.
    const results: Run[] = [];
    for (let start = 0; start < cases.length; start += 4) {
      const batch = cases.slice(start, start + 4);
      results.push(...(await Promise.all(batch.map(([args]) => cli([...args, '--data-dir', dataDir])))));
    }
    for (const [index, [args, message]] of cases.entries()) {
      const result = results[index]!;
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  }, 90_000);

  it("prints Codex's provider for config.toml on stdout and the key's line on stderr", async () => {
    const dataDir = fakeGatewayDir('http://0.0.0.0:4242');
    const codexHome = join(tempDir(), 'codex');
    const root = await cli(['env', 'codex', '--data-dir', dataDir], {
      SWITCHBOARD_APP_KEY: KEY,
      CODEX_HOME: codexHome,
    });
    expect(root.code).toBe(0);
    // What `> config.toml` would write: no key in it.
    expect(root.stdout).toBe(
      [
        `# For ${join(codexHome, 'config.toml')}: model_provider goes above the file's first [table].`,
        "# The model picks the route: --model ROUTE/MODEL, or a model one of the app's routes allows.",
        'model_provider = "switchboard"',
        '',
        '[model_providers.switchboard]',
        'name = "Switchboard"',
        'base_url = "http://127.0.0.1:4242/v1"',
        'env_key = "SWITCHBOARD_APP_KEY"',
        'wire_api = "responses"',
        '',
      ].join('\n'),
    );
    expect(root.stderr).toBe(
      `# Codex reads the key from SWITCHBOARD_APP_KEY, not from its config: set it where Codex starts.\nexport SWITCHBOARD_APP_KEY='${KEY}'\n`,
    );
    const route = await cli(
      ['env', 'codex', '--route', 'claude', '--shell', 'fish', '--key', KEY, '--data-dir', dataDir],
      { CODEX_HOME: codexHome },
    );
    expect(route.code).toBe(0);
    expect(route.stdout).toContain('base_url = "http://127.0.0.1:4242/openai/claude/v1"\n');
    expect(route.stdout).toContain('on route "claude" of another vendor, pick one with --model');
    expect(route.stdout).not.toContain(KEY);
    expect(route.stderr).toContain(`\nset -gx SWITCHBOARD_APP_KEY '${KEY}'\n`);
  });

  it('exits 1 with one line when no gateway runs on the data dir', async () => {
    const dataDir = tempDir();
    const result = await cli(['env', 'claude', '--data-dir', dataDir, '--key', KEY]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `No Switchboard gateway is running on ${dataDir} (no runtime.json there); start one with: npx switchboard serve --data-dir ${dataDir}\n`,
    });
  });
});

describe('switchboard run', { timeout: 60_000 }, () => {
  it('starts the tool with the variables added, its arguments, and exits with its code', async () => {
    const dir = tempDir();
    const dataDir = fakeGatewayDir();
    const result = await cli(
      [
        'run',
        'claude',
        '--route',
        'r1',
        '--data-dir',
        dataDir,
        '--command',
        process.execPath,
        '--',
        printingTool(dir),
        '7',
        '--model',
        'x y',
      ],
      { SWITCHBOARD_APP_KEY: KEY, ANTHROPIC_AUTH_TOKEN: 'users-own-token', KEEP: 'kept' },
    );
    expect(result.code).toBe(7);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:4141/anthropic/r1', ANTHROPIC_API_KEY: KEY, KEEP: 'kept' },
      args: ['7', '--model', 'x y'],
    });
    const openai = await cli([
      'run',
      'openai',
      '--data-dir',
      dataDir,
      '--key',
      KEY,
      '--command',
      process.execPath,
      '--',
      printingTool(dir),
      '0',
    ]);
    expect(openai.code).toBe(0);
    expect(JSON.parse(openai.stdout).env).toEqual({
      OPENAI_BASE_URL: 'http://127.0.0.1:4141/v1',
      OPENAI_API_KEY: KEY,
    });
  });

  it('starts Codex with the key in its variable and the provider as -c overrides before its arguments', async () => {
    const dir = tempDir();
    const script = join(dir, 'codex.mjs');
    writeFileSync(
      script,
      `process.stdout.write(JSON.stringify({ key: process.env.SWITCHBOARD_APP_KEY, args: process.argv.slice(2) }));`,
    );
    // Codex's arguments start with -c, which node would take as its own: a wrapper keeps them the tool's.
    const tool = join(dir, 'codex');
    writeFileSync(
      tool,
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)} "$@"\n`,
      {
        mode: 0o755,
      },
    );
    const result = await cli([
      'run',
      'codex',
      '--route',
      'r1',
      '--data-dir',
      fakeGatewayDir(),
      '--key',
      KEY,
      '--command',
      tool,
      '--',
      'exec',
      'x y',
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      key: KEY,
      args: [
        '-c',
        'model_provider="switchboard"',
        '-c',
        'model_providers.switchboard={ name = "Switchboard", base_url = "http://127.0.0.1:4141/openai/r1/v1", env_key = "SWITCHBOARD_APP_KEY", wire_api = "responses" }',
        'exec',
        'x y',
      ],
    });
  });

  it('exits 128 + the signal when the tool is killed by one', async () => {
    const result = await cli([
      'run',
      'openai',
      '--data-dir',
      fakeGatewayDir(),
      '--key',
      KEY,
      '--command',
      process.execPath,
      '--',
      '-e',
      'process.kill(process.pid, "SIGTERM")',
    ]);
    expect(result.code).toBe(143);
  });

  it('says in one line that the tool is not on PATH, and how to install it', async () => {
    const result = await cli(['run', 'claude', '--data-dir', fakeGatewayDir(), '--key', KEY], {
      PATH: tempDir(),
    });
    expect(result).toEqual({
      code: 127,
      stdout: '',
      stderr:
        'claude was not found on PATH; install it with: npm install -g @anthropic-ai/claude-code (or give its path with --command).\n',
    });
    const codex = await cli(['run', 'codex', '--data-dir', fakeGatewayDir(), '--key', KEY], {
      PATH: tempDir(),
    });
    expect(codex.stderr).toBe(
      'codex was not found on PATH; install it with: npm install -g @openai/codex (or give its path with --command).\n',
    );
  });

  it("warns when Gemini CLI's settings select no API key, and not when they do", async () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    mkdirSync(join(home, '.gemini'), { recursive: true });
    const args = ['run', 'gemini', '--route', 'g', '--data-dir', fakeGatewayDir(), '--key', KEY];
    const tool = ['--command', process.execPath, '--', printingTool(dir), '0'];
    const env = {
      GEMINI_CLI_HOME: home,
      GEMINI_CLI_SYSTEM_SETTINGS_PATH: join(dir, 'none.json'),
      GEMINI_CLI_CUSTOM_HEADERS: 'X-Team: a',
    };
    const unset = await cli([...args, ...tool], env);
    expect(unset.code).toBe(0);
    expect(unset.stderr).toMatch(
      /^Gemini CLI uses the gateway only with .*selectedType.* \(none is selected\)\.\n$/,
    );
    expect(JSON.parse(unset.stdout).env).toEqual({
      GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:4141/gemini/g',
      GEMINI_API_KEY: KEY,
      // Each run its own session, for the gateway's Sessions page; the user's own headers kept.
      GEMINI_CLI_CUSTOM_HEADERS: expect.stringMatching(/^X-Team: a, x-switchboard-session: [0-9a-f-]{36}$/),
    });
    writeFileSync(
      join(home, '.gemini', 'settings.json'),
      JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }),
    );
    const set = await cli([...args, ...tool], env);
    expect(set).toMatchObject({ code: 0, stderr: '' });
  });

  it('points a tool at a real gateway that takes the key', { timeout: 30_000 }, async () => {
    const dataDir = tempDir();
    const config = join(dataDir, 'config.yaml');
    writeFileSync(config, `apps:\n  - { name: agent, key: ${KEY} }\n`);
    const serve = spawnBin(['serve', '--port', '0', '--data-dir', dataDir, '--config', config]);
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve not ready: ${serve.output()}`)), TIMEOUT_MS);
      serve.child.stdout.on('data', () => {
        const match = READY.exec(serve.output());
        if (!match) return;
        clearTimeout(timer);
        resolve(match[1]!);
      });
    });
    const script = `const r = await fetch(process.env.OPENAI_BASE_URL + '/models', { headers: { authorization: 'Bearer ' + process.env.OPENAI_API_KEY } });
console.log(process.env.OPENAI_BASE_URL, r.status); process.exit(r.ok ? 0 : 3);`;
    const result = await cli(
      [
        'run',
        'openai',
        '--data-dir',
        dataDir,
        '--command',
        process.execPath,
        '--',
        '--input-type=module',
        '-e',
        script,
      ],
      { SWITCHBOARD_APP_KEY: KEY },
    );
    expect(result).toMatchObject({ code: 0, stdout: `${base}/v1 200\n` });
  });
});

const binary = claudeCodeBinary();

// What `run claude` sets is what the real Claude Code reads: it finishes a one-tool-call task through the gateway.
describe.skipIf(!binary)('switchboard run claude, with the real Claude Code', { timeout: 60_000 }, () => {
  it('completes a task through the gateway root, the route picked from the model, each request recorded', async () => {
    const upstream = await startAgentAnthropic();
    const gateway = await startTestGateway({
      routes: [
        {
          id: 'claude',
          vendor: 'anthropic',
          baseUrl: upstream.origin,
          apiKey: ANTHROPIC_KEY,
          models: ['claude-*'],
        },
      ],
      apps: [{ name: 'agent', key: KEY }],
    });
    try {
      const home = tempDir();
      const workspace = join(home, 'workspace');
      mkdirSync(workspace);
      const run = spawn(
        process.execPath,
        [
          BIN,
          'run',
          'claude',
          '--data-dir',
          gateway.dataDir,
          '--command',
          binary!,
          '--',
          '-p',
          AGENT_PROMPT,
          '--model',
          'claude-sonnet-4-5',
          '--allowedTools',
          'Bash',
        ],
        {
          cwd: workspace,
          env: {
            PATH: process.env['PATH'] ?? '/usr/bin:/bin',
            HOME: home,
            SWITCHBOARD_APP_KEY: KEY,
            // The user's own choices, made here so that nothing leaves the machine: Claude Code's
            // optional traffic is off, and anything that slips past goes to a port that refuses.
            DISABLE_TELEMETRY: '1',
            CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
            DISABLE_AUTOUPDATER: '1',
            DISABLE_ERROR_REPORTING: '1',
            HTTPS_PROXY: 'http://127.0.0.1:9',
            HTTP_PROXY: 'http://127.0.0.1:9',
            NO_PROXY: '127.0.0.1,localhost',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.add(run);
      let stdout = '';
      let stderr = '';
      run.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      run.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => run.kill('SIGKILL'), 45_000);
      const code = await new Promise<number | null>((resolve) => run.once('close', resolve));
      clearTimeout(timer);
      expect(code, `stdout: ${stdout}\nstderr: ${stderr}`).toBe(0);
      expect(stdout).toContain(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
      expect(upstream.seen).toHaveLength(2);
      const rows = await requestRows(gateway, 10);
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(row).toMatchObject({ app: 'agent', route: 'claude', status: 200 });
    } finally {
      await gateway.stop();
      await upstream.close();
    }
  });
});
