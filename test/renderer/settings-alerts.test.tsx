import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertDelivery } from '../../renderer/src/api/alerts.ts';
import { SettingsPage } from '../../renderer/src/pages/Settings.tsx';
import { mockApi, reply, type Call } from './api-mock.ts';

const SAVED = 'https://hooks.example.com/alerts?token=abc';

function settings(url: string | null, delivery: AlertDelivery | null = null, managedByConfig = false) {
  return {
    host: '127.0.0.1',
    port: 4141,
    dataDir: '/home/me/.switchboard',
    allowedHosts: [],
    corsOrigins: [],
    maxBodyMb: 32,
    alertWebhook: url === null ? null : { url },
    alertDelivery: delivery,
    managedByConfig,
    secrets: 'file-key',
    version: '1.0.0',
  };
}

/** The Settings page with these settings, the other cards' calls answered empty. */
function renderWith(handlers: Record<string, object | ((call: Call) => object)>) {
  const api = mockApi({ 'GET /prices': { data: [] }, ...handlers });
  render(<SettingsPage params={new URLSearchParams()} />);
  return api;
}

const card = () => screen.getByRole('region', { name: 'Alerts' });
const field = async () => {
  const input = within(card()).getByLabelText('Webhook URL') as HTMLInputElement;
  await waitFor(() => expect(input.disabled).toBe(false));
  return input;
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the alert webhook on the Settings page', () => {
  it('saves a URL through the settings, and removes it when emptied', async () => {
    let current: string | null = null;
    const api = renderWith({
      'GET /settings': () => settings(current),
      'PUT /settings': (call) => {
        const body = call.body as { alertWebhook: { url: string } | null };
        current = body.alertWebhook?.url ?? null;
        return settings(current);
      },
    });
    const input = await field();
    const save = within(card()).getByRole('button', { name: 'Save webhook' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.change(input, { target: { value: ` ${SAVED} ` } });
    fireEvent.click(save);
    await waitFor(() => expect(within(card()).getByRole('status').textContent).toContain('Saved'));
    expect(api.calls.find((call) => call.method === 'PUT')?.body).toEqual({ alertWebhook: { url: SAVED } });

    fireEvent.change(input, { target: { value: '' } });
    fireEvent.click(save);
    await waitFor(() => expect(current).toBeNull());
    expect(api.calls.filter((call) => call.method === 'PUT').at(-1)?.body).toEqual({ alertWebhook: null });
  });

  it('refuses a URL that is not http(s) before asking the gateway', async () => {
    const api = renderWith({ 'GET /settings': settings(null) });
    fireEvent.change(await field(), { target: { value: 'ftp://example.com/hook' } });
    fireEvent.click(within(card()).getByRole('button', { name: 'Save webhook' }));
    expect((await within(card()).findByRole('alert')).textContent).toContain(
      'only http:// and https:// URLs can receive alerts',
    );
    expect(api.calls.some((call) => call.method === 'PUT')).toBe(false);
  });

  it('sends a test alert to the URL typed, and says how it went', async () => {
    const api = renderWith({
      'GET /settings': settings(SAVED),
      'POST /settings/alert-webhook/test': (call) =>
        (call.body as { url: string }).url === SAVED
          ? { delivered: true, status: 204, message: null }
          : { delivered: false, status: null, message: 'could not be reached (ECONNREFUSED)' },
    });
    const input = await field();
    await waitFor(() => expect(input.value).toBe(SAVED));
    const test = within(card()).getByRole('button', { name: 'Send a test alert' });
    fireEvent.click(test);
    expect(
      (await within(card()).findByText('Test alert delivered')).closest('.notice')?.textContent,
    ).toContain('The receiver answered 204.');
    fireEvent.change(input, { target: { value: 'http://127.0.0.1:9/hook' } });
    fireEvent.click(test);
    const failed = await within(card()).findByRole('alert');
    expect(failed.textContent).toContain('Test alert not delivered');
    expect(failed.textContent).toContain('The webhook could not be reached (ECONNREFUSED).');
    expect(
      api.calls.filter((call) => call.path === '/settings/alert-webhook/test').map((call) => call.body),
    ).toEqual([{ url: SAVED }, { url: 'http://127.0.0.1:9/hook' }]);
  });

  it('says when the last delivery failed, and why', async () => {
    renderWith({
      'GET /settings': settings(SAVED, {
        time: '2025-01-01T12:00:00.000Z',
        ok: false,
        message: 'answered 500',
      }),
    });
    await field();
    expect(await within(card()).findByText('Last delivery failed: answered 500')).toBeTruthy();
  });

  it('cannot test with no URL, and says where to keep the webhook when a config file manages the server', async () => {
    renderWith({ 'GET /settings': settings(null, null, true) });
    await field();
    expect(
      (within(card()).getByRole('button', { name: 'Send a test alert' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    expect(card().textContent).toContain('set server.alertWebhook there');
  });

  it('shows the gateway’s refusal of a URL', async () => {
    renderWith({
      'GET /settings': settings(null),
      'PUT /settings': reply(400, {
        error: { message: 'alertWebhook.url: must be an http:// or https:// URL', code: 'invalid_request' },
      }),
    });
    fireEvent.change(await field(), { target: { value: 'https://hooks.example.com/x' } });
    fireEvent.click(within(card()).getByRole('button', { name: 'Save webhook' }));
    expect((await within(card()).findByRole('alert')).textContent).toContain('alertWebhook.url');
  });
});
