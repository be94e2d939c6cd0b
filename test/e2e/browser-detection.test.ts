import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testConfig } from '../../vitest.config.ts';
import {
  findBrowser,
  isCi,
  missingBrowserMessage,
  planBrowserTests,
  playwrightCacheDirectory,
  type BrowserSearch,
  type BrowserSearchSystem,
} from './browser.ts';

/** A machine made of a list of executable files; the directories are derived from them. */
function machine(
  executables: string[],
  options: { env?: Record<string, string | undefined>; platform?: NodeJS.Platform; homeDir?: string } = {},
): BrowserSearchSystem & { looked: string[] } {
  const platform = options.platform ?? 'linux';
  const separator = platform === 'win32' ? '\\' : '/';
  const looked: string[] = [];
  return {
    env: options.env ?? { PATH: '/usr/local/bin:/bin' },
    platform,
    homeDir: options.homeDir ?? '/home/dev',
    looked,
    isExecutable: (path) => {
      looked.push(path);
      return executables.includes(path);
    },
    listDirectory: (path) => {
      const prefix = path + separator;
      const names = executables
        .filter((file) => file.startsWith(prefix))
        .map((file) => file.slice(prefix.length).split(separator)[0] ?? '');
      return [...new Set(names)];
    },
  };
}

const found = (search: BrowserSearch) => (search.found ? search.executable : undefined);

describe('findBrowser', () => {
  it('finds nothing on a machine without a browser, and says where it looked', () => {
    const search = findBrowser(machine(['/usr/bin/node']));
    expect(search).toMatchObject({ found: false });
    const message = missingBrowserMessage(search as Extract<BrowserSearch, { found: false }>);
    expect(message).toContain('PATH (chromium, chromium-browser, google-chrome, google-chrome-stable)');
    expect(message).toContain('/usr/bin/chromium');
    expect(message).toContain('/home/dev/.cache/ms-playwright');
    expect(message).toContain('npx playwright install chromium');
  });

  it('uses CHROMIUM_PATH before anything else', () => {
    const system = machine(['/opt/my/chrome', '/usr/bin/chromium'], {
      env: { CHROMIUM_PATH: '/opt/my/chrome', PATH: '/usr/bin' },
    });
    expect(findBrowser(system)).toEqual({
      found: true,
      executable: '/opt/my/chrome',
      source: 'CHROMIUM_PATH',
    });
  });

  it('does not fall through to another browser when CHROMIUM_PATH names a missing file', () => {
    const search = findBrowser(
      machine(['/usr/bin/chromium'], { env: { CHROMIUM_PATH: '/opt/typo/chrome', PATH: '/usr/bin' } }),
    );
    expect(search).toMatchObject({ found: false, problem: expect.stringContaining('/opt/typo/chrome') });
  });

  it('ignores an empty CHROMIUM_PATH', () => {
    const system = machine(['/usr/bin/chromium'], { env: { CHROMIUM_PATH: '', PATH: '/usr/bin' } });
    expect(found(findBrowser(system))).toBe('/usr/bin/chromium');
  });

  it.each(['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'])(
    'finds %s on PATH',
    (name) => {
      const system = machine([`/home/dev/bin/${name}`], { env: { PATH: '/usr/local/bin::/home/dev/bin' } });
      expect(findBrowser(system)).toEqual({
        found: true,
        executable: `/home/dev/bin/${name}`,
        source: 'PATH',
      });
    },
  );

  it('takes the first PATH entry that has one', () => {
    const system = machine(['/b/chromium', '/a/google-chrome'], { env: { PATH: '/a:/b' } });
    expect(found(findBrowser(system))).toBe('/a/google-chrome');
  });

  it('never looks in the current directory for an empty PATH entry', () => {
    const system = machine(['chromium'], { env: { PATH: ':/bin:' } });
    expect(findBrowser(system).found).toBe(false);
    expect(system.looked.filter((path) => !path.startsWith('/'))).toEqual([]);
  });

  it('finds /usr/bin/chromium even when /usr/bin is not on PATH', () => {
    const system = machine(['/usr/bin/chromium'], { env: { PATH: '/somewhere/else' } });
    expect(findBrowser(system)).toEqual({
      found: true,
      executable: '/usr/bin/chromium',
      source: '/usr/bin/chromium',
    });
  });

  it("finds the newest Chromium in Playwright's cache on Linux, in either folder layout", () => {
    const cache = '/home/dev/.cache/ms-playwright';
    const system = machine([
      `${cache}/chromium-999/chrome-linux/chrome`,
      `${cache}/chromium-1200/chrome-linux64/chrome`,
      `${cache}/chromium_headless_shell-1300/chrome-headless-shell-linux64/chrome-headless-shell`,
      `${cache}/ffmpeg-1011/ffmpeg-linux`,
    ]);
    expect(findBrowser(system)).toEqual({
      found: true,
      executable: `${cache}/chromium-1200/chrome-linux64/chrome`,
      source: "Playwright's cache",
    });
    // Ordered by revision as a number, not as text ("999" > "1200").
    const old = machine([
      `${cache}/chromium-999/chrome-linux/chrome`,
      `${cache}/chromium-1000/chrome-linux/chrome`,
    ]);
    expect(found(findBrowser(old))).toBe(`${cache}/chromium-1000/chrome-linux/chrome`);
  });

  it('follows XDG_CACHE_HOME and PLAYWRIGHT_BROWSERS_PATH as Playwright does', () => {
    const xdg = machine(['/xdg/ms-playwright/chromium-1200/chrome-linux64/chrome'], {
      env: { PATH: '/bin', XDG_CACHE_HOME: '/xdg' },
    });
    expect(found(findBrowser(xdg))).toBe('/xdg/ms-playwright/chromium-1200/chrome-linux64/chrome');
    const custom = machine(['/pw/chromium-1200/chrome-linux64/chrome'], {
      env: { PATH: '/bin', PLAYWRIGHT_BROWSERS_PATH: '/pw' },
    });
    expect(found(findBrowser(custom))).toBe('/pw/chromium-1200/chrome-linux64/chrome');
  });

  it("finds Playwright's Chromium on macOS, and the Chromium cask in /Applications", () => {
    const executable =
      '/Users/dev/Library/Caches/ms-playwright/chromium-1200/chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing';
    const mac = machine([executable], {
      platform: 'darwin',
      homeDir: '/Users/dev',
      env: { PATH: '/usr/bin' },
    });
    expect(found(findBrowser(mac))).toBe(executable);
    const cask = machine(['/Applications/Chromium.app/Contents/MacOS/Chromium'], {
      platform: 'darwin',
      homeDir: '/Users/dev',
      env: { PATH: '/usr/bin:/opt/homebrew/bin' },
    });
    expect(found(findBrowser(cask))).toBe('/Applications/Chromium.app/Contents/MacOS/Chromium');
  });

  it("finds Playwright's Chromium on Windows under LOCALAPPDATA, and chrome.exe on PATH", () => {
    const executable =
      'C:\\Users\\dev\\AppData\\Local\\ms-playwright\\chromium-1200\\chrome-win64\\chrome.exe';
    const windows = machine([executable], {
      platform: 'win32',
      homeDir: 'C:\\Users\\dev',
      env: { Path: 'C:\\Windows', LOCALAPPDATA: 'C:\\Users\\dev\\AppData\\Local' },
    });
    expect(found(findBrowser(windows))).toBe(executable);
    const onPath = machine(['C:\\Chrome\\chrome.exe'], {
      platform: 'win32',
      homeDir: 'C:\\Users\\dev',
      env: { PATH: 'C:\\Windows;C:\\Chrome' },
    });
    expect(found(findBrowser(onPath))).toBe('C:\\Chrome\\chrome.exe');
  });

  it('finds nothing when SWITCHBOARD_NO_BROWSER=1, to try the skipped path on a machine that has one', () => {
    const system = machine(['/usr/bin/chromium'], { env: { PATH: '/usr/bin', SWITCHBOARD_NO_BROWSER: '1' } });
    expect(findBrowser(system).found).toBe(false);
  });

  it("has a default cache folder per platform, as Playwright's own", () => {
    expect(playwrightCacheDirectory(machine([], { env: {} }))).toBe('/home/dev/.cache/ms-playwright');
    expect(
      playwrightCacheDirectory(machine([], { env: {}, platform: 'darwin', homeDir: '/Users/dev' })),
    ).toBe('/Users/dev/Library/Caches/ms-playwright');
    expect(
      playwrightCacheDirectory(machine([], { env: {}, platform: 'win32', homeDir: 'C:\\Users\\dev' })),
    ).toBe('C:\\Users\\dev\\AppData\\Local\\ms-playwright');
  });
});

describe('planBrowserTests', () => {
  const none = findBrowser(machine([]));

  it('runs the browser tests with the browser found', () => {
    const search = findBrowser(machine(['/usr/bin/chromium']));
    expect(planBrowserTests(search, { CI: 'true' })).toEqual({
      kind: 'run',
      executable: '/usr/bin/chromium',
    });
    expect(planBrowserTests(search, {})).toEqual({ kind: 'run', executable: '/usr/bin/chromium' });
  });

  it('skips them on a developer machine with one line that says how to enable them', () => {
    const plan = planBrowserTests(none, {});
    expect(plan.kind).toBe('skip');
    const notice = plan.kind === 'skip' ? plan.notice : '';
    expect(notice).not.toContain('\n');
    expect(notice).toMatch(/^Browser tests \(test\/e2e\) skipped/);
    expect(notice).toContain('npx playwright install chromium');
    expect(notice).toContain('apt-get install chromium');
    expect(notice).toContain('brew install --cask chromium');
  });

  it('fails them where CI is set', () => {
    for (const CI of ['true', '1', 'yes']) {
      const plan = planBrowserTests(none, { CI });
      expect(plan.kind).toBe('fail');
      expect(plan.kind === 'fail' && plan.message).toMatch(/No Chromium found .*CI is set/);
    }
  });

  it('treats an empty, "false" or "0" CI as not CI', () => {
    for (const CI of ['', 'false', '0', undefined]) expect(isCi({ CI })).toBe(false);
    for (const CI of ['', 'false', '0']) expect(planBrowserTests(none, { CI }).kind).toBe('skip');
  });
});

describe('the vitest config', () => {
  afterEach(() => vi.restoreAllMocks());

  const projectNames = (config: ReturnType<typeof testConfig>) =>
    (config.test?.projects ?? []).map((project) =>
      typeof project === 'object' && 'test' in project ? project.test?.name : project,
    );

  it('leaves the e2e project out when the browser tests are skipped, and prints the notice once at the end', async () => {
    const config = testConfig({
      kind: 'skip',
      notice: 'Browser tests (test/e2e) skipped: no Chromium found.',
    });
    expect(projectNames(config)).toEqual(['node', 'e2e-support', 'renderer']);

    const reporters = config.test?.reporters;
    expect(Array.isArray(reporters) && reporters[0]).toBe('default');
    const notice = Array.isArray(reporters) ? reporters[1] : undefined;
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    if (typeof notice === 'object' && notice !== null && 'onTestRunEnd' in notice)
      await notice.onTestRunEnd?.([], [], 'passed');
    expect(write.mock.calls.map(([text]) => String(text))).toEqual([
      'Browser tests (test/e2e) skipped: no Chromium found.\n',
    ]);
  });

  it('keeps every test/e2e file in the e2e project when a browser is found or CI is set', () => {
    for (const config of [
      testConfig({ kind: 'run', executable: '/usr/bin/chromium' }),
      testConfig({ kind: 'fail', message: 'No Chromium found' }),
    ]) {
      expect(projectNames(config)).toEqual(['node', 'e2e-support', 'renderer', 'e2e']);
      expect(config.test?.reporters).toBeUndefined();
    }
  });
});

describe('vitest on this machine', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const list = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'list', '--filesOnly'], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  // The real config, loaded by vitest itself: the pieces above are what it is made of.
  it('collects no browser suite without a browser, and every one where CI is set', () => {
    const laptop = list({ SWITCHBOARD_NO_BROWSER: '1', CI: '' });
    expect(laptop.status).toBe(0);
    expect(laptop.stdout).not.toMatch(/\[e2e\]/);
    expect(laptop.stdout).toContain('[e2e-support] test/e2e/browser-detection.test.ts');

    const ci = list({ SWITCHBOARD_NO_BROWSER: '1', CI: 'true' });
    expect(ci.status).toBe(0);
    expect(ci.stdout).toContain('[e2e] test/e2e/dashboard.test.ts');
  });
});
