import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FilterEditor } from '../../renderer/src/pages/FilterEditor.tsx';
import { mockApi, reply } from './api-mock.ts';

const SETS = ['builtin:api-keys', 'builtin:emails', 'builtin:credit-cards', 'builtin:ip-addresses'];

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function open(props: Partial<Parameters<typeof FilterEditor>[0]> = {}) {
  const onSaved = vi.fn();
  const onClose = vi.fn();
  render(
    <FilterEditor builtinSets={SETS} takenNames={['taken']} onClose={onClose} onSaved={onSaved} {...props} />,
  );
  return { onSaved, onClose, dialog: screen.getByRole('dialog') };
}

describe('the filter editor', () => {
  it('shows the fields of each kind', () => {
    const { dialog } = open();
    expect(within(dialog).getByRole('checkbox', { name: 'emails' })).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('radio', { name: /^System prompt/ }));
    expect(within(dialog).getByLabelText('System prompt')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('radio', { name: /^Max tokens/ }));
    expect(within(dialog).getByLabelText('Most tokens an answer may have')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('radio', { name: /^Model aliases/ }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add an alias' }));
    expect(within(dialog).getByLabelText('When an app asks for')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('radio', { name: /^Script/ }));
    expect((within(dialog).getByLabelText('Script') as HTMLTextAreaElement).value).toContain(
      '(request, context) =>',
    );
  });

  it('tries the unsaved filter on the sample request and highlights what it changed', async () => {
    const { calls } = mockApi({
      'POST /filters/test': ({ body }) => {
        const request = structuredClone((body as { request: { messages: { content: string }[] } }).request);
        request.messages[1]!.content = request.messages[1]!.content.replace(
          'ada@example.com',
          '[REDACTED:emails]',
        );
        return { blocked: false, forwarded: request };
      },
    });
    const { dialog } = open();
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'emails' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Try it' }));
    const forwarded = await within(dialog).findByLabelText('The request as it would be forwarded');
    expect(forwarded.textContent).toContain('[REDACTED:emails]');
    expect(forwarded.querySelectorAll('.changed')).toHaveLength(1);
    expect(within(dialog).getByText('Forwarded, with the highlighted lines changed')).toBeTruthy();
    const sent = calls[0]!.body as { filter: unknown; format: string; request: { model: string } };
    expect(sent.filter).toEqual({ kind: 'redact', patterns: ['builtin:api-keys', 'builtin:emails'] });
    expect(sent.format).toBe('openai');
    expect(sent.request.model).toBe('gpt-4.1-mini');
    // Nothing was saved.
    expect(calls.every((call) => call.path === '/filters/test')).toBe(true);
  });

  it('says why a request would be blocked, and shows the gateway’s own error message', async () => {
    let answer: unknown = { blocked: true, reason: 'Filter "no-keys" blocked this request.' };
    mockApi({ 'POST /filters/test': () => answer });
    const { dialog } = open();
    fireEvent.click(within(dialog).getByRole('radio', { name: /^Block/ }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Try it' }));
    expect(await within(dialog).findByText('This request would be blocked')).toBeTruthy();
    expect(within(dialog).getByText('Filter "no-keys" blocked this request.')).toBeTruthy();
    answer = reply(400, {
      error: { message: 'patterns: invalid regular expression "(" ', code: 'invalid_request' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Try it' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'patterns: invalid regular expression',
    );
  });

  it('refuses a sample that is not JSON without asking the gateway', async () => {
    const { calls } = mockApi({});
    const { dialog } = open();
    fireEvent.change(within(dialog).getByLabelText('Sample request (JSON)'), { target: { value: '{ nope' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Try it' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('not valid JSON');
    expect(calls).toHaveLength(0);
  });

  it('saves a new filter with its name and fields', async () => {
    const { calls } = mockApi({ 'POST /filters': reply(201, { name: 'no-secrets' }) });
    const { dialog, onSaved, onClose } = open();
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'no-secrets' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create filter' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(onClose).toHaveBeenCalled();
    expect(calls[0]!.body).toEqual({ name: 'no-secrets', kind: 'redact', patterns: ['builtin:api-keys'] });
  });

  it('edits a saved filter with PUT under its name', async () => {
    const { calls } = mockApi({ 'PUT /filters/caps': { name: 'caps' } });
    open({ filter: { name: 'caps', kind: 'max-tokens', max: 256 } });
    fireEvent.change(screen.getByLabelText('Most tokens an answer may have'), { target: { value: '1024' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save filter' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]!.body).toEqual({ kind: 'max-tokens', max: 1024 });
  });
});
