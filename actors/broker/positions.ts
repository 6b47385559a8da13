/**
 * Positions derived from fills: signed quantity, average entry price and
 * realised P&L per symbol.
 *
 * - Adding in the position's direction moves the average to the
 *   quantity-weighted mean of old average and fill price.
 * - Reducing leaves the average alone and realises (price - average) on the
 *   closed shares.
 * - Crossing through zero realises the closed part and starts the new side at
 *   the fill price.
 */

export interface LocalPosition {
  readonly symbol: string;
  /** Signed shares. */
  readonly qty: number;
  /** Average entry price of the open quantity (0 when flat). */
  readonly avgPrice: number;
  readonly realizedPnl: number;
}

export class PositionBook {
  private readonly book = new Map<string, LocalPosition>();

  get(symbol: string): LocalPosition {
    return this.book.get(symbol) ?? { symbol, qty: 0, avgPrice: 0, realizedPnl: 0 };
  }

  /** Apply a fill of `delta` signed shares at `price`; returns the new position. */
  applyFill(symbol: string, delta: number, price: number): LocalPosition {
    const p = this.get(symbol);
    let { qty, avgPrice, realizedPnl } = p;
    if (qty === 0 || Math.sign(delta) === Math.sign(qty)) {
      const next = qty + delta;
      avgPrice = (Math.abs(qty) * avgPrice + Math.abs(delta) * price) / Math.abs(next);
      qty = next;
    } else {
      const closed = Math.min(Math.abs(delta), Math.abs(qty));
      realizedPnl += closed * (price - avgPrice) * Math.sign(qty);
      const next = qty + delta;
      if (next === 0) avgPrice = 0;
      else if (Math.sign(next) !== Math.sign(qty)) avgPrice = price;
      qty = next;
    }
    const out: LocalPosition = { symbol, qty, avgPrice, realizedPnl };
    this.book.set(symbol, out);
    return out;
  }

  /** Overwrite a position (broker truth adopted by reconciliation). Realised P&L is kept. */
  set(symbol: string, qty: number, avgPrice: number): LocalPosition {
    const out: LocalPosition = { symbol, qty, avgPrice: qty === 0 ? 0 : avgPrice, realizedPnl: this.get(symbol).realizedPnl };
    this.book.set(symbol, out);
    return out;
  }

  /** Non-flat positions, by symbol. */
  all(): LocalPosition[] {
    return [...this.book.values()].filter((p) => p.qty !== 0).sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  /** Every tracked symbol including flat ones (for snapshots: realised P&L survives). */
  entries(): LocalPosition[] {
    return [...this.book.values()];
  }

  load(entries: readonly LocalPosition[]): void {
    this.book.clear();
    for (const p of entries) this.book.set(p.symbol, { ...p });
  }
}
