import { useState, type ReactNode } from 'react';
import { gatewayOrigin } from '../api/client.ts';
import type { Alert, BudgetStatus, Overview } from '../api/types.ts';
import { StackedBars } from '../components/charts.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { Segmented } from '../components/fields.tsx';
import { Icon } from '../components/Icon.tsx';
import { Notice } from '../components/Notice.tsx';
import { Card, Meter, PageHeader, Skeleton } from '../components/ui.tsx';
import {
  formatCount,
  formatDateTime,
  formatMs,
  formatPercent,
  formatUntil,
  formatUsd,
  plural,
  usdColumn,
} from '../lib/format.ts';
import { useInterval, useResource } from '../lib/hooks.ts';
import { bucketStarts, pivot, type Metric } from '../lib/series.ts';
import { LocalServers, useLocalServers } from './Discovery.tsx';

const HOUR = 3_600_000;
const MEASURES = [
  { value: 'costUsd', label: 'Cost' },
  { value: 'requests', label: 'Requests' },
  { value: 'tokens', label: 'Tokens' },
] as const;
const PERIODS = [
  { value: '24h', label: '24 hours' },
  { value: '30d', label: '30 days' },
] as const;

function Stat({
  label,
  value,
  detail,
  loading,
}: {
  label: string;
  value: string;
  detail?: ReactNode;
  loading: boolean;
}) {
  return (
    <div className="stat card">
      <div className="stat-label">{label}</div>
      <div className="stat-value num">{loading ? <Skeleton width="5ch" height="1.1em" /> : value}</div>
      <div className="stat-detail">{loading ? <Skeleton width="10ch" /> : (detail ?? ' ')}</div>
    </div>
  );
}

/** The budget of a period closest to its limit: the one worth a glance. */
function tightest(
  budgets: readonly BudgetStatus[],
  period: BudgetStatus['period'],
): BudgetStatus | undefined {
  return budgets
    .filter((budget) => budget.period === period)
    .sort((a, b) => b.spentUsd / b.limitUsd - a.spentUsd / a.limitUsd)[0];
}

/**
 * Under a spend card's total: the budget its bar shows, named, with that budget's own spend. The
 * total covers every app and route while a budget covers one, so the bar never stands for the
 * total (a total of $5 above "4.2% of $10" would read as if $5 were 4.2% of $10).
 */
function budgetDetail(budgets: readonly BudgetStatus[], period: BudgetStatus['period'], label: string) {
  const budget = tightest(budgets, period);
  if (!budget) return <span className="muted">No {label} budget set</span>;
  const count = budgets.filter((candidate) => candidate.period === period).length;
  const whose = `${budget.scope === 'app' ? 'App' : 'Route'} ${budget.name}`;
  const spent = `${formatUsd(budget.spentUsd)} of ${formatUsd(budget.limitUsd)}`;
  return (
    <>
      <span className="stat-budget">
        <span className="muted">{whose}:</span> <span className="num">{spent}</span>
        {count > 1 && <span className="muted"> · closest of {count}</span>}
      </span>
      <Meter
        spent={budget.spentUsd}
        reserved={budget.reservedUsd}
        limit={budget.limitUsd}
        label={`${whose}, ${label} budget: ${spent} (${formatPercent(budget.spentUsd / budget.limitUsd)})`}
      />
    </>
  );
}

/** What an empty chart says: no requests at all, or requests that cost nothing (local, or unpriced). */
export function emptyChartText(metric: Metric, requests: number, period: string): string {
  if (requests === 0) return `No requests in the last ${period} yet.`;
  const counted = `${plural(requests, 'request')} in the last ${period}`;
  return metric === 'costUsd' ? `${counted}, none with a known cost.` : `${counted}, with no tokens counted.`;
}

export function GettingStarted({
  routes,
  apps,
  requests,
}: {
  routes: number;
  apps: number;
  requests: number;
}) {
  const origin = gatewayOrigin();
  const steps = [
    {
      done: routes > 0,
      title: 'Add a route',
      text: 'Pick a vendor and paste its key, or choose Ollama or LM Studio, which need none.',
      action: (
        <a className="button primary" href="#/routes?new=1">
          <Icon name="plus" /> Add a route
        </a>
      ),
    },
    {
      done: apps > 0,
      title: 'Create an app key',
      text: 'One key per tool or agent, so you can see what each spends and revoke one alone.',
      action: (
        <a className={`button ${routes > 0 ? 'primary' : ''}`} href="#/apps?new=1">
          <Icon name="key" /> Create an app key
        </a>
      ),
    },
    {
      done: requests > 0,
      title: 'Point a tool at Switchboard',
      text: (
        <>
          Paste the set-up shown with the key. Every request then appears under Requests.{' '}
          <span className="inline-copy">
            <code>{origin}/v1</code>
            <CopyButton text={`${origin}/v1`} label="Copy base URL" />
          </span>
        </>
      ),
      action: null,
    },
  ];
  return (
    <section className="card getting-started" aria-labelledby="getting-started-title">
      <h2 id="getting-started-title">Get started in three steps</h2>
      <ol>
        {steps.map((step, index) => (
          <li key={step.title} className={step.done ? 'done' : ''}>
            <span className="step-number" aria-hidden="true">
              {step.done ? <Icon name="check" /> : index + 1}
            </span>
            <div className="step-text">
              <h3>
                {step.title}
                {step.done && <span className="sr-only"> (done)</span>}
              </h3>
              <p>{step.text}</p>
            </div>
            {!step.done && step.action}
          </li>
        ))}
      </ol>
    </section>
  );
}

function AlertList({ alerts }: { alerts: readonly Alert[] }) {
  if (alerts.length === 0) return <p className="muted small">No budget has passed 50% of its limit.</p>;
  return (
    <ul className="alert-list">
      {alerts.map((alert) => (
        <li key={alert.id}>
          <span
            className={`badge badge-${alert.threshold >= 100 ? 'bad' : alert.threshold >= 80 ? 'warn' : 'neutral'}`}
          >
            {alert.threshold}%
          </span>
          <span>
            {alert.scope === 'app' ? 'App' : 'Route'} “{alert.name}” passed {alert.threshold}% of{' '}
            {formatUsd(alert.limitUsd)}
          </span>
          <time className="muted small" dateTime={alert.createdAt}>
            {formatDateTime(alert.createdAt)}
          </time>
        </li>
      ))}
    </ul>
  );
}

export function OverviewPage() {
  const overview = useResource<Overview>('/overview');
  const [range, setRange] = useState<'24h' | '30d'>('24h');
  const [metric, setMetric] = useState<Metric>('costUsd');
  // The overview is a glance at "now": refresh it quietly while it is open.
  useInterval(() => void overview.reload(), 10_000);
  const data = overview.data;
  const loading = data === undefined;
  const now = Date.now();
  const chart = data
    ? range === '24h'
      ? pivot(data.last24h, metric, bucketStarts(now - 23 * HOUR, now, 'hour'), 'hour')
      : pivot(data.last30d, metric, bucketStarts(now - 29 * 24 * HOUR, now, 'day'), 'day')
    : undefined;
  const newUser = data !== undefined && (data.routes === 0 || data.apps === 0);
  // Before any route exists, the servers on this machine come first; once shown they stay for this
  // visit, so that the one just added is seen as added.
  const [offerLocal, setOfferLocal] = useState(false);
  if (data?.routes === 0 && !offerLocal) setOfferLocal(true);
  const localServers = useLocalServers(offerLocal, () => overview.reload());
  // The budget list is a table in all but markup: one number of decimals down each column.
  const spentMoney = usdColumn(data?.budgets.map((budget) => budget.spentUsd) ?? []);
  const limitMoney = usdColumn(data?.budgets.map((budget) => budget.limitUsd) ?? []);

  return (
    <>
      <PageHeader title="Overview" description="Is everything fine, and what did it cost?" />
      {overview.error && <Notice kind="error">{overview.error}</Notice>}
      {offerLocal && <LocalServers state={localServers} />}
      {newUser && <GettingStarted routes={data.routes} apps={data.apps} requests={data.month.requests} />}
      <section className="stats" aria-label="Today">
        <Stat
          label="Spend today"
          value={formatUsd(data?.today.costUsd)}
          loading={loading}
          detail={data && budgetDetail(data.budgets, 'day', 'daily')}
        />
        <Stat
          label="Spend this month"
          value={formatUsd(data?.month.costUsd)}
          loading={loading}
          detail={data && budgetDetail(data.budgets, 'month', 'monthly')}
        />
        <Stat
          label="Requests today"
          value={formatCount(data?.today.requests)}
          loading={loading}
          detail={data && <span className="muted">{plural(data.month.requests, 'request')} this month</span>}
        />
        <Stat
          label="Error rate today"
          value={formatPercent(data?.today.errorRate)}
          loading={loading}
          detail={data && <span className="muted">{plural(data.today.errors, 'failed request')}</span>}
        />
        <Stat
          label="Median latency today"
          value={formatMs(data?.today.medianLatencyMs)}
          loading={loading}
          detail={<span className="muted">end to end, through Switchboard</span>}
        />
      </section>
      {data && data.today.unpriced + data.month.unpriced > 0 && (
        <Notice kind="info">
          {plural(data.month.unpriced, 'request')} this month used a model without a known price, so their
          cost is not counted. <a href="#/routes">See which models on Routes</a>.
        </Notice>
      )}
      <Card
        titleId="activity-title"
        title="Activity"
        className="chart-card"
        aside={
          <div className="toolbar">
            <Segmented label="Measure" value={metric} onChange={setMetric} options={MEASURES} />
            <Segmented label="Period" value={range} onChange={setRange} options={PERIODS} />
          </div>
        }
      >
        {chart && data ? (
          <StackedBars
            data={chart}
            metric={metric}
            bucket={range === '24h' ? 'hour' : 'day'}
            height={240}
            legend={false}
            empty={emptyChartText(
              metric,
              (range === '24h' ? data.last24h : data.last30d).reduce((sum, point) => sum + point.requests, 0),
              range === '24h' ? '24 hours' : '30 days',
            )}
            label={`${metric === 'costUsd' ? 'Cost' : metric === 'tokens' ? 'Tokens' : 'Requests'} over the last ${range === '24h' ? '24 hours, by hour' : '30 days, by day (UTC)'}`}
          />
        ) : (
          <Skeleton className="chart-skeleton" height={240} width="100%" />
        )}
      </Card>
      <div className="columns">
        <Card
          titleId="budgets-title"
          title="Budgets"
          aside={
            <a href="#/apps" className="small">
              Set budgets
            </a>
          }
        >
          {loading ? (
            <Skeleton height={48} width="100%" />
          ) : data.budgets.length === 0 ? (
            <p className="muted small">
              No budgets yet. Give an app or a route a daily, weekly or monthly limit, and requests that would
              pass it are refused before they cost anything.
            </p>
          ) : (
            <ul className="budget-list">
              {data.budgets.map((budget) => (
                <li key={`${budget.scope}:${budget.name}`}>
                  <div className="budget-line">
                    <span>
                      <span className="muted">{budget.scope === 'app' ? 'App' : 'Route'}</span> {budget.name}
                    </span>
                    <span className="num">
                      {spentMoney(budget.spentUsd)}{' '}
                      <span className="muted">
                        of {limitMoney(budget.limitUsd)} / {budget.period}
                      </span>
                    </span>
                  </div>
                  <Meter
                    spent={budget.spentUsd}
                    reserved={budget.reservedUsd}
                    limit={budget.limitUsd}
                    label={`${budget.scope} ${budget.name}: ${formatUsd(budget.spentUsd)} of ${formatUsd(budget.limitUsd)}`}
                  />
                  <div className="muted small">Resets {formatUntil(budget.resetsAt)}</div>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card titleId="alerts-title" title="Alerts">
          {loading ? <Skeleton height={48} width="100%" /> : <AlertList alerts={data.alerts} />}
        </Card>
      </div>
    </>
  );
}
