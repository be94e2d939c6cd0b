import type { SoakResults } from './results.ts';

const count = (value: number) => value.toLocaleString('en-US');
const mb = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(1)} MB`);
const ms = (value: number) => (value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`);
const percentOf = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(2)}%` : 'n/a');

/** `a 3, b 2`, largest first. */
const breakdown = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .map(([key, value]) => `${key} ${count(value)}`)
    .join(', ');

/** The run's figures as a two-column Markdown table, for the terminal and for notes. */
export function renderTable(results: SoakResults): string {
  const { clients, gateway, upstreams, parameters } = results;
  const rows = gateway.rows;
  const fakeCuts = Object.values(upstreams).reduce((sum, upstream) => sum + (upstream.faults['cut'] ?? 0), 0);
  const calls = Object.values(upstreams).reduce((sum, upstream) => sum + upstream.calls, 0);
  const failed = (name: string) => {
    const upstream = upstreams[name];
    return upstream
      ? `${count(upstream.calls)} (${percentOf(upstream.calls - upstream.ok, upstream.calls)} failed)`
      : '0';
  };
  const primary = results.routes[0];
  // Who answered, as the answers' x-switchboard-route header says; without it, the rows' routes.
  const said = Object.entries(clients.servedBy).filter(([route]) => route !== '(not said)');
  const whoAnswered = said.length
    ? `answers served by a fallback: ${breakdown(Object.fromEntries(said.filter(([route]) => route !== primary?.id))) || 'none'}`
    : `rows by route: ${breakdown(rows.byRoute)}`;
  const cooling = breakdown(gateway.coolingSamples);
  const figures: [string, string][] = [
    [
      'requests (finished by clients)',
      `${count(clients.requests)} (${clients.requestsPerSecond.toFixed(0)}/s)`,
    ],
    [
      'errors seen by clients',
      `${count(clients.errorCount)} (${percentOf(clients.errorCount, clients.requests)})${clients.errorCount ? `: ${breakdown(clients.errors)}` : ''}`,
    ],
    [
      '… of which the fakes cut mid-stream',
      `${count(fakeCuts)} (not retryable); ${count(Math.max(0, clients.errorCount - fakeCuts))} others`,
    ],
    [
      'upstream calls (at the fakes)',
      `${count(calls)}: ${results.routes.map((route) => `${route.id} ${failed(route.id)}`).join(', ')}`,
    ],
    ['retries (gateway rows)', count(rows.retries)],
    ['fallbacks (gateway rows)', `${count(rows.fallbacks)}; ${whoAnswered}`],
    [
      `sent straight to a fallback (${primary?.id ?? 'primary'} cooling)`,
      `${count(rows.startedOnFallback)}${cooling ? `; samples with a route cooling: ${cooling} of ${results.samples.length}` : ''}`,
    ],
    [
      'gateway RSS: start → end (peak)',
      `${mb(gateway.rss.startMb)} → ${mb(gateway.rss.endMb)} (${mb(gateway.rss.peakMb)})`,
    ],
    [
      'gateway event-loop delay p99',
      `${ms(gateway.loopDelay.p99Ms)} (max ${ms(gateway.loopDelay.maxMs)}; worst ${parameters.sampleSeconds} s window p99 ${ms(gateway.worstWindowP99Ms)})`,
    ],
    [
      'client TTFB p50 / p99; stream p50 / p99',
      `${ms(clients.ttfbMs.p50)} / ${ms(clients.ttfbMs.p99)}; ${ms(clients.totalMs.p50)} / ${ms(clients.totalMs.p99)}`,
    ],
  ];
  if (rows.upstreamCalls !== calls)
    figures.push([
      'upstream calls the rows account for',
      `${count(rows.upstreamCalls)} (the fakes counted ${count(calls)})`,
    ]);
  if (rows.rows !== clients.requests)
    figures.push([
      'gateway rows (≠ client requests)',
      `${count(rows.rows)} rows for ${count(clients.requests)} requests`,
    ]);
  if (!gateway.healthyAfter) figures.push(['after the load', 'GET /healthz did not answer 200']);

  const width = Math.max(...figures.map(([label]) => label.length));
  const valueWidth = Math.max(...figures.map(([, value]) => value.length));
  const line = (label: string, value: string) => `| ${label.padEnd(width)} | ${value.padEnd(valueWidth)} |`;
  const chain = results.routes.map((route) => `${route.id} (${route.vendor})`).join(' → ');
  return [
    `${parameters.concurrency} streams for ${parameters.minutes} min, fakes failing ${parameters.failurePercent}% of calls; routes ${chain}`,
    '',
    line('figure', 'this run'),
    `| ${'-'.repeat(width)} | ${'-'.repeat(valueWidth)} |`,
    ...figures.map(([label, value]) => line(label, value)),
  ].join('\n');
}
