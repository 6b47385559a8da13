/**
 * Seeded synthetic bars, generated as they are read: a geometric random
 * walk per symbol, correlated through one common factor, with consistent
 * OHLC and positive volume. It stands in for years of minute bars in the
 * benchmark (20 million bars) without a file: memory is a few numbers per
 * symbol, and the only allocation per bar is the bar itself.
 *
 * `bars` in the spec is the number of timestamps: every symbol has one bar
 * at `start + i x intervalMs` for i in [0, bars), so the stream holds
 * `bars x symbols` bars. The same seed, symbols and interval give the same
 * bars, whatever range is read (a range is cut from the full sequence).
 */
import { Prng, deriveSeed, hashString } from '../../../src/prng.js';
import type { BarStream, HistBar, HistorySpec } from '../types.js';
import { HistoryError } from './errors.js';

export type SyntheticSpec = Extract<HistorySpec, { kind: 'synthetic' }>;

const YEAR_MS = 365.25 * 86_400_000;
const BLOCK = 4096;
const TWO_PI = 2 * Math.PI;

/** Every problem with a synthetic spec, each naming its field. */
export function syntheticSpecViolations(spec: SyntheticSpec): string[] {
  const v: string[] = [];
  if (!Array.isArray(spec.symbols) || spec.symbols.length === 0) v.push('history.symbols must list at least one symbol');
  else if (new Set(spec.symbols).size !== spec.symbols.length) v.push('history.symbols has duplicates');
  if (!Number.isFinite(spec.start)) v.push('history.start must be epoch ms');
  if (!Number.isInteger(spec.bars) || spec.bars < 1) v.push(`history.bars must be a positive integer (got ${spec.bars})`);
  if (!Number.isInteger(spec.intervalMs) || spec.intervalMs < 1) v.push(`history.intervalMs must be a positive integer (got ${spec.intervalMs})`);
  if (!Number.isInteger(spec.seed)) v.push(`history.seed must be an integer (got ${spec.seed})`);
  return v;
}

/**
 * The generator: `next()` returns the next bar in (ts, symbol) order, or
 * null at the end. Synchronous, for callers that want no promise per bar.
 */
export class SyntheticBars {
  readonly symbols: readonly string[];
  private readonly n: number;
  private readonly price: Float64Array;
  private readonly sigma: Float64Array;
  private readonly beta: Float64Array;
  private readonly idio: Float64Array;
  private readonly volume: Float64Array;
  /** xorshift128 state (int32). */
  private readonly state = new Int32Array(4);
  private readonly start: number;
  private readonly intervalMs: number;
  private readonly total: number;
  /** Index of the next timestamp and of the next symbol within it. */
  private t = 0;
  private k = 0;
  private factor = 0;
  private ts: number;
  /** Pre-drawn normals and uniforms, each used from its index on. */
  private readonly normals = new Float64Array(BLOCK);
  private readonly uniforms = new Float64Array(BLOCK);
  private np = BLOCK;
  private up = BLOCK;

  constructor(spec: SyntheticSpec) {
    const problems = syntheticSpecViolations(spec);
    if (problems.length > 0) throw new HistoryError('invalid synthetic history spec', problems);
    this.symbols = [...spec.symbols].sort();
    this.n = this.symbols.length;
    this.start = spec.start;
    this.intervalMs = spec.intervalMs;
    this.total = spec.bars;
    this.ts = spec.start;
    this.price = new Float64Array(this.n);
    this.sigma = new Float64Array(this.n);
    this.beta = new Float64Array(this.n);
    this.idio = new Float64Array(this.n);
    this.volume = new Float64Array(this.n);
    const perBar = Math.sqrt(spec.intervalMs / YEAR_MS);
    this.symbols.forEach((symbol, i) => {
      // Each symbol's character comes from the seed and its name only, so adding a symbol changes no other.
      const p = new Prng(deriveSeed(spec.seed, `synthetic:${symbol}`) ^ hashString(symbol));
      this.price[i] = 20 + 380 * p.next();
      this.sigma[i] = (0.12 + 0.33 * p.next()) * perBar; // annual volatility 12-45 %
      this.beta[i] = 0.3 + 0.6 * p.next(); // loading on the common factor
      this.idio[i] = Math.sqrt(1 - this.beta[i]! * this.beta[i]!);
      this.volume[i] = 200 + 5000 * p.next();
    });
    const rng = new Prng(deriveSeed(spec.seed, 'synthetic:path'));
    for (let j = 0; j < 4; j++) this.state[j] = rng.nextU32() | 0;
    if ((this.state[0]! | this.state[1]! | this.state[2]! | this.state[3]!) === 0) this.state[0] = 1;
  }

  /** The next bar, or null when all were generated. */
  next(): HistBar | null {
    if (this.k === this.n) {
      this.k = 0;
      this.t++;
      this.ts = this.start + this.t * this.intervalMs;
    }
    if (this.t >= this.total) return null;
    if (this.np + 2 > BLOCK) this.refillNormals();
    if (this.up + 3 > BLOCK) this.refillUniforms();
    const d = this.normals;
    const u = this.uniforms;
    if (this.k === 0) this.factor = d[this.np++]!;
    const i = this.k++;
    const s = this.sigma[i]!;
    const r = s * (this.beta[i]! * this.factor + this.idio[i]! * d[this.np++]!) - 0.5 * s * s;
    const open = this.price[i]!;
    const close = open * Math.exp(r);
    this.price[i] = close;
    const top = open > close ? open : close;
    const bottom = open > close ? close : open;
    const up = this.up;
    this.up = up + 3;
    // Wicks: up to 0.6 sigma beyond the body on each side; volume grows with the move.
    const high = top * (1 + 0.6 * s * u[up]!);
    const low = bottom * (1 - 0.6 * s * u[up + 1]!);
    const volume = 1 + Math.floor(this.volume[i]! * (0.5 + u[up + 2]!) * (1 + Math.abs(r) / s));
    return { symbol: this.symbols[i]!, ts: this.ts, open, high, low, close, volume };
  }

  /**
   * Draws the next block of normals in one tight loop (much cheaper per
   * number than a call per draw); both halves of each Box-Muller pair are
   * used. The draws come from xorshift128 kept in int32 arithmetic, seeded
   * from the spec's Prng: fast, and plenty for synthetic prices.
   */
  private refillNormals(): void {
    const st = this.state;
    let x = st[0]!, y = st[1]!, z = st[2]!, w = st[3]!;
    const d = this.normals;
    for (let j = 0; j < BLOCK; j += 2) {
      let t = x ^ (x << 11);
      x = y; y = z; z = w;
      w = w ^ (w >>> 19) ^ (t ^ (t >>> 8));
      const a = ((w >>> 0) + 0.5) / 4294967296;
      t = x ^ (x << 11);
      x = y; y = z; z = w;
      w = w ^ (w >>> 19) ^ (t ^ (t >>> 8));
      const m = Math.sqrt(-2 * Math.log(a));
      const angle = TWO_PI * ((w >>> 0) / 4294967296);
      d[j] = m * Math.cos(angle);
      d[j + 1] = m * Math.sin(angle);
    }
    st[0] = x; st[1] = y; st[2] = z; st[3] = w;
    this.np = 0;
  }

  private refillUniforms(): void {
    const st = this.state;
    let x = st[0]!, y = st[1]!, z = st[2]!, w = st[3]!;
    const u = this.uniforms;
    for (let j = 0; j < BLOCK; j++) {
      const t = x ^ (x << 11);
      x = y; y = z; z = w;
      w = w ^ (w >>> 19) ^ (t ^ (t >>> 8));
      u[j] = (w >>> 0) / 4294967296;
    }
    st[0] = x; st[1] = y; st[2] = z; st[3] = w;
    this.up = 0;
  }
}

/**
 * The spec's bars as a stream, cut to bars closing in [from, to). Bars
 * before `from` are still generated (the walk depends on them) but not
 * yielded; generation stops at `to`.
 */
export function syntheticStream(spec: SyntheticSpec, range: { readonly from?: number; readonly to?: number } = {}): BarStream {
  return {
    [Symbol.asyncIterator](): AsyncIterator<HistBar> {
      const gen = new SyntheticBars(spec);
      const from = range.from ?? -Infinity;
      const to = range.to ?? Infinity;
      const interval = spec.intervalMs;
      const done: IteratorResult<HistBar> = { done: true, value: undefined };
      return {
        next(): Promise<IteratorResult<HistBar>> {
          for (;;) {
            const bar = gen.next();
            if (bar === null) return Promise.resolve(done);
            const close = bar.ts + interval;
            if (close >= to) return Promise.resolve(done);
            if (close >= from) return Promise.resolve({ done: false, value: bar });
          }
        },
        return(): Promise<IteratorResult<HistBar>> {
          return Promise.resolve(done);
        },
      };
    },
  };
}
