import { startRecordingProxy, type RecordedRequest } from '../support/recording-proxy.ts';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Runs the real Claude Code CLI (the `@anthropic-ai/claude-code` devDependency) in print mode against
 * a base URL, offline: a fresh HOME and working directory, every non-essential call turned off, and
 * any connection to another host sent to a dead proxy, so nothing but the base URL is ever reached.
 */

export type ClaudeCodeRequest = RecordedRequest;

export interface ClaudeCodeRun {
  /** null when the run was killed at its time limit. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Every request Claude Code made, in order, with the answer's status. */
  requests: ClaudeCodeRequest[];
}

export interface ClaudeCodeOptions {
  /** What ANTHROPIC_BASE_URL is set to: the gateway's root, `/proxy/{routeId}` or `/anthropic/{routeId}`. */
  baseUrl: string;
  /** Sent as `x-api-key` (ANTHROPIC_API_KEY). */
  apiKey: string;
  model: string;
  prompt: string;
  /** Arguments after the defaults (`--output-format json`, …). */
  args?: string[];
  /** Extra environment (ANTHROPIC_CUSTOM_HEADERS, ENABLE_PROMPT_CACHING_1H, …). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** The tools a run may use without asking: only the shell, which is what the end-to-end task needs. */
const ALLOWED_TOOLS = 'Bash';

/** Switches that keep Claude Code from calling anything but the API (telemetry, updates, error reports, feature flags). */
const OFFLINE_ENVIRONMENT = {
  DISABLE_TELEMETRY: '1',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_ERROR_REPORTING: '1',
  // Port 9 (discard) refuses at once: a call that slipped past the switches fails instead of leaving the machine.
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost',
};

/**
 * The native binary of the installed platform package, found directly so that a blocked postinstall
 * (which copies it over the wrapper's placeholder) does not matter; null when none is installed.
 */
export function claudeCodeBinary(): string | null {
  const require = createRequire(import.meta.url);
  const executable = process.platform === 'win32' ? 'claude.exe' : 'claude';
  for (const suffix of ['', '-musl']) {
    const name = `@anthropic-ai/claude-code-${process.platform}-${process.arch}${suffix}`;
    try {
      const binary = join(dirname(require.resolve(`${name}/package.json`)), executable);
      if (existsSync(binary)) return binary;
    } catch {
      // Not installed for this platform or libc: try the next.
    }
  }
  return null;
}

/**
 * `claude -p <prompt> --model <model> --allowedTools Bash` with ANTHROPIC_BASE_URL and
 * ANTHROPIC_API_KEY set, through a recorder in front of `baseUrl`. Throws when the binary is missing
 * (check {@link claudeCodeBinary} first).
 */
export async function runClaudeCode(options: ClaudeCodeOptions): Promise<ClaudeCodeRun> {
  const binary = claudeCodeBinary();
  if (!binary) throw new Error('Claude Code is not installed (npm install, with optional dependencies)');
  const requests: ClaudeCodeRequest[] = [];
  const recorder = await startRecordingProxy(new URL(options.baseUrl), requests);
  const home = mkdtempSync(join(tmpdir(), 'switchboard-claude-code-'));
  const workspace = join(home, 'workspace');
  mkdirSync(workspace);
  try {
    const child = spawn(
      binary,
      [
        '-p',
        options.prompt,
        '--model',
        options.model,
        '--allowedTools',
        ALLOWED_TOOLS,
        ...(options.args ?? []),
      ],
      {
        cwd: workspace,
        env: {
          // Nothing else from the developer's environment: their keys, proxies and Claude settings stay out.
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: home,
          ...OFFLINE_ENVIRONMENT,
          ANTHROPIC_BASE_URL: recorder.url,
          ANTHROPIC_API_KEY: options.apiKey,
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
