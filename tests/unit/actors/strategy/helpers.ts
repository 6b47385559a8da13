import { MarketView } from '../../../../actors/strategy/market-view.js';
import { mulberry32 } from '../../../../src/random.js';
import type { FeedBarMsg } from '../../../../actors/feed/messages.js';
import type { Observation } from '../../../../actors/macro/messages.js';

export const DAY = 86_400_000;
export const MIN = 60_000;
/** 2026-01-05 00:00 UTC: bars are daily by default, starting here. */
export const START = Date.UTC(2026, 0, 5);

/** Deterministic uniform [0, 1) generator (mulberry32). */
/** The shared seeded generator (src/random.ts), under the name these tests use. */
export const rng = mulberry32;

/** Standard normal draws from a seeded generator (Box-Muller). */
export function normals(n: number, seed: number): number[] {
  const u = rng(seed);
  const out: number[] = [];
  while (out.length < n) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out.push(r * Math.cos(th), r * Math.sin(th));
  }
  return out.slice(0, n);
}

/** A geometric random walk of n closes: log steps drift + sigma * N(0,1). */
export function walk(n: number, start: number, sigma: number, drift: number, seed: number): number[] {
  const z = normals(n, seed);
  const out: number[] = [];
  let lp = Math.log(start);
  for (let i = 0; i < n; i++) {
    if (i > 0) lp += drift + sigma * z[i];
    out.push(Math.exp(lp));
  }
  return out;
}

/** Appends steps to a series: each step multiplies the last close by exp(step). */
export function extend(series: number[], steps: number[]): number[] {
  const out = [...series];
  for (const s of steps) out.push(out[out.length - 1] * Math.exp(s));
  return out;
}

export function barMsg(symbol: string, ts: number, close: number, prev: number, intervalMs = DAY, range = 0.002): FeedBarMsg {
  return {
    type: 'feed.bar',
    symbol,
    ts,
    intervalMs,
    open: prev,
    high: Math.max(prev, close) * (1 + range),
    low: Math.min(prev, close) * (1 - range),
    close,
    volume: 1000,
    vwap: close,
    trades: 10,
    ret: null,
    vol: null,
  };
}

/** Bars for each symbol from its closes, at `intervalMs` from `start`. */
export function barsOf(series: Record<string, number[]>, intervalMs = DAY, start = START, range = 0.002): FeedBarMsg[] {
  const out: FeedBarMsg[] = [];
  for (const [symbol, closes] of Object.entries(series)) {
    closes.forEach((c, i) => out.push(barMsg(symbol, start + i * intervalMs, c, i > 0 ? closes[i - 1] : c, intervalMs, range)));
  }
  return out;
}

export function viewWith(series: Record<string, number[]>, intervalMs = DAY, start = START, range = 0.002): MarketView {
  const v = new MarketView({ historyCapacity: 512 });
  for (const b of barsOf(series, intervalMs, start, range)) v.onBar(b);
  return v;
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Daily observations of `values` ending the day before `end`. */
export function observations(values: number[], end = START + 400 * DAY): Observation[] {
  return values.map((value, i) => ({ date: isoDay(end - (values.length - i) * DAY), value }));
}

/** Time just after the last observation of `observations(values, end)`. */
export const AFTER = START + 400 * DAY;
