import { useState, type ReactNode } from 'react';
import type { Budget, RateLimit } from '../api/types.ts';
import { Icon } from './Icon.tsx';
import { Check, SelectField, TextField, type Option } from './fields.tsx';
import { Notice } from './Notice.tsx';
import { Field } from './ui.tsx';

/**
 * A form in the dashboard's layout that never reloads the page. `onSubmit` runs on Enter where the
 * form has a submit button (`hiddenSubmit` adds an invisible one, for dialogs whose buttons sit in
 * the footer, outside the form); the error, if any, shows at its end.
 */
export function Form({
  onSubmit,
  hiddenSubmit = false,
  error,
  children,
}: {
  onSubmit?: () => unknown;
  hiddenSubmit?: boolean;
  error: string | undefined;
  children: ReactNode;
}) {
  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        if (onSubmit) void onSubmit();
      }}
    >
      {children}
      {hiddenSubmit && <button type="submit" hidden />}
      {error && <Notice kind="error">{error}</Notice>}
    </form>
  );
}

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

const PERIODS: readonly Option<Budget['period']>[] = [
  { value: 'day', label: 'day (UTC)' },
  { value: 'week', label: 'week (from Monday, UTC)' },
  { value: 'month', label: 'month (UTC)' },
];

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
      <SelectField
        label="Per"
        value={draft.period}
        options={PERIODS}
        onChange={(period) => onChange({ ...draft, period })}
      />
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
      <TextField
        label="Requests per minute"
        hint="Empty: no limit."
        inputMode="numeric"
        placeholder="No limit"
        value={draft.rpm}
        onChange={(rpm) => onChange({ ...draft, rpm })}
      />
      <TextField
        label="Tokens per minute"
        hint="Input tokens when a request is admitted, output tokens when it ends."
        inputMode="numeric"
        placeholder="No limit"
        value={draft.tpm}
        onChange={(tpm) => onChange({ ...draft, tpm })}
      />
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
            <Check
              key={option}
              checked={selected.includes(option)}
              onChange={(checked) =>
                onChange(
                  // In the order of the options, which is the order they run in.
                  checked
                    ? options.filter((name) => name === option || selected.includes(name))
                    : selected.filter((name) => name !== option),
                )
              }
            >
              {option}
            </Check>
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
