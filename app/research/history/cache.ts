/**
 * The disk cache of fetched history. One entry per request: a key hashed
 * from what decides the bars (data URL, feed, sorted symbols, range,
 * interval), and under it
 *
 *   <key>.bars   the bars as CSV (csv.ts's format, epoch-ms timestamps) in
 *                (ts, symbol) order, so replay streams it;
 *   <key>.json   what the entry holds (its description), written last: an
 *                entry without it is incomplete and is not read.
 *
 * Macro series have their own key (source URLs and range) and file,
 * `<key>.macro.json`. Every file is written to a temporary name and renamed,
 * so a reader never sees half an entry and a crash leaves no entry at all.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HistBar } from '../types.js';
import { CSV_HEADER } from './csv.js';
import { HistoryError } from './errors.js';

export const CACHE_VERSION = 1;

/** What a bar cache entry holds (`<key>.json`). */
export interface BarCacheMeta {
  readonly version: number;
  readonly key: string;
  readonly dataUrl: string;
  readonly feed: string | null;
  readonly symbols: readonly string[];
  /** The requested range (bar starts in [start, end)). */
  readonly requestStart: number;
  readonly requestEnd: number;
  readonly intervalMs: number;
  /** First bar's start and last bar's close (null: no bars). */
  readonly start: number | null;
  readonly end: number | null;
  readonly bars: number;
}

function hash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** The cache key of a bar request: the same request always gets the same key. */
export function barCacheKey(r: { dataUrl: string; cacheAs?: string; feed?: string | null; symbols: readonly string[]; start: number; end: number; intervalMs: number }): string {
  return hash(['bars', CACHE_VERSION, r.cacheAs ?? r.dataUrl.replace(/\/+$/, ''), r.feed ?? null, [...new Set(r.symbols)].sort(), r.start, r.end, r.intervalMs]);
}

/** The cache key of the macro series for a range from the given sources. */
export function macroCacheKey(r: { cacheAs?: string; fredUrl?: string | null; cftcUrl?: string | null; start: number; end: number }): string {
  const sources = r.cacheAs !== undefined ? [r.cacheAs, r.fredUrl ? 'fred' : null, r.cftcUrl ? 'cftc' : null] : [r.fredUrl?.replace(/\/+$/, '') ?? null, r.cftcUrl?.replace(/\/+$/, '') ?? null];
  return hash(['macro', CACHE_VERSION, ...sources, r.start, r.end]);
}

export const barsPath = (dir: string, key: string): string => join(dir, `${key}.bars`);
export const metaPath = (dir: string, key: string): string => join(dir, `${key}.json`);
export const macroPath = (dir: string, key: string): string => join(dir, `${key}.macro.json`);

/** A cache entry's JSON file, or null when there is none. A file that does not parse is an error naming it. */
export async function readJsonEntry<T>(path: string): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new HistoryError(`history cache: cannot read ${path}: ${(err as Error).message}`, [], { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new HistoryError(`history cache: ${path} is not valid JSON (delete it to fetch again)`, [], { cause: err });
  }
}

/** A private scratch directory inside the cache (same filesystem, so renames are atomic). */
export async function scratchDir(cacheDir: string): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  const dir = join(cacheDir, `.tmp-${process.pid}-${randomUUID()}`);
  await mkdir(dir);
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes `text` to `path` through a temporary file and a rename. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomUUID()}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** One bar as a cache CSV row (numbers in their shortest exact form). */
export function barRow(b: HistBar): string {
  return `${b.ts},${b.symbol},${b.open},${b.high},${b.low},${b.close},${b.volume},${b.vwap ?? ''},${b.trades ?? ''}\n`;
}

/** Appends text to a file in chunks of about 1 MiB: few syscalls, bounded memory. */
export class ChunkWriter {
  private parts: string[] = [];
  private size = 0;

  private constructor(private readonly fh: FileHandle) {}

  static async create(path: string, header = true): Promise<ChunkWriter> {
    const w = new ChunkWriter(await open(path, 'w'));
    if (header) w.parts.push(`${CSV_HEADER}\n`);
    return w;
  }

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.fh.write(text);
  }

  /** Flushes, syncs and closes. */
  async close(): Promise<void> {
    try {
      await this.flush();
      await this.fh.sync();
    } finally {
      await this.fh.close();
    }
  }

  /** Closes without flushing (after a failure). */
  async abandon(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

function before(a: HistBar, b: HistBar): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.symbol < b.symbol);
}

/**
 * Merges streams that are each in time order into one in (ts, symbol) order,
 * holding one bar per stream (a binary heap over the streams' heads).
 */
export async function* mergeByTime(streams: readonly AsyncIterable<HistBar>[]): AsyncGenerator<HistBar> {
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const heap: { bar: HistBar; k: number }[] = [];
  const push = (e: { bar: HistBar; k: number }): void => {
    heap.push(e);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(heap[i]!.bar, heap[p]!.bar)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const popTop = (): void => {
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!.bar, heap[m]!.bar)) m = l;
      if (r < heap.length && before(heap[r]!.bar, heap[m]!.bar)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  try {
    for (let k = 0; k < its.length; k++) {
      const r = await its[k]!.next();
      if (!r.done) push({ bar: r.value, k });
    }
    while (heap.length > 0) {
      const top = heap[0]!;
      yield top.bar;
      const r = await its[top.k]!.next();
      if (r.done) popTop();
      else {
        // Replace the head and sift down: the same stream usually stays near the top.
        popTop();
        push({ bar: r.value, k: top.k });
      }
    }
  } finally {
    await Promise.all(its.map((it) => it.return?.()));
  }
}
