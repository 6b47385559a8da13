/**
 * Writes the qgtm Grafana dashboard: `node dist/observability/grafana/generate.js [FILE]`
 * (`npm run grafana:dashboard`). FILE defaults to the committed
 * `observability/grafana/qgtm-dashboard.json`; `--check` writes nothing and
 * exits 1 when that file differs from what the code builds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DASHBOARD_FILE, dashboardJson } from './dashboard.js';

const args = process.argv.slice(2);
const check = args.includes('--check');
const file = args.find((a) => a !== '--check') ?? DASHBOARD_FILE;
const json = dashboardJson();
if (check) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch (err) {
    console.error(`${file}: ${(err as Error).message}`);
  }
  if (current !== json) {
    console.error(`${file} is out of date: run npm run grafana:dashboard`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(file, json);
  console.error(`wrote ${file}`);
}
