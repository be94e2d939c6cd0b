import type { SecretBox } from '../secrets/types.ts';
import type { Store } from '../store/index.ts';
import type { ServerConfig } from './schema.ts';

/*
 * The server section as the settings table keeps it. The alert webhook's URL can carry a token
 * (a chat's incoming webhook is one), so it is sealed like a vendor key, never stored as text.
 */

const SETTING = 'server';

type Stored = Omit<ServerConfig, 'alertWebhook'> & {
  /** Sealed; `url` only in settings written before it was (read, and sealed at the next save). */
  alertWebhook?: { sealedUrl: string } | { url: string };
};

/** The saved server section, its webhook opened; undefined when none was saved. */
export function loadServer(
  store: Pick<Store, 'settings'>,
  secrets: SecretBox,
  log: (message: string) => void,
): ServerConfig | undefined {
  const saved = store.settings.get<Stored>(SETTING);
  if (saved === undefined) return undefined;
  const { alertWebhook, ...rest } = saved;
  if (alertWebhook === undefined) return rest;
  if ('url' in alertWebhook) return { ...rest, alertWebhook };
  try {
    return { ...rest, alertWebhook: { url: secrets.open(alertWebhook.sealedUrl) } };
  } catch {
    // Sealed with a key this gateway no longer has: the webhook is gone, the rest stands.
    log('the saved alert webhook could not be opened (the data dir’s key changed); set it again in Settings');
    return rest;
  }
}

/** Saves the server section, its webhook URL sealed. */
export function saveServer(store: Pick<Store, 'settings'>, secrets: SecretBox, server: ServerConfig): void {
  const { alertWebhook, ...rest } = server;
  const stored: Stored =
    alertWebhook === undefined
      ? rest
      : { ...rest, alertWebhook: { sealedUrl: secrets.seal(alertWebhook.url) } };
  store.settings.set(SETTING, stored);
}
