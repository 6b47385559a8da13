/**
 * The Prometheus alert rules (observability/prometheus/qgtm-alerts.yml):
 * promtool accepts them, their unit tests pass, and every metric an alert
 * expression names is on the /metrics of a running all-in-one, so a renamed
 * or removed metric cannot leave an alert that never fires.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAllInOne, type AllInOne } from '../../../bin/all-in-one.js';
import { loadConfig } from '../../../app/config/load.js';
import { parseExposition, type Family } from '../../helpers/exposition.js';
import { eventually } from '../../helpers/fixtures.js';
import { describeWithTool } from '../../helpers/tools.js';

// Tests run from dist/tests/...; the rule files are read from the sources.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const RULES = 'observability/prometheus/qgtm-alerts.yml';
const RULE_TESTS = 'observability/prometheus/qgtm-alerts.test.yml';

/** Series Prometheus makes itself for every target: never in an exposition. */
const SCRAPE_SERIES: ReadonlySet<string> = new Set(['up']);

/** The `expr:` of every rule in a rule file, one line or a `|`/`>` block. */
function ruleExpressions(yaml: string): string[] {
  const lines = yaml.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*)expr:\s*(.*?)\s*$/.exec(line);
    if (!m) return;
    if (!/^[|>][+-]?$/.test(m[2])) {
      out.push(m[2]);
      return;
    }
    const block: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const next = lines[j];
      if (next.trim() !== '' && next.search(/\S/) <= m[1].length) break;
      block.push(next.trim());
    }
    out.push(block.join(' ').trim());
  });
  return out;
}

/** The metric names an expression reads: qgtm's, and Prometheus' own `up`. */
function metricNames(expr: string): string[] {
  const names = new Set(expr.match(/qgtm_[a-z0-9_]+/g) ?? []);
  if (/\bup\b/.test(expr)) names.add('up');
  return [...names];
}

/** Whether an exposition has samples of `name` (a histogram's _bucket/_sum/_count count as its base family). */
function exposed(name: string, families: ReadonlyMap<string, Family>): boolean {
  if ((families.get(name)?.samples.length ?? 0) > 0) return true;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = families.get(name.slice(0, -suffix.length));
    if (base && (base.type === 'histogram' || base.type === 'summary') && base.samples.some((s) => s.name === name)) return true;
  }
  return false;
}

/** The names, other than Prometheus' own series, that an exposition lacks. */
function absent(names: readonly string[], families: ReadonlyMap<string, Family>): string[] {
  return names.filter((n) => !SCRAPE_SERIES.has(n) && !exposed(n, families));
}

const promtoolMissing = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).error ? 'promtool is not installed (Debian package prometheus)' : null;

function runPromtool(args: readonly string[]): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describeWithTool('alert rules under promtool', promtoolMissing, () => {
  it('check rules then the rule file is valid', () => {
    const r = runPromtool(['check', 'rules', RULES]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });

  it('test rules then every alert fires and stays quiet where its tests say', () => {
    const r = runPromtool(['test', 'rules', RULE_TESTS]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });
});

describe('alert rules against the all-in-one /metrics', () => {
  const yaml = readFileSync(join(ROOT, RULES), 'utf8');
  const expressions = ruleExpressions(yaml);
  const names = [...new Set(expressions.flatMap(metricNames))].sort();
  let app: AllInOne;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qgtm-alerts-'));
    const loaded = loadConfig({
      mode: 'start',
      env: {},
      overrides: { 'http.port': 0, 'daemon.journalDir': join(dir, 'journal'), 'log.level': 'warn' },
    });
    app = await startAllInOne({ loaded, print: () => undefined });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rule file read then one expression per alert, each naming a metric', () => {
    const alerts = yaml.match(/^\s*- alert:/gm) ?? [];
    expect(alerts.length).toBeGreaterThan(0);
    expect(expressions).toHaveLength(alerts.length);
    for (const e of expressions) expect(metricNames(e), e).not.toEqual([]);
  });

  it('daemon up then every metric an alert reads is on /metrics; a metric it lacks is reported', async () => {
    await eventually(async () => {
      const h = (await (await fetch(`${app.httpUrl}/api/v1/health`)).json()) as { daemon?: { up?: boolean } };
      return h.daemon?.up === true;
    }, 20_000, 'daemon up');
    // Some series start with the broker's or the governor's first report, after the daemon is up.
    let families: Map<string, Family> = new Map();
    await eventually(async () => {
      families = parseExposition(await (await fetch(`${app.httpUrl}/metrics`)).text());
      return absent(names, families).length === 0;
    }, 20_000, 'every metric the alert rules read').catch(() => undefined);
    expect(absent(names, families), 'metrics the alert rules read that /metrics does not expose').toEqual([]);
    // The check itself: a name the runtime does not export is caught, a histogram's series are not.
    expect(absent(['qgtm_no_such_metric', 'qgtm_actor_handle_seconds_bucket', 'qgtm_actor_handle_seconds_count'], families)).toEqual(['qgtm_no_such_metric']);
  });
});
