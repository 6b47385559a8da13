/**
 * The research service the surfaces use (CLI, REST, WebSocket, terminal): a
 * bounded FIFO queue of runs, one running at a time by default (a sweep
 * already fills the pool's threads), each run's record saved on every status
 * change so a restart lists every run. A run found `running` or `queued` at
 * start was cut off by a restart: it is marked failed, saying so.
 *
 * Requests are checked before they are queued (settings overrides as the
 * configuration checks them, the cost model, the sweep plan): a bad request
 * is a ResearchRequestError naming what was wrong, never a failed run.
 * Progress events are throttled per run (default at most 10 a second); the
 * throttle reads wall time, which is fine here: this is the operator's
 * side of the queue, not the replay.
 */
import { dirname, resolve } from 'node:path';
import { ConfigError, QgtmError } from '../../src/errors.js';
import type { QgtmConfig } from '../config/schema.js';
import { DEFAULT_COST_MODEL, specViolations } from './engine/index.js';
import { prepareHistory } from './history/index.js';
import { ResearchPool, type PoolOptions } from './pool.js';
import { codeVersion, headlineOf, newRunId, RunStore } from './record.js';
import { settingsFromConfig, sweepParamViolations, withOverrides } from './settings.js';
import { runSweep, sweepPoints } from './sweep.js';
import { OBJECTIVES } from './sweep-plan.js';
import type { BacktestRequest, BacktestSpec, HistoryDescription, HistorySpec, ResearchEvent, ResearchService, RunHeadline, RunRecord, SweepRequest, SweepSpec } from './types.js';

/** A research request that cannot run as given (bad settings, cost, plan or history). */
export class ResearchRequestError extends QgtmError {
  readonly violations: readonly string[];
  constructor(violations: readonly string[]) {
    super('QGTM_ERR_RESEARCH_REQUEST', `invalid research request:\n  - ${violations.join('\n  - ')}`);
    this.violations = violations;
  }
}

/** The queue is full. */
export class ResearchQueueFullError extends QgtmError {
  constructor(max: number) {
    super('QGTM_ERR_RESEARCH_QUEUE_FULL', `the research queue is full (${max} runs waiting); try again when one has finished, or cancel one`);
  }
}

export interface ResearchServiceOptions {
  /** Where run records live (default: `researchDir(config)`). */
  readonly dir?: string;
  /** Base trading settings and research limits. */
  readonly config: QgtmConfig;
  /** A pool to use (not closed by the service), or options for one of its own (default from `config.research`). */
  readonly pool?: ResearchPool | PoolOptions;
  /** Runs that may wait (default `config.research.maxQueued`). */
  readonly maxQueued?: number;
  /** Runs at a time (default 1). */
  readonly concurrency?: number;
  /** Least ms between two progress events of one run (default 100). */
  readonly progressEveryMs?: number;
  /** Fetches network history into the cache (default `prepareHistory`). */
  readonly prepare?: (spec: HistorySpec) => Promise<HistoryDescription>;
  /** Wall clock for record times and the progress throttle (default Date.now). */
  readonly now?: () => number;
  /** Problems met (a corrupt record file, a failed save). */
  readonly onProblem?: (message: string) => void;
}

/** The research directory of a configuration: `research.dir`, else `research` beside the journal folder. */
export function researchDir(config: QgtmConfig): string {
  return resolve(config.research.dir ?? resolve(dirname(resolve(config.daemon.journalDir)), 'research'));
}

interface Active {
  record: RunRecord;
  readonly abort: AbortController;
  lastProgressAt: number;
}

const INTERRUPTED = 'interrupted by restart';

export function createResearchService(opts: ResearchServiceOptions): ResearchService & { readonly pool: ResearchPool; readonly dir: string } {
  const now = opts.now ?? Date.now;
  const onProblem = opts.onProblem ?? (() => {});
  const dir = opts.dir ?? researchDir(opts.config);
  const store = new RunStore(dir, { onProblem });
  const ownPool = !(opts.pool instanceof ResearchPool);
  const pool = opts.pool instanceof ResearchPool ? opts.pool : new ResearchPool({ workers: opts.config.research.workers, niceIncrement: opts.config.research.niceIncrement, ...opts.pool });
  const maxQueued = opts.maxQueued ?? opts.config.research.maxQueued;
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const throttleMs = opts.progressEveryMs ?? 100;
  const prepare = opts.prepare ?? ((spec: HistorySpec) => prepareHistory(spec));
  const base = settingsFromConfig(opts.config);
  const listeners = new Set<(e: ResearchEvent) => void>();
  const heads = new Map<string, RunHeadline>();
  const queue: Active[] = [];
  const running = new Map<string, Active>();
  const finished: Promise<void>[] = [];
  let seq = 0;
  let closed = false;

  const emit = (e: ResearchEvent): void => {
    for (const l of listeners) {
      try {
        l(e);
      } catch (err) {
        onProblem(`research event listener failed: ${(err as Error).message}`);
      }
    }
  };
  const save = (r: RunRecord): void => {
    heads.set(r.id, headlineOf(r));
    try {
      store.save(r);
    } catch (err) {
      onProblem(`research run ${r.id} could not be saved: ${(err as Error).message}`);
    }
  };
  const setStatus = (a: Active, patch: Partial<RunRecord>): void => {
    a.record = { ...a.record, ...patch };
    save(a.record);
    emit({ type: 'research.status', run: headlineOf(a.record) });
  };

  // Runs cut off by a restart: they will never finish, say so.
  for (const h of store.list()) {
    if (h.status === 'running' || h.status === 'queued') {
      const r = store.read(h.id);
      if (r) save({ ...r, status: 'failed', error: INTERRUPTED, finishedAt: r.finishedAt ?? now() });
      else heads.set(h.id, { ...h, status: 'failed', error: INTERRUPTED });
    } else heads.set(h.id, h);
  }

  const checkNotFull = (): void => {
    if (closed) throw new QgtmError('QGTM_ERR_RESEARCH_CLOSED', 'the research service is closed');
    if (queue.length >= maxQueued) throw new ResearchQueueFullError(maxQueued);
  };

  const specOf = (req: BacktestRequest): BacktestSpec => {
    const v: string[] = [];
    let settings = base;
    try {
      if (req.set && Object.keys(req.set).length > 0) settings = withOverrides(base, req.set, { source: 'set' });
    } catch (err) {
      if (err instanceof ConfigError) v.push(...err.violations);
      else throw err;
    }
    const unknownCost = Object.keys(req.cost ?? {}).filter((k) => !(k in DEFAULT_COST_MODEL));
    if (unknownCost.length > 0) v.push(`unknown cost field ${unknownCost.join(', ')} (known: ${Object.keys(DEFAULT_COST_MODEL).join(', ')})`);
    const spec: BacktestSpec = {
      ...(req.name !== undefined ? { name: req.name } : {}),
      settings,
      cost: { ...DEFAULT_COST_MODEL, ...req.cost },
      startingCash: req.startingCash ?? 100_000,
      accountMode: 'margin',
      seed: req.seed ?? opts.config.venue.seed,
    };
    v.push(...specViolations(spec));
    v.push(...historyViolations(req.history));
    if (v.length > 0) throw new ResearchRequestError(v);
    return spec;
  };

  const enqueue = (kind: 'backtest' | 'sweep', name: string, spec: BacktestSpec | SweepSpec, history: HistorySpec): RunHeadline => {
    const createdAt = now();
    const record: RunRecord = {
      id: newRunId(createdAt, seq++),
      kind,
      name,
      status: 'queued',
      createdAt,
      finishedAt: null,
      progress: 0,
      summary: null,
      data: null,
      error: null,
      codeVersion: codeVersion(),
      spec,
      history,
      result: null,
      sweep: null,
    };
    const a: Active = { record, abort: new AbortController(), lastProgressAt: -Infinity };
    queue.push(a);
    setStatus(a, {});
    pump();
    return headlineOf(a.record);
  };

  const pump = (): void => {
    while (!closed && running.size < concurrency && queue.length > 0) {
      const a = queue.shift()!;
      running.set(a.record.id, a);
      const p = execute(a).finally(() => {
        running.delete(a.record.id);
        finished.splice(finished.indexOf(p), 1);
        pump();
      });
      finished.push(p);
    }
  };

  const progress = (a: Active, fraction: number, detail: string): void => {
    a.record = { ...a.record, progress: Math.min(1, Math.max(0, fraction)) };
    heads.set(a.record.id, headlineOf(a.record));
    const t = now();
    if (t - a.lastProgressAt < throttleMs) return;
    a.lastProgressAt = t;
    emit({ type: 'research.progress', id: a.record.id, progress: a.record.progress, detail });
  };

  async function execute(a: Active): Promise<void> {
    const signal = a.abort.signal;
    setStatus(a, { status: 'running' });
    try {
      const data = await prepare(a.record.history);
      a.record = { ...a.record, data };
      if (signal.aborted) return setStatus(a, { status: 'cancelled', finishedAt: now() });
      if (a.record.kind === 'backtest') {
        const result = await pool.runBacktest(a.record.history, a.record.spec as BacktestSpec, {
          signal,
          onProgress: (p) => progress(a, fractionOf(p.barsDone, p.barsTotal, p.at, data), `${p.barsDone.toLocaleString('en-US')} bars`),
        });
        setStatus(a, { status: result.cancelled ? 'cancelled' : 'done', progress: result.cancelled ? a.record.progress : 1, result, summary: result.summary, finishedAt: now() });
      } else {
        const spec = a.record.spec as SweepSpec;
        const sweep = await runSweep({ pool, history: a.record.history, spec, span: data, signal, onProgress: (p) => progress(a, p.fraction, `${p.tasksDone}/${p.tasksTotal} tasks; ${p.detail}`) });
        const best = sweep.rows[0]?.summary ?? null;
        const summary = sweep.walkForward ? (sweep.walkForward.outOfSample ?? best) : best;
        setStatus(a, { status: sweep.cancelled ? 'cancelled' : 'done', progress: sweep.cancelled ? a.record.progress : 1, sweep, summary, finishedAt: now() });
      }
    } catch (err) {
      if (signal.aborted) setStatus(a, { status: 'cancelled', finishedAt: now() });
      else setStatus(a, { status: 'failed', error: err instanceof Error ? err.message : String(err), finishedAt: now() });
    }
  }

  return {
    pool,
    dir: store.dir,
    list: () => [...heads.values()].sort((x, y) => y.createdAt - x.createdAt || (x.id < y.id ? 1 : -1)),
    get: (id) => running.get(id)?.record ?? queue.find((a) => a.record.id === id)?.record ?? store.read(id),
    startBacktest(req) {
      checkNotFull();
      const spec = specOf(req);
      return enqueue('backtest', req.name ?? 'backtest', spec, req.history);
    },
    startSweep(req) {
      checkNotFull();
      const b = specOf(req);
      const objective = req.objective ?? 'sharpe';
      const v: string[] = [];
      if (!OBJECTIVES.includes(objective)) v.push(`objective must be one of ${OBJECTIVES.join(', ')}; got ${JSON.stringify(objective)}`);
      if (!Array.isArray(req.params) || req.params.length === 0) v.push('a sweep needs at least one parameter (params)');
      else v.push(...sweepParamViolations(b.settings, req.params));
      const wf = req.walkForward ?? null;
      if (wf !== null && !(Number.isInteger(wf.trainBars) && wf.trainBars > 0 && Number.isInteger(wf.testBars) && wf.testBars > 0)) v.push(`walkForward needs positive whole trainBars and testBars; got ${JSON.stringify(wf)}`);
      if (v.length > 0) throw new ResearchRequestError(v);
      const spec: SweepSpec = { ...(req.name !== undefined ? { name: req.name } : {}), base: b, params: req.params, mode: req.mode ?? 'grid', ...(req.samples !== undefined ? { samples: req.samples } : {}), objective, walkForward: wf };
      // Plans the points now: a grid too large or a bad random range is refused here (ResearchPlanError).
      sweepPoints(spec);
      return enqueue('sweep', req.name ?? 'sweep', spec, req.history);
    },
    cancel(id) {
      const qi = queue.findIndex((a) => a.record.id === id);
      if (qi >= 0) {
        const [a] = queue.splice(qi, 1);
        setStatus(a!, { status: 'cancelled', finishedAt: now() });
        return true;
      }
      const a = running.get(id);
      if (!a || a.abort.signal.aborted) return false;
      a.abort.abort();
      return true;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const a of queue.splice(0)) setStatus(a, { status: 'cancelled', error: 'the research service stopped', finishedAt: now() });
      for (const a of running.values()) a.abort.abort();
      await Promise.allSettled([...finished]);
      if (ownPool) await pool.close();
      listeners.clear();
    },
  };
}

function fractionOf(done: number, total: number | null, at: number, data: HistoryDescription): number {
  if (total !== null && total > 0) return done / total;
  if (data.start === null || data.end === null || !(data.end > data.start)) return 0;
  return (at - data.start) / (data.end - data.start);
}

/** Shape checks of a history spec that can be made before it is opened. */
function historyViolations(h: HistorySpec | undefined): string[] {
  if (typeof h !== 'object' || h === null) return ['history is required (kind venue, alpaca, csv or synthetic)'];
  switch (h.kind) {
    case 'csv':
      return typeof h.file === 'string' && h.file !== '' ? [] : ['history.file is required for a csv history'];
    case 'synthetic':
      return Array.isArray(h.symbols) && h.symbols.length > 0 && Number.isInteger(h.bars) && h.bars > 0 && Number.isInteger(h.intervalMs) && h.intervalMs > 0 ? [] : ['a synthetic history needs symbols, a positive whole number of bars and intervalMs'];
    case 'venue':
    case 'alpaca':
      return typeof h.dataUrl === 'string' && Array.isArray(h.symbols) && h.symbols.length > 0 && Number.isFinite(h.start) && Number.isFinite(h.end) && h.end > h.start
        ? []
        : [`a ${h.kind} history needs dataUrl, symbols and start < end`];
    default:
      return [`history.kind must be venue, alpaca, csv or synthetic; got ${JSON.stringify((h as { kind?: unknown }).kind)}`];
  }
}
