#!/usr/bin/env node
// Runs the TypeScript sources directly (through tsx), so there is no build step to remember.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../gateway/cli.ts');
await main(process.argv.slice(2));
