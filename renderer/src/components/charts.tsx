import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from 'recharts';
import type { Bucket } from '../api/types.ts';
import {
  formatCount,
  formatCompact,
  formatTokens,
  formatUsd,
  moneyAxis,
  niceTicks,
  usdColumn,
} from '../lib/format.ts';
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

// Durations and rates are not money: they follow the user's locale, as the dates beside them do.
const wholeNumber = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** 0.25 ms, 850 ms, 1.25 s, 2.5 min; a dash for none. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  // Switchboard's own time is often under a millisecond: whole milliseconds would say "0 ms".
  if (ms < 10) return `${twoDecimals.format(ms)} ms`;
  if (ms < 1000) return `${wholeNumber.format(ms)} ms`;
  if (ms < 60_000) return `${twoDecimals.format(ms / 1000)} s`;
  return `${oneDecimal.format(ms / 60_000)} min`;
}

/** Output tokens per second: one decimal below ten, whole above. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '—';
  return `${(perSecond < 10 ? oneDecimal : wholeNumber).format(perSecond)} tok/s`;
}

export interface LinesProps {
  /** One row per bucket; a key missing from a row is a gap (nothing measured then), not a zero. */
  data: Pivot;
  unit: 'ms' | 'tokens/s';
  height: number;
  /** A label for screen readers, who get the table below the chart rather than the lines. */
  label: string;
  /** The x axis' and the tooltip's name for a bucket start. */
  bucketName: (start: number) => string;
  empty?: string;
}

interface LinesTooltipProps extends TooltipContentProps {
  format: (value: number) => string;
  bucketName: (start: number) => string;
}

function LinesTooltip({ active, payload, label, format, bucketName }: LinesTooltipProps) {
  if (!active || !payload || payload.length === 0) return null;
  const items = payload
    .filter((item) => typeof item.value === 'number')
    .sort((a, b) => Number(b.value) - Number(a.value));
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-title">{bucketName(Number(label))}</div>
      {items.map((item) => (
        <div className="chart-tooltip-row" key={String(item.dataKey)}>
          <span className="swatch" style={{ background: item.color }} aria-hidden="true" />
          <span className="chart-tooltip-name">{item.name}</span>
          <span className="num">{format(Number(item.value))}</span>
        </div>
      ))}
    </div>
  );
}

/**
 * Lines over time, one per model or route (percentiles do not add up, so they are never stacked
 * or summed as "Other": past the palette only the first keys are drawn).
 */
export function Lines({
  data,
  unit,
  height,
  label,
  bucketName,
  empty = 'Nothing measured in this period.',
}: LinesProps) {
  const dark = usePrefersDark();
  const palette = dark ? DARK : LIGHT;
  const keys = data.keys
    .filter((key) => data.rows.some((row) => typeof row[key] === 'number'))
    .slice(0, MAX_SERIES);
  if (keys.length === 0) {
    return (
      <div className="chart chart-empty" style={{ height }}>
        <span>{empty}</span>
      </div>
    );
  }
  const slots = seriesSlots.assign(keys);
  const ticks = niceTicks(Math.max(0, ...data.rows.flatMap((row) => keys.map((key) => row[key] ?? 0))));
  const format = unit === 'ms' ? formatDuration : formatRate;
  // Few buckets: dots, so that a bucket between two empty ones still shows.
  const dots = data.rows.length <= 60;
  const axis = dark ? '#6f6e77' : '#8b8d98';
  const grid = dark ? '#2a2a30' : '#ececf0';
  return (
    <div className="chart" style={{ height }} role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data.rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke={grid} />
          <XAxis
            dataKey="start"
            tickFormatter={(value: number) => bucketName(value)}
            tick={{ fill: axis, fontSize: 11 }}
            tickLine={false}
            axisLine={{ stroke: grid }}
            minTickGap={24}
          />
          <YAxis
            ticks={ticks}
            domain={[0, ticks.at(-1) ?? 1]}
            tickFormatter={(value: number) =>
              unit === 'ms' ? formatDuration(value) : wholeNumber.format(value)
            }
            tick={{ fill: axis, fontSize: 11 }}
            tickLine={false}
            axisLine={false}
            width={unit === 'ms' ? 64 : 48}
          />
          <Tooltip
            cursor={{ stroke: grid }}
            content={(props) => <LinesTooltip {...props} format={format} bucketName={bucketName} />}
            isAnimationActive={false}
          />
          {keys.length > 1 && (
            <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12, paddingTop: 8 }} />
          )}
          {keys.map((key) => (
            <Line
              key={key}
              dataKey={key}
              name={key}
              type="monotone"
              stroke={palette[slots.get(key) ?? 0]}
              strokeWidth={2}
              dot={dots ? { r: 3, strokeWidth: 0, fill: palette[slots.get(key) ?? 0] } : false}
              activeDot={{ r: 4 }}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
