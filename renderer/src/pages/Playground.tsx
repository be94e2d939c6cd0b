import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { getJson, messageOf } from '../api/client.ts';
import {
  errorMessageOf,
  replayRequest,
  sendPrompt,
  type PlaygroundResult,
  type PromptMessage,
} from '../api/playground.ts';
import { requestBodies, requestRow, type RequestBodies } from '../api/requests.ts';
import type { RequestRow, Route } from '../api/types.ts';
import { Notice } from '../components/Notice.tsx';
import { Badge, Card, EmptyState, Field, PageHeader, Skeleton, statusTone } from '../components/ui.tsx';
import { formatMs, formatTokens, formatUsd } from '../lib/format.ts';
import { useInterval, useResource } from '../lib/hooks.ts';
import { readAnswer, readPrompt, type Answer, type Turn } from '../lib/readable.ts';
import { AnswerView, Turns } from './RequestConversation.tsx';
import './playground.css';

/*
 * The playground: a prompt to any route and model (or two, side by side), and a logged request
 * replayed on another route or model beside its original answer — "would the cheaper model have
 * done?". Both are sent through the gateway as the built-in app `playground`, so the routes'
 * policy applies and each is recorded (and charged) like any client's request.
 */

/** A route and model to send to. */
export interface Target {
  route: string;
  model: string;
}

/** One column of answers: waiting (since when), answered, or failed before any answer. */
type Outcome =
  | { state: 'waiting'; since: number }
  | { state: 'answered'; result: PlaygroundResult }
  | { state: 'failed'; message: string };

/** The models a route's allow-list names outright, its patterns left out. */
const literalModels = (route: Route): string[] => route.models.filter((pattern) => !/[*?]/.test(pattern));

/** The model a route suggests first: its default, else the first model its allow-list names outright. */
export function suggestedModel(route: Route | undefined): string {
  if (!route) return '';
  return route.defaultModel ?? literalModels(route)[0] ?? '';
}

/** `?replay=ID` replays a logged request; otherwise a prompt of one's own. */
export function PlaygroundPage({ params }: { params: URLSearchParams }) {
  const routes = useResource<{ data: Route[] }>('/routes');
  const replay = params.get('replay');
  const list = routes.data?.data;
  return (
    <>
      <PageHeader
        title="Playground"
        description={
          <>
            Prompts and replays are sent through Switchboard as the built-in app <code>playground</code>: the
            routes’ allow-lists, filters and budgets apply, and each one is recorded. Give that app a budget
            under <a href="#/apps">Apps &amp; keys</a> to cap what it spends.
          </>
        }
      />
      {routes.error && <Notice kind="error">{routes.error}</Notice>}
      {list === undefined ? (
        !routes.error && <Skeleton height={240} />
      ) : list.length === 0 ? (
        <EmptyState
          icon="routes"
          title="No routes yet"
          action={
            <a className="button primary" href="#/routes">
              Add a route
            </a>
          }
        >
          The playground sends to a route: add one first.
        </EmptyState>
      ) : replay ? (
        <Replay key={replay} id={replay} routes={list} />
      ) : (
        <PromptForm routes={list} />
      )}
    </>
  );
}

/** The models a route offers to pick from: its default, its allow-list's names, and the vendor's list as the allow-list narrows it. */
function useModelChoices(route: Route | undefined): string[] {
  const [listed, setListed] = useState<string[]>([]);
  const id = route?.id;
  useEffect(() => {
    setListed([]);
    if (id === undefined) return;
    let live = true;
    // A vendor that cannot list (or is down) leaves the route's own names: typing any model still works.
    getJson<{ data: string[] }>(`/routes/${encodeURIComponent(id)}/models?allowed=true`).then(
      (answer) => live && setListed(answer.data),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [id]);
  if (!route) return [];
  return [
    ...new Set([...(route.defaultModel ? [route.defaultModel] : []), ...literalModels(route), ...listed]),
  ];
}

/** A route select and a model input (with the route's models to pick from). */
function TargetFields({
  routes,
  target,
  onChange,
  legend,
}: {
  routes: readonly Route[];
  target: Target;
  onChange: (target: Target) => void;
  legend: string;
}) {
  const route = routes.find((candidate) => candidate.id === target.route);
  const models = useModelChoices(route);
  const listId = useId();
  // A route that names no model of its own: the first its vendor lists (and its allow-list takes).
  const first = models[0];
  useEffect(() => {
    if (target.model === '' && first !== undefined) onChange({ ...target, model: first });
  }, [first]);
  return (
    <fieldset className="target-fields">
      <legend>{legend}</legend>
      <Field label="Route">
        {(id) => (
          <select
            id={id}
            value={target.route}
            onChange={(event) => {
              const next = routes.find((candidate) => candidate.id === event.target.value);
              onChange({ route: event.target.value, model: suggestedModel(next) });
            }}
          >
            {routes.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.id} ({candidate.vendor})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Model"
        hint={route && route.models.length > 0 ? `Allowed: ${route.models.join(', ')}` : undefined}
      >
        {(id, describedBy) => (
          <>
            <input
              id={id}
              aria-describedby={describedBy}
              list={listId}
              value={target.model}
              spellCheck={false}
              autoComplete="off"
              onChange={(event) => onChange({ ...target, model: event.target.value })}
            />
            <datalist id={listId}>
              {models.map((model) => (
                <option key={model} value={model} />
              ))}
            </datalist>
          </>
        )}
      </Field>
    </fieldset>
  );
}

/** Each target's outcome as its call ends; `stop` ends the wait (the gateway records the calls as cut). */
function useRuns() {
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const controller = useRef<AbortController | null>(null);
  const waiting = outcomes.some((outcome) => outcome.state === 'waiting');
  const [, tick] = useState(0);
  // Seconds waited so far, shown on each waiting answer.
  useInterval(() => tick((count) => count + 1), waiting ? 1000 : null);
  useEffect(() => () => controller.current?.abort(), []);

  const run = (calls: ((signal: AbortSignal) => Promise<PlaygroundResult>)[]) => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    const since = Date.now();
    setOutcomes(calls.map(() => ({ state: 'waiting', since })));
    calls.forEach((call, index) => {
      const settle = (outcome: Outcome) => {
        if (controller.current !== current) return;
        setOutcomes((all) => all.map((old, at) => (at === index ? outcome : old)));
      };
      call(current.signal).then(
        (result) => settle({ state: 'answered', result }),
        (thrown: unknown) => settle({ state: 'failed', message: messageOf(thrown) }),
      );
    });
  };
  const stop = () => controller.current?.abort();
  return { outcomes, run, stop, waiting };
}

/** The form's submit button, disabled while an answer is awaited, and Stop beside it then. */
function SendButtons({ label, waiting, onStop }: { label: string; waiting: boolean; onStop: () => void }) {
  return (
    <>
      <button type="submit" className="button primary" disabled={waiting}>
        {waiting ? 'Waiting for the answer…' : label}
      </button>
      {waiting && (
        <button type="button" className="button" onClick={onStop}>
          Stop
        </button>
      )}
    </>
  );
}

function PromptForm({ routes }: { routes: readonly Route[] }) {
  const first = routes[0]!;
  const [targets, setTargets] = useState<Target[]>([{ route: first.id, model: suggestedModel(first) }]);
  const [system, setSystem] = useState('');
  const [message, setMessage] = useState('');
  const [maxTokens, setMaxTokens] = useState('1024');
  const [problem, setProblem] = useState<string>();
  const { outcomes, run, stop, waiting } = useRuns();
  const [sent, setSent] = useState<Target[]>([]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const limit = maxTokens.trim() === '' ? undefined : Number(maxTokens);
    if (message.trim() === '') return setProblem('Write a message to send.');
    if (targets.some((target) => target.model.trim() === ''))
      return setProblem('Name a model for each route.');
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
      return setProblem('Max tokens: a whole number, 1 or more (or leave it empty).');
    setProblem(undefined);
    const messages: PromptMessage[] = [
      ...(system.trim() === '' ? [] : [{ role: 'system' as const, content: system }]),
      { role: 'user', content: message },
    ];
    setSent(targets);
    run(
      targets.map(
        (target) => (signal) =>
          sendPrompt(
            {
              route: target.route,
              model: target.model.trim(),
              messages,
              ...(limit ? { maxTokens: limit } : {}),
            },
            signal,
          ),
      ),
    );
  };
  // Ctrl+Enter (⌘+Enter) sends from the message box, as chat tools do.
  const sendOnCtrlEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Not while the last prompt is still out: that would stop it (as Send is disabled for).
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !waiting) submit();
  };

  return (
    <>
      <Card titleId="playground-prompt" title="Send a prompt">
        <form className="form playground-form" onSubmit={submit} noValidate>
          <div className="targets">
            {targets.map((target, index) => (
              <div key={index} className="target">
                <TargetFields
                  routes={routes}
                  target={target}
                  legend={targets.length === 1 ? 'Where to send it' : `Answer ${index + 1}`}
                  onChange={(next) => setTargets((all) => all.map((old, at) => (at === index ? next : old)))}
                />
                {index === 1 && (
                  <button
                    type="button"
                    className="button small"
                    onClick={() => setTargets((all) => all.slice(0, 1))}
                  >
                    Remove the second model
                  </button>
                )}
              </div>
            ))}
          </div>
          {targets.length === 1 && (
            <div>
              <button
                type="button"
                className="button small"
                onClick={() => setTargets((all) => [...all, { ...all[0]! }])}
              >
                Compare with another route or model
              </button>
            </div>
          )}
          <Field label="System prompt" hint="Optional.">
            {(id, describedBy) => (
              <textarea
                id={id}
                aria-describedby={describedBy}
                rows={2}
                value={system}
                onChange={(event) => setSystem(event.target.value)}
              />
            )}
          </Field>
          <Field label="Message" hint="Ctrl+Enter sends." error={problem}>
            {(id, describedBy) => (
              <textarea
                id={id}
                aria-describedby={describedBy}
                aria-invalid={problem !== undefined}
                rows={5}
                value={message}
                onChange={(event) => setMessage(event.target.value)}
                onKeyDown={sendOnCtrlEnter}
              />
            )}
          </Field>
          <Field label="Max tokens" className="narrow" hint="Of the answer; empty leaves it to the route.">
            {(id, describedBy) => (
              <input
                id={id}
                aria-describedby={describedBy}
                inputMode="numeric"
                value={maxTokens}
                onChange={(event) => setMaxTokens(event.target.value)}
              />
            )}
          </Field>
          <div className="form-actions">
            <SendButtons label="Send" waiting={waiting} onStop={stop} />
          </div>
        </form>
      </Card>
      {outcomes.length > 0 && (
        <div className="compare-grid" aria-live="polite">
          {outcomes.map((outcome, index) => (
            <OutcomeCard
              key={index}
              titleId={`playground-answer-${index}`}
              // Two answers from one route and model are told apart by their number.
              title={`${outcomes.length > 1 ? `Answer ${index + 1} · ` : ''}${sent[index]?.route ?? ''} · ${sent[index]?.model ?? ''}`}
              outcome={outcome}
            />
          ))}
        </div>
      )}
    </>
  );
}

/** The answer a result carries, read in its format; null when it is an error or nothing readable. */
function answerOf(result: PlaygroundResult): Answer | null {
  return result.status < 400 ? readAnswer(result.response) : null;
}

function OutcomeCard({ titleId, title, outcome }: { titleId: string; title: string; outcome: Outcome }) {
  // Read once per result: a waiting column re-renders this every second.
  const answer = useMemo(() => (outcome.state === 'answered' ? answerOf(outcome.result) : null), [outcome]);
  if (outcome.state === 'waiting') {
    return (
      <Card titleId={titleId} title={title} className="answer-card">
        <p className="muted" role="status">
          Waiting for the answer… {/* The count changes every second: shown, not announced each time. */}
          <span aria-hidden="true">{Math.floor((Date.now() - outcome.since) / 1000)} s</span>
        </p>
      </Card>
    );
  }
  if (outcome.state === 'failed') {
    return (
      <Card titleId={titleId} title={title} className="answer-card">
        <Notice kind="error">{outcome.message}</Notice>
      </Card>
    );
  }
  const { result } = outcome;
  return (
    <AnswerCard
      titleId={titleId}
      title={title}
      row={result.request}
      status={result.status}
      answer={answer}
      raw={result.response}
      error={result.status >= 400 ? (result.request?.errorMessage ?? errorMessageOf(result.response)) : null}
      cut={result.cut}
    />
  );
}

/** One answer with what it took: status, time, tokens and cost from its row. */
export function AnswerCard({
  titleId,
  title,
  row,
  status,
  answer,
  raw,
  error,
  cut = false,
}: {
  titleId: string;
  title: string;
  row: RequestRow | null;
  status: number;
  answer: Answer | null;
  raw: string;
  error: string | null;
  cut?: boolean;
}) {
  const [showRaw, setShowRaw] = useState(false);
  return (
    <Card
      titleId={titleId}
      title={title}
      className="answer-card"
      aside={<Badge tone={statusTone(status)}>{status}</Badge>}
    >
      <dl className="answer-figures">
        <div>
          <dt>Time</dt>
          <dd className="num">{formatMs(row?.latencyMs ?? null)}</dd>
        </div>
        <div>
          <dt>Tokens in / out</dt>
          <dd className="num">
            {formatTokens(row?.inputTokens ?? null)} / {formatTokens(row?.outputTokens ?? null)}
          </dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd className="num">
            {/* No row (not written in time) says nothing; a row without a price says so. */}
            {row === null ? '—' : row.costUsd === null ? 'unknown' : formatUsd(row.costUsd)}
          </dd>
        </div>
        {row?.upstreamModel && row.upstreamModel !== row.model && (
          <div>
            <dt>Vendor’s model</dt>
            <dd className="mono">{row.upstreamModel}</dd>
          </div>
        )}
      </dl>
      {error !== null ? (
        <Notice kind={status >= 500 ? 'error' : 'warning'} title={row?.errorCode ?? 'Error'}>
          {error}
        </Notice>
      ) : showRaw || answer === null ? (
        <pre className="body-log">{raw === '' ? 'No answer body.' : raw}</pre>
      ) : (
        <AnswerView answer={answer} />
      )}
      {cut && <p className="muted small">The answer was over 4 MiB: only its start is shown.</p>}
      <div className="form-actions answer-actions">
        {answer !== null && error === null && (
          <button
            type="button"
            className="button small"
            aria-pressed={showRaw}
            onClick={() => setShowRaw(!showRaw)}
          >
            {showRaw ? 'Show as text' : 'Show raw JSON'}
          </button>
        )}
        {row && <code className="muted small">{row.id}</code>}
      </div>
    </Card>
  );
}

/**
 * A logged request with its bodies, read once as they come: the page re-renders every second while
 * a replay is awaited.
 */
type Logged = RequestBodies & { row: RequestRow; turns: Turn[] | null; answer: Answer | null };

/** A logged request, its original answer, and the same request sent to the route and model picked. */
function Replay({ id, routes }: { id: string; routes: readonly Route[] }) {
  const [logged, setLogged] = useState<Logged | 'not-logged' | 'missing'>();
  const [error, setError] = useState<string>();
  const [target, setTarget] = useState<Target>({ route: routes[0]!.id, model: '' });
  const { outcomes, run, stop, waiting } = useRuns();
  const [sent, setSent] = useState<Target>();

  useEffect(() => {
    let live = true;
    Promise.all([requestRow(id), requestBodies(id)]).then(
      ([row, bodies]) => {
        if (!live) return;
        if (!row) return setLogged('missing');
        if (!bodies) return setLogged('not-logged');
        setLogged({
          row,
          ...bodies,
          turns: readPrompt(bodies.request),
          answer: row.status < 400 ? readAnswer(bodies.response) : null,
        });
        const known = routes.some((route) => route.id === row.route);
        setTarget({ route: known ? row.route! : routes[0]!.id, model: row.model ?? '' });
      },
      (thrown: unknown) => live && setError(messageOf(thrown)),
    );
    return () => {
      live = false;
    };
  }, [id]);

  if (error) return <Notice kind="error">{error}</Notice>;
  if (logged === undefined) return <Skeleton height={240} />;
  if (logged === 'missing') {
    return (
      <Notice kind="warning" title="No such request">
        There is no request <code>{id}</code> in the log. <a href="#/requests">Back to Requests</a>
      </Notice>
    );
  }
  if (logged === 'not-logged') {
    return (
      <Notice kind="warning" title="Nothing to replay">
        The body of request <code>{id}</code> was not logged, so there is nothing to send again. Turn on body
        logging for its route, and replay a later request. <a href="#/requests">Back to Requests</a>
      </Notice>
    );
  }

  const { row, turns } = logged;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const picked = { route: target.route, model: target.model.trim() };
    setSent(picked);
    run([
      (signal) =>
        replayRequest(id, { route: picked.route, ...(picked.model ? { model: picked.model } : {}) }, signal),
    ]);
  };
  const original = `Original · ${row.route ?? '—'} · ${row.model ?? '—'}`;

  return (
    <>
      <Card
        titleId="replay-request"
        title="Replay a request"
        description={
          <p className="muted small">
            Request <code>{row.id}</code>, sent again as it was logged (after filters; the route you pick
            applies its own), not streamed.
          </p>
        }
      >
        {turns !== null && (
          <details className="replay-prompt">
            <summary>The prompt ({turns.length === 1 ? '1 turn' : `${turns.length} turns`})</summary>
            <div className="conversation">
              <Turns turns={turns} />
            </div>
          </details>
        )}
        <form className="form playground-form" onSubmit={submit} noValidate>
          <TargetFields routes={routes} target={target} onChange={setTarget} legend="Send it to" />
          <div className="form-actions">
            <SendButtons label="Replay" waiting={waiting} onStop={stop} />
            <a href="#/requests">Back to Requests</a>
          </div>
        </form>
      </Card>
      <div className="compare-grid" aria-live="polite">
        <AnswerCard
          titleId="replay-original"
          title={original}
          row={row}
          status={row.status}
          answer={logged.answer}
          raw={logged.response}
          error={
            row.status >= 400 ? (row.errorMessage ?? errorMessageOf(logged.response) ?? 'No answer.') : null
          }
        />
        {outcomes[0] && sent ? (
          <OutcomeCard
            titleId="replay-answer"
            title={`Replay · ${sent.route} · ${sent.model}`}
            outcome={outcomes[0]}
          />
        ) : (
          <Card titleId="replay-answer" title="Replay" className="answer-card">
            <p className="muted">
              Pick a route and model, then Replay: its answer shows here, beside the original.
            </p>
          </Card>
        )}
      </div>
    </>
  );
}
