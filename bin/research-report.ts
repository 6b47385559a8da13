/**
 * The text report of a research run: its data, its headline figures with
 * their units, and for a sweep the ranked rows (and walk-forward windows).
 */
import type { HistoryDescription, RunRecord, Summary, SweepResult } from '../app/research/types.js';

const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(2)} %`);
const ratio = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(2));
const usd = (x: number | null): string => (x === null ? 'n/a' : `${x < 0 ? '-' : ''}$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const int = (x: number): string => x.toLocaleString('en-US');

export function duration(ms: number): string {
  if (ms <= 0) return '0 m';
  const d = Math.floor(ms / 86_400_000);
  const h = Math.floor((ms % 86_400_000) / 3_600_000);
  const m = Math.round((ms % 3_600_000) / 60_000);
  return [d ? `${d} d` : '', h ? `${h} h` : '', m || (!d && !h) ? `${m} m` : ''].filter(Boolean).join(' ');
}

const iso = (t: number | null): string => (t === null ? '?' : new Date(t).toISOString().replace(':00.000Z', 'Z'));

function table(rows: readonly (readonly string[])[], right: readonly boolean[] = []): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** The headline figures, one per line, with units. */
export function summaryTable(s: Summary, indent = '  '): string {
  const rows: string[][] = [
    ['start equity', usd(s.startEquity)],
    ['end equity', usd(s.endEquity)],
    ['total return', pct(s.totalReturn)],
    ['annual return', pct(s.annualReturn)],
    ['volatility (annualised)', pct(s.volatility)],
    ['Sharpe', ratio(s.sharpe)],
    ['Sortino', ratio(s.sortino)],
    ['Calmar', ratio(s.calmar)],
    ['max drawdown', pct(s.maxDrawdown)],
    ['max drawdown duration', duration(s.maxDrawdownDurationMs)],
    ['turnover', `${s.turnover.toFixed(2)} x equity`],
    ['fees', usd(s.fees)],
    ['slippage and spread', usd(s.slippage)],
    ['average gross exposure', pct(s.avgGross)],
    ['hit rate', pct(s.hitRate)],
    ['average win / loss', `${usd(s.avgWin)} / ${usd(s.avgLoss)}`],
    ['round trips', int(s.trades)],
    ['orders / fills', `${int(s.orders)} / ${int(s.fills)}`],
  ];
  return table(rows.map(([a, b]) => [indent + a!, b!]), [false, true]);
}

function dataLine(d: HistoryDescription | null): string {
  if (!d) return 'data: n/a';
  return `data: ${d.kind} ${d.source} (${d.cached ? 'from cache' : 'read'}), ${d.symbols.length} symbols, ${d.bars === null ? '?' : int(d.bars)} bars of ${duration(d.intervalMs)}, ${iso(d.start)} to ${iso(d.end)}${d.macro.length ? `, macro ${d.macro.join(', ')}` : ''}`;
}

const paramText = (p: Readonly<Record<string, unknown>> | null): string => (p === null ? 'n/a' : Object.entries(p).map(([k, v]) => `${k.split('.').slice(-2).join('.')}=${typeof v === 'number' ? +v.toPrecision(6) : String(v)}`).join(' '));

function sweepTables(s: SweepResult, top = 20): string {
  const out: string[] = [];
  const rows = s.rows.slice(0, top);
  out.push(`ranked by ${s.objective}${s.walkForward ? ' (last training window)' : ''}: ${s.rows.length} rows${s.rows.length > top ? `, best ${top} shown` : ''}`);
  if (rows.length > 0) {
    const head = ['#', ...s.paths.map((p) => p.split('.').slice(-2).join('.')), s.objective, 'return', 'max DD', 'error'];
    const body = rows.map((r, i) => [String(i + 1), ...s.paths.map((p) => String(r.params[p] ?? '')), r.score === null ? 'n/a' : r.score.toFixed(4), pct(r.summary?.totalReturn ?? null), pct(r.summary?.maxDrawdown ?? null), r.error ?? '']);
    out.push(table([head, ...body], head.map((_, i) => i > 0 && i <= s.paths.length + 3)));
  }
  if (s.walkForward) {
    const wf = s.walkForward;
    out.push('', `walk-forward: ${wf.windows.length} windows`);
    out.push(table([['test window', 'best parameters', 'in-sample return', 'out-of-sample return'], ...wf.windows.map((w) => [`${iso(w.testFrom)} to ${iso(w.testTo)}`, paramText(w.best), pct(w.inSample?.totalReturn ?? null), pct(w.outOfSample?.totalReturn ?? null)])]));
    out.push('', 'out-of-sample (test windows chained, compounded):', wf.outOfSample ? summaryTable(wf.outOfSample) : '  n/a');
    out.push('', 'in-sample (mean over the windows\' best):', wf.inSample ? summaryTable(wf.inSample) : '  n/a');
  }
  return out.join('\n');
}

/** The whole report of a finished run. */
export function renderRecord(r: RunRecord): string {
  const out = [`${r.kind} ${r.name} (${r.id}): ${r.status}${r.error ? `: ${r.error}` : ''}`, dataLine(r.data)];
  if (r.result) {
    const c = r.result.cost;
    out.push(`costs: spread ${c.spreadBps} bps, slippage ${c.slippageBps} bps, fee ${c.feeBps} bps + $${c.feePerShare}/share (min $${c.minFee}), fills up to ${pct(c.participation)} of a bar's volume`);
    out.push(`replayed ${iso(r.result.from)} to ${iso(r.result.to)}${r.result.cancelled ? ' (cancelled: figures cover what ran)' : ''}`);
  }
  if (r.sweep) out.push('', sweepTables(r.sweep));
  if (r.summary && !r.sweep?.walkForward) out.push('', r.kind === 'sweep' ? 'best row:' : 'figures:', summaryTable(r.summary));
  return out.join('\n');
}
