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

/** A section with a card's header: its title (the section's name) and what stands beside it. */
export function Card({
  titleId,
  title,
  className,
  padded = false,
  description,
  aside,
  children,
}: {
  /** The heading's id, which names the section. */
  titleId: string;
  title: ReactNode;
  /** Added to "card": "table-card", "chart-card". */
  className?: string;
  padded?: boolean;
  /** A line under the title. */
  description?: ReactNode;
  /** At the header's end: a total, a button, a link. */
  aside?: ReactNode;
  children: ReactNode;
}) {
  const heading = <h2 id={titleId}>{title}</h2>;
  return (
    <section className={className ? `card ${className}` : 'card'} aria-labelledby={titleId}>
      <div className={padded ? 'card-header padded' : 'card-header'}>
        {description ? (
          <div>
            {heading}
            {description}
          </div>
        ) : (
          heading
        )}
        {aside}
      </div>
      {children}
    </section>
  );
}

/** A button that shows only an icon, so its label is for screen readers (and, given, a tooltip). */
export function IconButton({
  icon,
  label,
  title,
  danger = false,
  onClick,
}: {
  icon: IconName;
  label: string;
  title?: string;
  danger?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className={danger ? 'icon-button danger' : 'icon-button'}
      aria-label={label}
      title={title}
      onClick={onClick}
    >
      <Icon name={icon} />
    </button>
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

export type Tone = 'neutral' | 'good' | 'warn' | 'bad' | 'accent';

export function Badge({ children, tone = 'neutral' }: { children: ReactNode; tone?: Tone }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** An HTTP status's badge tone: an answer, the client's fault (or a limit), or the upstream's. */
export const statusTone = (status: number): Tone => (status < 300 ? 'good' : status < 500 ? 'warn' : 'bad');

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
