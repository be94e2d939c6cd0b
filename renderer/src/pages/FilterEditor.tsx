import { useState } from 'react';
import { messageOf, sendJson } from '../api/client.ts';
import type { Filter, FilterKind, FilterTestResult } from '../api/types.ts';
import { Dialog } from '../components/Dialog.tsx';
import { numberText, parseNumber } from '../components/forms.tsx';
import { Icon } from '../components/Icon.tsx';
import { Notice } from '../components/Notice.tsx';
import { Field } from '../components/ui.tsx';

export const KINDS: readonly { kind: FilterKind; label: string; text: string }[] = [
  {
    kind: 'redact',
    label: 'Redact',
    text: 'Replace secrets, e-mails and other matches before the request leaves; answers too.',
  },
  {
    kind: 'block',
    label: 'Block',
    text: 'Refuse any request that contains a match (403), naming the filter, never the text.',
  },
  {
    kind: 'system-prompt',
    label: 'System prompt',
    text: 'Add a system prompt before or after the app’s, or replace it.',
  },
  {
    kind: 'max-tokens',
    label: 'Max tokens',
    text: 'Cap how many tokens an answer may have (and set it where none is asked).',
  },
  {
    kind: 'model',
    label: 'Model aliases',
    text: 'Let apps ask for a short name (fast, smart) and send a real model instead.',
  },
  {
    kind: 'script',
    label: 'Script',
    text: 'A JavaScript function that may block, rewrite messages or pick the model. Sandboxed.',
  },
];

const SCRIPT_TEMPLATE = `(request, context) => {
  // request = { model, messages: [{ role, content }], stream }; context = { app, route, vendor, model }
  const text = request.messages.map((message) => message.content).join('\\n');
  if (/project[- ]falcon/i.test(text)) return { block: true, reason: 'Project Falcon stays in-house.' };
  return null; // no change
}
`;

export const SAMPLES = {
  openai: {
    model: 'gpt-4.1-mini',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      {
        role: 'user',
        content: 'I am ada@example.com, my key is sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e. Why does my deploy fail?',
      },
    ],
  },
  anthropic: {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: 'You are a helpful assistant.',
    messages: [
      {
        role: 'user',
        content: 'I am ada@example.com, my key is sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e. Why does my deploy fail?',
      },
    ],
  },
  gemini: {
    systemInstruction: { parts: [{ text: 'You are a helpful assistant.' }] },
    contents: [
      {
        role: 'user',
        parts: [
          {
            text: 'I am ada@example.com, my key is sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e. Why does my deploy fail?',
          },
        ],
      },
    ],
  },
} as const;

export type SampleFormat = keyof typeof SAMPLES;
const sampleText = (format: SampleFormat) => `${JSON.stringify(SAMPLES[format], null, 2)}\n`;

interface Draft {
  name: string;
  kind: FilterKind;
  builtins: string[];
  custom: string;
  responses: boolean;
  mode: 'prepend' | 'append' | 'replace';
  text: string;
  max: string;
  aliases: { from: string; to: string }[];
  code: string;
  timeoutMs: string;
  memoryMb: string;
}

export function draftOf(filter: Filter | undefined): Draft {
  const patterns = filter?.patterns ?? [];
  return {
    name: filter?.name ?? '',
    kind: filter?.kind ?? 'redact',
    builtins: filter ? patterns.filter((pattern) => pattern.startsWith('builtin:')) : ['builtin:api-keys'],
    custom: patterns.filter((pattern) => !pattern.startsWith('builtin:')).join('\n'),
    responses: filter?.responses !== false,
    mode: filter?.mode ?? 'prepend',
    text: filter?.text ?? '',
    max: numberText(filter?.max),
    aliases: Object.entries(filter?.aliases ?? {}).map(([from, to]) => ({ from, to })),
    code: filter?.code ?? SCRIPT_TEMPLATE,
    timeoutMs: numberText(filter?.timeoutMs),
    memoryMb: numberText(filter?.memoryMb),
  };
}

/** The draft in the config-file form the API takes: `{kind, ...fields}`; the server checks the rest. */
export function specOf(draft: Draft): Record<string, unknown> {
  switch (draft.kind) {
    case 'block':
    case 'redact': {
      const custom = draft.custom
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      return {
        kind: draft.kind,
        patterns: [...draft.builtins, ...custom],
        ...(draft.kind === 'redact' && !draft.responses ? { responses: false } : {}),
      };
    }
    case 'system-prompt':
      return { kind: draft.kind, mode: draft.mode, text: draft.text };
    case 'max-tokens':
      return { kind: draft.kind, max: parseNumber(draft.max) ?? null };
    case 'model':
      return {
        kind: draft.kind,
        aliases: Object.fromEntries(
          draft.aliases
            .filter((alias) => alias.from.trim() !== '')
            .map((alias) => [alias.from.trim(), alias.to.trim()]),
        ),
      };
    case 'script': {
      const timeoutMs = parseNumber(draft.timeoutMs);
      const memoryMb = parseNumber(draft.memoryMb);
      return {
        kind: draft.kind,
        code: draft.code,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(memoryMb === undefined ? {} : { memoryMb }),
      };
    }
  }
}

/** Lines of the forwarded body that were not in the sample: what the filter changed. */
export function changedLines(before: string, after: string): Set<number> {
  const left = new Map<string, number>();
  for (const line of before.split('\n')) left.set(line.trim(), (left.get(line.trim()) ?? 0) + 1);
  const changed = new Set<number>();
  after.split('\n').forEach((line, index) => {
    const count = left.get(line.trim()) ?? 0;
    if (count > 0) left.set(line.trim(), count - 1);
    else changed.add(index);
  });
  return changed;
}

function KindFields({
  draft,
  update,
  builtinSets,
}: {
  draft: Draft;
  update: (patch: Partial<Draft>) => void;
  builtinSets: readonly string[];
}) {
  switch (draft.kind) {
    case 'block':
    case 'redact':
      return (
        <>
          <fieldset className="checklist">
            <legend>Built-in patterns</legend>
            <div className="checklist-items">
              {builtinSets.map((set) => (
                <label key={set} className="check">
                  <input
                    type="checkbox"
                    checked={draft.builtins.includes(set)}
                    onChange={(event) =>
                      update({
                        builtins: event.target.checked
                          ? [...draft.builtins, set]
                          : draft.builtins.filter((item) => item !== set),
                      })
                    }
                  />
                  <span>{set.replace(/^builtin:/, '')}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <Field
            label="Your own patterns"
            hint="One JavaScript regular expression a line; start one with (?i) to ignore case, e.g. (?i)password\s*=\s*\S+"
          >
            {(id, describedBy) => (
              <textarea
                id={id}
                aria-describedby={describedBy}
                className="mono"
                rows={3}
                value={draft.custom}
                spellCheck={false}
                onChange={(event) => update({ custom: event.target.value })}
              />
            )}
          </Field>
          {draft.kind === 'redact' && (
            <label className="check">
              <input
                type="checkbox"
                checked={draft.responses}
                onChange={(event) => update({ responses: event.target.checked })}
              />
              <span>Also redact the answers, streamed ones included</span>
            </label>
          )}
        </>
      );
    case 'system-prompt':
      return (
        <>
          <Field label="Where">
            {(id) => (
              <select
                id={id}
                value={draft.mode}
                onChange={(event) => update({ mode: event.target.value as Draft['mode'] })}
              >
                <option value="prepend">Before the app’s system prompt</option>
                <option value="append">After the app’s system prompt</option>
                <option value="replace">Instead of the app’s system prompt</option>
              </select>
            )}
          </Field>
          <Field label="System prompt">
            {(id) => (
              <textarea
                id={id}
                rows={5}
                value={draft.text}
                onChange={(event) => update({ text: event.target.value })}
              />
            )}
          </Field>
        </>
      );
    case 'max-tokens':
      return (
        <Field label="Most tokens an answer may have" hint="Lower requests keep their own value.">
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              inputMode="numeric"
              value={draft.max}
              onChange={(event) => update({ max: event.target.value })}
            />
          )}
        </Field>
      );
    case 'model':
      return (
        <fieldset className="aliases">
          <legend>Aliases</legend>
          {draft.aliases.length === 0 && (
            <p className="muted small">No alias yet: add one, e.g. fast → gpt-4.1-nano.</p>
          )}
          {draft.aliases.map((alias, index) => (
            <div className="alias-row" key={index}>
              <Field label="When an app asks for">
                {(id) => (
                  <input
                    id={id}
                    value={alias.from}
                    placeholder="fast"
                    spellCheck={false}
                    onChange={(event) =>
                      update({
                        aliases: draft.aliases.map((item, at) =>
                          at === index ? { ...item, from: event.target.value } : item,
                        ),
                      })
                    }
                  />
                )}
              </Field>
              <Icon name="arrow" className="alias-arrow" />
              <Field label="Send">
                {(id) => (
                  <input
                    id={id}
                    value={alias.to}
                    placeholder="gpt-4.1-nano"
                    spellCheck={false}
                    onChange={(event) =>
                      update({
                        aliases: draft.aliases.map((item, at) =>
                          at === index ? { ...item, to: event.target.value } : item,
                        ),
                      })
                    }
                  />
                )}
              </Field>
              <button
                type="button"
                className="icon-button"
                aria-label={`Remove alias ${alias.from || index + 1}`}
                onClick={() => update({ aliases: draft.aliases.filter((_, at) => at !== index) })}
              >
                <Icon name="trash" />
              </button>
            </div>
          ))}
          <button
            type="button"
            className="button small"
            onClick={() => update({ aliases: [...draft.aliases, { from: '', to: '' }] })}
          >
            <Icon name="plus" /> Add an alias
          </button>
        </fieldset>
      );
    case 'script':
      return (
        <>
          <Field
            label="Script"
            hint="Return null (no change), { block: true, reason }, { model }, or { messages } with as many messages. No network, files or timers."
          >
            {(id, describedBy) => (
              <textarea
                id={id}
                aria-describedby={describedBy}
                className="mono code-input"
                rows={10}
                value={draft.code}
                spellCheck={false}
                onChange={(event) => update({ code: event.target.value })}
              />
            )}
          </Field>
          <div className="field-row">
            <Field label="Time limit (ms)" hint="Default 100.">
              {(id, describedBy) => (
                <input
                  id={id}
                  aria-describedby={describedBy}
                  inputMode="numeric"
                  value={draft.timeoutMs}
                  placeholder="100"
                  onChange={(event) => update({ timeoutMs: event.target.value })}
                />
              )}
            </Field>
            <Field label="Memory limit (MB)" hint="Default 16.">
              {(id, describedBy) => (
                <input
                  id={id}
                  aria-describedby={describedBy}
                  inputMode="numeric"
                  value={draft.memoryMb}
                  placeholder="16"
                  onChange={(event) => update({ memoryMb: event.target.value })}
                />
              )}
            </Field>
          </div>
        </>
      );
  }
}

function TryIt({ spec }: { spec: () => Record<string, unknown> }) {
  const [format, setFormat] = useState<SampleFormat>('openai');
  const [sample, setSample] = useState(sampleText('openai'));
  const [result, setResult] = useState<FilterTestResult>();
  const [tried, setTried] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setError(undefined);
    setResult(undefined);
    let request: unknown;
    try {
      request = JSON.parse(sample);
    } catch (thrown) {
      setError(`The sample request is not valid JSON: ${messageOf(thrown)}`);
      return;
    }
    setBusy(true);
    try {
      const answer = await sendJson<FilterTestResult>('POST', '/filters/test', {
        filter: spec(),
        request,
        format,
      });
      setTried(JSON.stringify(request, null, 2));
      setResult(answer);
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(false);
    }
  };

  const forwarded = result && !result.blocked ? JSON.stringify(result.forwarded, null, 2) : '';
  const changed = result && !result.blocked ? changedLines(tried, forwarded) : new Set<number>();

  return (
    <section className="try-it" aria-labelledby="try-it-title">
      <div className="try-it-header">
        <h3 id="try-it-title">Try it</h3>
        <p className="muted small">
          Runs the filter as edited, unsaved, on a sample request. Nothing is sent to any vendor.
        </p>
      </div>
      <div className="field-row">
        <Field label="Format">
          {(id) => (
            <select
              id={id}
              value={format}
              onChange={(event) => {
                const next = event.target.value as SampleFormat;
                // Swap the sample only if it is still the untouched one for the old format.
                if (sample === sampleText(format)) setSample(sampleText(next));
                setFormat(next);
              }}
            >
              <option value="openai">OpenAI Chat Completions</option>
              <option value="anthropic">Anthropic Messages</option>
              <option value="gemini">Gemini generateContent</option>
            </select>
          )}
        </Field>
      </div>
      <Field label="Sample request (JSON)">
        {(id) => (
          <textarea
            id={id}
            className="mono"
            rows={11}
            value={sample}
            spellCheck={false}
            onChange={(event) => setSample(event.target.value)}
          />
        )}
      </Field>
      <div>
        <button type="button" className="button" onClick={run} disabled={busy}>
          <Icon name="play" /> {busy ? 'Running…' : 'Try it'}
        </button>
      </div>
      <div aria-live="polite">
        {error && <Notice kind="error">{error}</Notice>}
        {result?.blocked && (
          <Notice kind="warning" title="This request would be blocked">
            {result.reason}
            {result.problems && result.problems.length > 0 && (
              <ul>
                {result.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            )}
          </Notice>
        )}
        {result && !result.blocked && (
          <div className="forwarded">
            <div className="forwarded-title">
              {changed.size === 0 ? 'Forwarded unchanged' : 'Forwarded, with the highlighted lines changed'}
            </div>
            <pre className="code-view" aria-label="The request as it would be forwarded" tabIndex={0}>
              {forwarded.split('\n').map((line, index) => (
                <span key={index} className={changed.has(index) ? 'line changed' : 'line'}>
                  {line}
                  {'\n'}
                </span>
              ))}
            </pre>
          </div>
        )}
      </div>
    </section>
  );
}

export interface FilterEditorProps {
  filter?: Filter;
  builtinSets: readonly string[];
  takenNames: readonly string[];
  onClose: () => void;
  onSaved: () => void;
}

export function FilterEditor({ filter, builtinSets, takenNames, onClose, onSaved }: FilterEditorProps) {
  const [draft, setDraft] = useState(() => draftOf(filter));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const update = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));

  const save = async () => {
    setError(undefined);
    const name = draft.name.trim();
    if (!filter && takenNames.includes(name))
      return setError(`Name: a filter called “${name}” already exists.`);
    setBusy(true);
    try {
      if (filter) await sendJson('PUT', `/filters/${encodeURIComponent(filter.name)}`, specOf(draft));
      else await sendJson('POST', '/filters', { name, ...specOf(draft) });
      onSaved();
      onClose();
    } catch (thrown) {
      setError(messageOf(thrown));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={filter ? `Filter “${filter.name}”` : 'New filter'}
      description="Defined once, then attached to routes and apps; they run in the order listed there."
      size="wide"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button primary" onClick={save} disabled={busy}>
            {busy ? 'Saving…' : filter ? 'Save filter' : 'Create filter'}
          </button>
        </>
      }
    >
      <div className="split">
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
          }}
        >
          {!filter && (
            <Field
              label="Name"
              hint="Letters, digits, _ . and -; routes and apps name it in their filter list."
            >
              {(id, describedBy) => (
                <input
                  id={id}
                  aria-describedby={describedBy}
                  value={draft.name}
                  onChange={(event) => update({ name: event.target.value })}
                  placeholder="no-secrets"
                  spellCheck={false}
                  autoComplete="off"
                  data-autofocus
                />
              )}
            </Field>
          )}
          <fieldset className="kind-picker">
            <legend>Kind</legend>
            <div className="kind-grid">
              {KINDS.map((kind) => (
                <label key={kind.kind} className={`preset ${draft.kind === kind.kind ? 'selected' : ''}`}>
                  <input
                    type="radio"
                    name="filter-kind"
                    value={kind.kind}
                    checked={draft.kind === kind.kind}
                    onChange={() => update({ kind: kind.kind })}
                  />
                  <span className="preset-name">{kind.label}</span>
                  <span className="preset-detail">{kind.text}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <KindFields draft={draft} update={update} builtinSets={builtinSets} />
          {error && <Notice kind="error">{error}</Notice>}
        </form>
        <TryIt spec={() => specOf(draft)} />
      </div>
    </Dialog>
  );
}
