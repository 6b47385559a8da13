/**
 * The market a back-test fills against: the matching engine's quote source,
 * built from bars and the run's cost model. Bars carry no quotes, so each
 * bar leaves a quote at its close: bid and ask the half spread plus the
 * slippage away from the close, each side `participation` x the bar's
 * volume deep (whole shares). The engine then fills as the venue does:
 * market orders take the touch up to the displayed size, resting limits
 * fill at their limit when the next bar trades through them.
 */
import type { FeeSchedule, QuoteEvent, QuoteSource } from '../../../src/matching/index.js';
import type { CostModel, HistBar } from '../types.js';

export const DEFAULT_COST_MODEL: CostModel = Object.freeze({
  spreadBps: 2,
  slippageBps: 1,
  feeBps: 0,
  feePerShare: 0.005,
  minFee: 0,
  participation: 0.1,
});

/** Every problem with a cost model, each naming its field. */
export function costModelViolations(c: Partial<CostModel>, prefix = 'cost'): string[] {
  const v: string[] = [];
  const check = (k: keyof CostModel, ok: (x: number) => boolean, what: string): void => {
    const x = c[k];
    if (x === undefined) return;
    if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) v.push(`${prefix}.${k} must be ${what}; got ${JSON.stringify(x)}`);
  };
  check('spreadBps', (x) => x >= 0 && x <= 10_000, 'a number 0-10000 (basis points)');
  check('slippageBps', (x) => x >= 0 && x <= 10_000, 'a number 0-10000 (basis points)');
  check('feeBps', (x) => x >= 0 && x <= 10_000, 'a number 0-10000 (basis points)');
  check('feePerShare', (x) => x >= 0, 'a number >= 0');
  check('minFee', (x) => x >= 0, 'a number >= 0');
  check('participation', (x) => x > 0 && x <= 1, 'a number in (0, 1]');
  for (const k of Object.keys(c)) if (!(k in DEFAULT_COST_MODEL)) v.push(`unknown option ${prefix}.${k}; a cost model has ${Object.keys(DEFAULT_COST_MODEL).join(', ')}`);
  return v;
}

/** The fee of one fill under a cost model. */
export function feeSchedule(c: CostModel): FeeSchedule | undefined {
  if (c.feeBps === 0 && c.feePerShare === 0 && c.minFee === 0) return undefined;
  return ({ qty, price }) => Math.max(c.minFee, (qty * price * c.feeBps) / 1e4 + qty * c.feePerShare);
}

export class BarMarket implements QuoteSource {
  private readonly known: ReadonlySet<string>;
  private readonly quotes = new Map<string, QuoteEvent>();
  private readonly closes = new Map<string, number>();
  /** Fraction of the close on each side of it: half the spread plus the slippage. */
  private readonly away: number;

  constructor(symbols: readonly string[], private readonly cost: CostModel) {
    this.known = new Set(symbols);
    this.away = (cost.spreadBps / 2 + cost.slippageBps) / 1e4;
  }

  has(symbol: string): boolean {
    return this.known.has(symbol);
  }

  quote(symbol: string): QuoteEvent | undefined {
    return this.quotes.get(symbol);
  }

  /** The last close: what positions are marked at. */
  price(symbol: string): number | undefined {
    return this.closes.get(symbol);
  }

  /** Takes a closed bar (at its close time `now`); returns the quote it leaves. */
  onBar(bar: HistBar, now: number): QuoteEvent {
    const size = Math.floor(bar.volume * this.cost.participation);
    const q: QuoteEvent = {
      kind: 'quote',
      symbol: bar.symbol,
      // Sub-penny to 4 places, as prices travel on the wire: the fill the broker reads is the fill the account made.
      bid: Math.round(bar.close * (1 - this.away) * 1e4) / 1e4,
      ask: Math.round(bar.close * (1 + this.away) * 1e4) / 1e4,
      bidSize: size,
      askSize: size,
      ts: now,
      exchange: 'V',
      tape: 'A',
    };
    this.quotes.set(bar.symbol, q);
    this.closes.set(bar.symbol, bar.close);
    return q;
  }
}
