/**
 * Shared helpers for benchmark suites: percentiles, tables, and the one JSON
 * line every suite ends with (its figures, ratios included).
 */

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function summary(values: ArrayLike<number>): { n: number; p50: number; p90: number; p99: number; mean: number } {
  const s = sortedCopy(values);
  let sum = 0;
  for (const v of s) sum += v;
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), mean: sum / s.length };
}

export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}`);
  console.table(rows);
}

/** The suite's closing line: one JSON object. */
export function printFigures(suite: string, figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ suite, ...figures }));
}

/** Marks whether a figure met its target, for the closing line. */
export function target(value: number, op: '>=' | '<=', bound: number): { value: number; target: string; met: boolean } {
  return { value: round(value), target: `${op} ${bound}`, met: op === '>=' ? value >= bound : value <= bound };
}

/** One target of a suite: the figure measured, its bound, and whether it was met (a MISS is reported, never thrown). */
export interface TargetRow {
  readonly target: string;
  readonly measured: string;
  readonly ratio: number;
  readonly op: '>=' | '<=';
  readonly bound: number;
}

/** Prints the suite's targets as one table, each PASS or MISS. */
export function printTargets(title: string, rows: readonly TargetRow[]): void {
  printTable(
    title,
    rows.map((r) => ({
      target: r.target,
      measured: r.measured,
      ratio: Number.isFinite(r.ratio) ? round(r.ratio, 2) : 'n/a',
      bound: `${r.op} ${r.bound}`,
      result: !Number.isFinite(r.ratio) ? 'n/a' : (r.op === '>=' ? r.ratio >= r.bound : r.ratio <= r.bound) ? 'PASS' : 'MISS',
    })),
  );
}

/** Figures one suite leaves for another run in the same `bench` invocation (e.g. live reads tick-to-intent's actors p50). */
export const sharedFigures: { tickToIntentActorsP50Us?: number; tickToIntentPlacement?: string } = {};
