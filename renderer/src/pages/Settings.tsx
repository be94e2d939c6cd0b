import { useEffect, useRef, useState } from 'react';
import {
  saveAlertWebhook,
  sendTestAlert,
  webhookUrlProblem,
  type AlertSettings,
  type TestAlertResult,
} from '../api/alerts.ts';
import { ApiError, getText, messageOf, postText, sendJson } from '../api/client.ts';
import type { ConfigImportResult, DroppedKeys, Price, Settings } from '../api/types.ts';
import { CopyButton } from '../components/CopyButton.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { Icon } from '../components/Icon.tsx';
import { Notice } from '../components/Notice.tsx';
import { TextAreaField, TextField, type TextAreaFieldProps } from '../components/fields.tsx';
import { Form } from '../components/forms.tsx';
import { DataTable, numeric } from '../components/tables.tsx';
import { Badge, Card, IconButton, PageHeader, Skeleton } from '../components/ui.tsx';
import { download } from '../lib/download.ts';
import { formatDateTime, usdColumn } from '../lib/format.ts';
import { navigate, useResource } from '../lib/hooks.ts';
import { PriceDialog } from './PriceDialog.tsx';

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** A list typed one entry a line, such as host names. */
function LinesField(props: Omit<TextAreaFieldProps, 'className' | 'rows' | 'spellCheck'>) {
  return <TextAreaField {...props} className="mono" rows={3} spellCheck={false} />;
}

function ServerSettings() {
  const settings = useResource<Settings>('/settings');
  const [hosts, setHosts] = useState('');
  const [origins, setOrigins] = useState('');
  const [maxBody, setMaxBody] = useState('');
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const data = settings.data;

  useEffect(() => {
    if (!data) return;
    setHosts(data.allowedHosts.join('\n'));
    setOrigins(data.corsOrigins.join('\n'));
    setMaxBody(String(data.maxBodyMb));
  }, [data]);

  const dirty =
    data !== undefined &&
    (lines(hosts).join('\n') !== data.allowedHosts.join('\n') ||
      lines(origins).join('\n') !== data.corsOrigins.join('\n') ||
      Number(maxBody) !== data.maxBodyMb);

  const save = async () => {
    setError(undefined);
    setSaved(false);
    const mb = Number(maxBody);
    if (!Number.isFinite(mb) || mb <= 0)
      return setError('Largest request: a number of megabytes above zero.');
    setBusy(true);
    try {
      await sendJson('PUT', '/settings', {
        allowedHosts: lines(hosts),
        corsOrigins: lines(origins),
        maxBodyMb: mb,
      });
      await settings.reload();
      setSaved(true);
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      titleId="server-title"
      title="Server"
      aside={data && <span className="muted small">Switchboard {data.version}</span>}
    >
      {settings.error && <Notice kind="error">{settings.error}</Notice>}
      <dl className="facts wide">
        <div>
          <dt>Listening on</dt>
          <dd>{data ? <code>{`${data.host}:${data.port}`}</code> : <Skeleton width="14ch" />}</dd>
        </div>
        <div>
          <dt>Data folder</dt>
          <dd>
            {data ? (
              <span className="inline-copy">
                <code className="path">{data.dataDir}</code>
                <CopyButton text={data.dataDir} label="Copy data folder path" />
              </span>
            ) : (
              <Skeleton width="24ch" />
            )}
          </dd>
        </div>
        <div>
          <dt>Vendor keys</dt>
          <dd>
            {!data ? (
              <Skeleton width="16ch" />
            ) : data.secrets === 'basic-text' ? (
              <Badge tone="warn">Fixed key: install a keyring</Badge>
            ) : (
              <span>Encrypted ({data.secrets})</span>
            )}
          </dd>
        </div>
      </dl>
      <Form onSubmit={save} error={error}>
        <div className="field-row">
          <LinesField
            label="Extra allowed hosts"
            hint="One a line, e.g. switchboard.local:4141. Requests with any other Host header are refused, which stops DNS rebinding."
            value={hosts}
            onChange={setHosts}
            disabled={!data}
          />
          <LinesField
            label="CORS origins"
            hint="One a line, e.g. http://localhost:5173: web pages allowed to call the proxy endpoints from a browser."
            value={origins}
            onChange={setOrigins}
            disabled={!data}
          />
        </div>
        <TextField
          label="Largest request (MB)"
          hint="Bigger request bodies are refused with 413."
          fieldClassName="narrow"
          inputMode="decimal"
          value={maxBody}
          onChange={setMaxBody}
          disabled={!data}
        />
        <p className="muted small">
          The address and port are set when Switchboard starts (<code>--host</code>, <code>--port</code>).
        </p>
        {data?.managedByConfig && (
          <Notice kind="info">
            Switchboard was started with a config file: its <code>server</code> section is applied again at
            the next start, so make lasting changes there.
          </Notice>
        )}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={!dirty || busy}>
            {busy ? 'Saving…' : 'Save settings'}
          </button>
          {saved && !dirty && (
            <span className="saved" role="status">
              <Icon name="check" /> Saved
            </span>
          )}
        </div>
      </Form>
    </Card>
  );
}

/** The webhook that receives budget alerts and cooldowns, its last delivery, and a test to send it. */
function AlertSettingsCard() {
  const settings = useResource<AlertSettings>('/settings');
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<'save' | 'test'>();
  const [saved, setSaved] = useState(false);
  const [tested, setTested] = useState<TestAlertResult>();
  const data = settings.data;
  const savedUrl = data?.alertWebhook?.url ?? '';

  useEffect(() => {
    if (data) setUrl(data.alertWebhook?.url ?? '');
  }, [data]);

  const typed = url.trim();
  const dirty = data !== undefined && typed !== savedUrl;
  const delivery = data?.alertDelivery;

  const run = async (kind: 'save' | 'test', action: () => Promise<void>) => {
    setError(undefined);
    setSaved(false);
    setTested(undefined);
    const problem = typed === '' ? undefined : webhookUrlProblem(typed);
    if (problem) return setError(problem);
    setBusy(kind);
    try {
      await action();
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(undefined);
    }
  };

  const save = () =>
    run('save', async () => {
      await saveAlertWebhook(typed === '' ? null : typed);
      await settings.reload();
      setSaved(true);
    });

  const test = () =>
    run('test', async () => {
      setTested(await sendTestAlert(typed));
      // A test of the saved URL is its latest delivery.
      if (!dirty) await settings.reload();
    });

  return (
    <Card
      titleId="alerts-title"
      title="Alerts"
      description={
        <p className="muted small">
          Budgets passing 50%, 80% and 100%, and routes starting or ending a cooldown. The desktop app shows
          them as notifications; a webhook receives each one as JSON.
        </p>
      }
    >
      {settings.error && <Notice kind="error">{settings.error}</Notice>}
      <Form onSubmit={save} error={error}>
        <TextField
          label="Webhook URL"
          hint="Each alert is POSTed here, e.g. to a chat’s incoming webhook or a script of yours. Empty: no webhook."
          type="url"
          inputMode="url"
          placeholder="https://hooks.example.com/switchboard"
          spellCheck={false}
          autoComplete="off"
          value={url}
          onChange={setUrl}
          disabled={!data}
        />
        {delivery &&
          !dirty &&
          // A test's own result, just below, says the same more directly.
          tested === undefined &&
          (delivery.ok ? (
            <p className="muted small">Last delivered {formatDateTime(delivery.time)}.</p>
          ) : (
            <Notice kind="warning" title={`Last delivery failed: ${delivery.message ?? 'unknown reason'}`}>
              At {formatDateTime(delivery.time)}. Alerts are tried three times, a few seconds apart.
            </Notice>
          ))}
        {data?.managedByConfig && (
          <Notice kind="info">
            Switchboard was started with a config file: set <code>server.alertWebhook</code> there to keep
            this webhook after a restart.
          </Notice>
        )}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={!dirty || busy !== undefined}>
            {busy === 'save' ? 'Saving…' : 'Save webhook'}
          </button>
          <button
            type="button"
            className="button"
            disabled={typed === '' || busy !== undefined}
            onClick={test}
          >
            {busy === 'test' ? 'Sending…' : 'Send a test alert'}
          </button>
          {saved && !dirty && (
            <span className="saved" role="status">
              <Icon name="check" /> Saved
            </span>
          )}
        </div>
        {tested &&
          (tested.delivered ? (
            <Notice kind="success" title="Test alert delivered">
              The receiver answered {tested.status}.
            </Notice>
          ) : (
            <Notice kind="error" title="Test alert not delivered">
              The webhook {tested.message}.
            </Notice>
          ))}
      </Form>
    </Card>
  );
}

/** The 409 answer of an import that would remove stored keys, or undefined for any other failure. */
function droppedKeysOf(thrown: unknown): DroppedKeys | undefined {
  if (!(thrown instanceof ApiError) || thrown.code !== 'keys_would_be_dropped') return undefined;
  const dropped = (thrown.body as { droppedKeys?: Partial<DroppedKeys> } | undefined)?.droppedKeys;
  return { routes: dropped?.routes ?? [], apps: dropped?.apps ?? [] };
}

function ConfigTransfer() {
  const [text, setText] = useState('');
  const [result, setResult] = useState<ConfigImportResult>();
  const [error, setError] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  // Set when the gateway answered that the import would remove stored keys: asks again, naming them.
  const [dropping, setDropping] = useState<DroppedKeys>();
  const file = useRef<HTMLInputElement>(null);

  const exportConfig = async () => {
    setError(undefined);
    try {
      download(new Blob([await getText('/config')], { type: 'application/yaml' }), 'switchboard.yaml');
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  };

  const importText = async (dropKeys: boolean) => {
    setError(undefined);
    setResult(undefined);
    const type = text.trim().startsWith('{') ? 'application/json' : 'application/yaml';
    const answer = await postText<ConfigImportResult>(
      `/config${dropKeys ? '?dropKeys=true' : ''}`,
      text,
      type,
    );
    setResult(answer);
    setText('');
  };

  return (
    <Card
      titleId="config-title"
      title="Config file"
      aside={
        <button type="button" className="button" onClick={exportConfig}>
          <Icon name="download" /> Export YAML
        </button>
      }
    >
      <p className="muted small">
        Routes, apps, filters, prices and these settings in the format <code>serve --config</code> reads. Keys
        are never exported: where Switchboard holds one, the file says <code>apiKey: stored</code> (an app’s
        fixed key: <code>key: stored</code>), and importing it here keeps that key.
      </p>
      <TextAreaField
        label="Import a config file"
        hint="Paste YAML or JSON, or open a file. It is applied all at once, or not at all."
        className="mono"
        rows={6}
        value={text}
        placeholder={'routes:\n  - id: local\n    preset: ollama'}
        onChange={setText}
        spellCheck={false}
      />
      <div className="form-actions">
        <input
          ref={file}
          type="file"
          accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml"
          className="sr-only"
          aria-label="Open a config file"
          tabIndex={-1}
          onChange={async (event) => {
            const chosen = event.target.files?.[0];
            if (chosen) setText(await chosen.text());
            event.target.value = '';
          }}
        />
        <button type="button" className="button" onClick={() => file.current?.click()}>
          <Icon name="upload" /> Open a file…
        </button>
        <button
          type="button"
          className="button primary"
          disabled={text.trim() === ''}
          onClick={() => setConfirming(true)}
        >
          Import
        </button>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {result && (
        <Notice
          kind="success"
          title={
            result.changes === 0
              ? 'Nothing to change'
              : `Imported: ${result.changes} change${result.changes === 1 ? '' : 's'}`
          }
        >
          {result.changes === 0
            ? 'Switchboard already matched this file.'
            : 'Routes, apps, filters and prices now match the file.'}
        </Notice>
      )}
      {result && result.newKeys.length > 0 && (
        <div className="new-keys">
          <Notice kind="warning" title="New app keys: copy them now">
            These apps had no key in the file, so Switchboard made one for each. They are shown this once.
          </Notice>
          <ul>
            {result.newKeys.map((entry) => (
              <li key={entry.app} className="key-box compact">
                <span className="strong">{entry.app}</span>
                <code aria-label={`Key for ${entry.app}`}>{entry.key}</code>
                <CopyButton text={entry.key} label={`Copy key for ${entry.app}`} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title="Import this config?"
          confirmLabel="Import"
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            try {
              await importText(false);
            } catch (thrown) {
              const dropped = droppedKeysOf(thrown);
              if (!dropped) throw thrown;
              // Nothing was applied: this dialog closes and the next one names the keys.
              setDropping(dropped);
            }
          }}
        >
          <p>
            What the file lists is created or updated to match it. Things an earlier config file created and
            this one no longer lists are removed; what was made here in the dashboard stays.
          </p>
        </ConfirmDialog>
      )}
      {dropping && (
        <ConfirmDialog
          title="Remove stored keys?"
          confirmLabel="Import and remove the keys"
          onClose={() => setDropping(undefined)}
          onConfirm={() => importText(true)}
        >
          <p>
            The file gives no key for these, so importing it removes the key Switchboard holds for each. Their
            requests will fail until a key is set again. To keep a key, write <code>apiKey: stored</code> (
            <code>key: stored</code> for an app) in the file instead, and import it again.
          </p>
          <ul aria-label="Keys the import would remove">
            {dropping.routes.map((id) => (
              <li key={`route-${id}`}>
                Route <strong>{id}</strong>: its vendor key
              </li>
            ))}
            {dropping.apps.map((name) => (
              <li key={`app-${name}`}>
                App <strong>{name}</strong>: the fixed key a config file gave it
              </li>
            ))}
          </ul>
        </ConfirmDialog>
      )}
    </Card>
  );
}

function Prices({ model }: { model: string | null }) {
  const prices = useResource<{ data: Price[] }>('/prices');
  const [editing, setEditing] = useState<Price | 'new' | string>();
  const [removing, setRemoving] = useState<Price>();

  // #/settings?price=MODEL (from a route's "add a price") opens the editor for that model.
  useEffect(() => {
    if (model) {
      setEditing(model);
      navigate('settings');
    }
  }, [model]);

  const list = prices.data?.data;
  // One number of decimals per column.
  const inputColumn = usdColumn(list?.map((price) => price.inputPerMTok) ?? []);
  const cachedColumn = usdColumn(list?.map((price) => price.cachedInputPerMTok) ?? []);
  const outputColumn = usdColumn(list?.map((price) => price.outputPerMTok) ?? []);
  return (
    <Card
      titleId="prices-title"
      title="Prices"
      className="table-card"
      padded
      description={
        <p className="muted small">
          Your own prices, for models the price library does not know or where you pay a different rate. Local
          models cost nothing unless listed here.
        </p>
      }
      aside={
        <button type="button" className="button" onClick={() => setEditing('new')}>
          <Icon name="plus" /> Add a price
        </button>
      }
    >
      {prices.error && <Notice kind="error">{prices.error}</Notice>}
      <DataTable
        columns={['Model', numeric('Input / 1M'), numeric('Cached input / 1M'), numeric('Output / 1M')]}
        actions
        items={list}
        skeletonRows={2}
        empty="No price overrides: costs come from the price library."
      >
        {(price) => (
          <tr key={price.model}>
            <th scope="row" className="mono-ish">
              {price.model} {price.source === 'config' && <Badge>config file</Badge>}
            </th>
            <td className="num">{inputColumn(price.inputPerMTok)}</td>
            <td className="num">
              {price.cachedInputPerMTok === null ? (
                <span className="muted">—</span>
              ) : (
                cachedColumn(price.cachedInputPerMTok)
              )}
            </td>
            <td className="num">{outputColumn(price.outputPerMTok)}</td>
            <td className="actions">
              <IconButton
                icon="edit"
                label={`Edit price of ${price.model}`}
                onClick={() => setEditing(price)}
              />
              <IconButton
                icon="trash"
                danger
                label={`Remove price of ${price.model}`}
                onClick={() => setRemoving(price)}
              />
            </td>
          </tr>
        )}
      </DataTable>
      {editing && (
        <PriceDialog
          price={typeof editing === 'object' ? editing : undefined}
          model={typeof editing === 'string' && editing !== 'new' ? editing : undefined}
          onClose={() => setEditing(undefined)}
          onSaved={() => void prices.reload()}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove the price of ${removing.model}?`}
          confirmLabel="Remove price"
          onClose={() => setRemoving(undefined)}
          onConfirm={async () => {
            await sendJson('DELETE', `/prices/${encodeURIComponent(removing.model)}`);
            await prices.reload();
          }}
        >
          <p>
            New requests to {removing.model} are costed from the price library again, or recorded as “cost
            unknown” if it does not know the model. Recorded costs stay.
          </p>
        </ConfirmDialog>
      )}
    </Card>
  );
}

export function SettingsPage({ params }: { params: URLSearchParams }) {
  return (
    <>
      <PageHeader
        title="Settings"
        description="How Switchboard listens, what it accepts, and its whole set-up as one file."
      />
      <ServerSettings />
      <AlertSettingsCard />
      <ConfigTransfer />
      <Prices model={params.get('price')} />
    </>
  );
}
