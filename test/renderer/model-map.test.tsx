import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { App, RequestRow, VendorPreset } from '../../renderer/src/api/types.ts';
import { AppsPage } from '../../renderer/src/pages/Apps.tsx';
import { mapRows, modelMapOf } from '../../renderer/src/pages/ModelMapFields.tsx';
import { RequestDetail, RequestsPage } from '../../renderer/src/pages/Requests.tsx';
import { RouteEditor } from '../../renderer/src/pages/RouteEditor.tsx';
import { mockApi, type Call } from './api-mock.ts';
import { app, route } from './fixtures.ts';

const PRESETS: VendorPreset[] = [
  { id: 'ollama', label: 'Ollama', vendor: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1', needsKey: false },
];

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const saves = (calls: Call[]) => calls.filter((call) => call.method !== 'GET');

/** The text inputs of the map's rows, as [pattern, model] pairs. */
function rowsOf(scope: HTMLElement): string[][] {
  const map = within(scope).getByRole('group', { name: /Model map/ });
  const patterns = within(map).getAllByLabelText('When a request asks for') as HTMLInputElement[];
  const models = within(map).getAllByLabelText('Send') as HTMLInputElement[];
  return patterns.map((input, index) => [input.value, models[index]!.value]);
}

/** Adds a row and types into it. */
function addRow(scope: HTMLElement, pattern: string, model: string) {
  const map = within(scope).getByRole('group', { name: /Model map/ });
  fireEvent.click(within(map).getByRole('button', { name: 'Add a mapping' }));
  const patterns = within(map).getAllByLabelText('When a request asks for');
  const models = within(map).getAllByLabelText('Send');
  fireEvent.change(patterns.at(-1)!, { target: { value: pattern } });
  fireEvent.change(models.at(-1)!, { target: { value: model } });
}

describe('the model map’s rows', () => {
  it('turn into the map in their order, trimmed, with empty rows dropped and none as null', () => {
    expect(
      modelMapOf([
        { pattern: ' claude-*haiku* ', model: 'local/llama3.2 ' },
        { pattern: '', model: '' },
        { pattern: 'claude-*', model: 'gpt/gpt-5' },
      ]),
    ).toEqual({ 'claude-*haiku*': 'local/llama3.2', 'claude-*': 'gpt/gpt-5' });
    expect(Object.keys(modelMapOf(mapRows({ b: '1', a: '2' }))!)).toEqual(['b', 'a']);
    expect(modelMapOf([])).toBeNull();
    expect(modelMapOf([{ pattern: ' ', model: '' }])).toBeNull();
  });

  it('refuse a half-filled or repeated row, saying which', () => {
    expect(() => modelMapOf([{ pattern: 'claude-*', model: '' }])).toThrow('“claude-*” needs a model');
    expect(() => modelMapOf([{ pattern: '', model: 'qwen3' }])).toThrow('sends to “qwen3” needs a pattern');
    expect(() =>
      modelMapOf([
        { pattern: 'gpt-*', model: 'a' },
        { pattern: 'gpt-*', model: 'b' },
      ]),
    ).toThrow('“gpt-*” is there twice');
  });
});

describe('the route editor’s model map', () => {
  function openEditor(modelMap: Record<string, string> | null) {
    const onSaved = vi.fn();
    render(
      <RouteEditor
        route={route({ id: 'local', vendor: 'ollama', baseUrl: PRESETS[0]!.baseUrl, modelMap })}
        presets={PRESETS}
        takenIds={['local']}
        filters={[]}
        onClose={() => {}}
        onSaved={onSaved}
      />,
    );
    return { dialog: screen.getByRole('dialog'), onSaved };
  }

  it('shows the saved map, and saves rows added, moved and removed, in their order', async () => {
    const { calls } = mockApi({ 'PATCH /routes/local': (call) => route(call.body as object) });
    const { dialog, onSaved } = openEditor({ 'gemini-*': 'llama3.3', 'old-*': 'qwen3' });
    expect(rowsOf(dialog)).toEqual([
      ['gemini-*', 'llama3.3'],
      ['old-*', 'qwen3'],
    ]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove mapping old-*' }));
    addRow(dialog, 'gemini-*flash*', 'qwen3');
    // The narrower pattern must come first to ever match.
    fireEvent.click(within(dialog).getByRole('button', { name: 'Move gemini-*flash* up' }));
    expect(rowsOf(dialog)).toEqual([
      ['gemini-*flash*', 'qwen3'],
      ['gemini-*', 'llama3.3'],
    ]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [saved] = saves(calls);
    expect(saved).toMatchObject({ method: 'PATCH', path: '/routes/local' });
    const body = saved!.body as { modelMap: Record<string, string> };
    expect(Object.entries(body.modelMap)).toEqual([
      ['gemini-*flash*', 'qwen3'],
      ['gemini-*', 'llama3.3'],
    ]);
  });

  it('clears the map with null when every row is removed', async () => {
    const { calls } = mockApi({ 'PATCH /routes/local': (call) => route(call.body as object) });
    const { dialog, onSaved } = openEditor({ 'gemini-*': 'llama3.3' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove mapping gemini-*' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(saves(calls)[0]!.body).toMatchObject({ modelMap: null });
  });

  it('says what is wrong with a half-filled row and sends nothing', async () => {
    const { calls } = mockApi({});
    const { dialog } = openEditor(null);
    addRow(dialog, 'claude-*', '');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    expect(await within(dialog).findByText(/“claude-\*” needs a model to send/)).toBeTruthy();
    expect(saves(calls)).toEqual([]);
  });
});

describe('the app dialog’s model map', () => {
  it('saves a map whose values pick routes, and the app card shows it', async () => {
    let stored: App = app({ name: 'claude-code' });
    const { calls } = mockApi({
      'GET /apps': () => ({ data: [stored] }),
      'GET /routes': { data: [route(), route({ id: 'local', vendor: 'ollama' })] },
      'GET /filters': { data: [], builtinPatternSets: [] },
      'GET /budgets': { data: [] },
      'PATCH /apps/claude-code': (call) => {
        stored = { ...stored, ...(call.body as Partial<App>) };
        return stored;
      },
    });
    render(<AppsPage params={new URLSearchParams()} />);
    fireEvent.click(await screen.findByRole('button', { name: /Limits/ }));
    const dialog = screen.getByRole('dialog');
    addRow(dialog, 'claude-*haiku*', 'local/llama3.2');
    addRow(dialog, 'claude-*', 'openai/gpt-4.1-mini');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const body = saves(calls)[0]!.body as { modelMap: Record<string, string> };
    expect(Object.entries(body.modelMap)).toEqual([
      ['claude-*haiku*', 'local/llama3.2'],
      ['claude-*', 'openai/gpt-4.1-mini'],
    ]);
    const card = await screen.findByRole('region', { name: 'claude-code' });
    await within(card).findByText('Model map');
    expect(card.textContent).toContain('claude-*haiku* → local/llama3.2');
  });
});

describe('the request log with a mapped model', () => {
  const mapped: RequestRow = {
    id: 'req_mapped',
    time: '2025-01-01T12:00:00.000Z',
    app: 'claude-code',
    route: 'local',
    vendor: 'ollama',
    model: 'llama3.2',
    upstreamModel: 'llama3.2:latest',
    requestedModel: 'claude-haiku-4-5',
    endpoint: 'messages',
    stream: true,
    status: 200,
    errorCode: null,
    errorMessage: null,
    retryAfter: null,
    inputTokens: 10,
    outputTokens: 2,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    latencyMs: 100,
    ttfbMs: 50,
    partial: false,
    attempts: [],
  };

  it('shows requested → used in the table, with the whole chain as its title', async () => {
    mockApi({ 'GET /requests': { data: [mapped] }, 'GET /apps': { data: [] }, 'GET /routes': { data: [] } });
    render(<RequestsPage />);
    const cell = await screen.findByTitle('claude-haiku-4-5 → llama3.2 → llama3.2:latest');
    expect(cell.textContent).toBe('claude-haiku-4-5 → llama3.2');
  });

  it('shows in the details the model asked for, the one it was mapped to, and the vendor’s name', () => {
    mockApi({ 'GET /requests/req_mapped/bodies': { logged: false } });
    render(<RequestDetail row={mapped} onClose={() => {}} />);
    const dialog = screen.getByRole('dialog');
    const definition = (term: string) => within(dialog).getByText(term).nextElementSibling?.textContent;
    expect(definition('Model asked for')).toBe('claude-haiku-4-5');
    expect(definition('Mapped to')).toBe('llama3.2 (by a model map or alias)');
    expect(definition('Model used')).toBe('llama3.2:latest (as the vendor named it)');
  });
});
