/**
 * A parser for the Prometheus text format (0.0.4) and a checker applying the
 * main `promtool check metrics` lint rules, plus a runner for promtool itself
 * when it is installed (Debian package `prometheus`).
 */
import { spawnSync } from 'node:child_process';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: string;
  help: string | null;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

function parseLabels(s: string, line: number): Record<string, string> {
  const out: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < s.length) {
    const m = LABEL.exec(s);
    if (!m) throw new Error(`line ${line}: bad labels {${s}}`);
    if (m[1] in out) throw new Error(`line ${line}: duplicate label ${m[1]}`);
    out[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    if (m[3] === '') break;
  }
  return out;
}

function parseValue(v: string, line: number): number {
  // Prometheus parses values with Go's ParseFloat: NaN and Inf in any case (prom-client prints "Nan").
  if (/^\+?inf$/i.test(v)) return Infinity;
  if (/^-inf$/i.test(v)) return -Infinity;
  if (/^nan$/i.test(v)) return NaN;
  const n = Number(v);
  if (Number.isNaN(n)) throw new Error(`line ${line}: bad value ${v}`);
  return n;
}

/** Families by name; throws on any syntax error. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const familyOf = (sampleName: string): Family => {
    for (const suffix of ['_bucket', '_sum', '_count', '']) {
      if (!sampleName.endsWith(suffix)) continue;
      const base = sampleName.slice(0, sampleName.length - suffix.length);
      const f = families.get(base);
      if (f && (suffix === '' || f.type === 'histogram' || f.type === 'summary')) return f;
    }
    const f: Family = { name: sampleName, type: 'untyped', help: null, samples: [] };
    families.set(sampleName, f);
    return f;
  };
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const l = raw.trim();
    if (l === '') return;
    if (l.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(l);
      if (!m) return;
      if (!NAME.test(m[2])) throw new Error(`line ${line}: bad metric name ${m[2]}`);
      const f = families.get(m[2]) ?? { name: m[2], type: 'untyped', help: null, samples: [] };
      families.set(m[2], f);
      if (m[1] === 'HELP') f.help = m[3];
      else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3])) throw new Error(`line ${line}: bad type ${m[3]}`);
        if (f.samples.length > 0) throw new Error(`line ${line}: TYPE after samples of ${m[2]}`);
        f.type = m[3];
      }
      return;
    }
    const m = SAMPLE.exec(l);
    if (!m) throw new Error(`line ${line}: cannot parse ${JSON.stringify(l)}`);
    familyOf(m[1]).samples.push({ name: m[1], labels: m[3] ? parseLabels(m[3], line) : {}, value: parseValue(m[4], line) });
  });
  return families;
}

const BAD_UNITS = /_(milliseconds|microseconds|nanoseconds|minutes|hours|days|ms|us|ns|kilobytes|megabytes|gigabytes|kb|mb|gb|percent)(_total)?$/;

/** The main promtool lint rules; returns one line per problem. */
export function lintExposition(families: Map<string, Family>): string[] {
  const problems: string[] = [];
  for (const f of families.values()) {
    if (!f.help) problems.push(`${f.name} no help text`);
    if (f.name !== f.name.toLowerCase() && !f.name.includes(':')) problems.push(`${f.name} metric names should be written in 'snake_case' not 'camelCase'`);
    if (f.type === 'counter' && !f.name.endsWith('_total')) problems.push(`${f.name} counter metrics should have "_total" suffix`);
    if (f.type !== 'counter' && f.name.endsWith('_total')) problems.push(`${f.name} non-counter metrics should not have "_total" suffix`);
    if (BAD_UNITS.test(f.name)) problems.push(`${f.name} use base units (seconds, bytes) in metric names`);
    for (const s of f.samples) {
      if ('quantile' in s.labels && f.type !== 'summary') problems.push(`${f.name} non-summary metrics should not have "quantile" label`);
      if ('le' in s.labels && f.type !== 'histogram') problems.push(`${f.name} non-histogram metrics should not have "le" label`);
    }
    if (f.type === 'histogram') {
      const series = new Set(f.samples.filter((s) => s.name.endsWith('_bucket')).map((s) => JSON.stringify({ ...s.labels, le: undefined })));
      for (const key of series) {
        const buckets = f.samples.filter((s) => s.name.endsWith('_bucket') && JSON.stringify({ ...s.labels, le: undefined }) === key);
        if (!buckets.some((b) => b.labels.le === '+Inf')) problems.push(`${f.name} histogram series ${key} has no +Inf bucket`);
      }
    }
  }
  return [...new Set(problems)];
}

/** Runs `promtool check metrics`; null when promtool is not installed. */
export function promtool(text: string): { ok: boolean; output: string } | null {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) return null;
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}
