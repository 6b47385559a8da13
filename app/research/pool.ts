/**
 * The research pool: back-tests run as piscina tasks on worker threads
 * (task.ts), never on the main thread or an actor's thread. The pool is
 * capped (default: one thread fewer than the machine offers, at least one)
 * and its threads run at a lower scheduling priority (`niceIncrement`, via
 * piscina's optional @napi-rs/nice; Linux keeps nice per thread, so the
 * daemon's own threads keep theirs): research gives way to the live
 * daemon whenever both want a core.
 *
 * Piscina swallows a failure to load @napi-rs/nice, so `probe()` asks a pool
 * thread what priority it really runs at (tests check it).
 */
import { availableParallelism, getPriority } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { QgtmError } from '../../src/errors.js';
import type { BacktestResult, BacktestSpec, HistorySpec, Progress } from './types.js';
import type { BacktestTask, BarRange, BarTimes, ProbeResult, ResearchTask, TaskMessage } from './task.js';

export interface PoolOptions {
  /** Threads (default: available parallelism - 1, at least 1). */
  readonly workers?: number | null;
  /** Added to the threads' nice value (0-19; default 10). */
  readonly niceIncrement?: number;
  /** Idle threads end after this many ms (default 30 s), so an idle daemon holds no research threads. */
  readonly idleTimeoutMs?: number;
}

export interface PoolRunOptions {
  /** Replay only the bars closing in [from, to). */
  readonly range?: BarRange;
  /** The answer without orders, fills or series (sweeps). */
  readonly summaryOnly?: boolean;
  /** With `spec.tradeFrom`: figures over the trading part only, its series kept to this many points. */
  readonly tradingWindowPoints?: number;
  readonly onProgress?: (p: Progress) => void;
  readonly progressEvery?: number;
  /**
   * Before the task starts: it leaves the queue. While it runs: it stops at
   * its next turn and answers with what ran (`cancelled: true`).
   */
  readonly signal?: AbortSignal;
}

/** A task was cancelled before it started. */
export class ResearchCancelledError extends QgtmError {
  constructor(what = 'research task') {
    super('QGTM_ERR_RESEARCH_CANCELLED', `${what} cancelled`);
  }
}

export const DEFAULT_NICE_INCREMENT = 10;

/** The default pool size on this machine. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

const TASK_FILE = new URL('./task.js', import.meta.url).href;

export class ResearchPool {
  readonly size: number;
  readonly niceIncrement: number;
  private readonly piscina: Piscina<ResearchTask, unknown>;
  private closed = false;

  constructor(opts: PoolOptions = {}) {
    const workers = opts.workers ?? defaultWorkers();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`research pool workers must be a positive integer; got ${workers}`);
    const nice = opts.niceIncrement ?? DEFAULT_NICE_INCREMENT;
    if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new RangeError(`research pool niceIncrement must be an integer 0-19; got ${nice}`);
    this.size = workers;
    this.niceIncrement = nice;
    this.piscina = new Piscina({
      filename: TASK_FILE,
      name: 'default',
      minThreads: 0,
      maxThreads: workers,
      idleTimeout: opts.idleTimeoutMs ?? 30_000,
      niceIncrement: nice,
      // One back-test per thread at a time: a task is CPU-bound from start to end.
      concurrentTasksPerWorker: 1,
    });
  }

  /** Tasks waiting for a thread. */
  get queued(): number {
    return this.piscina.queueSize;
  }

  /** Runs one back-test on a pool thread. */
  async runBacktest(history: HistorySpec, spec: BacktestSpec, opts: PoolRunOptions = {}): Promise<BacktestResult> {
    if (this.closed) throw new QgtmError('QGTM_ERR_RESEARCH_CLOSED', 'the research pool is closed');
    if (opts.signal?.aborted) throw new ResearchCancelledError();
    const { port1, port2 } = new MessageChannel();
    const queueAbort = new AbortController();
    let started = false;
    port1.on('message', (m: TaskMessage) => {
      if (m.type === 'started') started = true;
      else if (m.type === 'progress') opts.onProgress?.(m.p);
    });
    // Queued: leave the queue (piscina). Running: ask the task to stop and answer with what ran
    // (piscina would terminate the thread instead, and the partial figures would be lost).
    const onAbort = (): void => {
      if (started) port1.postMessage({ type: 'abort' });
      else queueAbort.abort();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const task: BacktestTask = {
      kind: 'backtest',
      history,
      spec,
      ...(opts.range ? { range: opts.range } : {}),
      ...(opts.summaryOnly ? { summaryOnly: true } : {}),
      ...(opts.tradingWindowPoints !== undefined ? { tradingWindowPoints: opts.tradingWindowPoints } : {}),
      ...(opts.progressEvery !== undefined ? { progressEvery: opts.progressEvery } : {}),
      port: port2,
    };
    try {
      return (await this.piscina.run(task, { transferList: [port2], signal: queueAbort.signal })) as BacktestResult;
    } catch (err) {
      if (queueAbort.signal.aborted) throw new ResearchCancelledError();
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      port1.close();
    }
  }

  /** The distinct bar start times of a history, ascending (read on a pool thread). */
  async barTimes(history: HistorySpec): Promise<BarTimes> {
    return (await this.piscina.run({ kind: 'bar-times', history })) as BarTimes;
  }

  /** A pool thread's own view of its priority, next to the main thread's. */
  async probe(): Promise<ProbeResult & { readonly mainPriority: number }> {
    const r = (await this.piscina.run({ kind: 'probe' })) as ProbeResult;
    return { ...r, mainPriority: getPriority() };
  }

  /** Ends the threads; tasks still queued or running are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}
