/**
 * The fill model: the rules by which the matching engine fills orders, each
 * an option with a stated default. Takers (market orders, marketable limits,
 * triggered stops) take the touch up to its displayed size, moved against
 * them by `slippageBps`. Resting limits fill by `limitFill`:
 *
 * - `trade_through` (the venue's default): only when a trade prints strictly
 *   through the limit (below a buy's, above a sell's), at the limit, for at
 *   most that trade's size; a quote that merely crosses the limit fills
 *   nothing (Alpaca's paper service is known to fill on the quote alone).
 * - `trade_at_queue`: trades through fill as above; trades at the limit fill
 *   once the size shown ahead at that price when the order came to rest has
 *   traded (queue position).
 * - `quote_cross` (the engine's default, what it always did, kept for the
 *   back-test parity and OMS property tests that rely on it): fills at the
 *   limit as soon as the opposite touch reaches it.
 *
 * Stops (stop, stop_limit, trailing_stop) trigger on trades only, never on
 * quotes. On bars (research) the bar's range stands for its trades: through
 * is `low < limit` for a buy, at-the-limit is `low <= limit`.
 */

/** The fee of one fill. */
export type FeeSchedule = (fill: { readonly symbol: string; readonly side: 'buy' | 'sell'; readonly qty: number; readonly price: number }) => number;

export type LimitFillRule = 'trade_through' | 'trade_at_queue' | 'quote_cross';

export const LIMIT_FILL_RULES: readonly LimitFillRule[] = ['trade_through', 'trade_at_queue', 'quote_cross'];

export interface FillModel {
  readonly limitFill: LimitFillRule;
  /** Taker fills priced this many basis points worse than the touch (never beyond a limit). */
  readonly slippageBps: number;
}

export const ENGINE_FILL_MODEL: FillModel = { limitFill: 'quote_cross', slippageBps: 0 };

/** The taker price: the touch moved against the order by the slippage, capped at its limit. */
export function takerPrice(touch: number, buy: boolean, slippageBps: number, limit?: number): number {
  if (slippageBps <= 0) return touch;
  const moved = Math.round(touch * (1 + ((buy ? 1 : -1) * slippageBps) / 1e4) * 1e4) / 1e4;
  if (limit === undefined) return moved;
  return buy ? Math.min(moved, Math.max(limit, touch)) : Math.max(moved, Math.min(limit, touch));
}

/** Per-share plus basis-point fees, as a fee schedule (undefined when both are zero). */
export function linearFees(perShare: number, bps: number): FeeSchedule | undefined {
  if (perShare <= 0 && bps <= 0) return undefined;
  return ({ qty, price }) => qty * perShare + (qty * price * bps) / 1e4;
}

/** A sentence stating the model, for logs and the venue's start banner. */
export function describeFillModel(m: FillModel, fees: { perShare: number; bps: number }): string {
  const limits =
    m.limitFill === 'trade_through'
      ? 'resting limits fill only when a trade prints through the limit'
      : m.limitFill === 'trade_at_queue'
        ? 'resting limits fill on trades through the limit, or at it once the size ahead has traded'
        : 'resting limits fill when the opposite quote reaches the limit';
  return `${limits}; stops trigger on trades; takers take the displayed size at the touch with ${m.slippageBps} bps slippage; fees ${fees.perShare}/share + ${fees.bps} bps`;
}
