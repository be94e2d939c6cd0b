import { useMemo, useState } from 'react';
import { getJson, messageOf, sendJson } from '../api/client.ts';
import type { ConnectionTest, Route, VendorId, VendorPreset } from '../api/types.ts';
import { Dialog } from '../components/Dialog.tsx';
import { Check, RadioCards, TextField, toggled } from '../components/fields.tsx';
import {
  BudgetFields,
  CheckList,
  ChipInput,
  Form,
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
import { formatMs } from '../lib/format.ts';
import { FallbackFields, retriesOf } from './FallbackFields.tsx';
import { ModelMapFields, mapRows, modelMapOf } from './ModelMapFields.tsx';

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

/**
 * Vendors whose servers may or may not speak OpenAI's Responses API (OpenAI's always does, the others
 * never do): their routes say which, so that Codex's requests pass through rather than being translated.
 */
const RESPONSES_SETTING: readonly VendorId[] = ['openai-compatible', 'ollama'];

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
            <TextField
              label={`Filter ${offered.length} models`}
              type="search"
              value={search}
              onChange={setSearch}
              placeholder="gpt, claude, llama…"
            />
            {shown.length === 0 ? (
              <p className="muted small">No model matches.</p>
            ) : (
              <div className="offered-items" role="group" aria-label="Models the vendor lists">
                {shown.map((model) => (
                  <Check
                    key={model}
                    checked={models.includes(model)}
                    onChange={(checked) => onChange(toggled(models, model, checked))}
                    textClassName="mono"
                  >
                    {model}
                  </Check>
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
  /** The saved routes' ids: a new route may not take one, and its fallbacks are picked from them. */
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
  const presetCards = allPresets.map((candidate) => ({
    value: candidate.id,
    label: candidate.label,
    detail:
      candidate.id === 'custom'
        ? 'vLLM, llama.cpp, a proxy…'
        : candidate.needsKey
          ? 'needs an API key'
          : 'runs locally, no key',
  }));
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
  const [responses, setResponses] = useState(initial?.responses ?? false);
  const [mapping, setMapping] = useState(mapRows(initial?.modelMap));
  const [fallbacks, setFallbacks] = useState<string[]>(initial?.fallbacks ?? []);
  const [retries, setRetries] = useState(numberText(initial?.retries));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<'save' | 'test'>();
  /** The last connection test of the values now in the form; any edit makes it stale, so it goes. */
  const [test, setTest] = useState<ConnectionTest>();
  /** Saved while the test of these very values had failed: said in warning colours, not green. */
  const [savedDespiteTest, setSavedDespiteTest] = useState(false);
  const [dirty, setDirty] = useState(false);

  const editing = route !== undefined;
  const hasResponsesSetting = RESPONSES_SETTING.includes(preset.vendor);
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
      modelMap: modelMapOf(mapping),
      fallbacks,
      retries: retriesOf(retries),
      // Other vendors' routes refuse the field.
      ...(hasResponsesSetting ? { responses } : {}),
      ...(apiKey.trim() !== '' ? { apiKey: apiKey.trim() } : removeKey ? { apiKey: null } : {}),
    };
  };

  /** The form's fields for the API, or undefined with the reason shown when they do not check. */
  const checkedBody = () => {
    setError(undefined);
    try {
      return body();
    } catch (thrown) {
      setError(messageOf(thrown));
      return undefined;
    }
  };

  /** Saves; answers the saved route, or undefined when the gateway refused (the error is shown). */
  const save = async (): Promise<Route | undefined> => {
    const fields = checkedBody();
    if (!fields) return undefined;
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
    const fields = checkedBody();
    if (!fields) return;
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
      <Form error={error}>
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
          <RadioCards
            legend="Vendor"
            name="preset"
            className="preset-picker"
            gridClassName="preset-grid"
            options={presetCards}
            value={preset.id}
            onChange={(chosen) => {
              const next = allPresets.find((candidate) => candidate.id === chosen);
              if (next) choosePreset(next);
            }}
          />
        )}
        <div className="field-row">
          {!editing && (
            <TextField
              label="Route id"
              hint={`Apps reach it at /openai/${id || '…'}/v1. Lowercase letters, digits and -.`}
              value={id}
              onChange={touch(setId)}
              autoComplete="off"
              spellCheck={false}
            />
          )}
          <TextField
            label="Base URL"
            hint={
              preset.id === 'custom'
                ? 'Up to and including /v1, as the server’s OpenAI SDK set-up says.'
                : undefined
            }
            type="url"
            value={baseUrl}
            placeholder="http://127.0.0.1:8000/v1"
            onChange={touch(setBaseUrl)}
            spellCheck={false}
          />
        </div>
        <TextField
          label="API key"
          hint={
            editing && route.hasApiKey
              ? 'A key is saved (it is never shown again). Type a new one to replace it.'
              : preset.needsKey
                ? `Stored encrypted on this machine; sent only to ${preset.label}.`
                : 'Optional: only if this server asks for one.'
          }
          type="password"
          value={apiKey}
          placeholder={
            editing && route.hasApiKey ? '••••••••  (saved)' : preset.needsKey ? 'Paste the key' : 'None'
          }
          onChange={touch(setApiKey)}
          autoComplete="off"
          spellCheck={false}
        />
        {editing && route.hasApiKey && (
          <Check checked={removeKey} onChange={touch(setRemoveKey)}>
            Remove the saved key
          </Check>
        )}
        {hasResponsesSetting && (
          <Check checked={responses} onChange={touch(setResponses)}>
            Server speaks the Responses API (LM Studio, vLLM, recent Ollama)
          </Check>
        )}
        {test && <TestResult result={test} />}
        {test && (dirty || !editing) && (
          <p className="muted small">Tested with the values above, which are not saved yet.</p>
        )}
        <ModelsEditor routeId={route?.id} models={models} onChange={touch(setModels)} />
        <ModelMapFields
          rows={mapping}
          onChange={touch(setMapping)}
          modelPlaceholder="llama3.2"
          hint={
            <>
              A request for a model that matches a pattern gets this route’s model instead, e.g. Claude Code’s{' '}
              <code>claude-*haiku*</code> → a local model. Tried top to bottom, the first match wins; patterns
              take * and ?. The allow-list applies to the model sent.
            </>
          }
        />
        <FallbackFields
          candidates={takenIds.filter((other) => other !== (route?.id ?? id.trim()))}
          fallbacks={fallbacks}
          onFallbacksChange={touch(setFallbacks)}
          retries={retries}
          onRetriesChange={touch(setRetries)}
        />
        <details className="advanced">
          <summary>Default model, budget, rate limit, filters, body logging</summary>
          <div className="advanced-body">
            <div className="field-row">
              <TextField
                label="Default model"
                hint="Used when a request names no model."
                value={defaultModel}
                onChange={touch(setDefaultModel)}
                spellCheck={false}
              />
              <TextField
                label="Default max tokens"
                hint="For requests that set none, where the model’s limit is unknown."
                inputMode="numeric"
                value={maxTokens}
                onChange={touch(setMaxTokens)}
              />
            </div>
            <Check checked={logBodies} onChange={touch(setLogBodies)}>
              Keep the prompts and answers of this route’s requests (sealed like vendor keys; shown in a
              request’s details)
            </Check>
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
      </Form>
    </Dialog>
  );
}
