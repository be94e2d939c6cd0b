import { useState } from 'react';
import { SelectField, TextField } from '../components/fields.tsx';
import { parseNumber } from '../components/forms.tsx';
import { Icon } from '../components/Icon.tsx';
import { Badge, IconButton } from '../components/ui.tsx';

/**
 * The most retries a route may ask for, and the gateway's built-in default when it asks for none
 * (`server.retry` in the config file may set another).
 */
const MAX_RETRIES = 5;
const DEFAULT_RETRIES = 2;

/** The retries field's text as the admin API takes it: null for the default. Throws the message to show. */
export function retriesOf(text: string): number | null {
  const retries = parseNumber(text);
  if (retries === undefined) return null;
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES)
    throw new Error(
      `Retries: a whole number from 0 to ${MAX_RETRIES}, or leave it empty for the default (${DEFAULT_RETRIES}).`,
    );
  return retries;
}

const swapped = (list: readonly string[], index: number, other: number): string[] => {
  const next = [...list];
  next[index] = list[other]!;
  next[other] = list[index]!;
  return next;
};

/**
 * A route's fallbacks, an ordered list of other routes, and its retries. The order is the meaning:
 * the first fallback is tried first, so rows move up and down rather than being re-added.
 */
export function FallbackFields({
  candidates,
  fallbacks,
  onFallbacksChange,
  retries,
  onRetriesChange,
}: {
  /** The other routes' ids: this one is not among them. */
  candidates: readonly string[];
  fallbacks: readonly string[];
  onFallbacksChange: (fallbacks: string[]) => void;
  retries: string;
  onRetriesChange: (retries: string) => void;
}) {
  const [choice, setChoice] = useState('');
  const addable = candidates.filter((id) => !fallbacks.includes(id));
  // A route removed since it was picked would otherwise stay chosen in a select that no longer offers it.
  const chosen = addable.includes(choice) ? choice : '';
  return (
    <fieldset className="fallbacks">
      <legend>Fallbacks</legend>
      <p className="hint">
        Other routes, tried in order when this route fails before the first byte (after its retries). Any
        vendor will do: the request is translated, and the fallback’s model map or default model picks the
        model.
      </p>
      {fallbacks.length === 0 ? (
        <p className="muted small">None: a request that fails on this route fails.</p>
      ) : (
        <ol className="fallback-list" aria-label="Fallbacks, in the order they are tried">
          {fallbacks.map((id, index) => (
            <li key={id} className="fallback-row">
              <span className="fallback-position" aria-hidden="true">
                {index + 1}
              </span>
              <code className="fallback-id">{id}</code>
              {!candidates.includes(id) && <Badge tone="warn">no such route</Badge>}
              <span className="spacer" />
              <button
                type="button"
                className="icon-button"
                aria-label={`Move ${id} up`}
                title="Move up: tried earlier"
                disabled={index === 0}
                onClick={() => onFallbacksChange(swapped(fallbacks, index, index - 1))}
              >
                ↑
              </button>
              <button
                type="button"
                className="icon-button"
                aria-label={`Move ${id} down`}
                title="Move down: tried later"
                disabled={index === fallbacks.length - 1}
                onClick={() => onFallbacksChange(swapped(fallbacks, index, index + 1))}
              >
                ↓
              </button>
              <IconButton
                icon="trash"
                label={`Remove fallback ${id}`}
                onClick={() => onFallbacksChange(fallbacks.filter((other) => other !== id))}
              />
            </li>
          ))}
        </ol>
      )}
      {candidates.length === 0 ? (
        <p className="muted small">No other route yet: add one to fall back to.</p>
      ) : (
        addable.length > 0 && (
          <div className="fallback-add">
            <SelectField
              label="Add a fallback"
              fieldClassName="inline-field"
              value={chosen}
              options={[
                { value: '', label: 'Choose a route…' },
                ...addable.map((id) => ({ value: id, label: id })),
              ]}
              onChange={setChoice}
            />
            <button
              type="button"
              className="button small"
              disabled={chosen === ''}
              onClick={() => {
                onFallbacksChange([...fallbacks, chosen]);
                setChoice('');
              }}
            >
              <Icon name="plus" /> Add
            </button>
          </div>
        )
      )}
      <TextField
        label="Retries"
        fieldClassName="narrow"
        hint={`Tries again on this route (no answer, 408, 429, 500, 502–504, 529) before the fallbacks: 0 to ${MAX_RETRIES}. Empty: the server’s default (${DEFAULT_RETRIES} unless server.retry sets another).`}
        inputMode="numeric"
        placeholder={String(DEFAULT_RETRIES)}
        value={retries}
        onChange={onRetriesChange}
      />
    </fieldset>
  );
}
