import { useEffect, useRef, useState } from 'react';
import { Icon } from './Icon.tsx';

/** The Clipboard API where the page may use it (127.0.0.1 is a secure context), a selection copy otherwise. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Permission refused or no Clipboard API: fall back to the old way, which needs no permission.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const copied = document.execCommand?.('copy') ?? false;
  area.remove();
  if (!copied) throw new Error('Copying was refused; select the text and copy it by hand.');
}

export interface CopyButtonProps {
  text: string;
  /** What is copied, for screen readers: "Copy key". */
  label: string;
  /** Show the label next to the icon. */
  showLabel?: boolean;
  className?: string;
}

export function CopyButton({ text, label, showLabel, className }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<number>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  return (
    <button
      type="button"
      className={`button copy-button ${showLabel ? '' : 'icon-only'} ${state === 'copied' ? 'copied' : ''} ${className ?? ''}`}
      aria-label={showLabel ? undefined : label}
      title={label}
      onClick={async () => {
        try {
          await copyText(text);
          setState('copied');
        } catch {
          setState('failed');
        }
        window.clearTimeout(timer.current);
        timer.current = window.setTimeout(() => setState('idle'), 1600);
      }}
    >
      <Icon name={state === 'copied' ? 'check' : 'copy'} />
      {showLabel && <span>{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}</span>}
      <span className="sr-only" aria-live="polite">
        {state === 'copied' ? 'Copied to the clipboard' : state === 'failed' ? 'Copy failed' : ''}
      </span>
    </button>
  );
}
