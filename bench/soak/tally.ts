/** What the gateway's own rows say about retries and fallbacks (GET /admin/api/requests). */

export interface Attempt {
  route: string;
  status: number | null;
  errorCode: string | null;
}

/** The fields of a request row the soak reads. */
export interface RequestRow {
  id: string;
  route: string;
  status: number;
  errorCode: string | null;
  partial: boolean;
  /** The upstream calls in order when there was more than one; empty for one call (or none). */
  attempts: Attempt[];
}

export interface RowTally {
  rows: number;
  /** Upstream calls after a failed one on the same route. */
  retries: number;
  /** Moves from one route to the next within a request. */
  fallbacks: number;
  /** Requests whose first call went to another route than the one asked for: it was cooling down. */
  startedOnFallback: number;
  /** Requests that made more than one upstream call. */
  requestsRetriedOrFallenBack: number;
  /** Upstream calls in all, as the rows tell them (a row without attempts counts one). */
  upstreamCalls: number;
  /** Rows by the route that served them (or was tried last). */
  byRoute: Record<string, number>;
  /** Rows that did not end well, by `status errorCode` (partial streams as `partial`). */
  failures: Record<string, number>;
}

const bump = (record: Record<string, number>, key: string) => {
  record[key] = (record[key] ?? 0) + 1;
};

/** `requested`: the route the clients call, whose fallbacks the others are. */
export function tallyRows(rows: readonly RequestRow[], requested: string): RowTally {
  const tally: RowTally = {
    rows: rows.length,
    retries: 0,
    fallbacks: 0,
    startedOnFallback: 0,
    requestsRetriedOrFallenBack: 0,
    upstreamCalls: 0,
    byRoute: {},
    failures: {},
  };
  for (const row of rows) {
    bump(tally.byRoute, row.route);
    if (row.partial) bump(tally.failures, 'partial');
    else if (row.status !== 200) bump(tally.failures, `${row.status} ${row.errorCode ?? ''}`.trim());
    if ((row.attempts[0]?.route ?? row.route) !== requested) tally.startedOnFallback++;
    tally.upstreamCalls += Math.max(1, row.attempts.length);
    if (row.attempts.length > 1) tally.requestsRetriedOrFallenBack++;
    row.attempts.forEach((attempt, index) => {
      if (index === 0) return;
      if (attempt.route === row.attempts[index - 1]!.route) tally.retries++;
      else tally.fallbacks++;
    });
  }
  return tally;
}
