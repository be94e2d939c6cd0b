import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersRule } from './eslint/gateway-layers.mjs';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'renderer/dist/', 'out/', 'bench/node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The gateway is plain Node: the desktop shell wraps it, never the other way round.
    files: ['gateway/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*'], message: 'gateway/ never imports Electron.' },
            {
              group: ['**/main/**', '**/renderer/**'],
              message: 'gateway/ never imports main/ or renderer/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Layers inside the gateway: nothing imports upward (eslint/gateway-layers.mjs has the table).
    files: ['gateway/**/*.ts'],
    plugins: { switchboard: { rules: { layers: layersRule } } },
    rules: { 'switchboard/layers': 'error' },
  },
  {
    // The dashboard talks to the gateway over HTTP only, so that the same build runs in a browser,
    // in the desktop window and under Playwright. Types may cross; code may not.
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/gateway/**', '**/gateway'],
              allowTypeImports: true,
              message: 'renderer/ may import only types from gateway/; use the admin API for the rest.',
            },
            {
              group: ['**/main/**', 'electron', 'electron/*'],
              message: 'renderer/ never imports main/ or Electron; the preload hands it window.switchboard.',
            },
            { group: ['node:*'], message: 'renderer/ runs in a browser: no Node built-ins.' },
          ],
        },
      ],
    },
  },
  {
    // The desktop shell reaches the gateway through its one public entry only.
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)gateway/(?!index\\.ts$)',
              message: 'main/ imports the gateway only through gateway/index.ts.',
            },
            { group: ['**/renderer/**'], message: 'main/ never imports renderer/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.mjs', 'bench/**/*.mjs', 'eslint/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
