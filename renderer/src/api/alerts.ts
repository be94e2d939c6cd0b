import { sendJson } from './client.ts';

/*
 * The alert webhook as the Settings page sees it: the parts of GET /admin/api/settings about it,
 * and the test it can send (gateway/admin/settings-routes.ts).
 */

/** The last delivery to the configured URL. */
export interface AlertDelivery {
  /** ISO 8601. */
  time: string;
  ok: boolean;
  /** Why it failed; null when it was delivered. */
  message: string | null;
}

export interface AlertSettings {
  alertWebhook: { url: string } | null;
  alertDelivery: AlertDelivery | null;
  managedByConfig: boolean;
}

export interface TestAlertResult {
  delivered: boolean;
  status: number | null;
  message: string | null;
}

/** Saves the webhook (null removes it) in the server section. */
export const saveAlertWebhook = (url: string | null) =>
  sendJson<AlertSettings>('PUT', '/settings', { alertWebhook: url === null ? null : { url } });

/** Posts a test alert to `url` (saved or not), once. */
export const sendTestAlert = (url: string) =>
  sendJson<TestAlertResult>('POST', '/settings/alert-webhook/test', { url });

/** Why a URL cannot be a webhook, or undefined when it can (the gateway checks it again). */
export function webhookUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Webhook URL: a whole URL, such as https://hooks.example.com/switchboard.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return 'Webhook URL: only http:// and https:// URLs can receive alerts.';
  return undefined;
}
