#!/usr/bin/env node
// Runs the compiled command line in dist/, which `npm install` builds (the prepare script), so
// that starting needs no TypeScript loader.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('kamflow: the compiled code (dist/) is missing; run `npm run build` (npm install runs it)\n');
  process.exit(1);
}
await import(main.href);
