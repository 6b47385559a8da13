/**
 * Histories for the engine's tests: bars held in memory (small), or a seeded
 * random walk over symbols.
 */
import type { HistBar, HistorySource, MacroEvent } from '../../../../../app/research/types.js';
import { Prng } from '../../../../../src/prng.js';

export function arraySource(bars: readonly HistBar[], intervalMs: number, macro: readonly MacroEvent[] = []): HistorySource {
  const symbols = [...new Set(bars.map((b) => b.symbol))].sort();
  return {
    intervalMs,
    symbols,
    async *bars(range) {
      for (const b of bars) {
        const close = b.ts + intervalMs;
        if (range?.from !== undefined && close < range.from) continue;
        if (range?.to !== undefined && close >= range.to) continue;
        yield b;
      }
    },
    macro: () => macro,
    describe: () => ({ kind: 'synthetic', source: 'memory', symbols, intervalMs, start: bars[0]?.ts ?? null, end: bars.length ? bars[bars.length - 1]!.ts + intervalMs : null, bars: bars.length, cached: false, macro: [] }),
  };
}

/** `n` bar times of a seeded walk over `symbols` (trending spells, so trend strategies trade). */
export function walkBars(symbols: readonly string[], n: number, opts: { seed?: number; start?: number; intervalMs?: number; price?: number } = {}): HistBar[] {
  const rng = new Prng(opts.seed ?? 7);
  const interval = opts.intervalMs ?? 60_000;
  const start = opts.start ?? Date.UTC(2026, 2, 2, 14, 30);
  const px = symbols.map(() => opts.price ?? 100);
  const drift = symbols.map(() => 0);
  const out: HistBar[] = [];
  for (let t = 0; t < n; t++) {
    for (let k = 0; k < symbols.length; k++) {
      if (t % 60 === 0) drift[k] = (rng.next() - 0.5) * 0.004;
      const open = px[k]!;
      const close = Math.round(open * Math.exp(drift[k]! + (rng.next() - 0.5) * 0.004) * 100) / 100;
      const high = Math.max(open, close) * (1 + rng.next() * 0.001);
      const low = Math.min(open, close) * (1 - rng.next() * 0.001);
      px[k] = close;
      out.push({ symbol: symbols[k]!, ts: start + t * interval, open, high, low, close, volume: 5_000 + Math.floor(rng.next() * 5_000) });
    }
  }
  return out;
}
