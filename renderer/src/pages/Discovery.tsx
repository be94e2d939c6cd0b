import { useEffect, useRef, useState, type FormEvent } from 'react';
import { messageOf } from '../api/client.ts';
import {
  addServerRoute,
  lastLook,
  lookNow,
  type DiscoveryLook,
  type MissReason,
  type ServerOffer,
} from '../api/discovery.ts';
import { Icon } from '../components/Icon.tsx';
import { Notice } from '../components/Notice.tsx';
import { Card, Field } from '../components/ui.tsx';
import { plural } from '../lib/format.ts';
import './discovery.css';

/** Most users type one or two; the gateway takes at most this many in one look. */
const MAX_PORTS = 16;

const MISS_TEXT: Record<MissReason, string> = {
  nothing: 'nothing is listening there.',
  timeout: 'it did not answer within a second.',
  redirect: 'it answered with a redirect, which Switchboard does not follow.',
  'needs-key': 'it asks for a key. Add it with “Add a route” and paste the key there.',
  'too-large': 'its model list was too large to read.',
  'not-compatible': 'it answered, but not with an OpenAI-compatible model list.',
};

/** What a server is called in a sentence: its name, or its port where it did not say what it is. */
const nameOf = (server: ServerOffer) =>
  server.kind === 'openai-compatible' ? `the server on port ${server.port}` : server.name;

const headlineOf = (server: ServerOffer) =>
  server.kind === 'openai-compatible'
    ? `An OpenAI-compatible server is running on port ${server.port}`
    : `${server.name} is running on this machine`;

/** A port as typed: a whole number from 1 to 65535, or the reason it is not one. */
export function parsePort(text: string): number | string {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return 'Type a port number, such as 9000.';
  const port = Number(trimmed);
  return port >= 1 && port <= 65_535 ? port : 'A port is a number from 1 to 65535.';
}

/** The look and what was added from it: kept by the page, so that it outlives its card moving. */
export interface LocalServerLook {
  look: DiscoveryLook | undefined;
  looking: boolean;
  lookError: string | undefined;
  /** The ports the user named, looked at again with the usual ones. */
  ports: number[];
  adding: number | undefined;
  added: string | undefined;
  addError: string | undefined;
  lookAgain: (ports: number[]) => void;
  add: (server: ServerOffer) => Promise<void>;
}

/**
 * Looks for model servers on this machine once `enabled` first holds (the gateway answers from a
 * look a few seconds old, or looks then), and adds one as a route on demand.
 */
export function useLocalServers(
  enabled: boolean,
  onAdded: (routeId: string) => void | Promise<void>,
): LocalServerLook {
  const [look, setLook] = useState<DiscoveryLook>();
  const [looking, setLooking] = useState(false);
  const [lookError, setLookError] = useState<string>();
  const [ports, setPorts] = useState<number[]>([]);
  const [adding, setAdding] = useState<number>();
  const [added, setAdded] = useState<string>();
  const [addError, setAddError] = useState<string>();
  const started = useRef(false);

  const run = async (asked: () => Promise<DiscoveryLook>) => {
    setLooking(true);
    try {
      setLook(await asked());
      setLookError(undefined);
    } catch (thrown) {
      setLookError(messageOf(thrown));
    } finally {
      setLooking(false);
    }
  };

  useEffect(() => {
    if (!enabled || started.current) return;
    started.current = true;
    void run(lastLook);
  }, [enabled]);

  const lookAgain = (next: number[]) => {
    setPorts(next);
    void run(() => lookNow(next));
  };

  const add = async (server: ServerOffer) => {
    if (!server.route) return;
    setAdding(server.port);
    setAddError(undefined);
    try {
      const route = await addServerRoute(server.route);
      // The server is now that route: shown as such here, without looking at every port again.
      setLook(
        (current) =>
          current && {
            ...current,
            servers: current.servers.map((other) =>
              other.port === server.port ? { ...other, configuredAs: [route.id], route: null } : other,
            ),
          },
      );
      setAdded(route.id);
      await onAdded(route.id);
    } catch (thrown) {
      setAddError(messageOf(thrown));
    } finally {
      setAdding(undefined);
    }
  };

  return { look, looking, lookError, ports, adding, added, addError, lookAgain, add };
}

/**
 * Model servers running on this machine (Ollama, LM Studio, llama.cpp, vLLM, Jan, LocalAI, or any
 * OpenAI-compatible one on a port the user names), each offered as a route in one click.
 */
export function LocalServers({ state }: { state: LocalServerLook }) {
  const { look, looking, lookError, ports, adding, added, addError, lookAgain, add } = state;
  const [portText, setPortText] = useState('');
  const [portError, setPortError] = useState<string>();

  const lookOnPort = (event: FormEvent) => {
    event.preventDefault();
    const port = parsePort(portText);
    if (typeof port === 'string') return setPortError(port);
    setPortError(undefined);
    lookAgain([...ports.filter((other) => other !== port), port].slice(-MAX_PORTS));
  };

  const servers = look?.servers ?? [];
  // Only the ports the user named say why nothing is there: the usual ones are mostly empty.
  const misses = (look?.misses ?? []).filter((miss) => ports.includes(miss.port));

  return (
    <Card
      titleId="local-servers-title"
      title="Model servers on this machine"
      className="local-servers"
      aside={
        <button type="button" className="button small" onClick={() => lookAgain(ports)} disabled={looking}>
          <Icon name="refresh" /> {looking ? 'Looking…' : 'Look again'}
        </button>
      }
    >
      {added && (
        <Notice kind="success">
          Route “{added}” added: apps reach it at <code>/openai/{added}/v1</code>.{' '}
          <a href="#/apps?new=1">Create an app key</a> to call it.
        </Notice>
      )}
      {addError && <Notice kind="error">{addError}</Notice>}
      {lookError && <Notice kind="warning">Could not look for local servers: {lookError}</Notice>}
      <div aria-live="polite" aria-busy={looking}>
        {look === undefined ? (
          !lookError && (
            <p className="muted local-servers-status">Looking for Ollama, LM Studio and other servers…</p>
          )
        ) : servers.length === 0 ? (
          <p className="muted local-servers-status">
            No model server is running on the usual ports (Ollama 11434, LM Studio 1234, llama.cpp and LocalAI
            8080, vLLM 8000, Jan 1337). Start one and look again, or name its port below.
          </p>
        ) : (
          <ul className="local-server-list">
            {servers.map((server) => (
              <ServerItem
                key={server.port}
                server={server}
                adding={adding === server.port}
                onAdd={() => void add(server)}
              />
            ))}
          </ul>
        )}
        {misses.map((miss) => (
          <p key={miss.port} className="small local-server-miss">
            Port {miss.port}: {MISS_TEXT[miss.reason]}
          </p>
        ))}
      </div>
      <form className="local-server-port" onSubmit={lookOnPort} noValidate>
        <Field label="Look on another port" error={portError} className="inline-field">
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={portError !== undefined}
              inputMode="numeric"
              placeholder="e.g. 9000"
              autoComplete="off"
              value={portText}
              onChange={(event) => setPortText(event.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button" disabled={looking}>
          Look
        </button>
        <span className="muted small">On this machine (127.0.0.1) only.</span>
      </form>
    </Card>
  );
}

function ServerItem({ server, adding, onAdd }: { server: ServerOffer; adding: boolean; onAdd: () => void }) {
  const shown = server.models.slice(0, 3);
  return (
    <li className="local-server">
      <div className="local-server-text">
        <div>
          <strong>{headlineOf(server)}</strong> —{' '}
          {server.models.length === 0 ? 'no models listed yet' : plural(server.models.length, 'model')}
        </div>
        <div className="muted small">
          <code>127.0.0.1:{server.port}</code>
          {shown.length > 0 && (
            <>
              {' · '}
              {shown.join(', ')}
              {server.models.length > shown.length && ` +${server.models.length - shown.length}`}
            </>
          )}
        </div>
      </div>
      {server.route ? (
        <button type="button" className="button primary" onClick={onAdd} disabled={adding}>
          <Icon name="plus" /> {adding ? 'Adding…' : `Add ${nameOf(server)} as a route`}
        </button>
      ) : (
        <span className="local-server-configured small">
          <Icon name="check" /> Already {server.configuredAs.length === 1 ? 'a route' : 'routes'}:{' '}
          {server.configuredAs.map((id, index) => (
            <span key={id}>
              {index > 0 && ', '}
              <a href="#/routes">{id}</a>
            </span>
          ))}
        </span>
      )}
    </li>
  );
}
