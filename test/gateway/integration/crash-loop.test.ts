import { describe, expect, it } from 'vitest';
import { runCrashLoop } from '../../support/crash-loop.ts';

// A few rounds here; `npm run crashtest` runs the long loop.
describe('kill -9 under load', () => {
  it('loses no row of an answer a client received whole, and the ledger equals the request log', async () => {
    const result = await runCrashLoop({ rounds: 3, clients: 8, killAfterMs: [400, 900] });
    expect(result.integrity).toBe('ok');
    expect(result.received).toBeGreaterThan(20);
    expect(result.lostRows).toBe(0);
    expect(result.reservedUsd).toBe(0);
    expect(result.ledgerUsd).toBeCloseTo(result.loggedUsd, 9);
  }, 120_000);
});
