import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyDialog } from '../../renderer/src/pages/KeyDialog.tsx';
import { KEY, route } from './fixtures.ts';

const CONFIRM = 'Close without copying the key?';

beforeEach(() => {
  Object.defineProperty(navigator, 'clipboard', {
    value: { writeText: vi.fn(async () => {}) },
    configurable: true,
  });
});

afterEach(() => {
  cleanup();
});

function open() {
  const onClose = vi.fn();
  render(<KeyDialog app="cursor" appKey={KEY} routes={[route()]} onClose={onClose} />);
  const dialog = screen.getByRole('dialog', { name: 'Key for “cursor”' });
  return { onClose, dialog };
}

/** A press on the dimmed area around the dialog, as a mouse user closes dialogs. */
const clickOutside = (dialog: HTMLElement) => fireEvent.mouseDown(dialog.parentElement!);

describe('the one-time key dialog does not lose the key by accident', () => {
  const dismissals: [string, (dialog: HTMLElement) => void][] = [
    ['Escape', () => fireEvent.keyDown(document.body, { key: 'Escape' })],
    ['a click outside', clickOutside],
    ['the × button', (dialog) => fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }))],
  ];

  for (const [how, dismiss] of dismissals) {
    it(`asks before ${how} closes it while the key is not copied`, () => {
      const { onClose, dialog } = open();
      dismiss(dialog);
      expect(onClose).not.toHaveBeenCalled();
      const ask = screen.getByRole('alertdialog', { name: CONFIRM });
      expect(ask.textContent).toContain('cannot show it again');
      // The safe answer has the focus, so a second Escape or Enter does not throw the key away.
      expect(document.activeElement).toBe(within(ask).getByRole('button', { name: 'Go back to the key' }));
      fireEvent.click(within(ask).getByRole('button', { name: 'Close without the key' }));
      expect(onClose).toHaveBeenCalledTimes(1);
    });
  }

  it('goes back to the key, still shown, on "Go back" or a second Escape', () => {
    const { onClose, dialog } = open();
    fireEvent.keyDown(document.body, { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Go back to the key' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.getByRole('alertdialog', { name: CONFIRM })).toBeTruthy();
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(onClose).not.toHaveBeenCalled();
    expect(within(dialog).getByLabelText('The new app key').textContent).toBe(KEY);
  });

  it('closes at once once the key was copied, by its button or a set-up holding it', async () => {
    const first = open();
    await act(async () => fireEvent.click(within(first.dialog).getByRole('button', { name: 'Copy key' })));
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(first.onClose).toHaveBeenCalledTimes(1);
    cleanup();

    const second = open();
    await act(async () =>
      fireEvent.click(within(second.dialog).getByRole('button', { name: 'Copy Python set-up' })),
    );
    clickOutside(second.dialog);
    expect(second.onClose).toHaveBeenCalledTimes(1);
    cleanup();

    // Selected and copied by hand (Ctrl+C) counts too.
    const third = open();
    fireEvent.copy(within(third.dialog).getByLabelText('The new app key'));
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(third.onClose).toHaveBeenCalledTimes(1);
  });

  it('closes on "I’ve copied the key" without asking: that button is the confirmation', () => {
    const { onClose, dialog } = open();
    fireEvent.click(within(dialog).getByRole('button', { name: 'I’ve copied the key' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
