import { join } from 'node:path';
import type { BenchClient, Target } from '../client.ts';
import { CHAT_BODY_WITH_SECRET, POLICY_APP_KEY, REDACT_MARKER, UPSTREAM_KEY } from '../shared.ts';
import { startSwitchboard, type Server } from '../stack.ts';
import { measureSequential, type LatencyResult } from './latency.ts';

export type PolicyResult =
  | { status: 'not yet'; reason: string }
  | { status: 'failed'; error: string }
  | { status: 'measured'; sequential: LatencyResult };

/** A budget on the app and on the route (far from reached) and a redact filter on the route. */
export function policyConfig(upstream: string): Record<string, unknown> {
  return {
    routes: [
      {
        id: 'guarded',
        vendor: 'openai',
        baseUrl: `${upstream}/v1`,
        apiKey: UPSTREAM_KEY,
        budget: { usd: 1000, period: 'month' },
        filters: ['bench-redact'],
      },
    ],
    apps: [{ name: 'bench-policy', key: POLICY_APP_KEY, budget: { usd: 1000, period: 'day' } }],
    filters: [{ name: 'bench-redact', kind: 'redact', patterns: [`${REDACT_MARKER}[0-9]+`] }],
  };
}

/** The request through the guarded route, carrying a string the redact filter replaces. */
export function policyTarget(origin: string): Target {
  return {
    name: 'switchboard+policy',
    origin,
    path: '/openai/guarded/v1/chat/completions',
    headers: { authorization: `Bearer ${POLICY_APP_KEY}` },
    body: CHAT_BODY_WITH_SECRET,
  };
}

/**
 * Policy is measured only once the gateway applies it. Two checks at run time: the config schema
 * must accept a budget and a redact filter, and a request carrying a secret must reach the
 * upstream without it. Until both hold this says "not yet" rather than timing a no-op.
 */
export async function measurePolicy(
  client: BenchClient,
  servers: { fake: Server; switchboard: Server },
  plainSwitchboard: Target,
  dir: string,
  counts: { requests: number; warmup: number; warmupMs: number },
  deadlineMs: number,
): Promise<PolicyResult> {
  const config = policyConfig(servers.fake.origin);
  try {
    const { parseConfig } = await import('../../gateway/config/load.ts');
    parseConfig(config, 'bench policy config');
  } catch (error) {
    return { status: 'not yet', reason: `the config schema refuses it: ${(error as Error).message}` };
  }
  let guarded: Server;
  try {
    guarded = await startSwitchboard({ dir: join(dir, 'policy'), config, name: 'Switchboard with policy' });
  } catch (error) {
    return { status: 'failed', error: (error as Error).message };
  }
  try {
    const target = policyTarget(guarded.origin);
    type Stats = { sawMarker: number };
    const before = await client.getJson<Stats>(servers.fake.origin, '/_stats');
    await client.timed(target);
    const after = await client.getJson<Stats>(servers.fake.origin, '/_stats');
    if (after.sawMarker > before.sawMarker) {
      return {
        status: 'not yet',
        reason:
          'the config is accepted, but the redact filter is not applied (the upstream received the secret)',
      };
    }
    const direct: Target = {
      name: 'direct',
      origin: servers.fake.origin,
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${UPSTREAM_KEY}` },
      body: CHAT_BODY_WITH_SECRET,
    };
    const sequential = await measureSequential(
      client,
      direct,
      [{ ...plainSwitchboard, body: CHAT_BODY_WITH_SECRET }, target],
      counts,
      deadlineMs,
      new Map([
        [plainSwitchboard.name, servers.switchboard.pid],
        [target.name, guarded.pid],
      ]),
    );
    return { status: 'measured', sequential };
  } catch (error) {
    return { status: 'failed', error: (error as Error).message };
  } finally {
    await guarded.stop();
  }
}
