// Key-shaped tokens that vendors echo back in error messages ("Incorrect API key provided: sk-ab***yz").
const KEY_SHAPED = /\b(?:sk|sbk|sk-ant|sk-proj|AIza)[-_A-Za-z0-9*.]{6,}/g;

/** Removes every known secret, and anything shaped like an API key, from text meant for a caller or a log. */
export function scrubSecrets(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(KEY_SHAPED, '[redacted]');
}
