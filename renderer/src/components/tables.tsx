import type { ReactNode, Ref } from 'react';
import { SkeletonRows } from './ui.tsx';

/** A column heading: its text, right-aligned when the column holds numbers (UX.md). */
export type Column = string | { label: string; numeric: true };

/** A numeric column's heading. */
export const numeric = (label: string): Column => ({ label, numeric: true });

/** The header row; `actions` adds the last column of row buttons, named for screen readers only. */
export function TableHead({ columns, actions = false }: { columns: readonly Column[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((column) =>
          typeof column === 'string' ? (
            <th key={column} scope="col">
              {column}
            </th>
          ) : (
            <th key={column.label} scope="col" className="num">
              {column.label}
            </th>
          ),
        )}
        {actions && (
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  );
}

export interface DataTableProps<T> {
  columns: readonly Column[];
  actions?: boolean;
  /** Undefined while loading: skeleton rows stand in their place. */
  items: readonly T[] | undefined;
  children: (item: T) => ReactNode;
  skeletonRows?: number;
  /** A row saying why the table is empty; without it an empty table shows its header only. */
  empty?: ReactNode;
  caption?: ReactNode;
  /** Added to the table's own class. */
  className?: string;
  /** The rows of a <tfoot>, when there is one. */
  footer?: ReactNode;
  ref?: Ref<HTMLTableElement>;
}

/** A table of records: header, skeleton rows while loading, an empty row or one row per item. */
export function DataTable<T>({
  columns,
  actions = false,
  items,
  children,
  skeletonRows = 3,
  empty,
  caption,
  className,
  footer,
  ref,
}: DataTableProps<T>) {
  const width = columns.length + (actions ? 1 : 0);
  return (
    <table className={className ? `table ${className}` : 'table'} ref={ref}>
      {caption && <caption className="sr-only">{caption}</caption>}
      <TableHead columns={columns} actions={actions} />
      <tbody>
        {!items && <SkeletonRows columns={width} rows={skeletonRows} />}
        {empty && items?.length === 0 && (
          <tr>
            <td colSpan={width} className="muted empty-row">
              {empty}
            </td>
          </tr>
        )}
        {items?.map(children)}
      </tbody>
      {footer && <tfoot>{footer}</tfoot>}
    </table>
  );
}
