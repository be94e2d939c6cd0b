import { useEffect, useRef, type ReactNode } from 'react';
import { Icon } from './Icon.tsx';

export interface NoticeProps {
  kind: 'error' | 'warning' | 'success' | 'info';
  children: ReactNode;
  title?: string;
  action?: ReactNode;
}

/** A message in the flow of the page; errors are announced (role="alert"), the rest politely. */
export function Notice({ kind, children, title, action }: NoticeProps) {
  const icon = kind === 'success' ? 'check' : kind === 'info' ? 'info' : 'alert';
  const box = useRef<HTMLDivElement>(null);
  // An error below a long form is no use out of sight: bring it into view once, when it appears.
  useEffect(() => {
    if (kind === 'error') box.current?.scrollIntoView?.({ block: 'nearest' });
  }, [kind]);
  return (
    <div ref={box} className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <Icon name={icon} className="notice-icon" />
      <div className="notice-text">
        {title && <strong>{title}</strong>}
        <div>{children}</div>
      </div>
      {action && <div className="notice-action">{action}</div>}
    </div>
  );
}
