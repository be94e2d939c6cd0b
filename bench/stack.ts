import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from './client.ts';
import { portkeyEntry } from './deps.ts';
import type { BenchOptions } from './options.ts';
import { spawnNode, type Started } from './processes.ts';
import { ANTHROPIC_UPSTREAM_KEY, APP_KEY, CHAT_BODY, UPSTREAM_KEY } from './shared.ts';

export interface Server extends Started {
  origin: string;
}

const withOrigin = (started: Started): Server => ({
  ...started,
  origin: `http://127.0.0.1:${started.match[1]}`,
});

const TSX = ['--import', 'tsx/esm'];
const READY_TIMEOUT_MS = 30_000;

export function startFakeUpstream(options: BenchOptions): Promise<Server> {
  return spawnNode('fake upstream', {
    nodeOptions: TSX,
    args: [
      'bench/servers/fake-upstream.ts',
      `--latency-ms=${options.upstreamLatencyMs}`,
      `--chunks=${options.chunks}`,
      `--chunk-interval-ms=${options.chunkIntervalMs}`,
      `--first-chunk-gap-ms=${options.firstChunkGapMs}`,
    ],
    ready: /FAKE_LISTENING (\d+)/,
    timeoutMs: READY_TIMEOUT_MS,
  }).then(withOrigin);
}

export function startBareProxy(upstream: string): Promise<Server> {
  return spawnNode('bare undici proxy', {
    nodeOptions: TSX,
    args: ['bench/servers/bare-proxy.ts', upstream],
    ready: /BARE_LISTENING (\d+)/,
    timeoutMs: READY_TIMEOUT_MS,
  }).then(withOrigin);
}

export function startPortkey(): Promise<Server> {
  return spawnNode('Portkey gateway', {
    nodeOptions: ['--import', './bench/servers/portkey-loopback.mjs'],
    args: [portkeyEntry(), '--headless', '--port=0'],
    ready: /PORTKEY_LISTENING (\d+)/,
    timeoutMs: READY_TIMEOUT_MS,
    env: { ...process.env, NODE_ENV: 'production' },
  }).then(withOrigin);
}

export const SWITCHBOARD_READY = /Switchboard listening on http:\/\/127\.0\.0\.1:(\d+)/;

export interface SwitchboardOptions {
  /** Where its data dir and config file go (created). */
  dir: string;
  config: Record<string, unknown>;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeOptions?: readonly string[];
  /** The script to run; default the real CLI, bin/switchboard.mjs. */
  script?: string;
  name?: string;
}

/** `node bin/switchboard.mjs serve --port 0`: the real headless gateway, recording on, as its own process. */
export function startSwitchboard(options: SwitchboardOptions): Promise<Server> {
  mkdirSync(options.dir, { recursive: true });
  const configFile = join(options.dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(options.config, null, 2));
  return spawnNode(options.name ?? 'Switchboard', {
    nodeOptions: options.nodeOptions ?? [],
    args: [
      options.script ?? 'bin/switchboard.mjs',
      'serve',
      '--port',
      '0',
      '--data-dir',
      join(options.dir, 'data'),
      '--config',
      configFile,
      '--admin-token',
      'bench-admin-token-0123456789',
    ],
    ready: SWITCHBOARD_READY,
    timeoutMs: READY_TIMEOUT_MS,
  }).then(withOrigin);
}

/** The bench's config: an OpenAI route to the fake (and an Anthropic one once that vendor exists), one app. */
export function benchConfig(upstream: string, anthropic: boolean): Record<string, unknown> {
  return {
    routes: [
      { id: 'up', vendor: 'openai', baseUrl: `${upstream}/v1`, apiKey: UPSTREAM_KEY },
      ...(anthropic
        ? [{ id: 'claude', vendor: 'anthropic', baseUrl: upstream, apiKey: ANTHROPIC_UPSTREAM_KEY }]
        : []),
    ],
    apps: [{ name: 'bench', key: APP_KEY }],
  };
}

export interface Stack {
  fake: Server;
  bare: Server;
  switchboard: Server;
  portkey: Server;
  /** The non-streamed chat request, four ways. */
  targets: { direct: Target; bare: Target; switchboard: Target; portkey: Target };
}

/** The same request four ways; `body` and the paths are what differ between sections. */
export function chatTargets(stack: Omit<Stack, 'targets'>, body = CHAT_BODY): Stack['targets'] {
  const upstreamAuth = { authorization: `Bearer ${UPSTREAM_KEY}` };
  return {
    direct: {
      name: 'direct',
      origin: stack.fake.origin,
      path: '/v1/chat/completions',
      headers: upstreamAuth,
      body,
    },
    bare: {
      name: 'bare',
      origin: stack.bare.origin,
      path: '/v1/chat/completions',
      headers: upstreamAuth,
      body,
    },
    switchboard: {
      name: 'switchboard',
      origin: stack.switchboard.origin,
      path: '/openai/up/v1/chat/completions',
      headers: { authorization: `Bearer ${APP_KEY}` },
      body,
    },
    portkey: {
      name: 'portkey',
      origin: stack.portkey.origin,
      path: '/v1/chat/completions',
      headers: {
        ...upstreamAuth,
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `${stack.fake.origin}/v1`,
      },
      body,
    },
  };
}

export async function startStack(options: BenchOptions, dir: string, anthropic: boolean): Promise<Stack> {
  const fake = await startFakeUpstream(options);
  // One at a time: each start is measured on a machine that is otherwise quiet.
  const bare = await startBareProxy(fake.origin);
  const switchboard = await startSwitchboard({
    dir: join(dir, 'switchboard'),
    config: benchConfig(fake.origin, anthropic),
  });
  const portkey = await startPortkey();
  const servers = { fake, bare, switchboard, portkey };
  return { ...servers, targets: chatTargets(servers) };
}
