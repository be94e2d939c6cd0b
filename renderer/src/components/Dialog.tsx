import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { messageOf } from '../api/client.ts';
import { Notice } from './Notice.tsx';
import { IconButton } from './ui.tsx';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  title: string;
  /** One line under the title: what this dialog is for. */
  description?: ReactNode;
  onClose: () => void;
  /**
   * What Escape, a click outside and the × do; onClose when not given. A dialog whose closing
   * loses something (a key shown once) asks first instead.
   */
  onDismiss?: () => void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'small' | 'medium' | 'large' | 'wide' | 'drawer';
  /** A role="alertdialog" for confirmations, so screen readers announce the question at once. */
  alert?: boolean;
}

/**
 * A modal dialog: traps Tab inside, closes on Escape and on a click outside, and gives focus back
 * to whatever opened it. Rendered into <body> so no parent's overflow or stacking can clip it.
 */
/** Open dialogs, innermost last: only that one answers Escape and keeps the focus. */
const openDialogs: HTMLElement[] = [];

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => !element.closest('[inert]'));
}

export function Dialog({
  title,
  description,
  onClose,
  onDismiss,
  children,
  footer,
  size = 'medium',
  alert,
}: DialogProps) {
  const panel = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const close = useRef(onClose);
  close.current = onDismiss ?? onClose;

  useEffect(() => {
    const root = panel.current;
    if (!root) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    openDialogs.push(root);
    // Everything behind the dialog is inert: no focus, no click, not read out (an open dialog's
    // backdrop included, under a dialog opened from it); given back as it was when this one closes.
    const backdrop = root.parentElement;
    const madeInert = [...document.body.children].filter(
      (element): element is HTMLElement =>
        element instanceof HTMLElement && element !== backdrop && !element.inert,
    );
    for (const element of madeInert) element.inert = true;
    const preferred = root.querySelector<HTMLElement>('[data-autofocus]');
    (preferred ?? root.querySelector<HTMLElement>(`.dialog-body ${FOCUSABLE}`) ?? root).focus();

    // On the document, not the panel: a button that disables itself while saving drops the focus
    // to <body>, and Escape and Tab must still work then.
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (openDialogs.at(-1) !== root) return;
      if (event.key === 'Escape') {
        event.preventDefault();
        close.current();
        return;
      }
      if (event.key !== 'Tab') return;
      const items = focusables(root);
      if (items.length === 0) {
        event.preventDefault();
        root.focus();
        return;
      }
      const first = items[0]!;
      const last = items[items.length - 1]!;
      const active = document.activeElement;
      const inside = active instanceof Node && root.contains(active);
      if (!inside || (event.shiftKey && (active === first || active === root))) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      } else if (!event.shiftKey && active === last) {
        event.preventDefault();
        first.focus();
      }
    };
    // Focus that wanders outside (a click on the backdrop's edge, a script) comes back.
    const onFocusIn = (event: FocusEvent) => {
      if (openDialogs.at(-1) === root && event.target instanceof Node && !root.contains(event.target))
        root.focus();
    };
    document.addEventListener('keydown', onKeyDown);
    document.addEventListener('focusin', onFocusIn);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('focusin', onFocusIn);
      openDialogs.splice(openDialogs.indexOf(root), 1);
      for (const element of madeInert) element.inert = false;
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return createPortal(
    <div
      className={`backdrop backdrop-${size}`}
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) close.current();
      }}
    >
      <div
        ref={panel}
        role={alert ? 'alertdialog' : 'dialog'}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        className={`dialog dialog-${size}`}
        tabIndex={-1}
      >
        <header className="dialog-header">
          <div>
            <h2 id={titleId}>{title}</h2>
            {description && (
              <p id={descriptionId} className="dialog-description">
                {description}
              </p>
            )}
          </div>
          <IconButton icon="x" label="Close" onClick={() => close.current()} />
        </header>
        {/* A drawer's body scrolls on its own: focusable, so the keyboard can scroll it too. */}
        <div
          className="dialog-body"
          {...(size === 'drawer' ? { tabIndex: 0, role: 'region', 'aria-label': title } : {})}
        >
          {children}
        </div>
        {footer && <footer className="dialog-footer">{footer}</footer>}
      </div>
    </div>,
    document.body,
  );
}

/** An editing dialog's footer: Cancel, and the save button, which says so while it saves. */
export function SaveButtons({
  label,
  busy,
  onSave,
  onCancel,
}: {
  label: string;
  busy: boolean;
  onSave: () => unknown;
  onCancel: () => void;
}) {
  return (
    <>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="button" className="button primary" onClick={() => void onSave()} disabled={busy}>
        {busy ? 'Saving…' : label}
      </button>
    </>
  );
}

export interface ConfirmProps {
  title: string;
  /** What stops working: UX.md asks destructive actions to say it. */
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}

/** Asks once before a destructive action, and shows the gateway's answer if it refuses. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose }: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <Dialog
      title={title}
      onClose={onClose}
      size="small"
      alert
      footer={
        <>
          <button type="button" className="button" onClick={onClose} data-autofocus>
            Cancel
          </button>
          <button
            type="button"
            className="button danger"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              setError(undefined);
              try {
                await onConfirm();
                onClose();
              } catch (thrown) {
                setError(messageOf(thrown));
                setBusy(false);
              }
            }}
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </>
      }
    >
      <div className="confirm-text">{children}</div>
      {error && <Notice kind="error">{error}</Notice>}
    </Dialog>
  );
}
