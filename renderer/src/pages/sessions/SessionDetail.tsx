import { useState, type ReactNode } from 'react';
import type { AgentSession, AgentSessionDetail } from '../../api/sessions.ts';
import type { RequestRow } from '../../api/types.ts';
import { Notice } from '../../components/Notice.tsx';
import { DataTable, numeric } from '../../components/tables.tsx';
import { Badge, Card, PageHeader, Skeleton, statusTone } from '../../components/ui.tsx';
import {
  formatCount,
  formatDateTime,
  formatMs,
  formatPercent,
  formatTokens,
  formatUsd,
  plural,
  usdColumn,
} from '../../lib/format.ts';
import { useInterval, useResource } from '../../lib/hooks.ts';
import { RequestDetail } from '../Requests.tsx';
import { agentLabel, sharesByModel, spans, type Span } from './time-shares.ts';

const POLL_MS = 5000;

/** A session's cost: unknown as a dash, and a mark when some turns had no price, so a sum never reads as whole when it is not. */
export function SessionCost({
  session,
  money,
}: {
  session: Pick<AgentSession, 'costUsd' | 'unpriced'>;
  money: (value: number | null) => string;
}) {
  if (session.costUsd === null) {
    return (
      <span className="muted" title="Unknown price">
        —
      </span>
    );
  }
  return (
    <>
      {money(session.costUsd)}
      {session.unpriced > 0 && (
        <span
          className="unpriced-mark"
          title={`${plural(session.unpriced, 'turn')} with no price, not counted`}
        >
          +?
        </span>
      )}
    </>
  );
}

function Stat({ label, value, detail }: { label: string; value: ReactNode; detail?: ReactNode }) {
  return (
    <div className="stat card">
      <div className="stat-label">{label}</div>
      <div className="stat-value num">{value}</div>
      <div className="stat-detail">{detail ?? ' '}</div>
    </div>
  );
}

/** A share of the session's time as a bar: where it starts and how long it lasts. */
function TimeBar({ span, label }: { span: Span; label: string }) {
  return (
    <div className="time-bar" role="img" aria-label={label} title={label}>
      <span className="time-span" style={{ left: `${span.start * 100}%`, width: `${span.width * 100}%` }} />
    </div>
  );
}

const offset = (ms: number) => `+${formatMs(ms)}`;

/** One session: what it cost and where the time went, model by model and request by request. */
export function SessionDetail({ id }: { id: string }) {
  const session = useResource<AgentSessionDetail>(`/sessions/${encodeURIComponent(id)}`);
  const [selected, setSelected] = useState<RequestRow>();
  useInterval(() => void session.reload(), POLL_MS);
  const data = session.data;
  const back = (
    <a className="button" href="#/sessions">
      All sessions
    </a>
  );

  if (!data) {
    return (
      <>
        <PageHeader title="Session" description={<code>{id}</code>} actions={back} />
        {session.error ? (
          <Notice kind="error">{session.error}</Notice>
        ) : (
          <section className="stats" aria-hidden="true">
            {[0, 1, 2, 3, 4].map((index) => (
              <Stat key={index} label=" " value={<Skeleton width="5ch" height="1.1em" />} />
            ))}
          </section>
        )}
      </>
    );
  }

  const requests = data.requests;
  const bars = spans(requests, data.firstAt, data.durationMs);
  const turns = requests.map((row, index) => ({ row, index, span: bars[index]! }));
  const models = sharesByModel(requests);
  const money = usdColumn([...requests.map((row) => row.costUsd), ...models.map((model) => model.costUsd)]);
  const origin = Date.parse(data.firstAt);
  const tool = agentLabel(data.agent);

  return (
    <>
      <PageHeader
        title={tool ? `${tool} session` : 'Session'}
        description={
          <>
            <code>{data.id}</code>
            {data.app && <> · app {data.app}</>} · {formatDateTime(data.firstAt)}
          </>
        }
        actions={back}
      />
      {session.error && <Notice kind="error">{session.error}</Notice>}
      <section className="stats" aria-label="Session totals">
        <Stat
          label="Cost"
          value={<SessionCost session={data} money={formatUsd} />}
          detail={
            data.unpriced > 0 && (
              <span className="muted">
                {plural(data.unpriced, 'turn')} with no price — <a href="#/settings">add a price</a>
              </span>
            )
          }
        />
        <Stat
          label="Turns"
          value={formatCount(data.turns)}
          detail={
            data.errors > 0 ? (
              <span>
                <Badge tone="warn">{plural(data.errors, 'error')}</Badge>
              </span>
            ) : (
              <span className="muted">no errors</span>
            )
          }
        />
        <Stat
          label="Tokens in / out"
          value={`${formatTokens(data.inputTokens)} / ${formatTokens(data.outputTokens)}`}
          detail={<span className="muted">{data.routes.join(', ')}</span>}
        />
        <Stat
          label="Duration"
          value={formatMs(data.durationMs)}
          detail={<span className="muted">first request to the end of the last</span>}
        />
        <Stat
          label="Waiting on models"
          value={formatMs(data.latencyMs)}
          detail={
            <span className="muted">
              {data.latencyMs > data.durationMs
                ? 'the sum of the requests’ latencies: some ran at the same time'
                : `${formatPercent(data.latencyMs / data.durationMs)} of the duration; the rest was the tool’s own work and yours`}
            </span>
          }
        />
      </section>

      <Card titleId="session-models" title="By model" className="table-card" padded>
        <DataTable
          className="sessions-models"
          columns={[
            'Model',
            numeric('Turns'),
            numeric('Tokens in / out'),
            numeric('Cost'),
            numeric('Time'),
            'Share of time',
          ]}
          items={models}
        >
          {(model) => {
            const share = data.latencyMs > 0 ? model.latencyMs / data.latencyMs : 0;
            return (
              <tr key={model.model}>
                <td className="model-cell">{model.model}</td>
                <td className="num">{formatCount(model.turns)}</td>
                <td className="num">
                  {formatTokens(model.inputTokens)} <span className="muted">/</span>{' '}
                  {formatTokens(model.outputTokens)}
                </td>
                <td className="num">
                  {model.costUsd === null ? <span className="muted">—</span> : money(model.costUsd)}
                </td>
                <td className="num">{formatMs(model.latencyMs)}</td>
                <td className="bar-cell">
                  <TimeBar
                    span={{ start: 0, width: share }}
                    label={`${formatPercent(share)} of the time spent waiting on models`}
                  />
                </td>
              </tr>
            );
          }}
        </DataTable>
      </Card>

      <Card
        titleId="session-requests"
        title="Requests"
        className="table-card"
        padded
        description={
          <p className="muted small">
            In order. A bar is where the request ran in the session&rsquo;s time; the gaps are the
            tool&rsquo;s own work.
          </p>
        }
      >
        <div className="requests-scroll">
          <DataTable
            className="requests-table sessions-requests"
            columns={[
              'Started',
              'Model',
              'Status',
              numeric('Tokens in / out'),
              numeric('Cost'),
              numeric('Latency'),
              'Timeline',
            ]}
            items={turns}
          >
            {({ row, index, span }) => {
              const start = Date.parse(row.time) - origin;
              return (
                <tr
                  key={row.id}
                  className={`clickable ${selected?.id === row.id ? 'selected' : ''}`}
                  onClick={() => setSelected(row)}
                >
                  <td>
                    <button
                      type="button"
                      className="link-button row-open"
                      onClick={(event) => {
                        event.stopPropagation();
                        setSelected(row);
                      }}
                      // The visible offset starts the name, as speech input users say it (WCAG 2.5.3).
                      aria-label={`${offset(start)}: details of request ${index + 1}, at ${formatDateTime(row.time)}`}
                    >
                      <time dateTime={row.time}>{offset(start)}</time>
                    </button>
                  </td>
                  <td
                    className="model-cell"
                    title={row.requestedModel ? `${row.requestedModel} → ${row.model ?? ''}` : undefined}
                  >
                    {row.model ?? row.upstreamModel ?? <span className="muted">—</span>}
                  </td>
                  <td>
                    <span className="status-cell">
                      <Badge tone={statusTone(row.status)}>{row.status}</Badge>
                      {row.partial && <Badge tone="warn">partial</Badge>}
                    </span>
                  </td>
                  <td className="num">
                    {row.inputTokens === null && row.outputTokens === null ? (
                      <span className="muted">—</span>
                    ) : (
                      <>
                        {formatTokens(row.inputTokens)} <span className="muted">/</span>{' '}
                        {formatTokens(row.outputTokens)}
                      </>
                    )}
                  </td>
                  <td className="num">
                    {row.costUsd === null ? <span className="muted">—</span> : money(row.costUsd)}
                  </td>
                  <td className="num">{formatMs(row.latencyMs)}</td>
                  <td className="bar-cell">
                    <TimeBar
                      span={span}
                      label={`Started ${offset(start)} into the session, took ${formatMs(row.latencyMs)} (${formatPercent(span.width)} of it)`}
                    />
                  </td>
                </tr>
              );
            }}
          </DataTable>
        </div>
      </Card>
      {selected && <RequestDetail row={selected} onClose={() => setSelected(undefined)} />}
    </>
  );
}
