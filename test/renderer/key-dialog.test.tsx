import { execFileSync } from 'node:child_process';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppsPage } from '../../renderer/src/pages/Apps.tsx';
import { KeyDialog } from '../../renderer/src/pages/KeyDialog.tsx';
import { buildSnippets } from '../../renderer/src/lib/snippets.ts';
import { codexConfigToml, tomlString } from '../../gateway/launch/codex.ts';
import { launchPlan, openaiBaseUrl } from '../../gateway/launch/tools.ts';
import { mockApi, reply } from './api-mock.ts';
import { KEY, app, route } from './fixtures.ts';

const ORIGIN = window.location.origin;
let writeText: ReturnType<typeof vi.fn>;

beforeEach(() => {
  writeText = vi.fn(async () => {});
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the key dialog', () => {
  const routes = [
    route(),
    route({ id: 'claude', vendor: 'anthropic', baseUrl: 'https://api.anthropic.com', models: [] }),
  ];

  it('shows the key with a copy button that copies exactly the key', async () => {
    render(<KeyDialog app="cursor" appKey={KEY} routes={routes} onClose={() => {}} />);
    const dialog = screen.getByRole('dialog', { name: 'Key for “cursor”' });
    expect(within(dialog).getByLabelText('The new app key').textContent).toBe(KEY);
    expect(dialog.textContent).toContain('cannot show it again');
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Copy key' })));
    expect(writeText).toHaveBeenCalledWith(KEY);
    expect(within(dialog).getByRole('button', { name: /Copied/ })).toBeTruthy();
  });

  it('offers ready-to-paste set-up for every tool, with the key and URL filled in', () => {
    render(<KeyDialog app="cursor" appKey={KEY} routes={routes} onClose={() => {}} />);
    const tabs = screen.getAllByRole('tab').map((tab) => tab.textContent);
    expect(tabs).toEqual([
      'Python',
      'Node',
      'curl',
      'Environment',
      'Cursor',
      'Continue',
      'Claude Code',
      'Gemini CLI',
      'Codex',
    ]);
    const panel = () => screen.getByRole('tabpanel').textContent ?? '';
    expect(panel()).toContain(`base_url="${ORIGIN}/openai/openai/v1"`);
    expect(panel()).toContain(`api_key="${KEY}"`);
    expect(panel()).toContain('model="gpt-4.1-mini"');
    fireEvent.click(screen.getByRole('tab', { name: 'Node' }));
    expect(panel()).toContain(`baseURL: "${ORIGIN}/openai/openai/v1"`);
    fireEvent.click(screen.getByRole('tab', { name: 'curl' }));
    expect(panel()).toContain(`curl ${ORIGIN}/openai/openai/v1/chat/completions`);
    expect(panel()).toContain(`'Authorization: Bearer ${KEY}'`);
    fireEvent.click(screen.getByRole('tab', { name: 'Environment' }));
    expect(panel()).toContain(`export OPENAI_BASE_URL='${ORIGIN}/openai/openai/v1'`);
    expect(panel()).toContain(`export OPENAI_API_KEY='${KEY}'`);
    fireEvent.click(screen.getByRole('tab', { name: 'Claude Code' }));
    expect(panel()).toContain(`export ANTHROPIC_BASE_URL='${ORIGIN}/anthropic/openai'`);
    expect(panel()).toContain(`export ANTHROPIC_API_KEY='${KEY}'`);
    expect(panel()).toContain("claude --model 'gpt-4.1-mini'");
    expect(panel()).toContain(`# export ANTHROPIC_BASE_URL='${ORIGIN}'`);
    expect(panel()).toContain(`# SWITCHBOARD_APP_KEY='${KEY}' npx switchboard run claude --route openai`);
    fireEvent.click(screen.getByRole('tab', { name: 'Gemini CLI' }));
    expect(panel()).toContain('"selectedType": "gemini-api-key"');
    expect(panel()).toContain(`export GOOGLE_GEMINI_BASE_URL='${ORIGIN}/gemini/openai'`);
    expect(panel()).toContain(`export GEMINI_API_KEY='${KEY}'`);
    expect(panel()).toContain(`npx switchboard run gemini --route openai`);
    fireEvent.click(screen.getByRole('tab', { name: 'Codex' }));
    expect(panel()).toContain(`base_url = "${ORIGIN}/openai/openai/v1"`);
    expect(panel()).toContain('wire_api = "responses"');
    expect(panel()).toContain('env_key = "SWITCHBOARD_APP_KEY"');
    expect(panel()).toContain(`# export SWITCHBOARD_APP_KEY='${KEY}'`);
    expect(panel()).toContain(
      `# SWITCHBOARD_APP_KEY='${KEY}' npx switchboard run codex --route openai -- --model 'gpt-4.1-mini'`,
    );
    // Another route changes every snippet.
    fireEvent.change(screen.getByLabelText('Route'), { target: { value: 'claude' } });
    expect(panel()).toContain(`base_url = "${ORIGIN}/openai/claude/v1"`);
    expect(panel()).toContain('model = "claude-sonnet-4-5"');
    // Claude Code asks for Claude models itself on an Anthropic route.
    fireEvent.click(screen.getByRole('tab', { name: 'Claude Code' }));
    expect(panel()).toContain(`export ANTHROPIC_BASE_URL='${ORIGIN}/anthropic/claude'`);
    expect(panel()).toMatch(/\nclaude\n/);
    expect(panel()).toContain("# claude --model 'claude/claude-sonnet-4-5'");
  });

  it('moves between tabs with the arrow keys', () => {
    render(<KeyDialog app="cursor" appKey={KEY} routes={routes} onClose={() => {}} />);
    const python = screen.getByRole('tab', { name: 'Python' });
    python.focus();
    fireEvent.keyDown(python, { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'Node' }).getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Node' }));
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(screen.getByRole('tab', { name: 'Codex' }).getAttribute('aria-selected')).toBe('true');
  });

  it('without a route, points Claude Code at the root and says what Gemini CLI needs', () => {
    const snippets = buildSnippets({ origin: ORIGIN, key: KEY, route: undefined });
    const claude = snippets.find((snippet) => snippet.id === 'claude-code')!;
    expect(claude.code).toContain(`export ANTHROPIC_BASE_URL='${ORIGIN}'\n`);
    expect(claude.code).toContain("claude --model 'route-id/model'");
    expect(claude.code).toContain(`# SWITCHBOARD_APP_KEY='${KEY}' npx switchboard run claude\n`);
    const gemini = snippets.find((snippet) => snippet.id === 'gemini-cli')!;
    expect(gemini.code).toBeNull();
    expect(gemini.missing).toContain('add a route first');
  });

  it('sets exactly what `switchboard env` sets, as a shell reads it', () => {
    const anthropic = route({ id: 'claude', vendor: 'anthropic', models: [] });
    const hostileKey = `sbk_it's_$(id)`;
    const cases = [
      { id: 'claude-code', tool: 'claude', route: undefined },
      { id: 'claude-code', tool: 'claude', route: anthropic },
      { id: 'gemini-cli', tool: 'gemini', route: route() },
      { id: 'env', tool: 'openai', route: route() },
      { id: 'env', tool: 'openai', route: undefined },
    ] as const;
    for (const { id, tool, route: target } of cases) {
      const code = buildSnippets({ origin: ORIGIN, key: hostileKey, route: target }).find(
        (snippet) => snippet.id === id,
      )!.code!;
      const plan = launchPlan(tool, { origin: ORIGIN, key: hostileKey, routeId: target?.id });
      // The snippet's own lines, without the command that starts the tool; then every variable the CLI sets or unsets.
      const names = [...plan.set.map(([name]) => name), ...plan.unset];
      const script = `ANTHROPIC_AUTH_TOKEN=mine; export ANTHROPIC_AUTH_TOKEN
${code
  .split('\n')
  .filter((line) => /^(export|unset) /.test(line))
  .join('\n')}
for name in ${names.join(' ')}; do printenv "$name" || echo "<unset>"; done`;
      const expected = [...plan.set.map(([, value]) => value), ...plan.unset.map(() => '<unset>')];
      expect(execFileSync('sh', ['-c', script], { encoding: 'utf8' }), `${id} ${target?.id}`).toBe(
        `${expected.join('\n')}\n`,
      );
    }
  });

  it('gives Codex the provider `switchboard env codex` prints, the key outside it, quoted for TOML', () => {
    for (const target of [routes[0], undefined]) {
      const code = buildSnippets({ origin: ORIGIN, key: KEY, route: target }).find(
        (snippet) => snippet.id === 'codex',
      )!.code!;
      const provider = code.slice(code.indexOf('model_provider ='), code.indexOf('\n\n# in your shell'));
      expect(`${provider}\n`).toBe(codexConfigToml(openaiBaseUrl(ORIGIN, target?.id)));
      // The key appears only in the shell's comment lines.
      expect(code.split('\n').filter((line) => line.includes(KEY) && !line.startsWith('# '))).toEqual([]);
    }
    const hostile = buildSnippets({
      origin: 'http://x"\u007f\n[evil]',
      key: KEY,
      route: { ...routes[0]!, defaultModel: 'm"\\' },
    }).find((snippet) => snippet.id === 'codex')!.code!;
    expect(hostile).toContain(`model = ${tomlString('m"\\')}\n`);
    expect(hostile).toContain(`base_url = ${tomlString('http://x"\u007f\n[evil]/openai/openai/v1')}\n`);
    expect(hostile.split('\n').filter((line) => line.startsWith('['))).toEqual([
      '[model_providers.switchboard]',
    ]);
  });

  it('traps Tab inside, and asks before Escape closes it with the key uncopied', () => {
    const onClose = vi.fn();
    render(
      <>
        <button type="button">outside</button>
        <KeyDialog app="cursor" appKey={KEY} routes={routes} onClose={onClose} />
      </>,
    );
    const dialog = screen.getByRole('dialog');
    expect(dialog.contains(document.activeElement)).toBe(true);
    const done = within(dialog).getByRole('button', { name: 'I’ve copied the key' });
    done.focus();
    fireEvent.keyDown(done, { key: 'Tab' });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Close' }));
    fireEvent.keyDown(document.activeElement!, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(done);
    fireEvent.keyDown(document.body, { key: 'Escape' });
    // Closing loses the key for good: Escape asks first (key-dialog-confirm.test.tsx has the rest).
    const ask = screen.getByRole('alertdialog', { name: 'Close without copying the key?' });
    fireEvent.click(within(ask).getByRole('button', { name: 'Close without the key' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});

describe('creating an app on the Apps & keys page', () => {
  it('shows the new key once, and never again after the dialog closes', async () => {
    let apps = [app()];
    const { calls } = mockApi({
      'GET /apps': () => ({ data: apps }),
      'GET /routes': { data: [route()] },
      'GET /filters': { data: [], builtinPatternSets: [] },
      'GET /budgets': { data: [] },
      'POST /apps': () => {
        apps = [
          ...apps,
          app({
            name: 'agent',
            keys: [{ id: 2, prefix: 'sbk_0123…', createdAt: '2025-01-02T00:00:00.000Z', revokedAt: null }],
          }),
        ];
        return { ...apps[1]!, key: KEY };
      },
    });
    render(<AppsPage params={new URLSearchParams()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Create an app key' }));
    const form = screen.getByRole('dialog', { name: 'Create an app key' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'agent' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create app and key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Key for “agent”' });
    expect(within(dialog).getByLabelText('The new app key').textContent).toBe(KEY);
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({ name: 'agent', filters: [] });
    fireEvent.click(within(dialog).getByRole('button', { name: 'I’ve copied the key' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.body.textContent).not.toContain(KEY);
    expect(await screen.findByText('sbk_0123…')).toBeTruthy();
  });

  it('asks before revoking a key, says what stops working, and revokes it', async () => {
    const { calls } = mockApi({
      'GET /apps': { data: [app()] },
      'GET /routes': { data: [route()] },
      'GET /filters': { data: [], builtinPatternSets: [] },
      'GET /budgets': { data: [] },
      'DELETE /apps/cursor/keys/1': reply(204),
    });
    render(<AppsPage params={new URLSearchParams()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke key sbk_AbCd…' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Revoke key sbk_AbCd…?' });
    expect(confirm.textContent).toContain('401 invalid_api_key');
    expect(confirm.textContent).toContain('only key');
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
    fireEvent.click(within(confirm).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() =>
      expect(calls.some((call) => call.method === 'DELETE' && call.path === '/apps/cursor/keys/1')).toBe(
        true,
      ),
    );
  });
});
