import { startRecordingProxy, type RecordedRequest } from '../support/recording-proxy.ts';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Runs the real Codex CLI (the `@openai/codex` devDependency) with `codex exec` against a base URL,
 * offline: a fresh CODEX_HOME whose config.toml defines a Responses provider at that URL, with
 * analytics, feedback, update checks and plugins off, and any connection to another host sent to a dead
 * proxy, so nothing but the base URL is ever reached. What it sends: CODEX_WIRE.md.
 */

export type CodexRequest = RecordedRequest;

export interface CodexRun {
  /** null when the run was killed at its time limit. */
  exitCode: number | null;
  /** The final answer (`codex exec` prints only that to stdout). */
  stdout: string;
  /** Codex's banner, the transcript, warnings and errors. */
  stderr: string;
  /** Every request Codex made, in order, with the answer's status. */
  requests: CodexRequest[];
}

export interface CodexOptions {
  /** The provider's `base_url`: Codex appends `/responses` (a fake's `…/v1`, or `${gateway}/proxy/{routeId}`). */
  baseUrl: string;
  /** Sent as `authorization: Bearer` (read from the provider's `env_key`). */
  apiKey: string;
  model: string;
  prompt: string;
  /** Arguments after the defaults (`--json`, …). */
  args?: string[];
  /**
   * The provider part of config.toml instead of one at a recorder in front of `baseUrl`, for a test
   * of set-up that Switchboard prints: written as given, between the switches that keep Codex from
   * calling home. Codex then reaches whatever `base_url` it names itself, so `requests` stays empty,
   * and the key must be in the variable its `env_key` names (`env`).
   */
  configToml?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** The environment variable the provider's `env_key` names. */
const KEY_VARIABLE = 'SWITCHBOARD_API_KEY';

/** The provider for a run: Responses at `baseUrl`. */
function providerToml(baseUrl: string): string {
  return [
    'model_provider = "switchboard"',
    '',
    '[model_providers.switchboard]',
    'name = "Switchboard"',
    `base_url = ${JSON.stringify(baseUrl)}`,
    `env_key = "${KEY_VARIABLE}"`,
    'wire_api = "responses"',
    // One try: a failed request ends the run at once, with its status in the report.
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ].join('\n');
}

/** `$CODEX_HOME/config.toml` for a run: the provider, and no calls home. Root keys come before any table. */
function configToml(provider: string): string {
  return [
    'check_for_update_on_startup = false',
    provider,
    '[analytics]',
    'enabled = false',
    '',
    '[feedback]',
    'enabled = false',
    '',
    // Otherwise Codex fetches its plugin catalogue from github.com in the background.
    '[features]',
    'plugins = false',
    '',
  ].join('\n');
}

const OFFLINE_ENVIRONMENT = {
  // Port 9 (discard) refuses at once: a call that slipped past the switches fails instead of leaving the machine.
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost',
};

/**
 * The native binary of the installed platform package (`vendor/<target triple>/bin/codex`), run
 * directly so that a time limit kills Codex itself rather than the Node wrapper; null when none is installed.
 */
export function codexBinary(): string | null {
  const require = createRequire(import.meta.url);
  try {
    const vendor = join(
      dirname(require.resolve(`@openai/codex-${process.platform}-${process.arch}/package.json`)),
      'vendor',
    );
    const executable = process.platform === 'win32' ? 'codex.exe' : 'codex';
    for (const triple of readdirSync(vendor)) {
      const binary = join(vendor, triple, 'bin', executable);
      if (existsSync(binary)) return binary;
    }
  } catch {
    // Not installed for this platform.
  }
  return null;
}

/**
 * `codex exec --skip-git-repo-check --ephemeral --dangerously-bypass-approvals-and-sandbox -m <model>
 * <prompt>` with a provider whose `base_url` is a recorder in front of `baseUrl`. Throws when the
 * binary is missing (check {@link codexBinary} first).
 */
export async function runCodex(options: CodexOptions): Promise<CodexRun> {
  const binary = codexBinary();
  if (!binary) throw new Error('Codex is not installed (npm install, with optional dependencies)');
  const requests: CodexRequest[] = [];
  let provider = options.configToml;
  let recorder: Awaited<ReturnType<typeof startRecordingProxy>> | undefined;
  if (provider === undefined) {
    recorder = await startRecordingProxy(new URL(options.baseUrl), requests);
    provider = providerToml(recorder.url);
  }
  // Under a temporary directory Codex warns that it will not create its helper binaries, and carries on.
  const home = mkdtempSync(join(tmpdir(), 'switchboard-codex-'));
  const codexHome = join(home, '.codex');
  const workspace = join(home, 'workspace');
  mkdirSync(codexHome);
  mkdirSync(workspace);
  writeFileSync(join(codexHome, 'config.toml'), configToml(provider));
  try {
    const child = spawn(
      binary,
      [
        'exec',
        '--skip-git-repo-check',
        '--ephemeral',
        '--strict-config',
        // No approvals (exec never asks) and no sandbox: a container may not allow Codex's own.
        '--dangerously-bypass-approvals-and-sandbox',
        '--model',
        options.model,
        ...(options.args ?? []),
        options.prompt,
      ],
      {
        cwd: workspace,
        env: {
          // Nothing else from the developer's environment: their keys, proxies and Codex settings stay out.
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: home,
          CODEX_HOME: codexHome,
          ...OFFLINE_ENVIRONMENT,
          [KEY_VARIABLE]: options.apiKey,
          ...options.env,
        },
        // Codex reads more of the prompt from stdin unless it is closed.
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
    await recorder?.close();
    rmSync(home, { recursive: true, force: true });
  }
}
