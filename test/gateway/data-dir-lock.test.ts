import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../gateway/data-dir.ts';
import { startGateway, StartupError, type RunningGateway } from '../../gateway/index.ts';

const running: RunningGateway[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const gateway of running.splice(0)) await gateway.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-lock-'));
  dirs.push(dir);
  return dir;
};
const start = async (dir: string) => {
  const gateway = await startGateway({ dataDir: dir, port: 0, log: () => {}, shutdownGraceMs: 200 });
  running.push(gateway);
  return gateway;
};

describe('one gateway per data dir', () => {
  it("refuses a second gateway on a data dir in use (it would replay the first one's journal), and frees it at close", async () => {
    const dir = dataDir();
    const first = await start(dir);
    await expect(start(dir)).rejects.toThrow(StartupError);
    await expect(start(dir)).rejects.toThrow(/Another Switchboard \(pid \d+\) is running on/);
    await first.close();
    running.splice(running.indexOf(first), 1);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    await start(dir);
  });

  it('takes over a lock that a process which died left behind', async () => {
    const dir = dataDir();
    await start(dir);
    await running.pop()!.close();
    // A pid that cannot be running (above Linux's pid_max).
    writeFileSync(join(dir, LOCK_FILE), '4194305 left-by-a-crash');
    await start(dir);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });
});
