import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../gateway/config/load.ts';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../gateway/index.ts';

export const APP_KEY = 'sbk_test_0123456789abcdef0123';
export const OTHER_APP_KEY = 'sbk_test_other_456789abcdef0123';
export const VENDOR_KEY = 'sk-test-vendor-key-9f8e7d6c5b4a';
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

export interface TestGateway extends RunningGateway {
  dataDir: string;
  logs: string[];
  stop(): Promise<void>;
}

/** Starts the real gateway (on 127.0.0.1, port 0) in a fresh data dir with the given config. */
export async function startTestGateway(
  config: unknown,
  environment: Record<string, string> = {},
  options: Pick<GatewayOptions, 'providers'> = {},
): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const logs: string[] = [];
  const gateway = await startGateway({
    dataDir,
    port: 0,
    adminToken: ADMIN_TOKEN,
    config: parseConfig(config, 'test-config', environment),
    log: (level, message) => logs.push(`${level}: ${message}`),
    shutdownGraceMs: 2000,
    ...options,
  });
  return {
    ...gateway,
    dataDir,
    logs,
    stop: async () => {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Rows as the admin API returns them, newest first. */
export async function requestRows(gateway: RunningGateway, limit = 50): Promise<Record<string, unknown>[]> {
  // Rows are written a turn after the response closes.
  await new Promise((resolve) => setTimeout(resolve, 30));
  const response = await fetch(`${gateway.url}/admin/api/requests?limit=${limit}`, {
    headers: { authorization: `Bearer ${gateway.adminToken}` },
  });
  const body = (await response.json()) as { data: Record<string, unknown>[] };
  return body.data;
}
