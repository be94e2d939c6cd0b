#!/usr/bin/env node
// `npm run bench`: benchmarks, never part of `npm test`.
import { register } from 'tsx/esm/api';

register();
await import('../bench/added-latency.ts');
