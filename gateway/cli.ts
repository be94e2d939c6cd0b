import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isAlive, readRuntimeFile, RUNTIME_FILE, RuntimeFileError, type RuntimeInfo } from './data-dir.ts';
import { ConfigError, defaultDataDir, StartupError, startGateway } from './index.ts';

const USAGE = `Usage: switchboard serve [options]
       switchboard login [--data-dir DIR]

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

Exit codes: 0 after a clean shutdown, 1 when start-up fails (bad config, port in use), 2 for bad
arguments (an unreadable or empty --admin-token-file included).`;

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

export async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
        'admin-token': { type: 'string' },
        'admin-token-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = positionals[0] ?? 'serve';
  if ((command !== 'serve' && command !== 'login') || positionals.length > 1)
    fail(`Unknown command "${positionals.join(' ')}".\n\n${USAGE}`, 2);
  const dataDir = values['data-dir'] ?? defaultDataDir();
  if (command === 'login') {
    const serveOnly = Object.keys(values).filter((name) => name !== 'data-dir');
    if (serveOnly.length > 0) fail(`login takes only --data-dir, not --${serveOnly[0]}.`, 2);
    return login(dataDir);
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
  const start = `start one with: npx switchboard serve --data-dir ${dataDir}`;
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
  // A file a crashed gateway left names a port that something else may hold now: never send it the secret.
  if (!isAlive(runtime.pid)) {
    fail(
      `No Switchboard gateway is running on ${dataDir} (its ${RUNTIME_FILE} is left from pid ${runtime.pid}); ${start}`,
      1,
    );
  }
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
