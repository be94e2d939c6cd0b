import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Route, VendorPreset } from '../../renderer/src/api/types.ts';
import { RouteEditor } from '../../renderer/src/pages/RouteEditor.tsx';
import { mockApi, type Call } from './api-mock.ts';
import { route } from './fixtures.ts';

// Issue 13, item 2: only openai-compatible and ollama routes say whether their server speaks the
// Responses API; the gateway refuses the field on the other vendors.

const LABEL = 'Server speaks the Responses API (LM Studio, vLLM, recent Ollama)';

const PRESETS: VendorPreset[] = [
  { id: 'openai', label: 'OpenAI', vendor: 'openai', baseUrl: 'https://api.openai.com/v1', needsKey: true },
  {
    id: 'anthropic',
    label: 'Anthropic',
    vendor: 'anthropic',
    baseUrl: 'https://api.anthropic.com',
    needsKey: true,
  },
  { id: 'ollama', label: 'Ollama', vendor: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1', needsKey: false },
];

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const saves = (calls: Call[]) =>
  calls.filter((call) => call.method !== 'GET' && !call.path.endsWith('/test'));

function openEditor(existing: Route | undefined) {
  const onSaved = vi.fn();
  render(
    <RouteEditor
      route={existing}
      presets={PRESETS}
      takenIds={existing ? [existing.id] : []}
      filters={[]}
      onClose={vi.fn()}
      onSaved={onSaved}
    />,
  );
  const dialog = screen.getByRole('dialog');
  const checkbox = () => within(dialog).queryByLabelText(LABEL) as HTMLInputElement | null;
  const button = (name: string) => within(dialog).getByRole('button', { name });
  const pick = (label: string) =>
    fireEvent.click(within(dialog).getByRole('radio', { name: new RegExp(`^${label}`) }));
  return { dialog, checkbox, button, pick, onSaved };
}

describe('the route editor’s Responses API checkbox', () => {
  it('is shown for a new ollama or OpenAI-compatible route only', () => {
    mockApi({});
    const { checkbox, pick } = openEditor(undefined);
    expect(checkbox()).toBeNull();
    pick('Anthropic');
    expect(checkbox()).toBeNull();
    pick('Ollama');
    expect(checkbox()).not.toBeNull();
    expect(checkbox()!.checked).toBe(false);
    pick('Any OpenAI-compatible URL');
    expect(checkbox()).not.toBeNull();
    pick('OpenAI');
    expect(checkbox()).toBeNull();
  });

  it('sends it when a new ollama route is created, and leaves it out for other vendors', async () => {
    const { calls } = mockApi({ 'POST /routes': (call) => route(call.body as Partial<Route>) });
    const { checkbox, button, pick, onSaved } = openEditor(undefined);
    pick('Ollama');
    fireEvent.click(checkbox()!);
    fireEvent.click(button('Create route'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(saves(calls)[0]!.body).toMatchObject({ id: 'ollama', vendor: 'ollama', responses: true });
  });

  it('leaves it out of a new OpenAI route', async () => {
    const { calls } = mockApi({ 'POST /routes': (call) => route(call.body as Partial<Route>) });
    const { dialog, button, onSaved } = openEditor(undefined);
    fireEvent.change(within(dialog).getByLabelText('API key', { exact: true }), {
      target: { value: 'sk-new-key' },
    });
    fireEvent.click(button('Create route'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(saves(calls)[0]!.body).not.toHaveProperty('responses');
  });

  it('shows a saved compatible route’s setting and saves a change to it', async () => {
    const saved = route({
      id: 'vllm',
      vendor: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:8000/v1',
      hasApiKey: false,
      responses: true,
    });
    const { calls } = mockApi({ 'PATCH /routes/vllm': (call) => ({ ...saved, ...(call.body as object) }) });
    const { checkbox, button, onSaved } = openEditor(saved);
    expect(checkbox()!.checked).toBe(true);
    fireEvent.click(checkbox()!);
    fireEvent.click(button('Save changes'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(saves(calls)).toEqual([
      expect.objectContaining({
        method: 'PATCH',
        path: '/routes/vllm',
        body: expect.objectContaining({ responses: false }),
      }),
    ]);
  });

  it('is not shown for a saved OpenAI route, whose edits leave it out', async () => {
    const saved = route({ responses: false });
    const { calls } = mockApi({ 'PATCH /routes/openai': saved });
    const { dialog, checkbox, button, onSaved } = openEditor(saved);
    expect(checkbox()).toBeNull();
    fireEvent.change(within(dialog).getByLabelText('Base URL', { exact: true }), {
      target: { value: 'https://example.test/v1' },
    });
    fireEvent.click(button('Save changes'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(saves(calls)[0]!.body).not.toHaveProperty('responses');
  });
});
