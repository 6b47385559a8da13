/**
 * Research runs as the terminal reads them: the view models, the tolerant
 * normalisers from the gateway's JSON (`/api/v1/research`, WebSocket topic
 * `research`), and the calls. Figures keep the API's units: returns,
 * drawdowns and rates are fractions, money in dollars, times epoch ms; the
 * view formats them.
 */
import { isObj, str } from './normalise.js';

export type RunKind = 'backtest' | 'sweep';
export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface SummaryVM {
  readonly startEquity: number | null;
  readonly endEquity: number | null;
  readonly totalReturn: number | null;
  readonly annualReturn: number | null;
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly maxDrawdown: number | null;
  readonly maxDrawdownDurationMs: number | null;
  readonly turnover: number | null;
  readonly fees: number | null;
  readonly slippage: number | null;
  readonly avgGross: number | null;
  readonly hitRate: number | null;
  readonly avgWin: number | null;
  readonly avgLoss: number | null;
  readonly trades: number | null;
  readonly orders: number | null;
  readonly fills: number | null;
}

export interface RunVM {
  readonly id: string;
  readonly kind: RunKind;
  readonly name: string;
  readonly status: RunStatus;
  readonly createdAt: number | null;
  readonly finishedAt: number | null;
  /** 0..1. */
  readonly progress: number;
  readonly summary: SummaryVM | null;
  readonly error: string | null;
  /** Where the bars came from, in a few words ("venue · GLD, SLV · 1 min"). */
  readonly data: string | null;
}

export interface SweepRowVM {
  readonly index: number;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly summary: SummaryVM | null;
  readonly score: number | null;
  readonly error: string | null;
}

export interface RunDetailVM extends RunVM {
  /** Equity series: seconds (uPlot's time unit), equity in $, drawdown as a fraction. */
  readonly t: readonly number[];
  readonly equity: readonly number[];
  readonly drawdown: readonly number[];
  readonly byStrategy: readonly (readonly [string, number])[];
  readonly byInstrument: readonly (readonly [string, number])[];
  readonly orders: number | null;
  readonly fills: number | null;
  readonly cost: string | null;
  readonly sweep: { readonly objective: string; readonly paths: readonly string[]; readonly rows: readonly SweepRowVM[] } | null;
}

export type ResearchEventVM =
  | { readonly type: 'progress'; readonly id: string; readonly progress: number; readonly detail: string }
  | { readonly type: 'status'; readonly run: RunVM };

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const KINDS: readonly string[] = ['backtest', 'sweep'];
const STATUSES: readonly string[] = ['queued', 'running', 'done', 'failed', 'cancelled'];
const SUMMARY_KEYS = ['startEquity', 'endEquity', 'totalReturn', 'annualReturn', 'volatility', 'sharpe', 'sortino', 'calmar', 'maxDrawdown', 'maxDrawdownDurationMs', 'turnover', 'fees', 'slippage', 'avgGross', 'hitRate', 'avgWin', 'avgLoss', 'trades', 'orders', 'fills'] as const;

export function normaliseSummary(x: unknown): SummaryVM | null {
  if (!isObj(x)) return null;
  return Object.fromEntries(SUMMARY_KEYS.map((k) => [k, num(x[k])])) as unknown as SummaryVM;
}

function interval(ms: number | null): string {
  if (ms === null) return '';
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

function dataText(x: unknown): string | null {
  if (!isObj(x)) return null;
  const symbols = Array.isArray(x.symbols) ? x.symbols.filter((s): s is string => typeof s === 'string') : [];
  const parts = [str(x.kind) ?? '?', symbols.length > 4 ? `${symbols.slice(0, 4).join(', ')} +${symbols.length - 4}` : symbols.join(', '), interval(num(x.intervalMs))];
  if (num(x.bars) !== null) parts.push(`${num(x.bars)!.toLocaleString('en-US')} bars`);
  return parts.filter(Boolean).join(' · ');
}

export function normaliseRun(x: unknown): RunVM | null {
  if (!isObj(x)) return null;
  const id = str(x.id);
  if (id === null) return null;
  const kind = KINDS.includes(x.kind as string) ? (x.kind as RunKind) : 'backtest';
  const status = STATUSES.includes(x.status as string) ? (x.status as RunStatus) : 'queued';
  return {
    id,
    kind,
    name: str(x.name) ?? id,
    status,
    createdAt: num(x.createdAt),
    finishedAt: num(x.finishedAt),
    progress: Math.min(1, Math.max(0, num(x.progress) ?? 0)),
    summary: normaliseSummary(x.summary),
    error: str(x.error),
    data: dataText(x.data),
  };
}

/** The gateway's read envelope removed (`{data, updatedAt, stale, ...}`); a bare value passes. */
function peel(x: unknown): unknown {
  return isObj(x) && 'data' in x && 'stale' in x ? x.data : x;
}

export function normaliseRuns(raw: unknown): RunVM[] {
  const x = peel(raw);
  const list = isObj(x) && Array.isArray(x.runs) ? x.runs : Array.isArray(x) ? x : [];
  return list.map(normaliseRun).filter((r): r is RunVM => r !== null);
}

const entries = (x: unknown): [string, number][] =>
  isObj(x)
    ? Object.entries(x)
        .filter((e): e is [string, number] => num(e[1]) !== null)
        .sort((a, b) => b[1] - a[1])
    : [];

function costText(x: unknown): string | null {
  if (!isObj(x)) return null;
  const n = (k: string): string => String(num(x[k]) ?? '—');
  return `spread ${n('spreadBps')} bp · slippage ${n('slippageBps')} bp · fee ${n('feeBps')} bp + $${n('feePerShare')}/share (min $${n('minFee')}) · participation ${num(x.participation) === null ? '—' : `${(num(x.participation)! * 100).toFixed(0)}%`} of bar volume`;
}

function sweepRows(x: unknown): SweepRowVM[] {
  if (!Array.isArray(x)) return [];
  const out: SweepRowVM[] = [];
  for (const r of x) {
    if (!isObj(r) || num(r.index) === null) continue;
    const params: Record<string, number | string | boolean> = {};
    if (isObj(r.params)) for (const [k, v] of Object.entries(r.params)) if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') params[k] = v;
    out.push({ index: num(r.index)!, params, summary: normaliseSummary(r.summary), score: num(r.score), error: str(r.error) });
  }
  return out;
}

/** GET /research/runs/:id's `{run}`: the headline plus series, attribution and sweep rows. */
export function normaliseRunDetail(raw: unknown): RunDetailVM | null {
  const x = peel(raw);
  const rec = isObj(x) && isObj(x.run) ? x.run : x;
  const base = normaliseRun(rec);
  if (!base || !isObj(rec)) return null;
  const result = isObj(rec.result) ? rec.result : null;
  const t: number[] = [];
  const equity: number[] = [];
  const drawdown: number[] = [];
  for (const p of Array.isArray(result?.equity) ? result.equity : []) {
    if (!isObj(p) || num(p.ts) === null || num(p.equity) === null) continue;
    t.push(num(p.ts)! / 1000);
    equity.push(num(p.equity)!);
    drawdown.push(num(p.drawdown) ?? 0);
  }
  const attribution = isObj(result?.attribution) ? result.attribution : {};
  const summary = result ? normaliseSummary(result.summary) ?? base.summary : base.summary;
  const counts = isObj(result?.counts) ? result.counts : {};
  const sweep = isObj(rec.sweep) ? rec.sweep : null;
  return {
    ...base,
    summary,
    t,
    equity,
    drawdown,
    byStrategy: entries(attribution.byStrategy),
    byInstrument: entries(attribution.byInstrument),
    orders: summary?.orders ?? (Array.isArray(result?.orders) ? result.orders.length : null),
    fills: summary?.fills ?? num(counts.fills),
    cost: costText(result?.cost),
    sweep: sweep
      ? { objective: str(sweep.objective) ?? 'score', paths: Array.isArray(sweep.paths) ? sweep.paths.filter((p): p is string => typeof p === 'string') : [], rows: sweepRows(sweep.rows) }
      : null,
  };
}

/** A `research` topic message. */
export function normaliseResearchEvent(x: unknown): ResearchEventVM | null {
  if (!isObj(x)) return null;
  if (x.type === 'research.progress') {
    const id = str(x.id);
    const progress = num(x.progress);
    return id !== null && progress !== null ? { type: 'progress', id, progress: Math.min(1, Math.max(0, progress)), detail: str(x.detail) ?? '' } : null;
  }
  if (x.type === 'research.status') {
    const run = normaliseRun(x.run);
    return run ? { type: 'status', run } : null;
  }
  return null;
}
