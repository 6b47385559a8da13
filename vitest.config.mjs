// Tests are written in TypeScript under tests/ and compiled by `tsc` into dist/,
// so worker threads and test files load the same plain JS. Only compiled tests
// whose .ts source still exists are run (a deleted test leaves no stale twin).
import { defineConfig } from 'vitest/config';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function testSources(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testSources(path));
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const include = testSources('tests').map((f) => 'dist/' + f.replace(/\.ts$/, '.js'));

export default defineConfig({
  test: {
    include,
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
