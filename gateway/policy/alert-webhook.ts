import { randomUUID } from 'node:crypto';
import {
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { scrubSecrets } from '../scrub.ts';
import type { AlertRecord } from '../store/budgets.ts';
import { VERSION } from '../version.ts';
import type { RouteFailure, RouteHealthEvent } from './route-health.ts';

/*
 * The optional alert webhook (server.alertWebhook): each budget alert and each route cooldown start
 * or end is POSTed as JSON (docs/alerts.md) to a URL the user chose, a chat's incoming webhook or a
 * script of theirs. Delivery runs beside the gateway's work, never in a request's way: a few
 * seconds per attempt, two retries with backoff, redirects not followed. The URL may carry a token
 * (in its query or path), so logs and the dashboard's delivery status name only its origin and
 * reasons the gateway wrote itself, never a message that could quote the URL.
 */

/** Bumped when a field changes meaning or goes away; new fields may appear without it. */
export const ALERT_BODY_VERSION = 1;

export type BudgetAlert = Omit<AlertRecord, 'id'>;

interface BodyBase {
  version: typeof ALERT_BODY_VERSION;
  /** The same on every retry of one alert, so that a receiver can drop a repeat. */
  id: string;
  /** ISO 8601, when it happened. */
  time: string;
  /** One line for a person, so that a chat's incoming webhook shows something readable as is. */
  text: string;
}

export type AlertBody =
  | (BodyBase & {
      kind: 'budget';
      scope: BudgetAlert['scope'];
      name: string;
      threshold: number;
      spentUsd: number;
      limitUsd: number;
      /** ISO 8601, the start of the budget's period (UTC). */
      periodStart: string;
    })
  | (BodyBase & {
      kind: 'route_cooling' | 'route_healthy';
      route: string;
      /** ISO 8601, when the cooldown ends; null once healthy. */
      until: string | null;
      lastError: (Omit<RouteFailure, 'time'> & { time: string }) | null;
    })
  | (BodyBase & { kind: 'test' });

const iso = (ms: number) => new Date(ms).toISOString();
const usd = (value: number) => `$${value.toFixed(2)}`;

export function budgetAlertBody(alert: BudgetAlert): AlertBody {
  const who = `${alert.scope === 'app' ? 'App' : 'Route'} "${alert.name}"`;
  const spent = `${usd(alert.spentUsd)} of ${usd(alert.limitUsd)} spent`;
  return {
    version: ALERT_BODY_VERSION,
    id: randomUUID(),
    kind: 'budget',
    time: iso(alert.createdAt),
    text:
      alert.threshold >= 100
        ? `${who} reached its budget: ${spent}. Its requests are refused until the budget resets or is raised.`
        : `${who} passed ${alert.threshold}% of its budget: ${spent}.`,
    scope: alert.scope,
    name: alert.name,
    threshold: alert.threshold,
    spentUsd: alert.spentUsd,
    limitUsd: alert.limitUsd,
    periodStart: iso(alert.periodStart),
  };
}

export function routeHealthBody(event: RouteHealthEvent, now: number): AlertBody {
  const error = event.lastError;
  // The vendor's message is scrubbed where it is recorded; once more here, since it leaves the machine.
  const lastError = error && { ...error, time: iso(error.time), message: scrubSecrets(error.message) };
  const cause =
    lastError === null
      ? ''
      : ` Last error: ${lastError.status === null ? '' : `${lastError.status} `}${lastError.message}`;
  return {
    version: ALERT_BODY_VERSION,
    id: randomUUID(),
    kind: event.state === 'cooling' ? 'route_cooling' : 'route_healthy',
    time: iso(now),
    text:
      event.state === 'cooling'
        ? `Route "${event.route}" is cooling down${
            event.until === null ? '' : ` until ${iso(event.until)}`
          }: it failed repeatedly, so requests go to its fallbacks first.${cause}`
        : `Route "${event.route}" is healthy again.`,
    route: event.route,
    until: event.until === null ? null : iso(event.until),
    lastError,
  };
}

function testAlertBody(now: number): AlertBody {
  return {
    version: ALERT_BODY_VERSION,
    id: randomUUID(),
    kind: 'test',
    time: iso(now),
    text: 'A test alert from Switchboard: this webhook works.',
  };
}

/** What logs and the dashboard may say of a webhook URL: its origin, without path, query or credentials. */
function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}

type Attempt =
  { ok: true; status: number } | { ok: false; status: number | null; reason: string; retryable: boolean };

/** 408, 429 and 5xx may pass; another 4xx will answer the same again. */
const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * One POST, ended after `timeoutMs` whatever the receiver does. The reason of a failure is written
 * here from a status or an error code, never taken from an error message, which may quote the URL.
 */
function postOnce(url: URL, payload: string, timeoutMs: number, signal: AbortSignal): Promise<Attempt> {
  return new Promise((resolve) => {
    let request: ClientRequest | undefined;
    const finish = (attempt: Attempt) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      request?.destroy();
      resolve(attempt);
    };
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          status: null,
          reason: `no answer within ${timeoutMs / 1000} s`,
          retryable: true,
        }),
      timeoutMs,
    );
    const onAbort = () =>
      finish({ ok: false, status: null, reason: 'Switchboard stopped', retryable: false });
    signal.addEventListener('abort', onAbort);
    const options: RequestOptions = {
      method: 'POST',
      // A connection of its own, closed after the answer: alerts are rare.
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        'user-agent': `Switchboard/${VERSION}`,
      },
    };
    const onResponse = (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      // Only the status matters; the body is not read (request.destroy() in finish drops it).
      if (status >= 200 && status < 300) finish({ ok: true, status });
      else if (status >= 300 && status < 400)
        finish({
          ok: false,
          status,
          reason: `answered ${status}, a redirect, which is not followed`,
          retryable: false,
        });
      else finish({ ok: false, status, reason: `answered ${status}`, retryable: retryableStatus(status) });
    };
    try {
      request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, onResponse);
    } catch {
      finish({ ok: false, status: null, reason: 'the URL could not be used', retryable: false });
      return;
    }
    request.on('error', (error: NodeJS.ErrnoException) => {
      const code = typeof error.code === 'string' ? ` (${error.code})` : '';
      finish({ ok: false, status: null, reason: `could not be reached${code}`, retryable: true });
    });
    request.end(payload);
  });
}

export interface AlertWebhookOptions {
  /** The configured URL, read at each alert, so that a saved change applies at once. */
  url: () => string | undefined;
  warn: (message: string) => void;
  now?: () => number;
  /** Per attempt (default 5 s). */
  timeoutMs?: number;
  /** The wait before each retry (default 1 s, then 4 s). */
  retryDelaysMs?: readonly number[];
}

/** The last delivery to the configured URL, as the Settings page shows it. */
export interface DeliveryStatus {
  /** ISO 8601. */
  time: string;
  ok: boolean;
  /** Why it failed; null when it was delivered. */
  message: string | null;
}

export interface TestResult {
  delivered: boolean;
  /** The receiver's status, when it answered. */
  status: number | null;
  message: string | null;
}

/** Alerts waiting or in flight beyond this are dropped: a receiver that is down must not pile them up. */
const MAX_PENDING = 32;

export class AlertWebhook {
  private readonly pending = new Set<AbortController>();
  private last: (DeliveryStatus & { url: string }) | null = null;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly retryDelaysMs: readonly number[];

  constructor(private readonly options: AlertWebhookOptions) {
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retryDelaysMs = options.retryDelaysMs ?? [1_000, 4_000];
  }

  budget(alert: BudgetAlert): void {
    this.send(() => budgetAlertBody(alert));
  }

  routeHealth(event: RouteHealthEvent): void {
    this.send(() => routeHealthBody(event, this.now()));
  }

  /** The last delivery to the URL configured now (one to an earlier URL says nothing of it). */
  status(): DeliveryStatus | null {
    const url = this.options.url();
    if (this.last === null || url === undefined || this.last.url !== url) return null;
    const { time, ok, message } = this.last;
    return { time, ok, message };
  }

  /** Posts a test body once, to the given URL, and says how it went. */
  async test(url: string): Promise<TestResult> {
    const controller = this.track();
    try {
      const attempt = await postOnce(
        new URL(url),
        JSON.stringify(testAlertBody(this.now())),
        this.timeoutMs,
        controller.signal,
      );
      this.remember(url, attempt);
      return attempt.ok
        ? { delivered: true, status: attempt.status, message: null }
        : { delivered: false, status: attempt.status, message: attempt.reason };
    } finally {
      this.pending.delete(controller);
    }
  }

  /** Ends every delivery under way (at shutdown): none may hold the gateway up. */
  close(): void {
    for (const controller of this.pending) controller.abort();
    this.pending.clear();
  }

  private track(): AbortController {
    const controller = new AbortController();
    this.pending.add(controller);
    return controller;
  }

  private remember(url: string, attempt: Attempt): void {
    if (url !== this.options.url()) return;
    this.last = {
      url,
      time: new Date(this.now()).toISOString(),
      ok: attempt.ok,
      message: attempt.ok ? null : attempt.reason,
    };
  }

  private send(body: () => AlertBody): void {
    const url = this.options.url();
    if (url === undefined) return;
    if (this.pending.size >= MAX_PENDING) {
      this.fail(url, `${MAX_PENDING} alerts are already waiting for it`, 0);
      return;
    }
    const controller = this.track();
    // Off the caller's stack: a budget alert is raised inside a request's settlement.
    setImmediate(() => {
      this.deliver(url, JSON.stringify(body()), controller.signal)
        // postOnce never rejects; this only keeps a bug here from becoming an unhandled rejection.
        .catch(() => this.fail(url, 'an internal error', 0))
        .finally(() => this.pending.delete(controller));
    });
  }

  private async deliver(url: string, payload: string, signal: AbortSignal): Promise<void> {
    const target = new URL(url);
    for (let attempt = 0; ; attempt++) {
      const result = await postOnce(target, payload, this.timeoutMs, signal);
      const wait = this.retryDelaysMs[attempt];
      if (result.ok || !result.retryable || wait === undefined || signal.aborted) {
        this.remember(url, result);
        if (!result.ok && !signal.aborted) this.fail(url, result.reason, attempt + 1);
        return;
      }
      try {
        await delay(wait, undefined, { signal, ref: false });
      } catch {
        return;
      }
    }
  }

  /** Once per alert that was not delivered, after its last attempt. */
  private fail(url: string, reason: string, attempts: number): void {
    if (attempts === 0) this.remember(url, { ok: false, status: null, reason, retryable: false });
    const tries = attempts === 0 ? '' : ` after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    this.options.warn(`alert webhook ${webhookOrigin(url)}: an alert was not delivered${tries}: ${reason}`);
  }
}
