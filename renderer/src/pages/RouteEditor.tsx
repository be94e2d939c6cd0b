import { useMemo, useState } from 'react';
import { getJson, messageOf, sendJson } from '../api/client.ts';
import type { ConnectionTest, Route, VendorId, VendorPreset } from '../api/types.ts';
import { Dialog } from '../components/Dialog.tsx';
import {
  BudgetFields,
  CheckList,
  ChipInput,
  RateFields,
  budgetDraft,
  budgetOf,
  numberText,
  parseNumber,
  rateDraft,
  rateOf,
} from '../components/forms.tsx';
import { Icon } from '../components/Icon.tsx';
import { Notice } from '../components/Notice.tsx';
import { Field } from '../components/ui.tsx';
import { formatMs } from '../lib/format.ts';

/** The presets plus the one that is not a vendor: any server that speaks OpenAI's API. */
export const CUSTOM_PRESET: VendorPreset = {
  id: 'custom',
  label: 'Any OpenAI-compatible URL',
  vendor: 'openai-compatible',
  baseUrl: '',
  needsKey: false,
};

export const VENDOR_LABELS: Record<VendorId, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  gemini: 'Google Gemini',
  ollama: 'Ollama',
  'openai-compatible': 'OpenAI-compatible',
};

/** The preset a saved route matches (by vendor and URL), for its label in the list. */
export function presetOf(
  route: Pick<Route, 'vendor' | 'baseUrl'>,
  presets: readonly VendorPreset[],
): VendorPreset | undefined {
  const url = route.baseUrl.replace(/\/+$/, '');
  return presets.find(
    (preset) => preset.vendor === route.vendor && preset.baseUrl.replace(/\/+$/, '') === url,
  );
}

function freeId(base: string, taken: readonly string[]): string {
  const clean =
    base
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'route';
  if (!taken.includes(clean)) return clean;
  for (let number = 2; ; number++) if (!taken.includes(`${clean}-${number}`)) return `${clean}-${number}`;
}

export function TestResult({ result }: { result: ConnectionTest }) {
  if (result.ok) {
    return (
      <Notice kind="success" title={`Connected: ${result.model} answered in ${formatMs(result.latencyMs)}`}>
        <q className="test-answer">{result.answer}</q>
      </Notice>
    );
  }
  return (
    <Notice
      kind="error"
      title={`The test failed${result.status ? ` (${result.status}${result.code ? ` ${result.code}` : ''})` : ''}`}
    >
      {result.message}
    </Notice>
  );
}

/** The allow-list: glob patterns typed in, or the vendor's own model names picked from its list. */
function ModelsEditor({
  routeId,
  models,
  onChange,
}: {
  routeId: string | undefined;
  models: string[];
  onChange: (models: string[]) => void;
}) {
  const [offered, setOffered] = useState<string[]>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const [search, setSearch] = useState('');
  const load = async () => {
    if (!routeId) return;
    setLoading(true);
    setError(undefined);
    try {
      const answer = await getJson<{ data: string[] }>(`/routes/${encodeURIComponent(routeId)}/models`);
      setOffered([...answer.data].sort());
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setLoading(false);
    }
  };
  const shown = offered?.filter((model) => model.toLowerCase().includes(search.trim().toLowerCase())) ?? [];
  return (
    <div className="models-editor">
      <ChipInput
        label="Allowed models"
        values={models}
        onChange={onChange}
        placeholder={
          models.length === 0
            ? 'All models are allowed; type a name or a pattern like gpt-4.1*'
            : 'Add a name or a pattern'
        }
        hint={
          models.length === 0
            ? 'Empty: every model the vendor serves is allowed. Patterns take * and ?.'
            : 'Only these models (or patterns, with * and ?) may be asked for on this route.'
        }
      />
      <div className="models-offered">
        <button type="button" className="button small" onClick={load} disabled={!routeId || loading}>
          <Icon name="download" />{' '}
          {loading
            ? 'Asking the vendor…'
            : offered
              ? 'Reload the vendor’s models'
              : 'Pick from the vendor’s models'}
        </button>
        {!routeId && (
          <span className="muted small">
            Save the route first; then its vendor can be asked for its models.
          </span>
        )}
        {error && <Notice kind="error">{error}</Notice>}
        {offered && (
          <div className="offered-list">
            <Field label={`Filter ${offered.length} models`}>
              {(id) => (
                <input
                  id={id}
                  type="search"
                  value={search}
                  onChange={(event) => setSearch(event.target.value)}
                  placeholder="gpt, claude, llama…"
                />
              )}
            </Field>
            {shown.length === 0 ? (
              <p className="muted small">No model matches.</p>
            ) : (
              <div className="offered-items" role="group" aria-label="Models the vendor lists">
                {shown.map((model) => (
                  <label key={model} className="check">
                    <input
                      type="checkbox"
                      checked={models.includes(model)}
                      onChange={(event) =>
                        onChange(
                          event.target.checked ? [...models, model] : models.filter((item) => item !== model),
                        )
                      }
                    />
                    <span className="mono">{model}</span>
                  </label>
                ))}
              </div>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

export interface RouteEditorProps {
  /** The route to edit; none for a new one. */
  route?: Route;
  presets: readonly VendorPreset[];
  takenIds: readonly string[];
  filters: readonly string[];
  onClose: () => void;
  /** After every save: the list reloads. */
  onSaved: (route: Route) => void;
}

export function RouteEditor({
  route: initial,
  presets,
  takenIds,
  filters,
  onClose,
  onSaved,
}: RouteEditorProps) {
  const allPresets = useMemo(() => [...presets, CUSTOM_PRESET], [presets]);
  const [route, setRoute] = useState(initial);
  const [justCreated, setJustCreated] = useState(false);
  const [preset, setPreset] = useState<VendorPreset>(() =>
    initial
      ? (presetOf(initial, presets) ?? { ...CUSTOM_PRESET, vendor: initial.vendor })
      : (presets[0] ?? CUSTOM_PRESET),
  );
  const [id, setId] = useState(initial?.id ?? freeId(preset.id, takenIds));
  const [baseUrl, setBaseUrl] = useState(initial?.baseUrl ?? preset.baseUrl);
  const [apiKey, setApiKey] = useState('');
  const [removeKey, setRemoveKey] = useState(false);
  const [models, setModels] = useState<string[]>(initial?.models ?? []);
  const [defaultModel, setDefaultModel] = useState(initial?.defaultModel ?? '');
  const [budget, setBudget] = useState(budgetDraft(initial?.budget));
  const [rate, setRate] = useState(rateDraft(initial?.rateLimit));
  const [chosenFilters, setChosenFilters] = useState<string[]>(initial?.filters ?? []);
  const [maxTokens, setMaxTokens] = useState(numberText(initial?.defaultMaxTokens));
  const [logBodies, setLogBodies] = useState(initial?.logBodies ?? false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<'save' | 'test'>();
  /** The last connection test of the values now in the form; any edit makes it stale, so it goes. */
  const [test, setTest] = useState<ConnectionTest>();
  /** Saved while the test of these very values had failed: said in warning colours, not green. */
  const [savedDespiteTest, setSavedDespiteTest] = useState(false);
  const [dirty, setDirty] = useState(false);

  const editing = route !== undefined;
  const edited = () => {
    setDirty(true);
    setTest(undefined);
    setSavedDespiteTest(false);
  };
  const touch =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      edited();
    };

  const choosePreset = (next: VendorPreset) => {
    setPreset(next);
    setBaseUrl(next.baseUrl);
    setId(freeId(next.id, takenIds));
    edited();
  };

  const body = () => {
    const max = parseNumber(maxTokens);
    if (max !== undefined && (!Number.isInteger(max) || max <= 0))
      throw new Error('Default max tokens: a whole number above zero, or leave it empty.');
    if (baseUrl.trim() === '')
      throw new Error('Base URL: where the vendor’s API answers, e.g. http://127.0.0.1:8000/v1.');
    if (!editing && preset.needsKey && apiKey.trim() === '')
      throw new Error(`API key: ${preset.label} needs one. Paste the key from the vendor’s console.`);
    return {
      baseUrl: baseUrl.trim(),
      models,
      defaultModel: defaultModel.trim() === '' ? null : defaultModel.trim(),
      budget: budgetOf(budget),
      rateLimit: rateOf(rate),
      filters: chosenFilters,
      defaultMaxTokens: max ?? null,
      logBodies,
      ...(apiKey.trim() !== '' ? { apiKey: apiKey.trim() } : removeKey ? { apiKey: null } : {}),
    };
  };

  /** Saves; answers the saved route, or undefined when the gateway refused (the error is shown). */
  const save = async (): Promise<Route | undefined> => {
    setError(undefined);
    let fields;
    try {
      fields = body();
    } catch (thrown) {
      setError(messageOf(thrown));
      return undefined;
    }
    try {
      let saved: Route;
      if (editing) {
        saved = await sendJson<Route>('PATCH', `/routes/${encodeURIComponent(route.id)}`, fields);
      } else {
        saved = await sendJson<Route>('POST', '/routes', newRoute(fields));
        setJustCreated(true);
      }
      setRoute(saved);
      setApiKey('');
      setRemoveKey(false);
      setDirty(false);
      setSavedDespiteTest(test?.ok === false);
      onSaved(saved);
      return saved;
    } catch (thrown) {
      setError(messageOf(thrown));
      return undefined;
    }
  };

  // A new route leaves out what is empty rather than sending nulls.
  const newRoute = (fields: ReturnType<typeof body>) => ({
    id: id.trim(),
    vendor: preset.vendor,
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null)),
  });

  /**
   * Tests the values in the form, saved or not, and saves nothing: the gateway applies them to the
   * stored route (as a PATCH would, a new route as a POST would) for this one request only.
   */
  const runTest = async () => {
    setError(undefined);
    let fields;
    try {
      fields = body();
    } catch (thrown) {
      setError(messageOf(thrown));
      return;
    }
    setBusy('test');
    setTest(undefined);
    setSavedDespiteTest(false);
    try {
      setTest(
        editing
          ? await sendJson<ConnectionTest>('POST', `/routes/${encodeURIComponent(route.id)}/test`, fields)
          : await sendJson<ConnectionTest>('POST', '/routes/test', newRoute(fields)),
      );
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(undefined);
    }
  };

  const title = editing ? `Route “${route.id}”` : 'Add a route';
  return (
    <Dialog
      title={title}
      description={
        editing
          ? `${VENDOR_LABELS[route.vendor]} · apps reach it at /openai/${route.id}/v1`
          : 'A route is one vendor account or local server that apps can reach through Switchboard.'
      }
      size="large"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={runTest} disabled={busy !== undefined}>
            <Icon name="play" /> {busy === 'test' ? 'Testing…' : 'Test connection'}
          </button>
          <span className="spacer" />
          <button type="button" className="button" onClick={onClose}>
            {editing && !dirty ? 'Done' : 'Cancel'}
          </button>
          <button
            type="button"
            className="button primary"
            disabled={busy !== undefined || (editing && !dirty)}
            onClick={async () => {
              setBusy('save');
              const saved = await save();
              setBusy(undefined);
              // A failed test of what was just saved stays in view, with the warning, until Done.
              if (saved && editing && test?.ok !== false) onClose();
            }}
          >
            {busy === 'save' ? 'Saving…' : editing ? 'Save changes' : 'Create route'}
          </button>
        </>
      }
    >
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        {savedDespiteTest ? (
          <Notice
            kind="warning"
            title={`Route “${route?.id}” ${justCreated ? 'created' : 'saved'}, but its connection test failed`}
          >
            Requests through it will fail the same way until the base URL, key or model is fixed: see the
            test’s answer below.
          </Notice>
        ) : (
          justCreated && (
            <Notice kind="success" title={`Route “${route?.id}” created`}>
              Test the connection to make sure the key works, and pick the models apps may use.
            </Notice>
          )
        )}
        {!editing && (
          <fieldset className="preset-picker">
            <legend>Vendor</legend>
            <div className="preset-grid">
              {allPresets.map((candidate) => (
                <label
                  key={candidate.id}
                  className={`preset ${candidate.id === preset.id ? 'selected' : ''}`}
                >
                  <input
                    type="radio"
                    name="preset"
                    value={candidate.id}
                    checked={candidate.id === preset.id}
                    onChange={() => choosePreset(candidate)}
                  />
                  <span className="preset-name">{candidate.label}</span>
                  <span className="preset-detail">
                    {candidate.id === 'custom'
                      ? 'vLLM, llama.cpp, a proxy…'
                      : candidate.needsKey
                        ? 'needs an API key'
                        : 'runs locally, no key'}
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <div className="field-row">
          {!editing && (
            <Field
              label="Route id"
              hint={`Apps reach it at /openai/${id || '…'}/v1. Lowercase letters, digits and -.`}
            >
              {(fieldId, describedBy) => (
                <input
                  id={fieldId}
                  aria-describedby={describedBy}
                  value={id}
                  onChange={(event) => touch(setId)(event.target.value)}
                  autoComplete="off"
                  spellCheck={false}
                />
              )}
            </Field>
          )}
          <Field
            label="Base URL"
            hint={
              preset.id === 'custom'
                ? 'Up to and including /v1, as the server’s OpenAI SDK set-up says.'
                : undefined
            }
          >
            {(fieldId, describedBy) => (
              <input
                id={fieldId}
                aria-describedby={describedBy}
                type="url"
                value={baseUrl}
                placeholder="http://127.0.0.1:8000/v1"
                onChange={(event) => touch(setBaseUrl)(event.target.value)}
                spellCheck={false}
              />
            )}
          </Field>
        </div>
        <Field
          label="API key"
          hint={
            editing && route.hasApiKey
              ? 'A key is saved (it is never shown again). Type a new one to replace it.'
              : preset.needsKey
                ? `Stored encrypted on this machine; sent only to ${preset.label}.`
                : 'Optional: only if this server asks for one.'
          }
        >
          {(fieldId, describedBy) => (
            <input
              id={fieldId}
              aria-describedby={describedBy}
              type="password"
              value={apiKey}
              placeholder={
                editing && route.hasApiKey ? '••••••••  (saved)' : preset.needsKey ? 'Paste the key' : 'None'
              }
              onChange={(event) => touch(setApiKey)(event.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        {editing && route.hasApiKey && (
          <label className="check">
            <input
              type="checkbox"
              checked={removeKey}
              onChange={(event) => touch(setRemoveKey)(event.target.checked)}
            />
            <span>Remove the saved key</span>
          </label>
        )}
        {test && <TestResult result={test} />}
        {test && (dirty || !editing) && (
          <p className="muted small">Tested with the values above, which are not saved yet.</p>
        )}
        <ModelsEditor routeId={route?.id} models={models} onChange={touch(setModels)} />
        <details className="advanced">
          <summary>Default model, budget, rate limit, filters, body logging</summary>
          <div className="advanced-body">
            <div className="field-row">
              <Field label="Default model" hint="Used when a request names no model.">
                {(fieldId, describedBy) => (
                  <input
                    id={fieldId}
                    aria-describedby={describedBy}
                    value={defaultModel}
                    onChange={(event) => touch(setDefaultModel)(event.target.value)}
                    spellCheck={false}
                  />
                )}
              </Field>
              <Field
                label="Default max tokens"
                hint="For requests that set none, where the model’s limit is unknown."
              >
                {(fieldId, describedBy) => (
                  <input
                    id={fieldId}
                    aria-describedby={describedBy}
                    inputMode="numeric"
                    value={maxTokens}
                    onChange={(event) => touch(setMaxTokens)(event.target.value)}
                  />
                )}
              </Field>
            </div>
            <label className="check">
              <input
                type="checkbox"
                checked={logBodies}
                onChange={(event) => touch(setLogBodies)(event.target.checked)}
              />
              <span>
                Keep the prompts and answers of this route’s requests (sealed like vendor keys; shown in a
                request’s details)
              </span>
            </label>
            <BudgetFields draft={budget} onChange={touch(setBudget)} />
            <RateFields draft={rate} onChange={touch(setRate)} />
            <CheckList
              legend="Filters"
              hint="Run on every request through this route, after the app’s own, in this order."
              options={filters}
              selected={chosenFilters}
              onChange={touch(setChosenFilters)}
              empty={
                <>
                  No filters yet. <a href="#/filters">Create one on Filters</a>.
                </>
              }
            />
          </div>
        </details>
        {error && <Notice kind="error">{error}</Notice>}
      </form>
    </Dialog>
  );
}
