/**
 * A seeded streaming history for the back-test benchmark: a random walk per
 * symbol with trending spells (so trend strategies trade), consistent OHLC
 * and positive volume, generated as it is read. Memory is a few numbers per
 * symbol whatever the length, so ten years of minute bars cost nothing to
 * hold; the only allocation per bar is the bar itself.
 *
 * The spec has the shape of the synthetic `HistorySpec`: `bars` counts
 * timestamps, every symbol has one bar at `start + i x intervalMs`, so the
 * stream holds `bars x symbols` bar events in (ts, symbol) order. Plain
 * data, so a pool task rebuilds the same history in its own thread.
 *
 * (Written for the benchmark while `app/research/history/synthetic.ts` was
 * not on main; the two agree on the spec's meaning.)
 */
import type { HistBar, HistorySource } from '../../app/research/types.js';
import { Prng } from '../../src/prng.js';

export interface WalkSpec {
  readonly symbols: readonly string[];
  readonly start: number;
  /** Timestamps (each has one bar per symbol). */
  readonly bars: number;
  readonly intervalMs: number;
  readonly seed: number;
}

/** Bars between changes of a symbol's drift (a trending spell). */
const SPELL = 60;

/** The bars of `spec`, synchronously, in (ts, symbol) order: the raw stream the baseline iterates. */
export function* walkBars(spec: WalkSpec): Generator<HistBar> {
  const symbols = [...spec.symbols].sort();
  const n = symbols.length;
  const rng = new Prng(spec.seed);
  const px = new Float64Array(n);
  const drift = new Float64Array(n);
  for (let k = 0; k < n; k++) px[k] = 20 + 280 * rng.next();
  for (let t = 0; t < spec.bars; t++) {
    const ts = spec.start + t * spec.intervalMs;
    for (let k = 0; k < n; k++) {
      if (t % SPELL === 0) drift[k] = (rng.next() - 0.5) * 0.0008;
      const open = px[k];
      // Mean-reverting pull keeps ten years of walk in a sane price range.
      const pull = Math.log(100 / open) * 1e-5;
      const close = Math.max(0.01, Math.round(open * Math.exp(drift[k] + pull + (rng.next() - 0.5) * 0.003) * 100) / 100);
      const high = Math.max(open, close) * (1 + rng.next() * 0.0008);
      const low = Math.min(open, close) * (1 - rng.next() * 0.0008);
      px[k] = close;
      yield { symbol: symbols[k], ts, open, high, low, close, volume: 5_000 + Math.floor(rng.next() * 5_000) };
    }
  }
}

/** `spec` as a `HistorySource`, streamed: no bar is held after it is handed over. */
export function walkHistory(spec: WalkSpec): HistorySource {
  const symbols = [...spec.symbols].sort();
  const end = spec.start + spec.bars * spec.intervalMs;
  return {
    intervalMs: spec.intervalMs,
    symbols,
    bars(range) {
      const from = range?.from ?? -Infinity;
      const to = range?.to ?? Infinity;
      return {
        [Symbol.asyncIterator]() {
          const it = walkBars(spec);
          return {
            next(): Promise<IteratorResult<HistBar>> {
              for (;;) {
                const r = it.next();
                if (r.done) return Promise.resolve(r);
                const close = r.value.ts + spec.intervalMs;
                if (close < from) continue;
                if (close >= to) return Promise.resolve({ done: true, value: undefined });
                return Promise.resolve(r);
              }
            },
          };
        },
      };
    },
    macro: () => [],
    describe: () => ({ kind: 'synthetic', source: `bench walk seed ${spec.seed}`, symbols, intervalMs: spec.intervalMs, start: spec.start, end, bars: spec.bars * symbols.length, cached: false, macro: [] }),
  };
}
