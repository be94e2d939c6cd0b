import { startRecordingProxy, type RecordedRequest } from '../support/recording-proxy.ts';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Runs the real Gemini CLI (the `@google/gemini-cli` devDependency) headless against a base URL,
 * offline: a fresh HOME with settings that pick API-key auth and turn off telemetry, usage
 * statistics, update checks and IDE integration, and any connection to another host sent to a dead
 * proxy, so nothing but the base URL is ever reached. What it sends: GEMINI_CLI_WIRE.md.
 */

export type GeminiCliRequest = RecordedRequest;

export interface GeminiCliRun {
  /** null when the run was killed at its time limit. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Every request Gemini CLI made, in order, with the answer's status. */
  requests: GeminiCliRequest[];
}

export interface GeminiCliOptions {
  /** What GOOGLE_GEMINI_BASE_URL is set to: a Gemini API's root, `/proxy/{routeId}` or `/gemini/{routeId}`. */
  baseUrl: string;
  /** Sent as `x-goog-api-key` (GEMINI_API_KEY). */
  apiKey: string;
  /** `-m`; without it Gemini CLI's auto router picks the model, asking a flash-lite model first. */
  model?: string;
  prompt: string;
  /** Arguments after the defaults (`--output-format json`, …). */
  args?: string[];
  /** Extra environment (GEMINI_CLI_CUSTOM_HEADERS, …). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * `~/.gemini/settings.json` for a run: the API key from the environment, and no calls home
 * (usage statistics go to play.googleapis.com unless turned off, even with telemetry off).
 */
const SETTINGS = {
  security: { auth: { selectedType: 'gemini-api-key' } },
  telemetry: { enabled: false },
  privacy: { usageStatisticsEnabled: false },
  general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
  ide: { enabled: false },
};

const OFFLINE_ENVIRONMENT = {
  GEMINI_TELEMETRY_ENABLED: 'false',
  // Trusts the fresh working directory, without which yolo falls back to asking for each tool.
  GEMINI_CLI_TRUST_WORKSPACE: 'true',
  // The launcher otherwise re-spawns itself with a larger heap; one process is one to kill at the time limit.
  GEMINI_CLI_NO_RELAUNCH: 'true',
  // Port 9 (discard) refuses at once: a call that slipped past the switches fails instead of leaving the machine.
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost',
};

/** The CLI's entry script (run with this Node), or null when the package is not installed. */
export function geminiCliBinary(): string | null {
  const require = createRequire(import.meta.url);
  try {
    const entry = join(dirname(require.resolve('@google/gemini-cli/package.json')), 'bundle', 'gemini.js');
    return existsSync(entry) ? entry : null;
  } catch {
    return null;
  }
}

/**
 * `gemini -p <prompt> --approval-mode=yolo [-m <model>]` with GOOGLE_GEMINI_BASE_URL and
 * GEMINI_API_KEY set, through a recorder in front of `baseUrl`. Throws when the package is missing
 * (check {@link geminiCliBinary} first).
 */
export async function runGeminiCli(options: GeminiCliOptions): Promise<GeminiCliRun> {
  const entry = geminiCliBinary();
  if (!entry) throw new Error('Gemini CLI is not installed (npm install)');
  const requests: GeminiCliRequest[] = [];
  const recorder = await startRecordingProxy(new URL(options.baseUrl), requests);
  const home = mkdtempSync(join(tmpdir(), 'switchboard-gemini-cli-'));
  const workspace = join(home, 'workspace');
  mkdirSync(workspace);
  mkdirSync(join(home, '.gemini'));
  writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(SETTINGS));
  try {
    const child = spawn(
      process.execPath,
      [
        entry,
        '-p',
        options.prompt,
        '--approval-mode=yolo',
        ...(options.model ? ['-m', options.model] : []),
        ...(options.args ?? []),
      ],
      {
        cwd: workspace,
        env: {
          // Nothing else from the developer's environment: their keys, proxies and Gemini settings stay out.
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: home,
          // Error reports (gemini-client-error-*.json) land in the run's HOME, removed with it.
          TMPDIR: home,
          ...OFFLINE_ENVIRONMENT,
          GOOGLE_GEMINI_BASE_URL: recorder.url,
          GEMINI_API_KEY: options.apiKey,
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 45_000);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
    clearTimeout(timer);
    return { exitCode, stdout, stderr, requests };
  } finally {
    await recorder.close();
    rmSync(home, { recursive: true, force: true });
  }
}
