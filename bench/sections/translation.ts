import type { BenchClient } from '../client.ts';
import {
  ANTHROPIC_UPSTREAM_KEY,
  APP_KEY,
  CLAUDE_CHAT_BODY,
  CLAUDE_CHAT_STREAM_BODY,
  MESSAGES_BODY,
  MESSAGES_STREAM_BODY,
} from '../shared.ts';
import type { Server } from '../stack.ts';
import { measureSequential, type LatencyResult } from './latency.ts';
import {
  anthropicStreamComplete,
  measureStreams,
  type StreamTarget,
  type StreamingResult,
} from './streaming.ts';

export type Availability = { available: true } | { available: false; reason: string };

/** Whether this checkout's gateway can call Anthropic yet: its vendor registry decides, at run time. */
export async function anthropicAvailability(): Promise<Availability> {
  try {
    const { providerFor } = await import('../../gateway/providers/index.ts');
    return providerFor('anthropic')
      ? { available: true }
      : { available: false, reason: 'vendor not in registry' };
  } catch (error) {
    return {
      available: false,
      reason: `the vendor registry could not be loaded: ${(error as Error).message}`,
    };
  }
}

export type TranslationResult =
  | { status: 'not yet'; reason: string }
  | { status: 'failed'; error: string }
  | { status: 'measured'; sequential: LatencyResult; streaming: StreamingResult };

/**
 * OpenAI in, Anthropic out: Switchboard's /openai/claude route and Portkey's OpenAI endpoint with
 * provider anthropic, against the same Messages call sent natively to the fake Anthropic
 * (direct) and through the bare proxy (the native pass-through floor).
 */
export async function measureTranslation(
  client: BenchClient,
  servers: { fake: Server; bare: Server; switchboard: Server; portkey: Server },
  counts: { requests: number; streams: number; warmup: number; streamWarmup: number; warmupMs: number },
  chunks: number,
  deadlineMs: number,
): Promise<TranslationResult> {
  const native = { 'x-api-key': ANTHROPIC_UPSTREAM_KEY, 'anthropic-version': '2023-06-01' };
  const targets = (stream: boolean) => {
    // Anthropic's own events come back from the fake, directly and through the bare proxy.
    const direct: StreamTarget = {
      complete: anthropicStreamComplete,
      name: 'direct',
      origin: servers.fake.origin,
      path: '/v1/messages',
      headers: native,
      body: stream ? MESSAGES_STREAM_BODY : MESSAGES_BODY,
    };
    const via: StreamTarget[] = [
      { ...direct, name: 'bare', origin: servers.bare.origin },
      {
        name: 'switchboard',
        origin: servers.switchboard.origin,
        path: '/openai/claude/v1/chat/completions',
        headers: { authorization: `Bearer ${APP_KEY}` },
        body: stream ? CLAUDE_CHAT_STREAM_BODY : CLAUDE_CHAT_BODY,
      },
      {
        name: 'portkey',
        origin: servers.portkey.origin,
        path: '/v1/chat/completions',
        headers: {
          authorization: `Bearer ${ANTHROPIC_UPSTREAM_KEY}`,
          'x-portkey-provider': 'anthropic',
          'x-portkey-custom-host': `${servers.fake.origin}/v1`,
        },
        body: stream ? CLAUDE_CHAT_STREAM_BODY : CLAUDE_CHAT_BODY,
      },
    ];
    return { direct, via };
  };
  try {
    const plain = targets(false);
    const sequential = await measureSequential(
      client,
      plain.direct,
      plain.via,
      { requests: counts.requests, warmup: counts.warmup, warmupMs: counts.warmupMs },
      deadlineMs,
      new Map([
        ['bare', servers.bare.pid],
        ['switchboard', servers.switchboard.pid],
        ['portkey', servers.portkey.pid],
      ]),
    );
    const streamed = targets(true);
    const streaming = await measureStreams(
      client,
      streamed.direct,
      streamed.via,
      {
        requests: counts.streams,
        warmup: counts.streamWarmup,
        warmupMs: counts.warmupMs / 2,
      },
      chunks,
      deadlineMs,
    );
    return { status: 'measured', sequential, streaming };
  } catch (error) {
    return { status: 'failed', error: (error as Error).message };
  }
}
