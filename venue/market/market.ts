/**
 * The seeded simulated market for a universe. Each step advances market time
 * by `stepMs` and, for every instrument, moves the mid by its factor loading
 * on correlated metal shocks plus sector and idiosyncratic noise, scaled by
 * the current regime, with occasional jumps; then quotes a bid/ask whose
 * spread widens with volatility and, with some probability, prints a trade at
 * the touch. Trades build minute bars. The same seed and options always give
 * the same sequence of events.
 *
 * The market never reads a clock: it is driven by `step(n)` (tests) or by the
 * real-time scheduler, which calls `advanceTo(t)` with wall-clock time.
 */
import type { Instrument } from '../../src/universe/index.js';
import { BarBuilder, BarHistory, MINUTE_MS } from './bars.js';
import type { BarEvent, MarketEvent, QuoteEvent, TradeEvent } from '../../src/matching/events.js';
import { FACTORS, FACTOR_CORRELATION, FACTOR_VOL, SECTOR_VOL, YEAR_MS, buildModels, cholesky, type FactorName, type InstrumentModel } from './factors.js';
import { MacroModel, floorDay } from './macro.js';
import { Prng, deriveSeed } from '../../src/prng.js';
import { RegimeChain, type RegimeName } from './regime.js';

export interface MarketOptions {
  readonly seed: number;
  readonly instruments: readonly Instrument[];
  /** Market time of the first live step (epoch ms). */
  readonly start: number;
  /** Market time advanced per step, ms. Default 100. */
  readonly stepMs?: number;
  /** Probability that a step prints a trade for a symbol. Default 0.6. */
  readonly tradeProbability?: number;
  /** Multiplier on all volatilities (1 = realistic). Default 1. */
  readonly volScale?: number;
  /** Minutes of bar history simulated before `start` (not streamed). Default 0. */
  readonly historyMinutes?: number;
  /** Minute bars kept per symbol. Default 10,000. */
  readonly barHistoryLimit?: number;
  /** Business days of macro history. Default 780. */
  readonly macroHistoryDays?: number;
}

export type MarketListener = (events: readonly MarketEvent[], now: number) => void;

const DAY_MS = 86_400_000;
const TRADING_DAY_MS = 6.5 * 3_600_000;
const WARMUP_STEP_MS = 1000;

export class SimulatedMarket {
  readonly symbols: readonly string[];
  readonly stepMs: number;
  readonly macro: MacroModel;
  private readonly models: InstrumentModel[];
  private readonly sectorCount: number;
  private readonly chol: number[][];
  private readonly rng: Prng;
  private readonly regimeChain: RegimeChain;
  private readonly tradeProbability: number;
  private readonly volScale: number;
  private readonly logMid: Float64Array;
  private readonly quotes: (QuoteEvent | undefined)[];
  private readonly lastTrades: (TradeEvent | undefined)[];
  private readonly tradeIds: Float64Array;
  private readonly builders: BarBuilder[];
  private readonly index = new Map<string, number>();
  private readonly listeners = new Set<MarketListener>();
  private readonly factorCum = new Float64Array(FACTORS.length);
  private readonly goldBase: number;
  private readonly silverBase: number;
  private readonly bars: BarHistory;
  private t: number;
  private ticks = 0;

  constructor(options: MarketOptions) {
    if (options.instruments.length === 0) throw new RangeError('market needs at least one instrument');
    this.stepMs = options.stepMs ?? 100;
    if (!(this.stepMs > 0)) throw new RangeError('stepMs must be positive');
    const { models, sectors } = buildModels(options.instruments);
    this.models = models;
    this.sectorCount = sectors.length;
    this.symbols = models.map((m) => m.symbol);
    models.forEach((m, k) => this.index.set(m.symbol, k));
    this.chol = cholesky(FACTOR_CORRELATION);
    this.rng = new Prng(deriveSeed(options.seed, 'market'));
    this.tradeProbability = options.tradeProbability ?? 0.6;
    this.volScale = options.volScale ?? 1;
    this.bars = new BarHistory(options.barHistoryLimit ?? 10_000);
    this.macro = new MacroModel({ seed: options.seed, start: options.start, historyDays: options.macroHistoryDays });
    this.goldBase = this.macro.goldSpot;
    this.silverBase = this.macro.silverSpot;
    const n = models.length;
    this.logMid = Float64Array.from(models, (m) => Math.log(m.startPrice));
    this.quotes = new Array(n).fill(undefined);
    this.lastTrades = new Array(n).fill(undefined);
    this.tradeIds = new Float64Array(n);
    this.builders = models.map((m) => new BarBuilder(m.symbol));
    const history = Math.max(0, options.historyMinutes ?? 0);
    this.t = options.start - history * MINUTE_MS;
    this.regimeChain = new RegimeChain(this.rng.fork('regime'), 'calm', this.t);
    // Warm-up: simulate the history at a coarse step, keeping bars but streaming nothing.
    while (this.t + WARMUP_STEP_MS <= options.start) this.stepOnce(WARMUP_STEP_MS, undefined);
    this.t = options.start;
  }

  /** Current market time (epoch ms). */
  get now(): number {
    return this.t;
  }

  get regime(): RegimeName {
    return this.regimeChain.name;
  }

  /** Trades plus quotes generated so far (live steps only). */
  get ticksGenerated(): number {
    return this.ticks;
  }

  /** A gold spot level that moves with the simulated gold factor. */
  get goldSpot(): number {
    return this.goldBase * Math.exp(this.factorCum[0]);
  }

  get silverSpot(): number {
    return this.silverBase * Math.exp(this.factorCum[1]);
  }

  /** Cumulative log move of a factor since the market started (warm-up included). */
  factorMove(name: FactorName): number {
    return this.factorCum[FACTORS.indexOf(name)];
  }

  has(symbol: string): boolean {
    return this.index.has(symbol);
  }

  /** Latest quote for a symbol (undefined before the first step). */
  quote(symbol: string): QuoteEvent | undefined {
    const k = this.index.get(symbol);
    return k === undefined ? undefined : this.quotes[k];
  }

  lastTrade(symbol: string): TradeEvent | undefined {
    const k = this.index.get(symbol);
    return k === undefined ? undefined : this.lastTrades[k];
  }

  /** Last trade price, else mid of the last quote, else the current model mid. */
  price(symbol: string): number | undefined {
    const k = this.index.get(symbol);
    if (k === undefined) return undefined;
    const trade = this.lastTrades[k];
    if (trade) return trade.price;
    const q = this.quotes[k];
    return q ? (q.bid + q.ask) / 2 : roundCent(Math.exp(this.logMid[k]));
  }

  /** Completed minute bars with start in [from, to), oldest first. */
  minuteBars(symbol: string, from?: number, to?: number): BarEvent[] {
    return this.bars.range(symbol, from, to);
  }

  /** Subscribes to every batch of events; returns an unsubscribe function. */
  onEvents(listener: MarketListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Advances n steps; returns the events and hands them to listeners as one batch. */
  step(n = 1): MarketEvent[] {
    const out: MarketEvent[] = [];
    for (let k = 0; k < n; k++) this.stepOnce(this.stepMs, out);
    this.publish(out);
    return out;
  }

  /**
   * Steps until market time would pass `target` or `maxSteps` are done
   * (the real-time scheduler's entry point). Returns the number of steps.
   */
  advanceTo(target: number, maxSteps = Infinity): number {
    const out: MarketEvent[] = [];
    let steps = 0;
    while (this.t + this.stepMs <= target && steps < maxSteps) {
      this.stepOnce(this.stepMs, out);
      steps++;
    }
    if (steps > 0) this.publish(out);
    return steps;
  }

  /**
   * Moves market time silently to the last step boundary at or before
   * `target`: coarse steps (at most WARMUP_STEP_MS each, as the warm-up takes)
   * that update quotes, bars and the macro series but publish nothing. The
   * real-time driver uses it after a stall, so market time never lags the
   * wall clock. Returns the steps taken.
   */
  skipTo(target: number): number {
    let steps = 0;
    const coarse = Math.max(this.stepMs, Math.floor(WARMUP_STEP_MS / this.stepMs) * this.stepMs);
    while (this.t + this.stepMs <= target) {
      const dt = Math.min(coarse, Math.floor((target - this.t) / this.stepMs) * this.stepMs);
      this.stepOnce(dt, undefined);
      steps++;
    }
    return steps;
  }

  /** Forces a regime (fault injection, tests). */
  forceRegime(name: RegimeName, direction = 1): void {
    this.regimeChain.force(name, this.t, direction);
  }

  private publish(events: MarketEvent[]): void {
    for (const listener of this.listeners) listener(events, this.t);
  }

  private stepOnce(dtMs: number, out: MarketEvent[] | undefined): void {
    const prevT = this.t;
    const t = prevT + dtMs;
    this.t = t;
    if (Math.floor(t / MINUTE_MS) !== Math.floor(prevT / MINUTE_MS)) {
      for (const b of this.builders) {
        const bar = b.flushIfBefore(t);
        if (bar) this.completeBar(bar, out);
      }
    }
    if (floorDay(t) !== floorDay(prevT)) {
      // Report each crossed UTC day's close (weekends are ignored by the model).
      for (let day = floorDay(prevT); day < floorDay(t); day += DAY_MS) this.macro.recordClose(day, this.goldSpot, this.silverSpot);
    }

    const rng = this.rng;
    this.regimeChain.advance(dtMs, t);
    const regime = this.regimeChain.params;
    const volMult = regime.volMultiplier * this.volScale;
    const sqrtDt = Math.sqrt(dtMs / YEAR_MS);
    const driftDt = (regime.drift * this.regimeChain.trendDirection * dtMs) / YEAR_MS;
    const jumpP = (regime.jumpsPerDay * dtMs) / TRADING_DAY_MS;

    // Correlated factor shocks: f = L z.
    const z0 = rng.normal(), z1 = rng.normal(), z2 = rng.normal(), z3 = rng.normal();
    const z = [z0, z1, z2, z3];
    const factor = [0, 0, 0, 0];
    const commonJump = rng.chance(jumpP) ? regime.jumpSize * rng.normal() * this.volScale : 0;
    for (let f = 0; f < 4; f++) {
      const row = this.chol[f];
      let shock = 0;
      for (let k = 0; k <= f; k++) shock += row[k] * z[k];
      const name = FACTORS[f];
      // Metal factors share the trend drift; the broad factor does not trend with them.
      const drift = name === 'broad' ? 0 : driftDt;
      factor[f] = drift + volMult * FACTOR_VOL[name] * sqrtDt * shock + commonJump * FACTOR_CORRELATION[0][f];
      this.factorCum[f] += factor[f];
    }
    const sector = new Array<number>(this.sectorCount);
    for (let s = 0; s < this.sectorCount; s++) sector[s] = volMult * SECTOR_VOL * sqrtDt * rng.normal();

    const spreadWiden = Math.sqrt(regime.volMultiplier);
    for (let k = 0; k < this.models.length; k++) {
      const m = this.models[k];
      let r = m.beta * factor[m.factorIndex] + volMult * m.idioVol * sqrtDt * rng.normal();
      if (m.sectorIndex >= 0) r += sector[m.sectorIndex];
      if (m.assetClass !== 'bullion_etf' && rng.chance(jumpP * 0.2)) r += 0.02 * rng.normal() * this.volScale;
      const lm = this.logMid[k] + r;
      this.logMid[k] = lm;
      const mid = Math.exp(lm);
      const half = Math.max(0.005, (mid * m.spreadBps * 1e-4 * spreadWiden) / 2);
      const bid = Math.max(0.01, Math.floor((mid - half) * 100) / 100);
      let ask = Math.ceil((mid + half) * 100) / 100;
      if (ask <= bid) ask = roundCent(bid + 0.01);
      const quote: QuoteEvent = {
        kind: 'quote', symbol: m.symbol, bid, ask,
        bidSize: lotSize(m.touchSize, rng), askSize: lotSize(m.touchSize, rng), ts: t, exchange: 'V', tape: 'B',
      };
      this.quotes[k] = quote;
      if (out) {
        out.push(quote);
        this.ticks++;
      }
      if (rng.chance(this.tradeProbability)) {
        const buy = rng.chance(0.5);
        const size = rng.chance(0.7) ? 100 * rng.int(1, 5) : rng.int(1, 99);
        const trade: TradeEvent = {
          kind: 'trade', symbol: m.symbol, id: ++this.tradeIds[k], price: buy ? ask : bid, size, ts: t, exchange: 'V', tape: 'B',
        };
        this.lastTrades[k] = trade;
        if (out) {
          out.push(trade);
          this.ticks++;
        }
        const bar = this.builders[k].addTrade(trade);
        if (bar) this.completeBar(bar, out);
      }
    }
  }

  private completeBar(bar: BarEvent, out: MarketEvent[] | undefined): void {
    this.bars.add(bar);
    out?.push(bar);
  }
}

function lotSize(typical: number, rng: Prng): number {
  return Math.max(100, Math.round((typical * Math.exp(0.5 * rng.normal())) / 100) * 100);
}

function roundCent(x: number): number {
  return Math.round(x * 100) / 100;
}
