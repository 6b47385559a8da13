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
