/**
 * A stand-in ResearchService for the surfaces' tests: it holds a finished
 * back-test, a finished 3x3 grid sweep and a running back-test with known
 * figures, records what it was asked to start, and lets a test emit events
 * or make the queue full. Deterministic: no timers, no wall clock.
 */
import { QgtmError } from '../../src/errors.js';
import type {
  BacktestRequest,
  BacktestResult,
  EquityPoint,
  HistoryDescription,
  ResearchEvent,
  ResearchService,
  RunHeadline,
  RunRecord,
  Summary,
  SweepRequest,
  SweepResult,
  SweepRow,
} from '../../app/research/types.js';

export const T0 = Date.UTC(2026, 0, 5);
const MIN = 60_000;

export function summaryOf(over: Partial<Summary> = {}): Summary {
  return {
    startEquity: 100_000,
    endEquity: 112_340,
    totalReturn: 0.1234,
    annualReturn: 0.2468,
    volatility: 0.151,
    sharpe: 1.52,
    sortino: 2.03,
    calmar: 4.35,
    maxDrawdown: 0.0567,
    maxDrawdownDurationMs: 3 * 86_400_000,
    turnover: 12.5,
    fees: 234.56,
    slippage: 120.1,
    avgGross: 0.8,
    hitRate: 0.55,
    avgWin: 310.2,
    avgLoss: -180.4,
    trades: 42,
    orders: 130,
    fills: 171,
    ...over,
  };
}

const DATA: HistoryDescription = { kind: 'synthetic', source: 'synthetic seed 7', symbols: ['GLD', 'SLV'], intervalMs: MIN, start: T0, end: T0 + 200 * MIN, bars: 400, cached: false, macro: [] };

/** 200 points rising from 100,000 to 112,340 with one dip of 5.67 % below the running peak. */
export function equitySeries(): EquityPoint[] {
  const out: EquityPoint[] = [];
  let peak = 0;
  for (let i = 0; i < 200; i++) {
    const base = 100_000 + (12_340 * i) / 199;
    const dip = i >= 80 && i < 120 ? 1 - 0.0567 * (1 - Math.abs(i - 100) / 20) : 1;
    const equity = i === 199 ? 112_340 : base * dip;
    peak = Math.max(peak, equity);
    out.push({ ts: T0 + i * MIN, equity, drawdown: (peak - equity) / peak, gross: 0.8, net: 0.3 });
  }
  return out;
}

export const ATTRIBUTION = {
  byStrategy: { trend_ma_cross: 8125.5, mean_rev_bands: -1200.25, unattributed: 31.1 },
  byInstrument: { GLD: 10_000.5, SLV: -3047.75 },
} as const;

function backtestResult(): BacktestResult {
  return {
    summary: summaryOf(),
    equity: equitySeries(),
    attribution: ATTRIBUTION,
    orders: [],
    fills: [],
    counts: { bars: 400, signals: 900, postures: 200, intents: 140, approved: 130, denied: 10, fills: 171 },
    cost: { spreadBps: 2, slippageBps: 1, feeBps: 0.5, feePerShare: 0, minFee: 0, participation: 0.1 },
    from: T0,
    to: T0 + 199 * MIN,
    cancelled: false,
  };
}

/** A 3x3 grid over fast x slow; score = Sharpe, distinct per cell. */
export const FAST = [5, 10, 20];
export const SLOW = [50, 100, 200];
export const P_FAST = 'strategies.params.trend_ma_cross.fast';
export const P_SLOW = 'strategies.params.trend_ma_cross.slow';

/** Sharpe by [fast][slow]: all distinct, so every sort order is unambiguous. */
export const SCORES = [
  [0.41, 0.87, 1.12],
  [0.65, 1.48, 0.93],
  [-0.22, 0.35, 1.05],
];

export function sweepRows(): SweepRow[] {
  const rows: SweepRow[] = [];
  let index = 0;
  for (const [i, fast] of FAST.entries()) {
    for (const [j, slow] of SLOW.entries()) {
      const sharpe = SCORES[i]![j]!;
      rows.push({ index: index++, params: { [P_FAST]: fast, [P_SLOW]: slow }, summary: summaryOf({ sharpe, totalReturn: sharpe / 10, trades: 10 + index }), score: sharpe, error: null });
    }
  }
  return rows.sort((a, b) => b.score! - a.score!);
}

function sweepResult(): SweepResult {
  return { objective: 'sharpe', paths: [P_FAST, P_SLOW], rows: sweepRows(), walkForward: null, cancelled: false };
}

function headline(id: string, over: Partial<RunHeadline>): RunHeadline {
  return { id, kind: 'backtest', name: id, status: 'done', createdAt: T0, finishedAt: T0 + 5000, progress: 1, summary: summaryOf(), data: DATA, error: null, ...over };
}

const HISTORY = { kind: 'synthetic', symbols: ['GLD', 'SLV'], start: T0, bars: 200, intervalMs: MIN, seed: 7 } as const;

export class FakeResearch implements ResearchService {
  readonly runs = new Map<string, RunRecord>();
  readonly started: (BacktestRequest | SweepRequest)[] = [];
  readonly cancelled: string[] = [];
  /** Make the next starts refuse with the queue-full code. */
  queueFull = false;
  private readonly listeners = new Set<(e: ResearchEvent) => void>();
  private next = 1;

  constructor() {
    const spec = { settings: {} as never, cost: backtestResult().cost, startingCash: 100_000, accountMode: 'cash' as const, seed: 7 };
    this.add({ ...headline('bt-done', { name: 'gold trend' }), codeVersion: 'test', spec, history: HISTORY, result: backtestResult(), sweep: null });
    const best = sweepRows()[0]!;
    this.add({
      ...headline('sw-done', { kind: 'sweep', name: 'fast x slow', summary: best.summary }),
      codeVersion: 'test',
      spec: { base: spec, params: [{ path: P_FAST, values: FAST }, { path: P_SLOW, values: SLOW }], mode: 'grid', objective: 'sharpe' },
      history: HISTORY,
      result: null,
      sweep: sweepResult(),
    });
    this.add({ ...headline('bt-running', { name: 'silver run', status: 'running', finishedAt: null, progress: 0.25, summary: null, createdAt: T0 + 1000 }), codeVersion: 'test', spec, history: HISTORY, result: null, sweep: null });
  }

  private add(r: RunRecord): void {
    this.runs.set(r.id, r);
  }

  private headline(r: RunRecord): RunHeadline {
    const { codeVersion: _c, spec: _s, history: _h, result: _r, sweep: _w, ...h } = r;
    return h;
  }

  list(): readonly RunHeadline[] {
    return [...this.runs.values()].map((r) => this.headline(r)).sort((a, b) => b.createdAt - a.createdAt);
  }

  get(id: string): RunRecord | null {
    return this.runs.get(id) ?? null;
  }

  private start(kind: 'backtest' | 'sweep', req: BacktestRequest | SweepRequest): RunHeadline {
    if (this.queueFull) throw new QgtmError('QGTM_ERR_RESEARCH_QUEUE_FULL', 'the research queue is full (4 runs waiting); try again when one finishes');
    if (req.history.kind === 'csv' && req.history.file.includes('missing')) throw new QgtmError('QGTM_ERR_RESEARCH_BAD_REQUEST', `history file ${req.history.file} does not exist`);
    this.started.push(req);
    const id = `${kind === 'backtest' ? 'bt' : 'sw'}-new-${this.next++}`;
    const spec = { settings: {} as never, cost: backtestResult().cost, startingCash: req.startingCash ?? 100_000, accountMode: 'cash' as const, seed: req.seed ?? 1 };
    this.add({ ...headline(id, { kind, name: req.name ?? id, status: 'queued', finishedAt: null, progress: 0, summary: null, data: null, createdAt: T0 + 10_000 * this.next }), codeVersion: 'test', spec, history: req.history, result: null, sweep: null });
    const h = this.headline(this.runs.get(id)!);
    this.emit({ type: 'research.status', run: h });
    return h;
  }

  startBacktest(req: BacktestRequest): RunHeadline {
    return this.start('backtest', req);
  }

  startSweep(req: SweepRequest): RunHeadline {
    return this.start('sweep', req);
  }

  cancel(id: string): boolean {
    const r = this.runs.get(id);
    if (!r || r.status === 'done' || r.status === 'failed' || r.status === 'cancelled') return false;
    this.cancelled.push(id);
    this.update(id, { status: 'cancelled', finishedAt: T0 + 99_000 });
    return true;
  }

  /** Moves a run on (status, progress) and emits the events a real service would. */
  update(id: string, over: Partial<RunHeadline>): void {
    const r = this.runs.get(id);
    if (!r) throw new Error(`no run ${id}`);
    const next = { ...r, ...over };
    this.runs.set(id, next);
    if (over.status !== undefined) this.emit({ type: 'research.status', run: this.headline(next) });
    else if (over.progress !== undefined) this.emit({ type: 'research.progress', id, progress: over.progress, detail: `${Math.round(over.progress * 400)} of 400 bars` });
  }

  emit(e: ResearchEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  onEvent(listener: (e: ResearchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
