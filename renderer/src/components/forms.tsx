import { useState, type ReactNode } from 'react';
import type { Budget, RateLimit } from '../api/types.ts';
import { Icon } from './Icon.tsx';
import { Field } from './ui.tsx';

/** A number input's text → a number, or undefined when empty; NaN marks text that is not a number. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return Number(trimmed);
}

export const numberText = (value: number | null | undefined): string =>
  value === null || value === undefined ? '' : String(value);

export interface BudgetDraft {
  usd: string;
  period: Budget['period'];
}

export const budgetDraft = (budget: Budget | null | undefined): BudgetDraft => ({
  usd: numberText(budget?.usd),
  period: budget?.period ?? 'day',
});

/** The draft as the API wants it: null clears the budget. Throws a message for a bad amount. */
export function budgetOf(draft: BudgetDraft): Budget | null {
  const usd = parseNumber(draft.usd);
  if (usd === undefined) return null;
  if (!Number.isFinite(usd) || usd <= 0)
    throw new Error('Budget: a dollar amount above zero, or leave it empty.');
  return { usd, period: draft.period };
}

export function BudgetFields({
  draft,
  onChange,
}: {
  draft: BudgetDraft;
  onChange: (draft: BudgetDraft) => void;
}) {
  return (
    <div className="field-row">
      <Field
        label="Budget (USD)"
        hint="Requests that would pass it are refused before they are sent. Empty: no limit."
      >
        {(id, describedBy) => (
          <div className="input-affix">
            <span aria-hidden="true">$</span>
            <input
              id={id}
              aria-describedby={describedBy}
              inputMode="decimal"
              placeholder="No limit"
              value={draft.usd}
              onChange={(event) => onChange({ ...draft, usd: event.target.value })}
            />
          </div>
        )}
      </Field>
      <Field label="Per">
        {(id) => (
          <select
            id={id}
            value={draft.period}
            onChange={(event) => onChange({ ...draft, period: event.target.value as Budget['period'] })}
          >
            <option value="day">day (UTC)</option>
            <option value="week">week (from Monday, UTC)</option>
            <option value="month">month (UTC)</option>
          </select>
        )}
      </Field>
    </div>
  );
}

export interface RateDraft {
  rpm: string;
  tpm: string;
}

export const rateDraft = (limit: RateLimit | null | undefined): RateDraft => ({
  rpm: numberText(limit?.rpm),
  tpm: numberText(limit?.tpm),
});

export function rateOf(draft: RateDraft): RateLimit | null {
  const rpm = parseNumber(draft.rpm);
  const tpm = parseNumber(draft.tpm);
  for (const [name, value] of [
    ['Requests per minute', rpm],
    ['Tokens per minute', tpm],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value <= 0))
      throw new Error(`${name}: a whole number above zero, or leave it empty.`);
  }
  if (rpm === undefined && tpm === undefined) return null;
  return { ...(rpm === undefined ? {} : { rpm }), ...(tpm === undefined ? {} : { tpm }) };
}

export function RateFields({ draft, onChange }: { draft: RateDraft; onChange: (draft: RateDraft) => void }) {
  return (
    <div className="field-row">
      <Field label="Requests per minute" hint="Empty: no limit.">
        {(id, describedBy) => (
          <input
            id={id}
            aria-describedby={describedBy}
            inputMode="numeric"
            placeholder="No limit"
            value={draft.rpm}
            onChange={(event) => onChange({ ...draft, rpm: event.target.value })}
          />
        )}
      </Field>
      <Field
        label="Tokens per minute"
        hint="Input tokens when a request is admitted, output tokens when it ends."
      >
        {(id, describedBy) => (
          <input
            id={id}
            aria-describedby={describedBy}
            inputMode="numeric"
            placeholder="No limit"
            value={draft.tpm}
            onChange={(event) => onChange({ ...draft, tpm: event.target.value })}
          />
        )}
      </Field>
    </div>
  );
}

/** Checkboxes for a set of names (filters, routes), in the order given. */
export function CheckList({
  legend,
  options,
  selected,
  onChange,
  empty,
  hint,
}: {
  legend: string;
  options: readonly string[];
  selected: readonly string[];
  onChange: (selected: string[]) => void;
  empty: ReactNode;
  hint?: ReactNode;
}) {
  return (
    <fieldset className="checklist">
      <legend>{legend}</legend>
      {hint && <p className="hint">{hint}</p>}
      {options.length === 0 ? (
        <p className="muted small">{empty}</p>
      ) : (
        <div className="checklist-items">
          {options.map((option) => (
            <label key={option} className="check">
              <input
                type="checkbox"
                checked={selected.includes(option)}
                onChange={(event) =>
                  onChange(
                    event.target.checked
                      ? options.filter((name) => name === option || selected.includes(name))
                      : selected.filter((name) => name !== option),
                  )
                }
              />
              <span>{option}</span>
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}

/** A list of short strings as removable chips, with an input to add more (Enter or comma). */
export function ChipInput({
  label,
  values,
  onChange,
  placeholder,
  hint,
}: {
  label: string;
  values: readonly string[];
  onChange: (values: string[]) => void;
  placeholder?: string;
  hint?: ReactNode;
}) {
  const [text, setText] = useState('');
  const add = () => {
    const items = text
      .split(/[,\s]+/)
      .map((item) => item.trim())
      .filter((item) => item !== '' && !values.includes(item));
    if (items.length > 0) onChange([...values, ...items]);
    setText('');
  };
  return (
    <Field label={label} hint={hint}>
      {(id, describedBy) => (
        <div className="chip-input">
          {values.length > 0 && (
            <ul className="chips" aria-label={`${label}: ${values.length} added`}>
              {values.map((value) => (
                <li key={value} className="chip">
                  <span>{value}</span>
                  <button
                    type="button"
                    aria-label={`Remove ${value}`}
                    onClick={() => onChange(values.filter((item) => item !== value))}
                  >
                    <Icon name="x" />
                  </button>
                </li>
              ))}
            </ul>
          )}
          <div className="chip-add">
            <input
              id={id}
              aria-describedby={describedBy}
              value={text}
              placeholder={placeholder}
              onChange={(event) => setText(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === ',') {
                  event.preventDefault();
                  add();
                }
              }}
            />
            <button type="button" className="button" onClick={add} disabled={text.trim() === ''}>
              Add
            </button>
          </div>
        </div>
      )}
    </Field>
  );
}
