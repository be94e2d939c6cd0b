/**
 * An Anthropic message id from the hub's: `msg_` and the hub id in Anthropic's id alphabet, so the
 * request log and the vendor's own id still match up. A hub answer without an id gets a fresh one.
 */
export function messageId(hubId: unknown): string {
  if (typeof hubId !== 'string' || hubId === '') return `msg_${crypto.randomUUID().replace(/-/g, '')}`;
  const safe = hubId.replace(/[^A-Za-z0-9_-]/g, '_');
  return safe.startsWith('msg_') ? safe : `msg_${safe}`;
}
