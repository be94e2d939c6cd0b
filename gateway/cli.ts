import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isAlive, readRuntimeFile, RUNTIME_FILE, RuntimeFileError, type RuntimeInfo } from './data-dir.ts';
import { ConfigError, defaultDataDir, StartupError, startGateway } from './index.ts';
import { codexConfigPath, codexConfigToml, codexOverrides, CODEX_KEY_VARIABLE } from './launch/codex.ts';
import { geminiSettingsPaths, selectedGeminiAuthType } from './launch/gemini-settings.ts';
import { isShell, renderPlan, SHELLS, type Shell } from './launch/shell.ts';
import {
  applyPlan,
  GEMINI_AUTH_SETTING,
  isLaunchTool,
  LAUNCH_TOOLS,
  launchPlan,
  openaiBaseUrl,
  withGeminiSession,
  routeRefusal,
  TOOL_COMMANDS,
  type LaunchPlan,
} from './launch/tools.ts';

const USAGE = `Usage: switchboard serve [options]
       switchboard login [--data-dir DIR]
       switchboard env TOOL [--route ID] [--key KEY] [--shell sh|fish|powershell] [--data-dir DIR]
       switchboard run TOOL [--route ID] [--key KEY] [--command CMD] [--data-dir DIR] [-- ARGS]

serve: runs the gateway, with the dashboard at /ui/.

  --host HOST              address to listen on (default 127.0.0.1)
  --port PORT              port to listen on (default 4141; 0 = any free port)
  --data-dir DIR           where the database and key file live (default ${defaultDataDir()})
  --config FILE            a config file (YAML or JSON) to apply at start
  --admin-token-file FILE  read the admin API token from FILE (surrounding whitespace trimmed)
  --admin-token TOKEN      the admin API token; other local users can read it in \`ps\`:
                           prefer SWITCHBOARD_ADMIN_TOKEN or --admin-token-file
  -h, --help               show this help

The admin token comes from --admin-token-file or --admin-token (one of them), else the
environment variable SWITCHBOARD_ADMIN_TOKEN, else a new random one each start. A dashboard
session lasts SWITCHBOARD_SESSION_DAYS days (default 30).

login: prints a new one-time dashboard login link for the gateway running on --data-dir (the
same default), without needing the admin token; exits 1 when no gateway is running there.

env: prints the environment that points TOOL at the gateway running on --data-dir with an app key,
for eval "$(switchboard env claude)". TOOL is claude (Claude Code), gemini (Gemini CLI: needs
--route, and ${GEMINI_AUTH_SETTING}
in ~/.gemini/settings.json), codex (Codex) or openai (any tool that reads OPENAI_BASE_URL and
OPENAI_API_KEY). For codex it prints the provider for Codex's config.toml on stdout, and on stderr
the line that sets ${CODEX_KEY_VARIABLE}, which the provider names. Telemetry switches
(DISABLE_TELEMETRY, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC) are left to you.

  --route ID               one route (/anthropic/ID, /gemini/ID, /openai/ID/v1); without it,
                           the app-wide endpoints, where the model (ROUTE/MODEL) picks the route
  --key KEY                the app key; other local users can read it in \`ps\`: prefer the
                           environment variable SWITCHBOARD_APP_KEY
  --shell SHELL            sh (bash and zsh too; the default), fish or powershell (the
                           default on Windows)

run: starts TOOL (claude, gemini, codex, or --command CMD for openai) with that environment added
to the current one, passing it ARGS and the terminal, and exits with its exit code. codex gets the
provider as -c overrides before ARGS: nothing is written to its config.

  --command CMD            the program to start instead of claude, gemini or codex; required for
                           openai

Exit codes: 0 after a clean shutdown, 1 when start-up fails (bad config, port in use), 2 for bad
arguments (an unreadable or empty --admin-token-file included). env and run: 1 when no gateway runs
on the data dir, 2 for bad arguments or no app key; run: 127 when the tool is not found, else the
tool's own exit code (128 + N when signal N ended it).`;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** The token in `file`, trimmed; exits 2 with one line when it cannot be read or holds none. */
function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? error);
    fail(`--admin-token-file: cannot read ${file} (${reason}).`, 2);
  }
  const token = text.trim();
  if (token === '') fail(`--admin-token-file: ${file} is empty.`, 2);
  // An Authorization header could not carry anything else: better said now than as a 401 later.
  if (/[^\x21-\x7e]/.test(token))
    fail(
      `--admin-token-file: ${file} must hold only the token, on one line (printable ASCII, no spaces).`,
      2,
    );
  return token;
}

/** The flags each command takes (--help aside), in the order its message lists them. */
const COMMAND_FLAGS = {
  serve: ['host', 'port', 'data-dir', 'config', 'admin-token', 'admin-token-file'],
  login: ['data-dir'],
  env: ['route', 'key', 'shell', 'data-dir'],
  run: ['route', 'key', 'command', 'data-dir'],
} as const;
type Command = keyof typeof COMMAND_FLAGS;

/** `--a`, `--a and --b`, `--a, --b and --c`. */
function flagList(names: readonly string[]): string {
  const flags = names.map((name) => `--${name}`);
  return flags.length < 2 ? flags.join('') : `${flags.slice(0, -1).join(', ')} and ${flags.at(-1)}`;
}

export async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      tokens: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
        'admin-token': { type: 'string' },
        'admin-token-file': { type: 'string' },
        route: { type: 'string' },
        key: { type: 'string' },
        shell: { type: 'string' },
        command: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  const { values, tokens } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // What follows `--` belongs to the tool that `run` starts.
  const end = tokens.find((token) => token.kind === 'option-terminator')?.index ?? argv.length;
  const positionals = tokens.flatMap((token) =>
    token.kind === 'positional' && token.index < end ? [token.value] : [],
  );
  const toolArgs = argv.slice(end + 1);
  const command = positionals[0] ?? 'serve';
  const launching = command === 'env' || command === 'run';
  if (launching && positionals.length > 2)
    fail(
      `${command} takes one tool, not "${positionals.slice(1).join(' ')}"${command === 'run' ? "; the tool's own arguments go after --" : ''}.`,
      2,
    );
  if (!Object.hasOwn(COMMAND_FLAGS, command) || (!launching && positionals.length > 1))
    fail(`Unknown command "${positionals.join(' ')}".\n\n${USAGE}`, 2);
  const allowed: readonly string[] = COMMAND_FLAGS[command as Command];
  const other = Object.keys(values).find((name) => !allowed.includes(name));
  if (other !== undefined)
    fail(
      command === 'serve'
        ? `serve does not take --${other}.`
        : `${command} takes only ${flagList(allowed)}, not --${other}.`,
      2,
    );
  if (toolArgs.length > 0 && command !== 'run') fail('Only run passes arguments after --.', 2);
  const dataDir = values['data-dir'] ?? defaultDataDir();
  if (command === 'login') return login(dataDir);
  if (launching) {
    const tool = positionals[1];
    if (tool === undefined) fail(`${command} needs a tool: ${LAUNCH_TOOLS.join(', ')}.\n\n${USAGE}`, 2);
    return launch(command, tool, values, toolArgs, dataDir);
  }
  const host = values.host ?? '127.0.0.1';
  const port = Number(values.port ?? '4141');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port must be a number from 0 to 65535, not "${values.port}".`, 2);
  if (values['admin-token'] !== undefined && values['admin-token-file'] !== undefined)
    fail('Give --admin-token or --admin-token-file, not both.', 2);
  const adminToken =
    values['admin-token-file'] !== undefined
      ? readTokenFile(values['admin-token-file'])
      : (values['admin-token'] ?? process.env['SWITCHBOARD_ADMIN_TOKEN']);
  if (!LOOPBACK.has(host)) {
    process.stderr.write(
      `Warning: listening on ${host}, not only on this machine's loopback address: other machines that can reach it can try app keys.\n`,
    );
  }

  let gateway;
  try {
    gateway = await startGateway({
      host,
      port,
      dataDir,
      configFile: values.config,
      adminToken,
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartupError) fail(error.message, 1);
    fail(`Switchboard could not start: ${(error as Error).message}`, 1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`Second ${signal}: exiting without waiting for in-flight requests.\n`);
      process.exit(1);
    }
    stopping = true;
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => fail(`Error while shutting down: ${String(error)}`, 1),
    );
  };
  // Installed before the ready line, so that a signal sent as soon as it appears shuts down cleanly.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  process.stdout.write(`Switchboard listening on ${gateway.url}\n`);
  process.stdout.write(`Dashboard (one-time login link): ${gateway.loginUrl()}\n`);
  for (const { app, key } of gateway.newKeys) {
    process.stdout.write(`New key for app "${app}": ${key}  (shown once: copy it now)\n`);
  }
}

/** How long `login` waits for the gateway: it answers at once unless something else holds its port. */
const LOGIN_TIMEOUT_MS = 5_000;

/** The gateway's URL as reached from this machine: a wildcard bind answers on loopback. */
function localUrl(url: string): URL {
  const local = new URL(url);
  if (local.hostname === '0.0.0.0') local.hostname = '127.0.0.1';
  else if (local.hostname === '[::]') local.hostname = '[::1]';
  return local;
}

/**
 * `switchboard login`: finds the gateway running on `dataDir` by its runtime.json and asks it, with
 * the secret there, for a one-time login link. Needs no admin token, so it works for a random one.
 */
async function login(dataDir: string): Promise<void> {
  const start = startHint(dataDir);
  const runtime = runningGateway(dataDir);
  const base = localUrl(runtime.url);
  let response: Response;
  try {
    response = await fetch(new URL('/ui/login-link', base), {
      method: 'POST',
      headers: { authorization: `Bearer ${runtime.secret}` },
      redirect: 'manual',
      signal: AbortSignal.timeout(LOGIN_TIMEOUT_MS),
    });
  } catch {
    fail(
      `No Switchboard gateway is answering at ${runtime.url} for ${dataDir} (it stopped without cleaning up?); ${start}`,
      1,
    );
  }
  const answer = response.ok
    ? ((await response.json().catch(() => null)) as { path?: unknown } | null)
    : null;
  const path = answer?.path;
  if (typeof path !== 'string' || !path.startsWith('/ui/login?token='))
    fail(
      `What answers at ${runtime.url} is not the gateway that wrote ${join(dataDir, RUNTIME_FILE)} (HTTP ${response.status}); ${start}`,
      1,
    );
  process.stdout.write(`${new URL(path, base).href}\n`);
}

function startHint(dataDir: string): string {
  return `start one with: npx switchboard serve --data-dir ${dataDir}`;
}

/** The runtime.json of the live gateway on `dataDir`; exits 1 with one line when there is none. */
function runningGateway(dataDir: string): RuntimeInfo {
  const start = startHint(dataDir);
  let runtime: RuntimeInfo;
  try {
    runtime = readRuntimeFile(dataDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      fail(`No Switchboard gateway is running on ${dataDir} (no ${RUNTIME_FILE} there); ${start}`, 1);
    if (error instanceof RuntimeFileError) fail(`${error.message} Restart the gateway to write it again.`, 1);
    const reason =
      code === 'EACCES'
        ? 'permission denied: run this as the user who runs the gateway'
        : String(code ?? error);
    fail(`Cannot read ${join(dataDir, RUNTIME_FILE)} (${reason}).`, 1);
  }
  // A file a crashed gateway left names a port that something else may hold now: never send it a secret.
  if (!isAlive(runtime.pid)) {
    fail(
      `No Switchboard gateway is running on ${dataDir} (its ${RUNTIME_FILE} is left from pid ${runtime.pid}); ${start}`,
      1,
    );
  }
  return runtime;
}

/** Where to install the tools `run` starts by default, for the line that says one is missing. */
const INSTALL_HINTS: Record<string, string> = {
  claude: 'npm install -g @anthropic-ai/claude-code',
  gemini: 'npm install -g @google/gemini-cli',
  codex: 'npm install -g @openai/codex',
};

/** App keys go into headers: printable ASCII without spaces, as the gateway issues them. */
const KEY_PATTERN = /^[\x21-\x7e]+$/;

/**
 * `switchboard env TOOL` / `run TOOL`: the environment that points TOOL at the gateway on `dataDir`
 * with an app key, printed for a shell or given to the tool as `run` starts it.
 */
async function launch(
  command: 'env' | 'run',
  tool: string,
  values: { route?: string; key?: string; shell?: string; command?: string },
  toolArgs: string[],
  dataDir: string,
): Promise<void> {
  if (!isLaunchTool(tool)) fail(`Unknown tool "${tool}": use one of ${LAUNCH_TOOLS.join(', ')}.`, 2);
  const refusal = routeRefusal(tool, values.route);
  if (refusal !== undefined) fail(refusal, 2);
  let shell: Shell = process.platform === 'win32' ? 'powershell' : 'sh';
  if (values.shell !== undefined) {
    const name = values.shell === 'bash' || values.shell === 'zsh' ? 'sh' : values.shell;
    if (!isShell(name)) fail(`--shell must be one of ${SHELLS.join(', ')}, not "${values.shell}".`, 2);
    shell = name;
  }
  // Only run starts a program: env takes no --command.
  const executable =
    command === 'run'
      ? (values.command ??
        TOOL_COMMANDS[tool] ??
        fail(
          `run ${tool} needs --command CMD: the program to start with OPENAI_BASE_URL and OPENAI_API_KEY.`,
          2,
        ))
      : undefined;
  const key = values.key ?? process.env['SWITCHBOARD_APP_KEY'];
  if (key === undefined || key === '')
    fail(
      'No app key: pass --key KEY or set SWITCHBOARD_APP_KEY. The dashboard shows a key once, when you create an app (Apps & keys).',
      2,
    );
  if (!KEY_PATTERN.test(key))
    fail('The app key must be printable ASCII without spaces, as the dashboard shows it.', 2);
  const runtime = runningGateway(dataDir);
  const origin = localUrl(runtime.url).origin;
  const plan = launchPlan(tool, { origin, key, routeId: values.route });
  if (tool === 'codex') {
    const baseUrl = openaiBaseUrl(origin, values.route);
    // Given on the command line, the provider wins over the user's config and nothing is written.
    if (executable !== undefined) return runTool(executable, [...codexOverrides(baseUrl), ...toolArgs], plan);
    printCodexConfig(baseUrl, plan, shell);
    return;
  }
  if (executable === undefined) {
    process.stdout.write(renderPlan(plan, shell));
    return;
  }
  if (tool !== 'gemini') return runTool(executable, toolArgs, plan);
  warnGeminiAuth();
  await runTool(
    executable,
    toolArgs,
    withGeminiSession(plan, process.env['GEMINI_CLI_CUSTOM_HEADERS'], randomUUID()),
  );
}

/**
 * `env codex`: the file's part on stdout, so that `> config.toml` writes no key; the key's line,
 * for the shell Codex starts from, on stderr.
 */
function printCodexConfig(baseUrl: string, plan: LaunchPlan, shell: Shell): void {
  const path = codexConfigPath(process.env);
  process.stdout.write(
    codexConfigToml(baseUrl, [
      `For ${path}: model_provider goes above the file's first [table].`,
      ...plan.notes,
    ]),
  );
  process.stderr.write(
    `# Codex reads the key from ${CODEX_KEY_VARIABLE}, not from its config: set it where Codex starts.\n${renderPlan({ ...plan, notes: [] }, shell)}`,
  );
}

/** One line when Gemini CLI's settings would make it ignore GOOGLE_GEMINI_BASE_URL; silence when unsure. */
function warnGeminiAuth(): void {
  const texts = geminiSettingsPaths(process.env, process.cwd()).map((path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  });
  const selected = selectedGeminiAuthType(texts);
  if (selected === undefined || selected === 'gemini-api-key') return;
  process.stderr.write(
    `Gemini CLI uses the gateway only with ${GEMINI_AUTH_SETTING} in ~/.gemini/settings.json (${selected === null ? 'none is selected' : `"${selected}" is`}).\n`,
  );
}

/** Starts the tool with the plan's environment and exits as it does: its code, or 128 + its signal. */
async function runTool(executable: string, toolArgs: string[], plan: LaunchPlan): Promise<void> {
  const child = spawn(executable, toolArgs, { stdio: 'inherit', env: applyPlan(process.env, plan) });
  // The terminal sends Ctrl-C to the tool too: it decides what that means, and this waits for it.
  // A stop meant for this process alone is passed on, so that the tool is not left running.
  const ignore = () => {};
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') fail(`Could not start ${executable}: ${error.message}`, 1);
      const hint = INSTALL_HINTS[executable];
      fail(
        `${executable} was not found${executable.includes('/') ? '' : ' on PATH'}${hint ? `; install it with: ${hint}` : ''} (or give its path with --command).`,
        127,
      );
    });
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
}
