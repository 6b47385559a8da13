/**
 * Bars from a CSV file, streamed: node:readline over a file stream. Memory
 * is bounded by a read-ahead of a few thousand bars (the consumer's pace
 * pauses the stream), never by the length of the file.
 *
 * Format: a header row naming `timestamp,symbol,open,high,low,close,volume`
 * (any case, any order) and optionally `vwap` and `trades`; one bar per row.
 * A timestamp is ISO-8601 (no offset means UTC) or epoch (seconds below
 * 1e11, else milliseconds). Rows must be in time order (ascending timestamp;
 * within one timestamp any symbol order): bars come out in (ts, symbol)
 * order, as the back-test replays them.
 *
 * Every bad row is reported as `file:line: what`; up to `maxProblems` are
 * collected and thrown together as one HistoryError. The disk cache of
 * fetched bars uses this format too (epoch-ms timestamps), so it is read by
 * the same code.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { HistBar } from '../types.js';
import { parseHeader, parseRow, REQUIRED, type Header } from './csv-row.js';
import { HistoryError, MAX_PROBLEMS } from './errors.js';

export { CSV_HEADER, parseTimestamp } from './csv-row.js';

export interface CsvReadOptions {
  /** Emit only these symbols (every row is still validated). */
  readonly symbols?: readonly string[];
  /** The bar interval, when known: bars of one symbol closer than this are an error. */
  readonly intervalMs?: number;
  /** Problems collected before reading stops. Default 20. */
  readonly maxProblems?: number;
  /**
   * Only bars whose close (`ts + intervalMs`) lies in [from, to); reading
   * stops at `to`. Needs `intervalMs`.
   */
  readonly range?: { readonly from?: number; readonly to?: number };
}

/** What a pass over the file saw (of the emitted symbols), filled in as it reads. */
export interface CsvStats {
  bars: number;
  firstTs: number | null;
  lastTs: number | null;
  /** Smallest positive gap between consecutive bars of one symbol, ms (null: none seen). */
  minGapMs: number | null;
  readonly symbols: Set<string>;
}

export function emptyCsvStats(): CsvStats {
  return { bars: 0, firstTs: null, lastTs: null, minGapMs: null, symbols: new Set() };
}

/** Orders one timestamp's bars by symbol (usually already in order: no sort then). */
function bySymbol(a: HistBar, b: HistBar): number {
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

/** Parsed bars held ahead of the consumer before the file stream is paused. */
const READ_AHEAD = 8192;

/**
 * The reader: readline's `line` events parse rows as the file streams in
 * (much cheaper than a promise per line), completed timestamps queue up in
 * `ready`, and the stream pauses while the consumer is READ_AHEAD bars
 * behind.
 */
class CsvBarReader implements AsyncIterableIterator<HistBar> {
  /** Opened at the first `next()`: a stream nobody reads holds no file open. */
  private stream: ReturnType<typeof createReadStream> | null = null;
  private lines: ReturnType<typeof createInterface> | null = null;
  private readonly only: ReadonlySet<string> | null;
  private readonly maxProblems: number;
  private readonly from: number;
  private readonly to: number;
  private readonly problems: string[] = [];
  /** Per symbol: its last bar's start and whether it is emitted (one lookup per row). */
  private readonly seen = new Map<string, { last: number; emit: boolean }>();
  private header: Header | null = null;
  private lineNo = 0;
  private readonly group: HistBar[] = [];
  private groupTs = -Infinity;
  private ready: HistBar[] = [];
  private pos = 0;
  private ended = false;
  private paused = false;
  private error: HistoryError | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly file: string, private readonly options: CsvReadOptions, private readonly stats?: CsvStats) {
    this.only = options.symbols ? new Set(options.symbols) : null;
    this.maxProblems = options.maxProblems ?? MAX_PROBLEMS;
    const interval = options.intervalMs ?? 0;
    if (options.range && options.intervalMs === undefined) throw new HistoryError(`CSV ${file}: a range needs intervalMs (bars are cut by their close)`);
    this.from = (options.range?.from ?? -Infinity) - interval;
    this.to = (options.range?.to ?? Infinity) - interval;
  }

  private start(): void {
    const file = this.file;
    const stream = (this.stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 }));
    const lines = (this.lines = createInterface({ input: stream, crlfDelay: Infinity }));
    const onError = (err: Error): void => this.fail(new HistoryError(`CSV ${file}: cannot read: ${err.message}`, [], { cause: err }));
    // readline re-emits its input's errors: both must be heard, or the process gets an uncaught one.
    stream.on('error', onError);
    lines.on('error', onError);
    lines.on('line', (line) => {
      if (this.ended) return;
      try {
        this.onLine(line);
      } catch (err) {
        this.fail(err instanceof HistoryError ? err : new HistoryError(`CSV ${file}:${this.lineNo}: ${(err as Error).message}`, [], { cause: err }));
      }
    });
    lines.on('close', () => this.onEnd());
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<HistBar>> {
    if (this.error) return Promise.reject(this.error);
    if (this.pos < this.ready.length) return Promise.resolve({ done: false, value: this.ready[this.pos++]! });
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    this.ready = [];
    this.pos = 0;
    if (this.lines === null) this.start();
    else if (this.paused) {
      this.paused = false;
      this.lines.resume();
    }
    return new Promise<void>((resolve) => (this.wake = resolve)).then(() => this.next());
  }

  return(): Promise<IteratorResult<HistBar>> {
    this.ready = [];
    this.pos = 0;
    this.stop();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** Ends reading (bars already queued are still delivered unless an error is pending). */
  private stop(): void {
    this.ended = true;
    this.lines?.close();
    this.stream?.destroy();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private fail(err: HistoryError): void {
    if (this.error) return;
    this.error = err;
    this.stop();
  }

  private problem(what: string): void {
    this.problems.push(`${this.file}:${this.lineNo}: ${what}`);
    if (this.problems.length >= this.maxProblems) this.fail(this.summary(` (stopped after ${this.maxProblems})`));
  }

  private summary(why: string): HistoryError {
    return new HistoryError(`CSV ${this.file}: ${this.problems.length} problem(s)${why}`, this.problems);
  }

  private onLine(line: string): void {
    this.lineNo++;
    if (this.header === null) {
      if (line.trim() === '') throw new HistoryError(`CSV ${this.file}: line 1 must be the header (${REQUIRED.join(',')})`);
      this.header = parseHeader(this.file, line);
      return;
    }
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) return;
    const bar = parseRow(this.header, line);
    if (Array.isArray(bar)) {
      for (const p of bar) this.problem(p);
      return;
    }
    if (bar.ts < this.groupTs) return this.problem(`out of time order: ${iso(bar.ts)} after ${iso(this.groupTs)}`);
    if (bar.ts > this.groupTs) {
      // A timestamp is complete once a later one starts.
      this.flushGroup();
      this.groupTs = bar.ts;
    }
    let state = this.seen.get(bar.symbol);
    const prev = state?.last;
    // Rows are in time order, so a symbol's last bar at this very timestamp is a duplicate.
    if (prev === bar.ts) return this.problem(`duplicate bar for ${bar.symbol} at ${iso(bar.ts)}`);
    if (state === undefined) this.seen.set(bar.symbol, (state = { last: bar.ts, emit: this.only === null || this.only.has(bar.symbol) }));
    else state.last = bar.ts;
    const interval = this.options.intervalMs;
    if (prev !== undefined && interval !== undefined && bar.ts - prev < interval) {
      this.problem(`${bar.symbol} bars ${bar.ts - prev} ms apart, less than the interval ${interval} ms`);
    }
    if (!state.emit) return;
    this.group.push(bar);
    const stats = this.stats;
    if (stats) {
      stats.bars++;
      stats.firstTs ??= bar.ts;
      stats.lastTs = bar.ts;
      stats.symbols.add(bar.symbol);
      const gap = prev === undefined ? 0 : bar.ts - prev;
      if (gap > 0 && (stats.minGapMs === null || gap < stats.minGapMs)) stats.minGapMs = gap;
    }
  }

  /** Queues the finished timestamp's bars (in symbol order) for the consumer. */
  private flushGroup(): void {
    const g = this.group;
    if (g.length === 0) return;
    const ts = g[0]!.ts;
    if (ts >= this.to) {
      // Past the range: nothing later can be in it.
      g.length = 0;
      this.onEnd();
      this.stop();
      return;
    }
    if (ts < this.from) {
      g.length = 0;
      return;
    }
    if (g.length > 1) g.sort(bySymbol);
    for (const b of g) this.ready.push(b);
    g.length = 0;
    if (this.ready.length - this.pos >= READ_AHEAD && !this.paused) {
      this.paused = true;
      this.lines!.pause();
    }
    this.notify();
  }

  private onEnd(): void {
    if (this.ended || this.error) return;
    if (this.header === null) return this.fail(new HistoryError(`CSV ${this.file}: empty file (expected a header row: ${REQUIRED.join(',')})`));
    if (this.problems.length > 0) return this.fail(this.summary(''));
    this.flushGroup();
    this.ended = true;
    this.notify();
  }
}

/**
 * Streams the bars of a CSV file in (ts, symbol) order. Rejects with a
 * HistoryError listing the problems (up to `maxProblems`) when the file is
 * unreadable or has bad rows; bars before the problem may already have
 * been delivered (scan first, as `scanCsv` does, to validate up front).
 * `stats`, when given, is filled in as the file is read.
 */
export function readCsvBars(file: string, options: CsvReadOptions = {}, stats?: CsvStats): AsyncIterableIterator<HistBar> {
  return new CsvBarReader(file, options, stats);
}

function iso(ts: number): string {
  return Number.isFinite(ts) ? new Date(ts).toISOString() : String(ts);
}

/** What a validating pass over a CSV file found. */
export interface CsvScan {
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  /** First bar's start and last bar's close, epoch ms (null: no bars). */
  readonly start: number | null;
  readonly end: number | null;
  readonly bars: number;
}

/**
 * Reads the whole file once, validating every row, and counts what a
 * description needs (O(symbols) memory). The interval is `intervalMs` when
 * given, else the smallest gap between consecutive bars of one symbol.
 */
export async function scanCsv(file: string, options: CsvReadOptions = {}): Promise<CsvScan> {
  const stats = emptyCsvStats();
  for await (const _ of readCsvBars(file, options, stats)) {
    // Counting happens in readCsvBars; nothing to keep per bar.
  }
  const problems: string[] = [];
  for (const s of options.symbols ?? []) if (!stats.symbols.has(s)) problems.push(`symbol ${s} has no bars in the file`);
  const intervalMs = options.intervalMs ?? stats.minGapMs;
  if (intervalMs === null) problems.push('cannot infer the bar interval (no symbol has two bars): give intervalMs');
  if (problems.length > 0) throw new HistoryError(`CSV ${file}`, problems);
  return {
    symbols: [...stats.symbols].sort(),
    intervalMs: intervalMs!,
    start: stats.firstTs,
    end: stats.lastTs === null ? null : stats.lastTs + intervalMs!,
    bars: stats.bars,
  };
}
