import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { AdminSessions, DEFAULT_SESSION_DAYS, parseSessionDays, SESSION_KEY_FILE } from './admin/sessions.ts';
import { createGateway } from './app.ts';
import { Catalog } from './catalog.ts';
import { refusalRecorder } from './http/recorded.ts';
import { formatFor } from './formats/index.ts';
import { DEFAULT_VENDOR, type VendorId } from './domain.ts';
import { providerFor, type Provider } from './providers/index.ts';
import { applyConfig, type ApplyResult } from './config/apply.ts';
import { loadConfigFile, withStoredWebhook, type ResolvedConfig } from './config/load.ts';
import { loadServer, saveServer } from './config/server-setting.ts';
import type { ServerConfig } from './config/schema.ts';
import {
  DataDirLockedError,
  lockDataDir,
  readOrCreateKeyFile,
  removeRuntimeFile,
  writeRuntimeFile,
} from './data-dir.ts';
import { Upstreams } from './forward.ts';
import type { Logger } from './http/errors.ts';
import { allowedHostSet } from './http/host-check.ts';
import { loadQuickJs } from './filters/script-sandbox.ts';
import { AlertWebhook } from './policy/alert-webhook.ts';
import { BudgetGuard } from './policy/budgets.ts';
import { RateLimiter } from './policy/rate-limits.ts';
import type { RouteHealthEvent } from './policy/route-health.ts';
import { countInputTokens } from './policy/tokens.ts';
import type { PolicyDeps } from './pipeline/admit.ts';
import { Recorder } from './recorder.ts';
import { JOURNAL_FILE, RowJournal } from './row-journal.ts';
import type { AlertRecord } from './store/budgets.ts';
import { fileKeyBox } from './secrets/file-key-box.ts';
import { CARRIER_KEY_FILE, carrierWithKey } from './secrets/carrier.ts';
import type { SecretBox } from './secrets/types.ts';
import { listen, StartupError } from './server.ts';
import { openStore } from './store/index.ts';

export { ConfigError } from './config/load.ts';
export { StartupError } from './server.ts';
export { defaultDataDir } from './data-dir.ts';
export { fileKeyBox } from './secrets/file-key-box.ts';
export type { SecretBox } from './secrets/types.ts';
export type { RouteFailure, RouteHealthEvent } from './policy/route-health.ts';

export interface GatewayOptions {
  dataDir: string;
  /** A config file to apply at start (YAML or JSON). */
  configFile?: string | undefined;
  /** An already resolved config, instead of or besides a file (tests, the desktop app). */
  config?: ResolvedConfig | undefined;
  host?: string;
  port?: number;
  adminToken?: string | undefined;
  /**
   * How long a dashboard session lasts, in days; default: the environment variable
   * SWITCHBOARD_SESSION_DAYS, else 30.
   */
  sessionDays?: number | undefined;
  /** How vendor keys are sealed at rest; default: a key file in the data dir. */
  secrets?: SecretBox;
  log?: Logger;
  /** Where the dashboard build lives; default renderer/dist in this checkout. */
  dashboardDir?: string;
  /**
   * How long in-flight requests (open streams) may take to finish at shutdown, default 10 s; then
   * they are cut and recorded as partial.
   */
  shutdownGraceMs?: number;
  /** Called when a budget passes 50%, 80% or 100% (once each per period): desktop notifications. */
  onBudgetAlert?: (alert: Omit<AlertRecord, 'id'>) => void;
  /** Called when a route starts or ends a cooldown: the tray's warning and notifications. */
  onRouteHealth?: (event: RouteHealthEvent) => void;
  /** The provider of each vendor; default `providerFor`. Tests put a fake provider in. */
  providers?: (vendor: VendorId) => Provider | undefined;
}

export interface RunningGateway {
  url: string;
  port: number;
  host: string;
  adminToken: string;
  /** A new one-time login URL for the dashboard. */
  loginUrl(): string;
  /** Keys generated for apps the config file gave none: show them once. */
  newKeys: ApplyResult['newKeys'];
  close(): Promise<void>;
}

/** How long shutdown waits, after the grace, for the upstream calls of cut streams to end. */
const UPSTREAMS_CLOSE_MS = 2_000;

const DEFAULT_SERVER: ServerConfig = { maxBodyMb: 32, allowedHosts: [], corsOrigins: [] };

const quietLog: Logger = (level, message) => {
  if (level !== 'info') process.stderr.write(`${message}\n`);
};

/** The session lifetime from the option, else SWITCHBOARD_SESSION_DAYS, else the default. */
function resolveSessionDays(days: number | undefined): number {
  const fromEnvironment = process.env['SWITCHBOARD_SESSION_DAYS'];
  try {
    if (days !== undefined) return parseSessionDays(days, 'sessionDays');
    if (fromEnvironment !== undefined) return parseSessionDays(fromEnvironment, 'SWITCHBOARD_SESSION_DAYS');
  } catch (error) {
    throw new StartupError((error as Error).message);
  }
  return DEFAULT_SESSION_DAYS;
}

/** The one entry point, shared by `switchboard serve` and the desktop app. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = options.log ?? quietLog;
  // Everything that can be wrong with the config is found before anything is touched.
  const sessionDays = resolveSessionDays(options.sessionDays);
  const config = options.config ?? (options.configFile ? loadConfigFile(options.configFile) : undefined);
  const store = openStore(options.dataDir);
  let unlock = () => {};
  let pruning: NodeJS.Timeout | undefined;
  try {
    // One gateway per data dir: a second would replay the first's journal and sweep its reservations.
    try {
      unlock = lockDataDir(options.dataDir);
    } catch (error) {
      if (error instanceof DataDirLockedError) throw new StartupError(error.message);
      throw error;
    }
    const secrets = options.secrets ?? fileKeyBox(options.dataDir);
    const applied = config
      ? applyConfig(store, secrets, config, Date.now(), options.configFile ?? 'config')
      : { changes: 0, newKeys: [] };
    // A config file's server section wins; without one, what the dashboard last saved.
    const saved = loadServer(store, secrets, (message) => log('warn', message));
    let server = (config && withStoredWebhook(config, saved)) ?? saved ?? DEFAULT_SERVER;
    // Sealed again each start: a webhook URL saved as text by an earlier version is sealed from now on.
    saveServer(store, secrets, server);
    const catalog = new Catalog(store, secrets);
    const journalFile = join(options.dataDir, JOURNAL_FILE);
    const journal = new RowJournal(journalFile, (error) =>
      log('error', `could not write the row journal: ${String(error)}`),
    );
    const recorder = new Recorder(
      store,
      catalog,
      (error) => log('error', `could not record requests: ${String(error)}`),
      (plaintext) => secrets.seal(plaintext),
      journal,
    );
    const upstreams = new Upstreams();
    const alerts = new AlertWebhook({
      url: () => server.alertWebhook?.url,
      warn: (message) => log('warn', message),
    });
    const budgets = new BudgetGuard(store, (alert) => {
      log(
        'info',
        `budget alert: ${alert.scope} "${alert.name}" passed ${alert.threshold}% of $${alert.limitUsd}`,
      );
      alerts.budget(alert);
      options.onBudgetAlert?.(alert);
    });
    // Rows of answers a crash left only in the journal first (they settle their reservations), then the rest.
    const recovered = recorder.recover(budgets, journalFile);
    if (recovered > 0) log('info', `wrote ${recovered} request row(s) an earlier run left in its journal`);
    const swept = budgets.sweep();
    if (swept > 0) log('info', `released ${swept} budget reservation(s) left by an earlier run`);
    const policy: PolicyDeps = { catalog, budgets, limits: new RateLimiter(), quickjs: null, log };
    // The sandbox (two worker threads, ~20 MB, tens of ms) starts only once a script filter exists.
    const ensureSandbox = async () => {
      if (policy.quickjs === null && catalog.usesScripts) policy.quickjs = await loadQuickJs();
    };
    await ensureSandbox();
    // The tokenizer's tables take ~150 ms to load: at start (or when a budget first appears), not in a request.
    const warmTokenizer = () => {
      if (catalog.countsTokens) countInputTokens(['warm up'], DEFAULT_VENDOR);
    };
    warmTokenizer();
    catalog.onRefresh(warmTokenizer);
    catalog.onRefresh(() => {
      ensureSandbox().catch((error: unknown) =>
        log('error', `the script sandbox did not start: ${String(error)}`),
      );
    });
    const adminToken = options.adminToken || randomBytes(24).toString('base64url');
    // Proves to this gateway that `switchboard login` runs as the user who can read the data dir.
    const localSecret = randomBytes(32).toString('base64url');
    const sessions = new AdminSessions({
      adminToken,
      sessionKey: readOrCreateKeyFile(options.dataDir, SESSION_KEY_FILE),
      sessionDays: () => server.sessionDays ?? sessionDays,
      localSecret,
    });
    const host = options.host ?? '127.0.0.1';
    let hosts: ReadonlySet<string> = new Set();
    let port = 0;
    let bound = '';
    // Kept answers (the Responses API's store), sealed like logged bodies; expired ones pruned hourly.
    const retentionDays = server.responsesRetentionDays;
    const kept = store.responses.sealedWith(
      secrets,
      retentionDays === undefined ? {} : { retentionMs: retentionDays * 24 * 60 * 60 * 1000 },
    );
    const pruneKept = () => {
      try {
        store.responses.prune(Date.now());
      } catch (error) {
        log('error', `could not prune kept answers: ${String(error)}`);
      }
    };
    pruneKept();
    pruning = setInterval(pruneKept, 60 * 60 * 1000);
    pruning.unref();
    const app = createGateway({
      kept,
      carrier: carrierWithKey(readOrCreateKeyFile(options.dataDir, CARRIER_KEY_FILE)),
      store,
      catalog,
      secrets,
      recorder,
      upstreams,
      policy,
      sessions,
      server: () => server,
      // An imported config's server section applies at once, Host allow-list included.
      setServer: (next) => {
        server = next;
        saveServer(store, secrets, next);
        hosts = allowedHostSet(port, [...server.allowedHosts, bound]);
      },
      allowedHosts: () => hosts,
      runtime: () => ({
        host,
        port,
        dataDir: options.dataDir,
        managedByConfig: options.configFile !== undefined,
      }),
      dashboardDir: options.dashboardDir ?? fileURLToPath(new URL('../renderer/dist', import.meta.url)),
      log,
      now: Date.now,
      providers: options.providers ?? providerFor,
      onRouteHealth: (event) => {
        alerts.routeHealth(event);
        options.onRouteHealth?.(event);
      },
      alerts,
    });
    const listening = await listen(
      app as never,
      host,
      options.port ?? 4141,
      refusalRecorder(recorder, (id) => {
        const route = catalog.routes.get(id);
        if (!route) return undefined;
        // On /proxy a refusal comes in the route's own error shape, as its other errors do (endpoints.ts).
        const provider = (options.providers ?? providerFor)(route.vendor);
        return {
          id: route.id,
          vendor: route.vendor,
          errorBody: provider && formatFor(provider.format).errorBody,
        };
      }),
    );
    port = listening.port;
    bound = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    hosts = allowedHostSet(port, [...server.allowedHosts, bound]);
    const url = `http://${bound}`;
    try {
      writeRuntimeFile(options.dataDir, {
        url,
        pid: process.pid,
        secret: localSecret,
        startedAt: new Date().toISOString(),
      });
    } catch (error) {
      // Only `switchboard login` needs it: the gateway itself works on without.
      log(
        'warn',
        `could not write runtime.json, so \`switchboard login\` will not find this gateway: ${String(error)}`,
      );
    }
    let closing: Promise<void> | undefined;
    return {
      url,
      port: listening.port,
      host,
      adminToken,
      loginUrl: () => `${url}/ui/login?token=${sessions.newLoginToken()}`,
      newKeys: applied.newKeys,
      close: () =>
        (closing ??= (async () => {
          // First, so that `switchboard login` stops finding a gateway that is going away.
          removeRuntimeFile(options.dataDir, localSecret);
          await listening.close(options.shutdownGraceMs ?? 10_000);
          // An alert still being delivered (or waiting to retry) is dropped rather than waited for.
          alerts.close();
          // The calls of streams cut with their connection are aborted; their rows come once those end.
          // A call that ignored its abort must not hold the shutdown up.
          await recorder.settled(UPSTREAMS_CLOSE_MS);
          await Promise.race([upstreams.close(), delay(UPSTREAMS_CLOSE_MS, undefined, { ref: false })]);
          recorder.flush();
          clearInterval(pruning);
          journal.close();
          store.close();
          unlock();
        })()),
    };
  } catch (error) {
    clearInterval(pruning);
    store.close();
    unlock();
    throw error;
  }
}
