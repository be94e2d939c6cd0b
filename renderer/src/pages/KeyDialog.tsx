import { useRef, useState, type KeyboardEvent } from 'react';
import { gatewayOrigin } from '../api/client.ts';
import type { Route } from '../api/types.ts';
import { CopyButton } from '../components/CopyButton.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { Notice } from '../components/Notice.tsx';
import { SelectField } from '../components/fields.tsx';
import { buildSnippets } from '../lib/snippets.ts';

export interface KeyDialogProps {
  app: string;
  /** The key in plain text: the only time the dashboard ever has it. */
  appKey: string;
  /** Routes this app may use (all routes when the app names none). */
  routes: readonly Route[];
  onClose: () => void;
}

/**
 * The key, shown once, with a copy button and set-up for the common SDKs and tools, the key and
 * URL filled in (Stripe's key page, UX.md). Closing it is the last chance to copy the key, so
 * Escape, a click outside or the × ask first until the key (or a set-up holding it) was copied.
 */
export function KeyDialog({ app, appKey, routes, onClose }: KeyDialogProps) {
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [routeId, setRouteId] = useState(routes[0]?.id ?? '');
  const [tab, setTab] = useState('python');
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const route = routes.find((candidate) => candidate.id === routeId);
  const snippets = buildSnippets({ origin: gatewayOrigin(), key: appKey, route });
  const current = snippets.find((snippet) => snippet.id === tab) ?? snippets[0]!;

  // Arrow keys move between tabs, as WAI-ARIA's tabs pattern has it.
  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0 && event.key !== 'Home' && event.key !== 'End') return;
    event.preventDefault();
    const next =
      event.key === 'Home'
        ? 0
        : event.key === 'End'
          ? snippets.length - 1
          : (index + step + snippets.length) % snippets.length;
    setTab(snippets[next]!.id);
    tabs.current[next]?.focus();
  };

  return (
    <Dialog
      title={`Key for “${app}”`}
      description="Use it wherever a tool asks for an OpenAI API key, with Switchboard's URL as the base URL."
      size="large"
      onClose={onClose}
      onDismiss={() => (copied ? onClose() : setConfirming(true))}
      footer={
        <button type="button" className="button primary" onClick={onClose}>
          I’ve copied the key
        </button>
      }
    >
      {/* Any copy button here copies the key (the set-ups hold it too), as does copying selected text. */}
      <div
        className="key-dialog-content"
        onClick={(event) => {
          if (event.target instanceof Element && event.target.closest('.copy-button')) setCopied(true);
        }}
        onCopy={() => setCopied(true)}
      >
        <Notice kind="warning">
          Copy the key now. Switchboard keeps only a hash of it and cannot show it again; if it is lost,
          create a new one.
        </Notice>
        <div className="key-box">
          <code aria-label="The new app key" className="key-value">
            {appKey}
          </code>
          <CopyButton text={appKey} label="Copy key" showLabel className="primary" />
        </div>
        <div className="snippets">
          <div className="snippets-header">
            <h3>Set up a tool</h3>
            {routes.length > 1 && (
              <SelectField
                label="Route"
                fieldClassName="inline-field"
                value={routeId}
                options={routes.map((candidate) => ({ value: candidate.id, label: candidate.id }))}
                onChange={setRouteId}
              />
            )}
          </div>
          {routes.length === 0 && (
            <Notice kind="info">
              There is no route yet, so the examples use <code>/v1</code> with a “route/model” name.{' '}
              <a href="#/routes">Add a route</a> and the key works with it at once.
            </Notice>
          )}
          <div className="tabs" role="tablist" aria-label="Set-up for">
            {snippets.map((snippet, index) => (
              <button
                key={snippet.id}
                ref={(element) => {
                  tabs.current[index] = element;
                }}
                type="button"
                role="tab"
                id={`snippet-tab-${snippet.id}`}
                aria-controls="snippet-panel"
                aria-selected={snippet.id === current.id}
                tabIndex={snippet.id === current.id ? 0 : -1}
                className={snippet.id === current.id ? 'tab selected' : 'tab'}
                onClick={() => setTab(snippet.id)}
                onKeyDown={(event) => onTabKey(event, index)}
              >
                {snippet.label}
              </button>
            ))}
          </div>
          <div
            role="tabpanel"
            id="snippet-panel"
            aria-labelledby={`snippet-tab-${current.id}`}
            className="tab-panel"
          >
            <p className="snippet-intro">{current.intro}</p>
            {current.code === null ? (
              <p className="muted">{current.missing}</p>
            ) : (
              <div className="code-block">
                <pre tabIndex={0} aria-label={`${current.label} set-up`}>
                  <code>{current.code}</code>
                </pre>
                <CopyButton
                  text={current.code}
                  label={`Copy ${current.label} set-up`}
                  className="code-copy"
                />
              </div>
            )}
          </div>
        </div>
      </div>
      {confirming && (
        <Dialog
          title="Close without copying the key?"
          size="small"
          alert
          onClose={() => setConfirming(false)}
          footer={
            <>
              <button
                type="button"
                className="button primary"
                onClick={() => setConfirming(false)}
                data-autofocus
              >
                Go back to the key
              </button>
              <button type="button" className="button danger" onClick={onClose}>
                Close without the key
              </button>
            </>
          }
        >
          <p>
            The key has not been copied. Switchboard cannot show it again: once this closes, a tool can only
            get a key for “{app}” if you create a new one.
          </p>
        </Dialog>
      )}
    </Dialog>
  );
}
