#!/usr/bin/env node
// The qgtm command. The TypeScript sources are compiled to dist/ by `npm install`
// (the prepare script) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/bin/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('qgtm is not built yet: run `npm install` (or `npm run build`) in ' + fileURLToPath(new URL('..', import.meta.url)));
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
