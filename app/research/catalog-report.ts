/**
 * The catalog report's builder (issue 14): per catalog entry, its back-test
 * figures, and the correlation of the entries' per-bar return series. Pure:
 * the command that runs the back-tests hands it their results; nothing here
 * reads the wall clock, so the same results give the same table.
 */

/** One entry's back-test, as the report needs it. */
export interface CatalogEntryResult {
  readonly id: string;
  readonly family: string;
  readonly instruments: readonly string[];
  readonly totalReturn: number;
  /** Null where undefined (no variance), as the engine's Summary. */
  readonly sharpe: number | null;
  readonly maxDrawdown: number;
  readonly turnover: number;
  /** Null where undefined (no closed trade), as the engine's Summary. */
  readonly hitRate: number | null;
  readonly trades: number;
  /** Per-bar returns keyed by bar time (ms). */
  readonly returns: ReadonlyMap<number, number>;
}

/**
 * Pearson correlation of two return series over the bar times both have;
 * null when fewer than two shared bars or either series is flat there.
 */
export function correlation(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): number | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [t, x] of a) {
    const y = b.get(t);
    if (y !== undefined) {
      xs.push(x);
      ys.push(y);
    }
  }
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** The correlation matrix, rows and columns in the order of `entries`. */
export function correlationMatrix(entries: readonly CatalogEntryResult[]): (number | null)[][] {
  return entries.map((a) => entries.map((b) => (a === b ? (a.trades > 0 ? 1 : null) : correlation(a.returns, b.returns))));
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const fix = (x: number, d: number): string => x.toFixed(d);
const orNa = (x: number | null, f: (v: number) => string): string => (x === null ? 'n/a' : f(x));

/** The markdown table of figures; an entry without trades says so instead of zeros. */
export function figuresTable(entries: readonly CatalogEntryResult[]): string {
  const head = '| id | family | instruments | return | Sharpe | max DD | turnover | hit rate | trades |\n|---|---|---|---:|---:|---:|---:|---:|---:|';
  const rows = entries.map((e) => {
    const lead = `| ${e.id} | ${e.family} | ${e.instruments.join(', ')} |`;
    if (e.trades === 0) return `${lead} no trades on this history | – | – | – | – | 0 |`;
    return `${lead} ${pct(e.totalReturn)} | ${orNa(e.sharpe, (v) => fix(v, 2))} | ${pct(e.maxDrawdown)} | ${fix(e.turnover, 2)} | ${orNa(e.hitRate, pct)} | ${e.trades} |`;
  });
  return [head, ...rows].join('\n');
}

/**
 * Simple returns between consecutive points of an equity series, keyed by the
 * later point's time. The engine downsamples its series evenly beyond
 * `maxSeriesPoints`, so these are per-point returns (per bar when the run
 * keeps every bar).
 */
export function returnsOf(equity: readonly { readonly ts: number; readonly equity: number }[]): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 1; i < equity.length; i++) {
    const prev = equity[i - 1]!.equity;
    if (prev > 0) out.set(equity[i]!.ts, equity[i]!.equity / prev - 1);
  }
  return out;
}
