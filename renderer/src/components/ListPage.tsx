import type { ReactNode } from 'react';
import { Notice } from './Notice.tsx';
import { PageHeader } from './ui.tsx';

/**
 * A page that lists one resource (routes, apps, filters): the header, whose add button moves into the
 * empty state while there is nothing to list, the load error, and the empty state or the list.
 */
export function ListPage({
  title,
  description,
  items,
  addButton,
  error,
  empty,
  children,
}: {
  title: string;
  description: ReactNode;
  /** Undefined while loading. */
  items: readonly unknown[] | undefined;
  addButton: ReactNode;
  error: string | undefined;
  /** Shown instead of the list when there is nothing in it; it holds the add button. */
  empty: ReactNode;
  children: ReactNode;
}) {
  return (
    <>
      <PageHeader
        title={title}
        description={description}
        actions={items && items.length > 0 ? addButton : undefined}
      />
      {error && <Notice kind="error">{error}</Notice>}
      {items && items.length === 0 ? empty : children}
    </>
  );
}
