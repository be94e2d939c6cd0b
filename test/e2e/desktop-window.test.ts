import { readFileSync, rmSync } from 'node:fs';
import type { Locator, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/config/load.ts';
import { openStore } from '../../gateway/store/index.ts';
import type { DesktopConfig } from '../../main/channels.ts';
import {
  hardenSession,
  hardenWebContents,
  windowOptions,
  type NavigationEvent,
  type SessionLike,
  type WebContentsLike,
} from '../../main/window.ts';
import { seriousViolations } from './axe.ts';
import { agentSession, syntheticTraffic } from './traffic.ts';
import {
  buildDashboard,
  clearFailures,
  freshDataDir,
  launchBrowser,
  screenshotPath,
  startStack,
  type Stack,
} from './support.ts';

/*
 * Issue 15, "works in the desktop window's renderer": the Electron binary cannot run here, so
 * Chromium is set up the way main/ sets up the window. No sign-in and no cookie; the preload's
 * `window.switchboard` bridge (the only two strings it exposes) is there before the page's first
 * script; the session and navigation rules of main/window.ts run on Playwright's routing; the
 * viewport is the window's size. Then every page is used for real, as someone at the window would.
 */

type HeadersListener = Parameters<SessionLike['webRequest']['onHeadersReceived']>[0];
type Guard = (event: NavigationEvent) => void;

/** Waits until the locator is visible (playwright-core has no web-first assertions). */
async function visible(locator: Locator, timeout = 8000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

/** Electron hands headers over as lists; Playwright's fulfil takes one string per name. */
function flatten(headers: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      // Set-Cookie lines cannot be joined with commas; Playwright splits them on newlines.
      Array.isArray(value) ? value.join(name.toLowerCase() === 'set-cookie' ? '\n' : ', ') : value,
    ]),
  );
}

describe('the dashboard as the desktop window runs it: bridge, no cookie, the window’s rules', () => {
  let dashboardDir: string;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let origin: string;
  const problems: string[] = [];
  /** What the window's rules stopped or sent to the user's browser; the dashboard should do neither. */
  const stopped: string[] = [];
  /** Admin API calls, with the credentials each carried. */
  const adminCalls: { url: string; authorization: string | undefined; cookie: string | undefined }[] = [];

  const open = async (label: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
    await visible(page.getByRole('heading', { level: 1, name: label }));
  };
  const shoot = (name: string) => page.screenshot({ path: screenshotPath(`desktop-${name}`) });
  const signedOut = () => page.getByRole('heading', { name: 'Signed out' }).count();

  /**
   * main/window.ts's hardenSession and hardenWebContents, given Playwright stand-ins for Electron's
   * session and webContents: its own header listener decides each gateway document's CSP, its own
   * guard decides which navigations go ahead, and a window a page opens is closed (always denied).
   */
  async function applyWindowRules(): Promise<void> {
    let onHeaders: HeadersListener | undefined;
    let willNavigate: Guard | undefined;
    const session: SessionLike = {
      setPermissionRequestHandler: () => {},
      setPermissionCheckHandler: () => {},
      webRequest: { onHeadersReceived: (listener) => void (onHeaders = listener) },
    };
    const contents: WebContentsLike = {
      on: (event: string, listener: Guard) => {
        // Playwright's route sees a navigation once, before any redirect: will-redirect has no counterpart.
        if (event === 'will-navigate') willNavigate = listener;
      },
      setWindowOpenHandler: () => {},
    };
    const policy = { origin: () => origin, openExternal: (url: string) => stopped.push(`external ${url}`) };
    hardenSession(session, policy);
    hardenWebContents(contents, policy);
    // The permission handlers allow the clipboard write (copy buttons) on our origin and nothing else.
    await browser.context.grantPermissions(['clipboard-write'], { origin });

    await page.route('**/*', async (route) => {
      const request = route.request();
      if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return route.fallback();
      let prevented = false;
      willNavigate!({ url: request.url(), preventDefault: () => (prevented = true) });
      if (prevented) {
        stopped.push(`navigation ${request.url()}`);
        // ERR_ABORTED cancels the navigation with no error page, as preventDefault does in Electron.
        return route.abort('aborted');
      }
      const response = await route.fetch();
      const headers: Record<string, string[]> = {};
      for (const { name, value } of response.headersArray()) (headers[name] ??= []).push(value);
      let decided: Record<string, string | string[]> = headers;
      onHeaders!({ url: request.url(), resourceType: 'mainFrame', responseHeaders: headers }, (answer) => {
        decided = answer.responseHeaders ?? headers;
      });
      await route.fulfill({ response, headers: flatten(decided) });
    });
    page.on('popup', (popup) => {
      stopped.push(`window ${popup.url()}`);
      void popup.close();
    });
  }

  beforeAll(async () => {
    clearFailures();
    dashboardDir = await buildDashboard();
    const dataDir = freshDataDir();
    const store = openStore(dataDir);
    const now = Date.now();
    store.requests.insertMany([...syntheticTraffic(now), ...agentSession(now)]);
    store.close();
    stack = await startStack(dashboardDir, {
      dataDir,
      config: parseConfig(
        {
          routes: [
            { id: 'openai', preset: 'openai', apiKey: 'sk-desktop-not-a-real-key-0000000' },
            { id: 'claude', preset: 'anthropic', apiKey: 'sk-ant-desktop-not-a-real-key-00' },
            { id: 'local', preset: 'ollama' },
          ],
          apps: [
            { name: 'cursor', key: 'sbk_desktop_cursor_0123456789abcdef' },
            { name: 'claude-code', key: 'sbk_desktop_claude_0123456789abcdef' },
            { name: 'nightly-agent', key: 'sbk_desktop_nightly_0123456789abcde' },
          ],
          filters: [{ name: 'no-secrets', kind: 'redact', patterns: ['builtin:api-keys'] }],
        },
        'desktop',
      ),
    });
    origin = new URL(stack.gateway.url).origin;
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(8000);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    const { width, height } = windowOptions('preload.cjs', false);
    await page.setViewportSize({ width: width!, height: height! });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on('request', (request: Request) => {
      if (!request.url().startsWith(`${origin}/admin/api/`)) return;
      const headers = request.headers();
      adminCalls.push({
        url: request.url(),
        authorization: headers['authorization'],
        cookie: headers['cookie'],
      });
    });
    await applyWindowRules();
    // The preload's contextBridge.exposeInMainWorld: a frozen copy of the two strings, not writable.
    const bridge: DesktopConfig = { baseUrl: stack.gateway.url, adminToken: stack.gateway.adminToken };
    await page.addInitScript((config) => {
      Object.defineProperty(window, 'switchboard', { value: Object.freeze({ ...config }), enumerable: true });
    }, bridge);
  });

  // A failed step leaves a picture of what the page showed, and no dialog in the way of the next test.
  afterEach(async (test) => {
    if (test.task.result?.state !== 'fail' || !page) return;
    await page.screenshot({
      path: screenshotPath(`failed-desktop-${test.task.name.slice(0, 40).replace(/\W+/g, '-')}`),
    });
    while ((await page.locator('.dialog').count()) > 0) await page.keyboard.press('Escape');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('loads /ui/ without a session and shows the overview, under the gateway’s own CSP', async () => {
    const response = await page.goto(`${stack.gateway.url}/ui/`);
    expect(response?.ok()).toBe(true);
    // The gateway's document brings its policy, so the window adds none of its own.
    const policy = (await response!.allHeaders())['content-security-policy'] ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    await visible(page.getByRole('heading', { level: 1, name: 'Overview' }));
    await visible(page.locator('.recharts-bar-rectangle path, .recharts-rectangle'));
    expect(await page.getByRole('heading', { name: 'Get started in three steps' }).count()).toBe(0);
    expect(await signedOut()).toBe(0);
    await page.waitForLoadState('networkidle');
    await shoot('overview');
    expect(await seriousViolations(page)).toEqual([]);
  });

  // Each page: its heading, then something only the seeded data or config can have put there.
  const PAGES: { label: string; id: string; shows: (page: Page) => Locator }[] = [
    {
      label: 'Routes',
      id: 'routes',
      shows: (page) => page.getByRole('row', { name: /claude/ }),
    },
    {
      label: 'Apps & keys',
      id: 'apps',
      shows: (page) => page.getByRole('heading', { name: 'nightly-agent' }),
    },
    {
      label: 'Filters',
      id: 'filters',
      shows: (page) => page.getByRole('row', { name: /no-secrets/ }),
    },
    {
      label: 'Spend & usage',
      id: 'usage',
      shows: (page) => page.locator('.recharts-bar-rectangle path, .recharts-rectangle'),
    },
    {
      label: 'Latency & models',
      id: 'latency',
      shows: (page) => page.getByRole('row', { name: /claude-sonnet-4-5/ }),
    },
    {
      label: 'Requests',
      id: 'requests',
      shows: (page) => page.getByRole('row', { name: /cursor|claude-code|nightly-agent/ }),
    },
    {
      label: 'Sessions',
      id: 'sessions',
      shows: (page) => page.getByRole('link', { name: 'Claude Code, session agent-session-1' }),
    },
    {
      label: 'Settings',
      id: 'settings',
      shows: (page) => page.getByText(stack.dataDir),
    },
  ];

  for (const { label, id, shows } of PAGES) {
    it(`shows ${label} with its data, and axe finds nothing serious`, async () => {
      await open(label);
      await visible(shows(page));
      expect(await signedOut()).toBe(0);
      await page.waitForLoadState('networkidle');
      await shoot(id);
      expect(await seriousViolations(page)).toEqual([]);
    });
  }

  it('sends a Playground prompt through the bridge and shows its answer', async () => {
    // These routes name real vendors, which no test calls: the gateway's model list and the prompt's
    // answer are given here, in the window; the calls themselves still go out as the window makes them.
    await page.route('**/admin/api/routes/*/models?allowed=true', (route) =>
      route.fulfill({ json: { data: ['gpt-4.1-mini'] } }),
    );
    await page.route('**/admin/api/playground', (route) =>
      route.fulfill({
        json: {
          format: 'openai-chat',
          status: 200,
          response: JSON.stringify({
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: 'Answered in the window.' } }],
          }),
          cut: false,
          request: null,
        },
      }),
    );
    await open('Playground');
    await visible(page.getByRole('heading', { name: 'Send a prompt' }));
    await expect.poll(() => page.getByLabel('Model').inputValue()).toBe('gpt-4.1-mini');
    await page.getByLabel('Message').fill('Hello from the desktop window.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await visible(page.getByText('Answered in the window.'));
    expect(await signedOut()).toBe(0);
    await shoot('playground');
    expect(await seriousViolations(page)).toEqual([]);
    const sent = adminCalls.filter((call) => call.url.endsWith('/admin/api/playground'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.authorization).toBe(`Bearer ${stack.gateway.adminToken}`);
  });

  it('creates an app key (a write) and shows the key dialog, whose copy button may use the clipboard', async () => {
    await open('Apps & keys');
    await page.getByRole('button', { name: 'Create an app key' }).click();
    const form = await visible(page.getByRole('dialog', { name: 'Create an app key' }));
    await form.getByLabel('Name', { exact: true }).fill('desktop-app');
    await form.getByRole('button', { name: 'Create app and key' }).click();
    const dialog = await visible(page.getByRole('dialog', { name: 'Key for “desktop-app”' }));
    const key = ((await dialog.getByLabel('The new app key', { exact: true }).textContent()) ?? '').trim();
    expect(key).toMatch(/^sbk_[0-9A-Za-z]{32}$/);
    await dialog.getByRole('button', { name: 'Copy key' }).click();
    await visible(dialog.getByText('Copied', { exact: true }));
    const snippet = (await dialog.getByRole('tabpanel').textContent()) ?? '';
    expect(snippet).toContain(stack.gateway.url);
    await shoot('app-key-dialog');
    expect(await seriousViolations(page, '.dialog')).toEqual([]);
    await dialog.getByRole('button', { name: 'I’ve copied the key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await visible(page.getByRole('heading', { name: 'desktop-app' }));
  });

  it('downloads the usage CSV and the request log through the bridge', async () => {
    await open('Spend & usage');
    const [usage] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const usageCsv = readFileSync((await usage.path())!, 'utf8');
    expect(usageCsv.split('\n')[0]).toContain('costUsd');
    expect(usageCsv).toContain('claude-sonnet-4-5');

    await open('Requests');
    const [log] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const logCsv = readFileSync((await log.path())!, 'utf8');
    expect(logCsv).toContain('req_agent_session_2');

    await open('Settings');
    const [config] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export YAML' }).click(),
    ]);
    const yaml = readFileSync((await config.path())!, 'utf8');
    expect(yaml).toContain('id: claude');
    expect(yaml).not.toContain('sk-ant-desktop-not-a-real-key-00');
  });

  it('opens the request details drawer from the log', async () => {
    await open('Requests');
    const row = await visible(page.getByRole('row', { name: /claude-code/ }));
    await row.getByRole('button').first().click();
    const drawer = await visible(page.getByRole('dialog', { name: 'Request' }));
    const text = (await drawer.textContent()) ?? '';
    expect(text).toContain('req_agent_session_2');
    expect(text).toContain('Model used');
    await shoot('request-details');
    expect(await seriousViolations(page, '.dialog')).toEqual([]);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  it('never used a cookie, sent the admin token on every call, and broke none of the window’s rules', async () => {
    expect(await browser.context.cookies()).toEqual([]);
    expect(adminCalls.length).toBeGreaterThan(10);
    const unauthorised = adminCalls.filter(
      (call) => call.authorization !== `Bearer ${stack.gateway.adminToken}` || call.cookie !== undefined,
    );
    expect(unauthorised).toEqual([]);
    expect(stopped).toEqual([]);
    expect(problems).toEqual([]);
  });

  // Last, since it leaves entries in `stopped`: the rules above were in force, not just installed.
  it('keeps the window on the dashboard: a navigation away goes to the user’s browser instead', async () => {
    await page.evaluate(() => window.location.assign('https://example.com/docs'));
    await expect
      .poll(() => stopped)
      .toEqual(['external https://example.com/docs', 'navigation https://example.com/docs']);
    expect(new URL(page.url()).pathname).toBe('/ui/');
    expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);
  });
});
