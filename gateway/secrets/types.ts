/**
 * How vendor keys are kept at rest. Headless mode seals them with a key file in the data
 * dir; the desktop app passes an implementation backed by the OS keychain (Electron
 * `safeStorage`). The store only ever sees sealed strings.
 */
export interface SecretBox {
  readonly kind: string;
  seal(plaintext: string): string;
  open(sealed: string): string;
}
