import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionTest, VendorPreset } from '../../renderer/src/api/types.ts';
import { RouteEditor } from '../../renderer/src/pages/RouteEditor.tsx';
import { mockApi, type Call } from './api-mock.ts';
import { route } from './fixtures.ts';

const PRESETS: VendorPreset[] = [
  { id: 'openai', label: 'OpenAI', vendor: 'openai', baseUrl: 'https://api.openai.com/v1', needsKey: true },
];
const PASSED: ConnectionTest = { ok: true, model: 'gpt-4.1-mini', answer: 'OK', latencyMs: 120 };
const FAILED: ConnectionTest = {
  ok: false,
  status: 401,
  code: 'invalid_api_key',
  message: 'Incorrect API key provided.',
};
const NEW_URL = 'http://127.0.0.1:9/v1';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const writes = (calls: Call[]) => calls.filter((call) => call.method !== 'GET');
const saves = (calls: Call[]) => writes(calls).filter((call) => !call.path.endsWith('/test'));

function openEditor(existing = true) {
  const onClose = vi.fn();
  const onSaved = vi.fn();
  render(
    <RouteEditor
      route={existing ? route() : undefined}
      presets={PRESETS}
      takenIds={existing ? ['openai'] : []}
      filters={[]}
      onClose={onClose}
      onSaved={onSaved}
    />,
  );
  const dialog = screen.getByRole('dialog');
  const field = (label: string) => within(dialog).getByLabelText(label, { exact: true });
  const button = (name: string) => within(dialog).getByRole('button', { name });
  return { dialog, field, button, onClose, onSaved };
}

describe('"Test connection" tests the form without saving it', () => {
  it('on a saved route: sends the unsaved edits with the test, and writes nothing', async () => {
    const { calls } = mockApi({ 'POST /routes/openai/test': PASSED });
    const { dialog, field, button, onSaved } = openEditor();
    fireEvent.change(field('Base URL'), { target: { value: NEW_URL } });
    fireEvent.change(field('API key'), { target: { value: 'sk-new-key' } });
    fireEvent.click(button('Test connection'));
    await within(dialog).findByText(/^Connected: gpt-4\.1-mini answered in/);
    expect(writes(calls)).toHaveLength(1);
    expect(writes(calls)[0]).toMatchObject({
      method: 'POST',
      path: '/routes/openai/test',
      body: { baseUrl: NEW_URL, apiKey: 'sk-new-key', models: ['gpt-4.1-mini'] },
    });
    expect(saves(calls)).toEqual([]);
    expect(onSaved).not.toHaveBeenCalled();
    // It says the tested values are not saved, and saving is still to do.
    expect(dialog.textContent).toContain('not saved yet');
    expect((button('Save changes') as HTMLButtonElement).disabled).toBe(false);
  });

  it('on a new route: tests the draft, and creates nothing until "Create route"', async () => {
    const { calls } = mockApi({
      'POST /routes/test': PASSED,
      'POST /routes': (call) => route({ id: 'openai', baseUrl: (call.body as { baseUrl: string }).baseUrl }),
    });
    const { dialog, field, button, onSaved } = openEditor(false);
    fireEvent.change(field('Base URL'), { target: { value: NEW_URL } });
    fireEvent.change(field('API key'), { target: { value: 'sk-draft-key' } });
    fireEvent.click(button('Test connection'));
    await within(dialog).findByText(/^Connected:/);
    expect(writes(calls)).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/routes/test',
        body: expect.objectContaining({
          id: 'openai',
          vendor: 'openai',
          baseUrl: NEW_URL,
          apiKey: 'sk-draft-key',
        }),
      }),
    ]);
    expect(onSaved).not.toHaveBeenCalled();
    expect(dialog.textContent).toContain('not saved yet');
    fireEvent.click(button('Create route'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(saves(calls).map((call) => `${call.method} ${call.path}`)).toEqual(['POST /routes']);
    expect(within(dialog).getByText('Route “openai” created')).toBeTruthy();
    expect(dialog.textContent).not.toContain('not saved yet');
  });

  it('checks the form before testing, as saving would', async () => {
    const { calls } = mockApi({});
    const { dialog, field, button } = openEditor(false);
    fireEvent.change(field('Base URL'), { target: { value: '' } });
    fireEvent.click(button('Test connection'));
    await within(dialog).findByText(/^Base URL:/);
    expect(writes(calls)).toEqual([]);
  });
});

describe('saving right after a failed test says so, in warning colours', () => {
  it('a new route: "created, but its connection test failed", never a green notice', async () => {
    mockApi({ 'POST /routes/test': FAILED, 'POST /routes': route() });
    const { dialog, field, button, onSaved } = openEditor(false);
    fireEvent.change(field('API key'), { target: { value: 'sk-wrong-key' } });
    fireEvent.click(button('Test connection'));
    await within(dialog).findByText('Incorrect API key provided.');
    fireEvent.click(button('Create route'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    const warning = await within(dialog).findByText('Route “openai” created, but its connection test failed');
    expect(warning.closest('.notice')?.classList.contains('notice-warning')).toBe(true);
    expect(dialog.querySelector('.notice-success')).toBeNull();
    // The vendor's answer stays in view beside it.
    expect(within(dialog).getByText('Incorrect API key provided.')).toBeTruthy();
  });

  it('a saved route: stays open on "Save changes" with the warning, instead of closing as if all were well', async () => {
    const { calls } = mockApi({
      'POST /routes/openai/test': FAILED,
      'PATCH /routes/openai': route({ baseUrl: NEW_URL }),
    });
    const { dialog, field, button, onClose, onSaved } = openEditor();
    fireEvent.change(field('Base URL'), { target: { value: NEW_URL } });
    fireEvent.click(button('Test connection'));
    await within(dialog).findByText('Incorrect API key provided.');
    fireEvent.click(button('Save changes'));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(saves(calls).map((call) => `${call.method} ${call.path}`)).toEqual(['PATCH /routes/openai']);
    const warning = await within(dialog).findByText('Route “openai” saved, but its connection test failed');
    expect(warning.closest('.notice')?.classList.contains('notice-warning')).toBe(true);
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.click(button('Done'));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('an edit after the failed test makes it stale: no warning about values never tested', async () => {
    mockApi({
      'POST /routes/openai/test': FAILED,
      'PATCH /routes/openai': route({ defaultModel: 'gpt-4.1-nano' }),
    });
    const { dialog, field, button, onClose } = openEditor();
    fireEvent.click(button('Test connection'));
    await within(dialog).findByText('Incorrect API key provided.');
    fireEvent.change(field('API key'), { target: { value: 'sk-fixed-key' } });
    expect(within(dialog).queryByText('Incorrect API key provided.')).toBeNull();
    fireEvent.click(button('Save changes'));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
  });
});
