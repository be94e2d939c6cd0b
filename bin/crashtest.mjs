#!/usr/bin/env node
// `npm run crashtest [-- --rounds N --clients N]`: the long kill -9 loop (a short one runs in npm test).
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

register();
const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '32' }, clients: { type: 'string', default: '8' } },
});
const { runCrashLoop } = await import('../test/support/crash-loop.ts');
const result = await runCrashLoop({
  rounds: Number(values.rounds),
  clients: Number(values.clients),
  killAfterMs: [300, 1500],
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
const ok =
  result.integrity === 'ok' &&
  result.lostRows === 0 &&
  result.reservedUsd === 0 &&
  Math.abs(result.ledgerUsd - result.loggedUsd) < 1e-9;
process.stdout.write(ok ? 'crashtest: passed\n' : 'crashtest: FAILED\n');
process.exit(ok ? 0 : 1);
