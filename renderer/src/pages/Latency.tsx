import { useMemo, useState } from 'react';
import { query } from '../api/client.ts';
import type {
  ComparisonAnswer,
  LatencyAnswer,
  LatencyBucket,
  LatencyRow,
  LatencySample,
  Percentiles,
} from '../api/usage-latency.ts';
import { Lines } from '../components/charts.tsx';
import { Notice } from '../components/Notice.tsx';
import { Segmented, SelectField } from '../components/fields.tsx';
import { Card, EmptyState, PageHeader, Skeleton } from '../components/ui.tsx';
import { useInterval, useResource } from '../lib/hooks.ts';
import { bucketStarts, type Pivot } from '../lib/series.ts';
import { ModelsTable } from './ModelsTable.tsx';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RANGES = [
  { value: '1', label: 'Last 24 hours' },
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
] as const;
type Range = (typeof RANGES)[number]['value'];
const GROUPINGS = [
  { value: 'model', label: 'Model' },
  { value: 'route', label: 'Route' },
] as const;
const BUCKETS = [
  { value: 'hour', label: 'Hour' },
  { value: 'day', label: 'Day' },
] as const;
const PERCENTILES = [
  { value: 'p50', label: 'p50' },
  { value: 'p95', label: 'p95' },
  { value: 'p99', label: 'p99' },
] as const;
type Percentile = keyof Percentiles;

/** The last 24 hours to the minute; days as whole UTC days to the end of today, as Usage has them. */
export function latencyRange(range: Range, now = Date.now()): { from: number; to: number } {
  if (range === '1') return { from: Math.floor((now - DAY) / HOUR) * HOUR, to: now + 1 };
  const today = Math.floor(now / DAY) * DAY;
  return { from: today - (Number(range) - 1) * DAY, to: today + DAY - 1 };
}

const localHour = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const localDayHour = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const utcDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** Hours in local time (with the date once the period spans days); days are UTC days, as budgets are. */
export function bucketNamer(bucket: LatencyBucket, from: number, to: number): (start: number) => string {
  if (bucket === 'day') return (start) => utcDay.format(start);
  const format = to - from > DAY + HOUR ? localDayHour : localHour;
  return (start) => format.format(start);
}

/**
 * Latency rows (bucket × key) → one chart row per bucket with a column per key. Keys come busiest
 * first; a bucket where a key measured nothing has no value there, so its line breaks, not drops to 0.
 */
export function latencyPivot(
  points: readonly LatencyRow[],
  value: (point: LatencyRow) => number | null,
  starts: readonly number[],
): Pivot {
  const requests = new Map<string, number>();
  const byStart = new Map<number, Record<string, number>>();
  for (const point of points) {
    const key = point.key === '' ? '(none)' : point.key;
    requests.set(key, (requests.get(key) ?? 0) + point.requests);
    const measured = value(point);
    if (measured === null) continue;
    const start = Date.parse(point.start);
    byStart.set(start, { ...byStart.get(start), [key]: measured });
  }
  const keys = [...requests.entries()].sort((a, b) => b[1] - a[1]).map(([key]) => key);
  const allStarts = [...new Set([...starts, ...byStart.keys()])].sort((a, b) => a - b);
  return { keys, rows: allStarts.map((start) => ({ start, ...byStart.get(start) })) };
}

const count = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const share = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

function SampleNotice({ sample }: { sample: LatencySample | undefined }) {
  if (!sample || sample.fraction >= 1) return null;
  return (
    <Notice kind="info">
      Percentiles here come from an even sample of {count.format(sample.rows)} answered requests, about{' '}
      {share.format(sample.fraction)} of this period&rsquo;s, so that they come quickly. Requests, errors,
      tokens and cost are exact.
    </Notice>
  );
}

export function LatencyPage() {
  const [groupBy, setGroupBy] = useState<'model' | 'route'>('model');
  const [bucket, setBucket] = useState<LatencyBucket>('day');
  const [range, setRange] = useState<Range>('7');
  const [rank, setRank] = useState<Percentile>('p50');
  const { from, to } = latencyRange(range);
  // The last 24 hours move with the clock: the query's "to" is rounded so that polling reuses one URL per minute.
  const period = {
    from: new Date(from).toISOString(),
    to: new Date(Math.ceil(to / 60_000) * 60_000).toISOString(),
  };
  const latency = useResource<LatencyAnswer>(`/usage/latency${query({ ...period, bucket, groupBy })}`);
  const models = useResource<ComparisonAnswer>(`/usage/models${query({ ...period, groupBy })}`);
  useInterval(() => {
    void latency.reload();
    void models.reload();
  }, 15_000);

  const points = latency.data?.data;
  const starts = useMemo(() => bucketStarts(from, Math.min(to, Date.now()), bucket), [from, to, bucket]);
  const name = bucketNamer(bucket, from, to);
  const endToEnd = useMemo(
    () => points && latencyPivot(points, (point) => point.latencyMs[rank], starts),
    [points, rank, starts],
  );
  const ownTime = useMemo(
    () => points && latencyPivot(points, (point) => point.gatewayMs?.[rank] ?? null, starts),
    [points, rank, starts],
  );
  const firstToken = useMemo(
    () => points && latencyPivot(points, (point) => point.ttftMs?.[rank] ?? null, starts),
    [points, rank, starts],
  );
  const speed = useMemo(
    () => points && latencyPivot(points, (point) => point.tokensPerSecond, starts),
    [points, starts],
  );
  const by = groupBy === 'model' ? 'model' : 'route';
  const per = bucket === 'hour' ? 'hour' : 'day';

  return (
    <>
      <PageHeader
        title="Latency & models"
        description="How long answers take, end to end and to the first token, how much of it is Switchboard’s own, and how models and routes compare. Percentiles of answered requests; hours are local time, days UTC."
      />
      <div className="filter-bar" role="group" aria-label="Chart options">
        <Segmented
          label="Group by"
          hideLabel={false}
          value={groupBy}
          onChange={setGroupBy}
          options={GROUPINGS}
        />
        <Segmented label="Per" hideLabel={false} value={bucket} onChange={setBucket} options={BUCKETS} />
        <Segmented
          label="Percentile"
          hideLabel={false}
          value={rank}
          onChange={setRank}
          options={PERCENTILES}
        />
        <SelectField
          label="Period"
          fieldClassName="inline-field"
          value={range}
          options={RANGES}
          onChange={setRange}
        />
      </div>
      {latency.error && <Notice kind="error">{latency.error}</Notice>}
      {models.error && <Notice kind="error">{models.error}</Notice>}
      <SampleNotice sample={latency.data?.sample} />
      {models.data && models.data.data.length === 0 ? (
        <EmptyState icon="usage" title="No requests in this period">
          <p>
            Latency appears here as soon as an app calls a model through Switchboard. No app yet?{' '}
            <a href="#/apps?new=1">Create an app key</a> and paste its set-up into a tool.
          </p>
        </EmptyState>
      ) : (
        <>
          <Card titleId="latency-title" title={`End-to-end latency, ${rank}`} className="chart-card">
            {endToEnd ? (
              <Lines
                data={endToEnd}
                unit="ms"
                height={240}
                bucketName={name}
                label={`${rank} end-to-end latency per ${per} by ${by}; the table below compares them`}
              />
            ) : (
              <Skeleton className="chart-skeleton" height={240} width="100%" />
            )}
          </Card>
          {/* Under end-to-end latency on the same buckets, on its own axis: a few milliseconds
              against seconds read at a glance, so Switchboard is seen not to be the slow part. */}
          <Card
            titleId="own-time-title"
            title={`Switchboard’s own time, ${rank}`}
            className="chart-card"
            description={
              <p className="muted small">
                What Switchboard itself added: each answer&rsquo;s latency less the time its vendor took.
              </p>
            }
          >
            {ownTime ? (
              <Lines
                data={ownTime}
                unit="ms"
                height={200}
                bucketName={name}
                label={`${rank} of Switchboard’s own time per ${per} by ${by}, apart from the vendors’ time`}
                empty="No answer in this period recorded its vendor’s time."
              />
            ) : (
              <Skeleton className="chart-skeleton" height={200} width="100%" />
            )}
          </Card>
          <div className="columns">
            <Card
              titleId="ttft-title"
              title={`Time to first token, ${rank}`}
              className="chart-card"
              description={
                <p className="muted small">Streams only: until the first words reached the app.</p>
              }
            >
              {firstToken ? (
                <Lines
                  data={firstToken}
                  unit="ms"
                  height={200}
                  bucketName={name}
                  label={`${rank} time to first token of streams per ${per} by ${by}`}
                  empty="No streamed answers in this period."
                />
              ) : (
                <Skeleton className="chart-skeleton" height={200} width="100%" />
              )}
            </Card>
            <Card
              titleId="speed-title"
              title="Tokens per second, median"
              className="chart-card"
              description={<p className="muted small">Streams: output tokens after the first, per second.</p>}
            >
              {speed ? (
                <Lines
                  data={speed}
                  unit="tokens/s"
                  height={200}
                  bucketName={name}
                  label={`Median output tokens per second of streams per ${per} by ${by}`}
                  empty="No streamed answers in this period."
                />
              ) : (
                <Skeleton className="chart-skeleton" height={200} width="100%" />
              )}
            </Card>
          </div>
          <Card
            titleId="compare-title"
            title={groupBy === 'model' ? 'Models compared' : 'Routes compared'}
            className="table-card"
            padded
            description={
              <p className="muted small">
                {groupBy === 'model'
                  ? 'By the model as requested; the vendor’s dated names are under each.'
                  : 'By route; the models each one served are under it.'}{' '}
                Latency and TTFT are of answered requests; tokens/s is the median of streams.
              </p>
            }
          >
            <ModelsTable rows={models.data?.data} groupBy={groupBy} />
          </Card>
        </>
      )}
    </>
  );
}
