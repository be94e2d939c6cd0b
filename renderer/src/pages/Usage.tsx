import { useMemo, useState } from 'react';
import { getBlob, messageOf, query } from '../api/client.ts';
import type { Bucket, GroupBy, UsageRow } from '../api/types.ts';
import { StackedBars } from '../components/charts.tsx';
import { Icon } from '../components/Icon.tsx';
import { Notice } from '../components/Notice.tsx';
import { Segmented, SelectField, TextField } from '../components/fields.tsx';
import { DataTable, numeric } from '../components/tables.tsx';
import { Card, EmptyState, PageHeader, Skeleton } from '../components/ui.tsx';
import { download } from '../lib/download.ts';
import { formatCount, formatTokens, formatUsd, plural, usdColumn } from '../lib/format.ts';
import { useInterval, useResource } from '../lib/hooks.ts';
import { bucketStarts, pivot, totalsByKey } from '../lib/series.ts';

const DAY = 86_400_000;
const RANGES = [
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: '365', label: 'Last 12 months' },
  { value: 'custom', label: 'Custom…' },
] as const;
type Range = (typeof RANGES)[number]['value'];
const GROUPINGS = [
  { value: 'model', label: 'Model' },
  { value: 'app', label: 'App' },
  { value: 'route', label: 'Route' },
] as const;
const BUCKETS = [
  { value: 'day', label: 'Day' },
  { value: 'week', label: 'Week' },
  { value: 'month', label: 'Month' },
] as const;

const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/** A range as the API's from/to: whole UTC days, to the end of today. */
export function rangeOf(
  range: Range,
  customFrom: string,
  customTo: string,
  now = Date.now(),
): { from: number; to: number } {
  const today = Math.floor(now / DAY) * DAY;
  if (range === 'custom') {
    const from = Date.parse(`${customFrom}T00:00:00Z`);
    const to = Date.parse(`${customTo}T00:00:00Z`) + DAY - 1;
    if (Number.isFinite(from) && Number.isFinite(to) && from <= to) return { from, to };
  }
  const days = range === 'custom' ? 30 : Number(range);
  return { from: today - (days - 1) * DAY, to: today + DAY - 1 };
}

export function UsagePage() {
  const [bucket, setBucket] = useState<Exclude<Bucket, 'hour'>>('day');
  const [groupBy, setGroupBy] = useState<Exclude<GroupBy, 'none'>>('model');
  const [range, setRange] = useState<Range>('30');
  const [customFrom, setCustomFrom] = useState(() => isoDay(Date.now() - 29 * DAY));
  const [customTo, setCustomTo] = useState(() => isoDay(Date.now()));
  const [exportError, setExportError] = useState<string>();
  const { from, to } = rangeOf(range, customFrom, customTo);
  const params = query({
    bucket,
    groupBy,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  });
  const usage = useResource<{ data: UsageRow[] }>(`/usage${params}`);
  useInterval(() => void usage.reload(), 15_000);

  const points = usage.data?.data;
  const starts = useMemo(() => bucketStarts(from, Math.min(to, Date.now()), bucket), [from, to, bucket]);
  const cost = useMemo(() => points && pivot(points, 'costUsd', starts, bucket), [points, starts, bucket]);
  const tokens = useMemo(() => points && pivot(points, 'tokens', starts, bucket), [points, starts, bucket]);
  const totals = useMemo(() => (points ? totalsByKey(points) : undefined), [points]);
  const sum = totals?.reduce(
    (all, row) => ({
      requests: all.requests + row.requests,
      errors: all.errors + row.errors,
      inputTokens: all.inputTokens + row.inputTokens,
      outputTokens: all.outputTokens + row.outputTokens,
      costUsd: all.costUsd + row.costUsd,
      unpriced: all.unpriced + row.unpriced,
    }),
    { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpriced: 0 },
  );
  const groupLabel = groupBy === 'app' ? 'App' : groupBy === 'route' ? 'Route' : 'Model';
  // One number of decimals down the cost column, the total included, so the rows line up.
  const money = usdColumn([...(totals ?? []).map((row) => row.costUsd), sum?.costUsd]);

  const exportCsv = async () => {
    setExportError(undefined);
    try {
      download(
        await getBlob(`/usage.csv${params}`),
        `switchboard-usage-${isoDay(from)}-to-${isoDay(to)}-by-${groupBy}.csv`,
      );
    } catch (thrown) {
      setExportError(messageOf(thrown));
    }
  };

  return (
    <>
      <PageHeader
        title="Spend & usage"
        description="Cost and tokens over time, by app, route or model. Days, weeks and months are UTC, as budgets are."
        actions={
          <button type="button" className="button" onClick={exportCsv}>
            <Icon name="download" /> Export CSV
          </button>
        }
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
        <SelectField
          label="Period"
          fieldClassName="inline-field"
          value={range}
          options={RANGES}
          onChange={setRange}
        />
        {range === 'custom' && (
          <>
            <TextField
              label="From"
              fieldClassName="inline-field"
              type="date"
              value={customFrom}
              max={customTo}
              onChange={setCustomFrom}
            />
            <TextField
              label="To"
              fieldClassName="inline-field"
              type="date"
              value={customTo}
              min={customFrom}
              onChange={setCustomTo}
            />
          </>
        )}
      </div>
      {usage.error && <Notice kind="error">{usage.error}</Notice>}
      {exportError && <Notice kind="error">{exportError}</Notice>}
      {sum && sum.unpriced > 0 && (
        <Notice kind="info">
          {plural(sum.unpriced, 'request')} used a model without a known price; their cost is not in these
          totals. <a href="#/routes">Add a price on Routes</a>.
        </Notice>
      )}
      {points && points.length === 0 ? (
        <EmptyState icon="usage" title="No usage in this period">
          <p>
            Requests appear here as soon as an app calls a model through Switchboard. No app yet?{' '}
            <a href="#/apps?new=1">Create an app key</a> and paste its set-up into a tool.
          </p>
        </EmptyState>
      ) : (
        <>
          <Card
            titleId="cost-title"
            title="Cost"
            className="chart-card"
            aside={
              <span className="num strong">{sum ? formatUsd(sum.costUsd) : <Skeleton width="5ch" />}</span>
            }
          >
            {cost ? (
              <StackedBars
                data={cost}
                metric="costUsd"
                bucket={bucket}
                height={260}
                label={`Cost per ${bucket} by ${groupBy}`}
              />
            ) : (
              <Skeleton className="chart-skeleton" height={260} width="100%" />
            )}
          </Card>
          <Card
            titleId="tokens-title"
            title="Tokens"
            className="chart-card"
            aside={
              <span className="num strong">
                {sum ? formatTokens(sum.inputTokens + sum.outputTokens) : <Skeleton width="5ch" />}
              </span>
            }
          >
            {tokens ? (
              <StackedBars
                data={tokens}
                metric="tokens"
                bucket={bucket}
                height={220}
                label={`Tokens (input and output) per ${bucket} by ${groupBy}`}
              />
            ) : (
              <Skeleton className="chart-skeleton" height={220} width="100%" />
            )}
          </Card>
          <Card
            titleId="totals-title"
            title={<>Totals by {groupLabel.toLowerCase()}</>}
            className="table-card"
            padded
          >
            <DataTable
              columns={[
                groupLabel,
                numeric('Requests'),
                numeric('Errors'),
                numeric('Input tokens'),
                numeric('Output tokens'),
                numeric('Cost'),
              ]}
              items={totals}
              footer={
                sum &&
                totals &&
                totals.length > 1 && (
                  <tr>
                    <th scope="row">Total</th>
                    <td className="num">{formatCount(sum.requests)}</td>
                    <td className="num">{formatCount(sum.errors)}</td>
                    <td className="num">{formatTokens(sum.inputTokens)}</td>
                    <td className="num">{formatTokens(sum.outputTokens)}</td>
                    <td className="num">{money(sum.costUsd)}</td>
                  </tr>
                )
              }
            >
              {(row) => (
                <tr key={row.key}>
                  <th scope="row" className="mono-ish">
                    {row.key}
                  </th>
                  <td className="num">{formatCount(row.requests)}</td>
                  <td className="num">
                    {row.errors > 0 ? formatCount(row.errors) : <span className="muted">0</span>}
                  </td>
                  <td className="num">{formatTokens(row.inputTokens)}</td>
                  <td className="num">{formatTokens(row.outputTokens)}</td>
                  <td className="num">
                    {money(row.costUsd)}
                    {row.unpriced > 0 && (
                      <span
                        className="unpriced-mark"
                        title={`${row.unpriced} request(s) without a known price`}
                      >
                        {' '}
                        +?
                      </span>
                    )}
                  </td>
                </tr>
              )}
            </DataTable>
          </Card>
        </>
      )}
    </>
  );
}
