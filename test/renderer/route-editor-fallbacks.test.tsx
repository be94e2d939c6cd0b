import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Route, VendorPreset } from '../../renderer/src/api/types.ts';
import { retriesOf } from '../../renderer/src/pages/FallbackFields.tsx';
import { RouteEditor } from '../../renderer/src/pages/RouteEditor.tsx';
import { mockApi, type Call } from './api-mock.ts';
import { route } from './fixtures.ts';

const PRESETS: VendorPreset[] = [
  { id: 'ollama', label: 'Ollama', vendor: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1', needsKey: false },
];
const ROUTE_IDS = ['claude', 'openai', 'gemini', 'local'];

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const saves = (calls: Call[]) =>
  calls.filter((call) => call.method !== 'GET' && !call.path.endsWith('/test'));

function openEditor(saved: Route | undefined) {
  const onSaved = vi.fn();
  render(
    <RouteEditor
      route={saved}
      presets={PRESETS}
      takenIds={ROUTE_IDS}
      filters={[]}
      onClose={() => {}}
      onSaved={onSaved}
    />,
  );
  const dialog = screen.getByRole('dialog');
  const group = () => within(dialog).getByRole('group', { name: 'Fallbacks' });
  /** The fallbacks listed, in their order. */
  const listed = () =>
    within(group())
      .queryAllByRole('listitem')
      .map((item) => item.querySelector('code')?.textContent);
  const offered = () =>
    (within(group()).getByLabelText('Add a fallback') as HTMLSelectElement).querySelectorAll('option');
  const add = (id: string) => {
    fireEvent.change(within(group()).getByLabelText('Add a fallback'), { target: { value: id } });
    fireEvent.click(within(group()).getByRole('button', { name: 'Add' }));
  };
  const retries = () => within(group()).getByLabelText('Retries') as HTMLInputElement;
  const button = (name: string) => within(dialog).getByRole('button', { name });
  return { dialog, group, listed, offered, add, retries, button, onSaved };
}

describe('the route editor’s fallbacks and retries', () => {
  it('shows the saved fallbacks in order, and offers only the other routes not yet in the list', () => {
    mockApi({});
    const { group, listed, offered, retries } = openEditor(
      route({ id: 'claude', vendor: 'anthropic', fallbacks: ['gemini', 'openai'], retries: 1 }),
    );
    expect(group().textContent).toContain('tried in order when this route fails before the first byte');
    expect(listed()).toEqual(['gemini', 'openai']);
    expect(
      within(group()).getByRole('list', { name: 'Fallbacks, in the order they are tried' }),
    ).toBeTruthy();
    // Not itself, nor one already listed.
    expect([...offered()].map((option) => option.value)).toEqual(['', 'local']);
    expect(retries().value).toBe('1');
  });

  it('adds, reorders and removes fallbacks, and saves them in their order with the retries', async () => {
    const { calls } = mockApi({
      'PATCH /routes/claude': (call) => route({ id: 'claude', ...(call.body as Partial<Route>) }),
    });
    const { group, listed, add, retries, button, onSaved } = openEditor(
      route({ id: 'claude', vendor: 'anthropic', fallbacks: ['openai'] }),
    );
    add('local');
    add('gemini');
    expect(listed()).toEqual(['openai', 'local', 'gemini']);
    fireEvent.click(within(group()).getByRole('button', { name: 'Move gemini up' }));
    fireEvent.click(within(group()).getByRole('button', { name: 'Move openai down' }));
    expect(listed()).toEqual(['gemini', 'openai', 'local']);
    // The ends cannot move further.
    expect(
      (within(group()).getByRole('button', { name: 'Move gemini up' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    expect(
      (within(group()).getByRole('button', { name: 'Move local down' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    fireEvent.click(within(group()).getByRole('button', { name: 'Remove fallback openai' }));
    expect(listed()).toEqual(['gemini', 'local']);
    fireEvent.change(retries(), { target: { value: '4' } });
    fireEvent.click(button('Save changes'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(saves(calls)).toEqual([
      expect.objectContaining({
        method: 'PATCH',
        path: '/routes/claude',
        body: expect.objectContaining({ fallbacks: ['gemini', 'local'], retries: 4 }),
      }),
    ]);
  });

  it('clears the retries to the default with null, and every fallback with an empty list', async () => {
    const { calls } = mockApi({ 'PATCH /routes/claude': (call) => route(call.body as Partial<Route>) });
    const { group, listed, retries, button, onSaved } = openEditor(
      route({ id: 'claude', vendor: 'anthropic', fallbacks: ['openai'], retries: 3 }),
    );
    fireEvent.click(within(group()).getByRole('button', { name: 'Remove fallback openai' }));
    expect(listed()).toEqual([]);
    expect(group().textContent).toContain('None: a request that fails on this route fails.');
    fireEvent.change(retries(), { target: { value: '' } });
    // The config file's `server.retry` can change the default: the hint does not promise 2.
    expect(group().textContent).toContain(
      'Empty: the server’s default (2 unless server.retry sets another).',
    );
    fireEvent.click(button('Save changes'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(saves(calls)[0]!.body).toMatchObject({ fallbacks: [], retries: null });
  });

  it('refuses retries outside 0 to 5, saying so, and sends nothing', async () => {
    const { calls } = mockApi({});
    const { dialog, retries, button } = openEditor(route({ id: 'claude', vendor: 'anthropic' }));
    fireEvent.change(retries(), { target: { value: '6' } });
    fireEvent.click(button('Save changes'));
    expect(
      await within(dialog).findByText(
        'Retries: a whole number from 0 to 5, or leave it empty for the default (2).',
      ),
    ).toBeTruthy();
    expect(saves(calls)).toEqual([]);
  });

  it('creates a new route with its fallbacks, leaving the default retries out', async () => {
    const { calls } = mockApi({ 'POST /routes': (call) => route(call.body as Partial<Route>) });
    const { offered, add, button, onSaved } = openEditor(undefined);
    // A new route may fall back to any saved one.
    expect([...offered()].map((option) => option.value)).toEqual(['', ...ROUTE_IDS]);
    add('claude');
    fireEvent.click(button('Create route'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    const body = saves(calls)[0]!.body as Record<string, unknown>;
    expect(body).toMatchObject({ id: 'ollama', vendor: 'ollama', fallbacks: ['claude'] });
    expect(body).not.toHaveProperty('retries');
  });

  it('marks a listed fallback whose route is gone, so that it can be removed', () => {
    mockApi({});
    const { group } = openEditor(route({ id: 'claude', vendor: 'anthropic', fallbacks: ['deleted-route'] }));
    const item = within(group()).getByRole('listitem');
    expect(item.textContent).toContain('no such route');
    expect(within(item).getByRole('button', { name: 'Remove fallback deleted-route' })).toBeTruthy();
  });
});

describe('the retries field’s text', () => {
  it('is a whole number from 0 to 5, or null for the default', () => {
    expect(retriesOf('')).toBeNull();
    expect(retriesOf(' 0 ')).toBe(0);
    expect(retriesOf('5')).toBe(5);
    for (const bad of ['-1', '6', '1.5', 'two']) expect(() => retriesOf(bad)).toThrow(/^Retries:/);
  });
});
