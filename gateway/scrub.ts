// Key-shaped tokens that vendors echo back in error messages ("Incorrect API key provided: sk-ab***yz").
// A key prefix always ends in - or _ (sk-, sk-proj-, sbk_), so words like "skip_special_tokens" are left alone.
const KEY_SHAPED = /\b(?:sk-|sk_|sbk_|AIza)[A-Za-z0-9*_-]{6,}/g;

/** Removes every known secret, and anything shaped like an API key, from text meant for a caller or a log. */
export function scrubSecrets(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(KEY_SHAPED, '[redacted]');
}
