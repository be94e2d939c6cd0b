import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { Dialog } from '../../renderer/src/components/Dialog.tsx';

afterEach(cleanup);

function Page({ size }: { size?: 'drawer' }) {
  const [open, setOpen] = useState(true);
  const [inner, setInner] = useState(false);
  return (
    <main>
      <button type="button">Behind</button>
      {open && (
        <Dialog title="Outer" size={size} onClose={() => setOpen(false)}>
          <button type="button" onClick={() => setInner(true)}>
            Open inner
          </button>
          {inner && (
            <Dialog title="Inner" onClose={() => setInner(false)}>
              <p>Inner body</p>
            </Dialog>
          )}
        </Dialog>
      )}
    </main>
  );
}

describe('dialogs and what is behind them', () => {
  it('make the page behind inert while open, and give it back when closed', () => {
    const { container } = render(<Page />);
    const app = container.parentElement === document.body ? container : container.parentElement!;
    expect((app as HTMLElement).inert).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Open inner' }));
    // The outer dialog's backdrop goes inert under the inner one, then comes back.
    const outer = screen.getByRole('dialog', { name: 'Outer', hidden: true }).parentElement!;
    expect(outer.inert).toBe(true);
    fireEvent.click(screen.getAllByRole('button', { name: 'Close' }).at(-1)!);
    expect(outer.inert).toBe(false);
    expect((app as HTMLElement).inert).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect((app as HTMLElement).inert).toBe(false);
  });

  it('let the keyboard scroll a drawer: its body is a focusable, named region', () => {
    render(<Page size="drawer" />);
    const body = screen.getByRole('region', { name: 'Outer' });
    expect(body.tabIndex).toBe(0);
    expect(body.className).toBe('dialog-body');
  });
});
