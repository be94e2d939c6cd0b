import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/**
 * Finding a Chromium for the browser tests, and deciding what a run without one does. Pure: the
 * environment and the filesystem come in through `BrowserSearchSystem`, so every branch is tested
 * without touching the machine's own browsers (test/e2e/browser-detection.test.ts).
 *
 * Used twice: vitest.config.ts drops the e2e project when there is nothing to run it with (a
 * laptop), and support.ts's launchBrowser starts the browser found (or fails saying where it looked).
 */

export interface BrowserSearchSystem {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  homeDir: string;
  /** True for a file this user may execute. */
  isExecutable(path: string): boolean;
  /** The names in a directory; none when it does not exist. */
  listDirectory(path: string): string[];
}

export type BrowserSearch =
  | { found: true; executable: string; source: string }
  | { found: false; searched: string[]; problem?: string };

export type BrowserTestPlan =
  { kind: 'run'; executable: string } | { kind: 'skip'; notice: string } | { kind: 'fail'; message: string };

/** How to get a browser, for the one line a skipped run prints and for the CI failure. */
export const INSTALL_HINT =
  'npx playwright install chromium (or the OS package: apt-get install chromium / brew install --cask chromium), or set CHROMIUM_PATH';

/** Names a Chromium-family browser goes by on PATH (Linux packages and Google's own). */
const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const WINDOWS_PATH_NAMES = ['chrome', 'chromium'];

/** Where the OS packages put it when it is not on PATH (the macOS casks never are). */
const FIXED_LOCATIONS: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'],
  darwin: [
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ],
};

/**
 * The executable inside a Playwright `chromium-<revision>` folder, newest layout first: Playwright
 * switched to Chrome for Testing builds (chrome-linux64/…) after years of chrome-linux/… folders,
 * and a cache may hold either, depending on which Playwright installed it.
 */
const PLAYWRIGHT_LAYOUTS: Partial<Record<NodeJS.Platform, string[][]>> = {
  linux: [
    ['chrome-linux64', 'chrome'],
    ['chrome-linux-arm64', 'chrome'],
    ['chrome-linux', 'chrome'],
  ],
  darwin: [
    ['chrome-mac-arm64', 'Google Chrome for Testing.app', 'Contents', 'MacOS', 'Google Chrome for Testing'],
    ['chrome-mac-x64', 'Google Chrome for Testing.app', 'Contents', 'MacOS', 'Google Chrome for Testing'],
    ['chrome-mac', 'Chromium.app', 'Contents', 'MacOS', 'Chromium'],
  ],
  win32: [
    ['chrome-win64', 'chrome.exe'],
    ['chrome-win', 'chrome.exe'],
  ],
};

const set = (value: string | undefined): value is string => value !== undefined && value !== '';

/** `CI=false` and `CI=0` are how some setups say "not CI"; anything else non-empty means CI. */
export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env['CI'];
  return set(value) && value !== 'false' && value !== '0';
}

/** The folder Playwright installs browsers into, by the same rules Playwright itself uses. */
export function playwrightCacheDirectory(system: BrowserSearchSystem): string | undefined {
  const { env, platform, homeDir } = system;
  const path = platform === 'win32' ? win32 : posix;
  const override = env['PLAYWRIGHT_BROWSERS_PATH'];
  // "0" means inside node_modules/playwright-core, which we do not guess at.
  if (set(override) && override !== '0') return override;
  if (platform === 'linux')
    return path.join(env['XDG_CACHE_HOME'] || path.join(homeDir, '.cache'), 'ms-playwright');
  if (platform === 'darwin') return path.join(homeDir, 'Library', 'Caches', 'ms-playwright');
  if (platform === 'win32')
    return path.join(env['LOCALAPPDATA'] || path.join(homeDir, 'AppData', 'Local'), 'ms-playwright');
  return undefined;
}

function onPath(system: BrowserSearchSystem): string | undefined {
  const { env, platform } = system;
  const windows = platform === 'win32';
  const path = windows ? win32 : posix;
  const pathVariable = env['PATH'] ?? (windows ? env['Path'] : undefined) ?? '';
  const names = windows ? WINDOWS_PATH_NAMES.map((name) => `${name}.exe`) : PATH_NAMES;
  for (const directory of pathVariable.split(path.delimiter)) {
    // An empty entry means the current directory: never where a browser should come from.
    if (directory === '') continue;
    for (const name of names) {
      const candidate = path.join(directory, name);
      if (system.isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function inPlaywrightCache(system: BrowserSearchSystem, cache: string): string | undefined {
  const path = system.platform === 'win32' ? win32 : posix;
  const layouts = PLAYWRIGHT_LAYOUTS[system.platform] ?? [];
  // Newest revision first: an old one left behind by an earlier Playwright may no longer start.
  const revisions = system
    .listDirectory(cache)
    .map((name) => /^chromium-(\d+)$/.exec(name))
    .filter((match) => match !== null)
    .map((match) => ({ name: match[0], revision: Number(match[1]) }))
    .sort((a, b) => b.revision - a.revision);
  for (const { name } of revisions)
    for (const layout of layouts) {
      const candidate = path.join(cache, name, ...layout);
      if (system.isExecutable(candidate)) return candidate;
    }
  return undefined;
}

/**
 * Looks, in order, at CHROMIUM_PATH, PATH, the OS packages' fixed locations and Playwright's own
 * cache. CHROMIUM_PATH, when set, is the only place looked: a mistyped path falling through to some
 * other browser would hide the mistake.
 */
export function findBrowser(system: BrowserSearchSystem): BrowserSearch {
  const { env } = system;
  if (env['SWITCHBOARD_NO_BROWSER'] === '1')
    return { found: false, searched: [], problem: 'SWITCHBOARD_NO_BROWSER=1 hides every browser' };

  const explicit = env['CHROMIUM_PATH'];
  if (set(explicit)) {
    if (system.isExecutable(explicit)) return { found: true, executable: explicit, source: 'CHROMIUM_PATH' };
    return {
      found: false,
      searched: [`CHROMIUM_PATH (${explicit})`],
      problem: `CHROMIUM_PATH is ${explicit}, which is not an executable file`,
    };
  }

  const searched: string[] = [];
  const names = system.platform === 'win32' ? WINDOWS_PATH_NAMES : PATH_NAMES;
  searched.push(`PATH (${names.join(', ')})`);
  const fromPath = onPath(system);
  if (fromPath) return { found: true, executable: fromPath, source: 'PATH' };

  for (const location of FIXED_LOCATIONS[system.platform] ?? []) {
    searched.push(location);
    if (system.isExecutable(location)) return { found: true, executable: location, source: location };
  }

  const cache = playwrightCacheDirectory(system);
  if (cache !== undefined) {
    searched.push(`Playwright's cache (${cache})`);
    const cached = inPlaywrightCache(system, cache);
    if (cached) return { found: true, executable: cached, source: "Playwright's cache" };
  }
  return { found: false, searched };
}

/** Why no browser was found, and how to get one: the text of the CI failure and of launchBrowser's. */
export function missingBrowserMessage(search: Extract<BrowserSearch, { found: false }>): string {
  const where = search.problem ?? `looked at ${search.searched.join(', ')}`;
  return `No Chromium found for the browser tests (test/e2e): ${where}. Install one: ${INSTALL_HINT}.`;
}

/**
 * Run the browser tests when there is a browser; otherwise skip them with one line on a developer's
 * machine, but fail where CI is set, since a CI job that silently stops testing the dashboard
 * would go on looking green.
 */
export function planBrowserTests(
  search: BrowserSearch,
  env: Readonly<Record<string, string | undefined>>,
): BrowserTestPlan {
  if (search.found) return { kind: 'run', executable: search.executable };
  if (isCi(env))
    return {
      kind: 'fail',
      message: `${missingBrowserMessage(search)} (CI is set, so they are not skipped.)`,
    };
  const why = search.problem ? ` (${search.problem})` : '';
  return {
    kind: 'skip',
    notice: `Browser tests (test/e2e) skipped: no Chromium found${why}. To run them: ${INSTALL_HINT}.`,
  };
}

/** This machine, for the config and for launchBrowser. */
export function systemBrowserSearch(): BrowserSearchSystem {
  const platform = process.platform;
  return {
    env: process.env,
    platform,
    homeDir: homedir(),
    isExecutable: (path) => {
      try {
        if (!statSync(path).isFile()) return false;
        // Windows has no execute bit: a file is all that can be checked there.
        if (platform !== 'win32') accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    listDirectory: (path) => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
  };
}
