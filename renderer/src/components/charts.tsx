import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from 'recharts';
import type { Bucket } from '../api/types.ts';
import { formatCount, formatCompact, formatTokens, formatUsd, moneyAxis, usdColumn } from '../lib/format.ts';
import { usePrefersDark } from '../lib/hooks.ts';
import { bucketLabel, SeriesSlots, type Metric, type Pivot } from '../lib/series.ts';

/** Distinguishable in both themes; slot n is the same hue in both, so a series keeps its colour. */
const LIGHT = [
  '#5b5bd6',
  '#12a594',
  '#e5484d',
  '#f76b15',
  '#3e63dd',
  '#d6409f',
  '#8e4ec6',
  '#ad7f58',
  '#30a46c',
];
const DARK = [
  '#8b8dfc',
  '#2dd4bf',
  '#ff6369',
  '#ff8b3e',
  '#70a3ff',
  '#f47bc1',
  '#b18cf2',
  '#d5a77c',
  '#4cc38a',
];
const OTHER = '#8b8d98';

export const MAX_SERIES = LIGHT.length;

const SLOTS_KEY = 'switchboard.seriesColours';

/** Local storage where the page may use it: the colours then survive a reload too. */
function slotStorage() {
  return {
    get: () => window.localStorage.getItem(SLOTS_KEY),
    set: (value: string) => window.localStorage.setItem(SLOTS_KEY, value),
  };
}

/** One colour per series across every chart of the dashboard (see SeriesSlots). */
export const seriesSlots = new SeriesSlots(MAX_SERIES, slotStorage());

export function formatMetric(metric: Metric, value: number): string {
  return metric === 'costUsd'
    ? formatUsd(value)
    : metric === 'tokens'
      ? formatTokens(value)
      : formatCount(value);
}

/** Past the palette, the smallest series are summed as "Other", so no two series share a colour. */
export function limitSeries(data: Pivot): Pivot {
  if (data.keys.length <= MAX_SERIES) return data;
  const kept = data.keys.slice(0, MAX_SERIES - 1);
  const rest = data.keys.slice(MAX_SERIES - 1);
  return {
    keys: [...kept, 'Other'],
    rows: data.rows.map((row) => {
      const next: { start: number } & Record<string, number> = { start: row.start };
      for (const key of kept) next[key] = row[key] ?? 0;
      next['Other'] = rest.reduce((sum, key) => sum + (row[key] ?? 0), 0);
      return next;
    }),
  };
}

interface ChartTooltipProps extends TooltipContentProps {
  metric: Metric;
  bucket: Bucket;
}

function ChartTooltip({ active, payload, label, metric, bucket }: ChartTooltipProps) {
  if (!active || !payload || payload.length === 0) return null;
  const items = payload.filter((item) => Number(item.value) > 0).reverse();
  const total = payload.reduce((sum, item) => sum + Number(item.value ?? 0), 0);
  // The tooltip is a small table: its amounts share one number of decimals.
  const money = usdColumn([...items.map((item) => Number(item.value)), total]);
  const show = (value: number) => (metric === 'costUsd' ? money(value) : formatMetric(metric, value));
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-title">{bucketLabel(Number(label), bucket)}</div>
      {items.map((item) => (
        <div className="chart-tooltip-row" key={String(item.dataKey)}>
          <span className="swatch" style={{ background: item.color }} aria-hidden="true" />
          <span className="chart-tooltip-name">{item.name}</span>
          <span className="num">{show(Number(item.value))}</span>
        </div>
      ))}
      {items.length !== 1 && (
        <div className="chart-tooltip-row total">
          <span className="chart-tooltip-name">Total</span>
          <span className="num">{show(total)}</span>
        </div>
      )}
    </div>
  );
}

export interface StackedBarsProps {
  data: Pivot;
  metric: Metric;
  bucket: Bucket;
  height: number;
  /** A label for screen readers, who get the table below the chart rather than the bars. */
  label: string;
  legend?: boolean;
  /** Said in the chart's place when the period has nothing to show. */
  empty?: string;
}

/** Bars over time, stacked by app, route or model; hover shows each part and the total. */
/** Series that are zero throughout (a failed request's empty model, say) would only crowd the legend. */
export function dropEmpty(data: Pivot): Pivot {
  const keys = data.keys.filter((key) => data.rows.some((row) => (row[key] ?? 0) !== 0));
  return { keys, rows: data.rows };
}

export function StackedBars({
  data,
  metric,
  bucket,
  height,
  label,
  legend = true,
  empty = 'Nothing in this period yet.',
}: StackedBarsProps) {
  const dark = usePrefersDark();
  const palette = dark ? DARK : LIGHT;
  const limited = limitSeries(dropEmpty(data));
  if (limited.keys.length === 0) {
    return (
      <div className="chart chart-empty" style={{ height }}>
        <span>{empty}</span>
      </div>
    );
  }
  const slots = seriesSlots.assign(limited.keys.filter((key) => key !== 'Other'));
  // Money gets its own round ticks and one label format, so no two ticks read the same.
  const money =
    metric === 'costUsd'
      ? moneyAxis(
          Math.max(
            0,
            ...limited.rows.map((row) => limited.keys.reduce((sum, key) => sum + (row[key] ?? 0), 0)),
          ),
        )
      : undefined;
  const axis = dark ? '#6f6e77' : '#8b8d98';
  const grid = dark ? '#2a2a30' : '#ececf0';
  return (
    <div className="chart" style={{ height }} role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={limited.rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} barCategoryGap="18%">
          <CartesianGrid vertical={false} stroke={grid} />
          <XAxis
            dataKey="start"
            tickFormatter={(value: number) => bucketLabel(value, bucket)}
            tick={{ fill: axis, fontSize: 11 }}
            tickLine={false}
            axisLine={{ stroke: grid }}
            minTickGap={24}
          />
          <YAxis
            {...(money ? { ticks: money.ticks, domain: [0, money.ticks.at(-1) ?? 1] } : {})}
            tickFormatter={(value: number) => (money ? money.format(value) : formatCompact(value))}
            tick={{ fill: axis, fontSize: 11 }}
            tickLine={false}
            axisLine={false}
            width={metric === 'costUsd' ? 74 : 52}
            allowDecimals={metric === 'costUsd'}
          />
          <Tooltip
            cursor={{ fill: dark ? 'rgba(255,255,255,0.05)' : 'rgba(0,0,0,0.04)' }}
            content={(props) => <ChartTooltip {...props} metric={metric} bucket={bucket} />}
            isAnimationActive={false}
          />
          {legend && limited.keys.length > 1 && (
            <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12, paddingTop: 8 }} />
          )}
          {limited.keys.map((key) => (
            <Bar
              key={key}
              dataKey={key}
              name={key}
              stackId="stack"
              fill={key === 'Other' ? OTHER : palette[slots.get(key) ?? 0]}
              isAnimationActive={false}
              maxBarSize={36}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
