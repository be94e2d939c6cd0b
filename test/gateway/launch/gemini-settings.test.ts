import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { geminiSettingsPaths, selectedGeminiAuthType } from '../../../gateway/launch/gemini-settings.ts';

const API_KEY = JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } });
const OAUTH = JSON.stringify({ security: { auth: { selectedType: 'oauth-personal' } } });

describe('selectedGeminiAuthType', () => {
  it('takes the last file that selects one: user, then workspace, then system', () => {
    expect(selectedGeminiAuthType([API_KEY, undefined, undefined])).toBe('gemini-api-key');
    expect(selectedGeminiAuthType([API_KEY, OAUTH, undefined])).toBe('oauth-personal');
    expect(selectedGeminiAuthType([OAUTH, '{"ui":{}}', API_KEY])).toBe('gemini-api-key');
  });

  it('is null when none selects one, and undefined when a file cannot be read as JSON', () => {
    expect(selectedGeminiAuthType([undefined, undefined, undefined])).toBeNull();
    expect(selectedGeminiAuthType(['{}', 'null', undefined])).toBeNull();
    expect(selectedGeminiAuthType([`// mine\n${API_KEY}`, undefined, undefined])).toBeUndefined();
  });
});

describe('geminiSettingsPaths', () => {
  it("follows Gemini CLI's GEMINI_CLI_HOME and GEMINI_CLI_SYSTEM_SETTINGS_PATH", () => {
    expect(geminiSettingsPaths({ GEMINI_CLI_HOME: '/h' }, '/w', 'linux')).toEqual([
      join('/h', '.gemini', 'settings.json'),
      join('/w', '.gemini', 'settings.json'),
      join('/etc/gemini-cli', 'settings.json'),
    ]);
    expect(
      geminiSettingsPaths({ GEMINI_CLI_HOME: '/h', GEMINI_CLI_SYSTEM_SETTINGS_PATH: '/s.json' }, '/w')[2],
    ).toBe('/s.json');
  });
});
