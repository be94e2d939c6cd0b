import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { build } from 'vite';
import type { ResolvedConfig } from '../../gateway/config/load.ts';
import { startGateway, type RunningGateway } from '../../gateway/index.ts';
import { findBrowser, missingBrowserMessage, planBrowserTests, systemBrowserSearch } from './browser.ts';

export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/**
 * The Chromium the browser tests run in (CHROMIUM_PATH, PATH, the OS package or Playwright's cache:
 * see browser.ts). vitest.config.ts leaves these suites out when there is none, except where CI is
 * set: there this throws, so that the run fails saying where it looked and how to install one.
 */
export function chromiumPath(): string {
  const search = findBrowser(systemBrowserSearch());
  if (search.found) return search.executable;
  const plan = planBrowserTests(search, process.env);
  throw new Error(plan.kind === 'fail' ? plan.message : missingBrowserMessage(search));
}

/**
 * Builds the dashboard from the current sources into a temporary folder, so that the tests never
 * run against a stale renderer/dist (about 2 s).
 */
export async function buildDashboard(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'switchboard-ui-'));
  await build({
    configFile: fileURLToPath(new URL('../../renderer/vite.config.ts', import.meta.url)),
    build: { outDir, emptyOutDir: true },
    logLevel: 'error',
  });
  return outDir;
}

export interface Stack {
  gateway: RunningGateway;
  dataDir: string;
  close(): Promise<void>;
}

/** A fresh, empty data dir. */
export const freshDataDir = (): string => mkdtempSync(join(tmpdir(), 'switchboard-e2e-'));

/** The real gateway, in-process on a free port, serving the given dashboard build. */
export async function startStack(
  dashboardDir: string,
  options: { dataDir?: string; config?: ResolvedConfig } = {},
): Promise<Stack> {
  const dataDir = options.dataDir ?? freshDataDir();
  const gateway = await startGateway({
    dataDir,
    port: 0,
    dashboardDir,
    config: options.config,
    log: () => {},
    shutdownGraceMs: 1000,
  });
  return {
    gateway,
    dataDir,
    close: async () => {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1360, height: 860 },
    deviceScaleFactor: 1,
    // No dialog fade-ins half-way through a screenshot.
    reducedMotion: 'reduce',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}

/** Pictures of failures from an earlier run would mislead: remove them before a new one. */
export function clearFailures(): void {
  if (!existsSync(SCREENSHOTS)) return;
  for (const name of readdirSync(SCREENSHOTS))
    if (name.startsWith('failed-')) rmSync(join(SCREENSHOTS, name));
}
