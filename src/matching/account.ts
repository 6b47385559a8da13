/**
 * The paper account: cash, positions with average entry price, and buying
 * power. A `cash` account (the default) has buying power equal to cash not
 * reserved by open buy orders and cannot sell short; a `margin` account has
 * a 2x multiplier on equity and may short.
 */
import { assetId, dec, iso, money } from './format.js';

export type AccountMode = 'cash' | 'margin';

export interface Position {
  readonly symbol: string;
  /** Signed: negative when short. */
  qty: number;
  avgEntryPrice: number;
}

export interface PriceSource {
  price(symbol: string): number | undefined;
}

/** An account as kept on disk (see persist.ts). */
export interface AccountState {
  readonly id: string;
  /** Absent in records written before account numbers were kept: derived from the id, as at creation. */
  readonly accountNumber?: string;
  readonly mode: AccountMode;
  readonly createdAt: number;
  readonly cash: number;
  readonly realizedPl: number;
  readonly lastEquity: number;
  readonly day: number;
  readonly positions: readonly Position[];
  readonly dayStartPrices: readonly (readonly [string, number])[];
}

export class Account {
  readonly id: string;
  readonly accountNumber: string;
  readonly mode: AccountMode;
  readonly createdAt: number;
  cash: number;
  realizedPl = 0;
  private readonly positionMap = new Map<string, Position>();
  private lastEquity: number;
  private dayStartPrices = new Map<string, number>();
  private day: number;

  constructor(options: { id: string; cash: number; mode: AccountMode; now: number; accountNumber?: string }) {
    this.id = options.id;
    // Paper account numbers start with PA, as Alpaca's do; another number is for rehearsing the paper-first check.
    this.accountNumber = options.accountNumber ?? 'PA' + options.id.replace(/-/g, '').slice(0, 10).toUpperCase();
    this.mode = options.mode;
    this.cash = options.cash;
    this.createdAt = options.now;
    this.lastEquity = options.cash;
    this.day = Math.floor(options.now / 86_400_000);
  }

  exportState(): AccountState {
    return {
      id: this.id,
      accountNumber: this.accountNumber,
      mode: this.mode,
      createdAt: this.createdAt,
      cash: this.cash,
      realizedPl: this.realizedPl,
      lastEquity: this.lastEquity,
      day: this.day,
      positions: this.positions().map((p) => ({ ...p })),
      dayStartPrices: [...this.dayStartPrices],
    };
  }

  static fromState(s: AccountState): Account {
    const a = new Account({ id: s.id, cash: s.cash, mode: s.mode, now: s.createdAt, ...(s.accountNumber ? { accountNumber: s.accountNumber } : {}) });
    a.realizedPl = s.realizedPl;
    a.lastEquity = s.lastEquity;
    a.day = s.day;
    for (const p of s.positions) a.positionMap.set(p.symbol, { symbol: p.symbol, qty: p.qty, avgEntryPrice: p.avgEntryPrice });
    a.dayStartPrices = new Map(s.dayStartPrices.map(([k, v]) => [k, v]));
    return a;
  }

  get multiplier(): number {
    return this.mode === 'margin' ? 2 : 1;
  }

  position(symbol: string): Position | undefined {
    return this.positionMap.get(symbol);
  }

  positions(): Position[] {
    return [...this.positionMap.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  }

  /** Applies a fill to cash and the position; returns the new signed position qty. */
  /** A fee paid: out of cash, and counted against realised P&L. */
  chargeFee(fee: number): void {
    this.cash -= fee;
    this.realizedPl -= fee;
  }

  applyFill(symbol: string, side: 'buy' | 'sell', qty: number, price: number, prices: PriceSource): number {
    const delta = side === 'buy' ? qty : -qty;
    this.cash -= delta * price;
    const pos = this.positionMap.get(symbol);
    if (!pos) {
      this.positionMap.set(symbol, { symbol, qty: delta, avgEntryPrice: price });
      if (!this.dayStartPrices.has(symbol)) this.dayStartPrices.set(symbol, prices.price(symbol) ?? price);
      return delta;
    }
    if (pos.qty === 0 || Math.sign(pos.qty) === Math.sign(delta)) {
      pos.avgEntryPrice = (Math.abs(pos.qty) * pos.avgEntryPrice + qty * price) / (Math.abs(pos.qty) + qty);
      pos.qty = round9(pos.qty + delta);
    } else {
      const closing = Math.min(Math.abs(pos.qty), qty);
      this.realizedPl += closing * (price - pos.avgEntryPrice) * Math.sign(pos.qty);
      const next = round9(pos.qty + delta);
      // A fill that flips the position opens the remainder at the fill price.
      if (next !== 0 && Math.sign(next) !== Math.sign(pos.qty)) pos.avgEntryPrice = price;
      pos.qty = next;
    }
    if (pos.qty === 0) {
      this.positionMap.delete(symbol);
      return 0;
    }
    return pos.qty;
  }

  /** Market values of long and short positions (short is negative). */
  marketValues(prices: PriceSource): { long: number; short: number } {
    let long = 0;
    let short = 0;
    for (const p of this.positionMap.values()) {
      const value = p.qty * (prices.price(p.symbol) ?? p.avgEntryPrice);
      if (value >= 0) long += value;
      else short += value;
    }
    return { long, short };
  }

  equity(prices: PriceSource): number {
    const { long, short } = this.marketValues(prices);
    return this.cash + long + short;
  }

  /** Buying power before reservations for open orders. */
  grossBuyingPower(prices: PriceSource): number {
    if (this.mode === 'cash') return Math.max(0, this.cash);
    const { long, short } = this.marketValues(prices);
    return Math.max(0, this.multiplier * this.equity(prices) - (long - short));
  }

  /** Rolls the day: last_equity and intraday baselines reset at UTC midnight. */
  rollDay(now: number, prices: PriceSource): void {
    const day = Math.floor(now / 86_400_000);
    if (day === this.day) return;
    this.day = day;
    this.lastEquity = this.equity(prices);
    this.dayStartPrices = new Map([...this.positionMap.keys()].map((s) => [s, prices.price(s) ?? 0]));
  }

  /** Alpaca's account JSON. `reserved` is buying power held by open buy orders. */
  toWire(prices: PriceSource, reserved: number, now: number): Record<string, unknown> {
    const { long, short } = this.marketValues(prices);
    const equity = this.cash + long + short;
    const bp = Math.max(0, this.grossBuyingPower(prices) - reserved);
    const initialMargin = this.mode === 'margin' ? (long - short) / 2 : long;
    return {
      id: this.id,
      account_number: this.accountNumber,
      status: 'ACTIVE',
      crypto_status: 'INACTIVE',
      currency: 'USD',
      buying_power: money(bp),
      regt_buying_power: money(bp),
      daytrading_buying_power: '0',
      effective_buying_power: money(bp),
      non_marginable_buying_power: money(Math.max(0, this.cash - (this.mode === 'cash' ? reserved : 0))),
      options_buying_power: '0',
      bod_dtbp: '0',
      cash: money(this.cash),
      accrued_fees: '0',
      pending_transfer_in: '0',
      portfolio_value: money(equity),
      pattern_day_trader: false,
      trading_blocked: false,
      transfers_blocked: false,
      account_blocked: false,
      created_at: iso(this.createdAt),
      trade_suspended_by_user: false,
      multiplier: String(this.multiplier),
      shorting_enabled: this.mode === 'margin',
      equity: money(equity),
      last_equity: money(this.lastEquity),
      long_market_value: money(long),
      short_market_value: money(short),
      position_market_value: money(long - short),
      initial_margin: money(initialMargin),
      maintenance_margin: money(initialMargin * 0.6),
      last_maintenance_margin: '0',
      sma: '0',
      daytrade_count: 0,
      balance_asof: iso(now).slice(0, 10),
      options_approved_level: 0,
      options_trading_level: 0,
      intraday_adjustments: '0',
      pending_reg_taf_fees: '0',
      realized_pl: money(this.realizedPl),
    };
  }

  /** Alpaca's position JSON. `held` is qty reserved by open orders on the closing side. */
  positionWire(p: Position, prices: PriceSource, held: number, exchange: string): Record<string, unknown> {
    const price = prices.price(p.symbol) ?? p.avgEntryPrice;
    const marketValue = p.qty * price;
    const costBasis = p.qty * p.avgEntryPrice;
    const unrealized = marketValue - costBasis;
    const lastday = this.dayStartPrices.get(p.symbol) ?? p.avgEntryPrice;
    const intraday = p.qty * (price - Math.max(lastday, 0));
    return {
      asset_id: assetId(p.symbol),
      symbol: p.symbol,
      exchange,
      asset_class: 'us_equity',
      asset_marginable: true,
      qty: dec(p.qty),
      qty_available: dec(Math.sign(p.qty) * Math.max(0, Math.abs(p.qty) - held)),
      avg_entry_price: dec(p.avgEntryPrice, 4),
      side: p.qty >= 0 ? 'long' : 'short',
      market_value: money(marketValue),
      cost_basis: money(costBasis),
      unrealized_pl: money(unrealized),
      unrealized_plpc: dec(costBasis === 0 ? 0 : unrealized / Math.abs(costBasis), 6),
      unrealized_intraday_pl: money(intraday),
      unrealized_intraday_plpc: dec(lastday > 0 ? (price - lastday) / lastday : 0, 6),
      current_price: dec(price, 4),
      lastday_price: dec(lastday, 4),
      change_today: dec(lastday > 0 ? (price - lastday) / lastday : 0, 6),
    };
  }
}

function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
