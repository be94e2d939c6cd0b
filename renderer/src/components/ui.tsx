import { useId, type ReactNode } from 'react';
import { Icon, type IconName } from './Icon.tsx';

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  /** Renders the control with the id its label points at and the id of its hint. */
  children: (id: string, describedBy: string | undefined) => ReactNode;
  className?: string;
}

/** A labelled control: every input on the dashboard goes through here, so none is left unlabelled. */
export function Field({ label, hint, error, children, className }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy)}
      {hint && !error && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export interface SegmentedProps<T extends string> {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  hideLabel?: boolean;
}

/** A row of radio buttons styled as one control: arrow keys move between them as in any radio group. */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  hideLabel = true,
}: SegmentedProps<T>) {
  const name = useId();
  return (
    <fieldset className="segmented-field">
      <legend className={hideLabel ? 'sr-only' : 'segmented-legend'}>{label}</legend>
      <div className="segmented">
        {options.map((option) => (
          <label key={option.value} className={option.value === value ? 'selected' : ''}>
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={option.value === value}
              onChange={() => onChange(option.value)}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export interface EmptyStateProps {
  icon: IconName;
  title: string;
  children: ReactNode;
  action?: ReactNode;
}

/** What a new user sees instead of an empty table: what this is for, and the first thing to do. */
export function EmptyState({ icon, title, children, action }: EmptyStateProps) {
  return (
    <section className="empty-state" aria-label={title}>
      <div className="empty-icon">
        <Icon name={icon} />
      </div>
      <h2>{title}</h2>
      <div className="empty-text">{children}</div>
      {action && <div className="empty-action">{action}</div>}
    </section>
  );
}

/** A grey block in the place, and at the size, of what is loading. */
export function Skeleton({
  width,
  height = '1em',
  className,
}: {
  width?: string | number;
  height?: string | number;
  className?: string;
}) {
  return <span className={`skeleton ${className ?? ''}`} style={{ width, height }} aria-hidden="true" />;
}

/** Rows of skeleton cells for a table still loading, as tall as the rows that will replace them. */
export function SkeletonRows({ columns, rows = 4 }: { columns: number; rows?: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, row) => (
        <tr key={row} className="skeleton-row" aria-hidden="true">
          {Array.from({ length: columns }, (_, column) => (
            <td key={column}>
              <Skeleton width={column === 0 ? '70%' : '50%'} />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

export function Badge({
  children,
  tone = 'neutral',
}: {
  children: ReactNode;
  tone?: 'neutral' | 'good' | 'warn' | 'bad' | 'accent';
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** A progress bar for a budget: spent, then what requests in flight hold, against the limit. */
export function Meter({
  spent,
  reserved = 0,
  limit,
  label,
}: {
  spent: number;
  reserved?: number;
  limit: number;
  label: string;
}) {
  const share = (value: number) => `${Math.min(100, Math.max(0, limit > 0 ? (value / limit) * 100 : 0))}%`;
  const ratio = limit > 0 ? spent / limit : 0;
  const tone = ratio >= 1 ? 'bad' : ratio >= 0.8 ? 'warn' : 'good';
  return (
    <div
      className={`meter meter-${tone}`}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={limit}
      aria-valuenow={Math.min(spent, limit)}
    >
      <span className="meter-spent" style={{ width: share(spent) }} />
      {reserved > 0 && <span className="meter-reserved" style={{ width: share(reserved) }} />}
    </div>
  );
}
