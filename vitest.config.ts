import react from '@vitejs/plugin-react';
import {
  configDefaults,
  defineConfig,
  type TestProjectInlineConfiguration,
  type ViteUserConfig,
} from 'vitest/config';
import type { Reporter } from 'vitest/node';
import {
  findBrowser,
  planBrowserTests,
  systemBrowserSearch,
  type BrowserTestPlan,
} from './test/e2e/browser.ts';

/** Plain node tests of the browser suites' own support code: they need no browser, so they always run. */
const E2E_SUPPORT_TESTS = ['test/e2e/browser-detection.test.ts'];

/** One line under the summary, where whoever wonders why fewer tests ran will look. */
function skippedNotice(notice: string): Reporter {
  return {
    onTestRunEnd: () => {
      process.stdout.write(`${notice}\n`);
    },
  };
}

/**
 * The whole test setup for a given browser plan. Without a browser on a developer's machine the e2e
 * project is left out, so that every file under test/e2e (today's and any added later) is skipped
 * with one line instead of failing; where CI is set it stays in and fails (see test/e2e/support.ts).
 */
export function testConfig(browser: BrowserTestPlan): ViteUserConfig {
  const e2e: TestProjectInlineConfiguration = {
    // The dashboard in real headless Chromium against the real gateway.
    extends: true,
    test: {
      name: 'e2e',
      include: ['test/e2e/**/*.test.ts'],
      exclude: [...configDefaults.exclude, ...E2E_SUPPORT_TESTS],
      // One browser at a time: two Chromiums on a two-core runner make both slow and flaky.
      fileParallelism: false,
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
  return {
    test: {
      testTimeout: 20_000,
      hookTimeout: 20_000,
      ...(browser.kind === 'skip' ? { reporters: ['default', skippedNotice(browser.notice)] } : {}),
      projects: [
        {
          extends: true,
          test: {
            name: 'node',
            include: ['test/**/*.test.ts'],
            exclude: [...configDefaults.exclude, 'test/e2e/**'],
          },
        },
        {
          extends: true,
          test: { name: 'e2e-support', include: E2E_SUPPORT_TESTS },
        },
        {
          // The dashboard's components, in a simulated DOM.
          extends: true,
          plugins: [react()],
          test: {
            name: 'renderer',
            include: ['test/renderer/**/*.test.tsx'],
            environment: 'happy-dom',
          },
        },
        ...(browser.kind === 'skip' ? [] : [e2e]),
      ],
    },
  };
}

export default defineConfig(testConfig(planBrowserTests(findBrowser(systemBrowserSearch()), process.env)));
