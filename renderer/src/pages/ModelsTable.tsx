import { useState } from 'react';
import type { ComparisonRow } from '../api/usage-latency.ts';
import { formatDuration, formatRate } from '../components/charts.tsx';
import { SkeletonRows } from '../components/ui.tsx';
import { usdColumn } from '../lib/format.ts';
import './latency.css';

type SortKey =
  | 'key'
  | 'requests'
  | 'errors'
  | 'errorRate'
  | 'costUsd'
  | 'tokens'
  | 'latencyMsP50'
  | 'latencyMsP95'
  | 'ttftMsP50'
  | 'tokensPerSecond'
  | 'gatewayMsP50';

export interface Sort {
  column: SortKey;
  direction: 'ascending' | 'descending';
}

const count = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

interface Column {
  id: SortKey;
  label: string;
  value: (row: ComparisonRow) => number | string | null;
}

const COLUMNS: readonly Column[] = [
  { id: 'requests', label: 'Requests', value: (row) => row.requests },
  { id: 'errors', label: 'Errors', value: (row) => row.errors },
  { id: 'errorRate', label: 'Error rate', value: (row) => row.errorRate },
  { id: 'costUsd', label: 'Cost', value: (row) => row.costUsd },
  { id: 'tokens', label: 'Tokens', value: (row) => row.inputTokens + row.outputTokens },
  { id: 'latencyMsP50', label: 'p50', value: (row) => row.latencyMsP50 },
  { id: 'latencyMsP95', label: 'p95', value: (row) => row.latencyMsP95 },
  { id: 'ttftMsP50', label: 'TTFT p50', value: (row) => row.ttftMsP50 },
  { id: 'tokensPerSecond', label: 'Tokens/s', value: (row) => row.tokensPerSecond },
  // Latency less the vendors' time: what Switchboard itself added, so it is seen not to be the slow part.
  { id: 'gatewayMsP50', label: 'Switchboard p50', value: (row) => row.gatewayMsP50 },
];

const KEY_COLUMN: Column = { id: 'key', label: '', value: (row) => row.key };

/** Rows in the chosen order; a row without the value (no stream, say) goes last either way. */
export function sortRows(rows: readonly ComparisonRow[], sort: Sort): ComparisonRow[] {
  const column = COLUMNS.find((candidate) => candidate.id === sort.column) ?? KEY_COLUMN;
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const left = column.value(a);
    const right = column.value(b);
    if (left === null || right === null) return left === right ? 0 : left === null ? 1 : -1;
    const order =
      typeof left === 'string' || typeof right === 'string'
        ? String(left).localeCompare(String(right))
        : left - right;
    return sign * order || a.key.localeCompare(b.key);
  });
}

/** The line under a row's name: the vendor's own (dated) names, and the names clients used. */
function details(row: ComparisonRow, groupBy: 'model' | 'route'): string | null {
  const parts: string[] = [];
  const vendor = row.upstreamModels.filter((name) => name !== row.key);
  if (vendor.length > 0)
    parts.push(`${groupBy === 'model' ? 'Vendor’s name' : 'Models'}: ${vendor.join(', ')}`);
  if (row.requestedAs.length > 0) parts.push(`asked for as ${row.requestedAs.join(', ')}`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

function SortButton({ column, sort, onSort }: { column: Column; sort: Sort; onSort: (sort: Sort) => void }) {
  const sorted = sort.column === column.id;
  // Numbers start from the largest (the busiest, the slowest), names from A.
  const first = column.id === 'key' ? 'ascending' : 'descending';
  const next = sorted ? (sort.direction === 'ascending' ? 'descending' : 'ascending') : first;
  return (
    <button
      type="button"
      className="sort-button"
      onClick={() => onSort({ column: column.id, direction: next })}
    >
      {column.label}
      <span className={sorted ? 'sort-mark' : 'sort-mark idle'} aria-hidden="true">
        {sorted && sort.direction === 'ascending' ? '▲' : '▼'}
      </span>
    </button>
  );
}

/** Models (as requested) or routes side by side over one period, sortable by every column. */
export function ModelsTable({
  rows,
  groupBy,
}: {
  /** Undefined while loading. */
  rows: readonly ComparisonRow[] | undefined;
  groupBy: 'model' | 'route';
}) {
  const [sort, setSort] = useState<Sort>({ column: 'requests', direction: 'descending' });
  const money = usdColumn((rows ?? []).map((row) => row.costUsd));
  const keyColumn = { ...KEY_COLUMN, label: groupBy === 'model' ? 'Model' : 'Route' };
  const ariaSort = (id: SortKey) => (sort.column === id ? sort.direction : undefined);
  return (
    <div className="table-scroll">
      <table className="table comparison-table">
        <caption className="sr-only">
          {groupBy === 'model' ? 'Models' : 'Routes'} compared; the column headers sort the table.
        </caption>
        <thead>
          <tr>
            <th scope="col" aria-sort={ariaSort('key')}>
              <SortButton column={keyColumn} sort={sort} onSort={setSort} />
            </th>
            {COLUMNS.map((column) => (
              <th key={column.id} scope="col" className="num" aria-sort={ariaSort(column.id)}>
                <SortButton column={column} sort={sort} onSort={setSort} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {!rows && <SkeletonRows columns={COLUMNS.length + 1} rows={3} />}
          {rows &&
            sortRows(rows, sort).map((row) => {
              const more = details(row, groupBy);
              return (
                <tr key={row.key}>
                  <th scope="row">
                    <span className="mono-ish">{row.key === '' ? '(none)' : row.key}</span>
                    {more && <div className="muted small comparison-details">{more}</div>}
                  </th>
                  <td className="num">{count.format(row.requests)}</td>
                  <td className="num">
                    {row.errors > 0 ? count.format(row.errors) : <span className="muted">0</span>}
                  </td>
                  <td className="num">{percent.format(row.errorRate)}</td>
                  <td className="num">
                    {money(row.costUsd)}
                    {row.unpriced > 0 && (
                      <span
                        className="unpriced-mark"
                        title={`${count.format(row.unpriced)} without a known price`}
                      >
                        {' '}
                        +?
                      </span>
                    )}
                  </td>
                  <td className="num">{count.format(row.inputTokens + row.outputTokens)}</td>
                  <td className="num">{formatDuration(row.latencyMsP50)}</td>
                  <td className="num">{formatDuration(row.latencyMsP95)}</td>
                  <td className="num">{formatDuration(row.ttftMsP50)}</td>
                  <td className="num">{formatRate(row.tokensPerSecond)}</td>
                  <td className="num">{formatDuration(row.gatewayMsP50)}</td>
                </tr>
              );
            })}
        </tbody>
      </table>
    </div>
  );
}
