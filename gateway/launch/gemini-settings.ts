import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Gemini CLI's settings files that can select its auth type, lowest precedence first: the user's,
 * the workspace's, the system's (paths as Gemini CLI 0.61 computes them).
 */
export function geminiSettingsPaths(
  environment: NodeJS.ProcessEnv,
  cwd: string,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const home = environment['GEMINI_CLI_HOME'] || homedir();
  const systemDir =
    platform === 'darwin'
      ? '/Library/Application Support/GeminiCli'
      : platform === 'win32'
        ? 'C:\\ProgramData\\gemini-cli'
        : '/etc/gemini-cli';
  return [
    join(home, '.gemini', 'settings.json'),
    join(cwd, '.gemini', 'settings.json'),
    environment['GEMINI_CLI_SYSTEM_SETTINGS_PATH'] || join(systemDir, 'settings.json'),
  ];
}

/**
 * The auth type those files select, given their texts in the same order (undefined: no such file):
 * a string, null when none selects one, or undefined when a file cannot be read as JSON (Gemini CLI
 * allows comments), so that nobody is told something that may not be true.
 */
export function selectedGeminiAuthType(texts: ReadonlyArray<string | undefined>): string | null | undefined {
  let selected: string | null = null;
  for (const text of texts) {
    if (text === undefined) continue;
    let settings: unknown;
    try {
      settings = JSON.parse(text);
    } catch {
      return undefined;
    }
    const value = (settings as { security?: { auth?: { selectedType?: unknown } } } | null)?.security?.auth
      ?.selectedType;
    if (typeof value === 'string') selected = value;
  }
  return selected;
}
