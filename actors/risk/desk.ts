/**
 * `RiskDesk`: the risk governor actor's decisions without the runtime. It
 * owns the governor, the pre-trade check, the equity marks and the order-rate
 * window, wired the way their authors asked:
 *
 * - the reconciliation drift from `broker.reconciled.magnitude` feeds the drift
 *   trigger;
 * - one `OrderRateWindow` feeds both the order-rate trigger
 *   (`orderTimestamps`) and the pre-trade rate check (`recentOrders`);
 * - `EquityTracker` keeps peak and day-start equity (the trading day is the
 *   New York calendar date);
 * - while FLATTEN holds, `flattenPass` re-plans cancels and liquidations until
 *   the book is flat, one pass at a time: a pass waits while a liquidation of
 *   the previous pass is still working, so a slow fill is never doubled, and
 *   a symbol is liquidated only once none of its orders is working any more
 *   (cancels confirmed, or the orders filled): a protective stop that
 *   triggers while its cancel is on the wire closes the shares itself, and a
 *   liquidation sent beside it would sell them a second time.
 *
 * The desk is armed once the broker session has reported ready and an account
 * is known; before that nothing is evaluated (a cold start would otherwise
 * escalate on "no data" and then need a cool-down per tier to come back) and
 * every intent is denied `broker_not_ready`. Liquidations are only ever made
 * here: an intent from outside that claims to be one is denied.
 *
 * Pure: time comes in as `now`.
 */
import type { OrderIntent } from '../allocator/intent.js';
import type { AllocatorIntentsMsg } from '../allocator/messages.js';
import { volStopDistanceBps } from '../broker/protective-stops.js';
import { EquityTracker, type EquityMarks } from './equity.js';
import { planFlatten } from './flatten.js';
import { RiskGovernor, type GovernorSnapshot } from './governor.js';
import type { RiskCancelOrderMsg, RiskCommandMsg, RiskCommandResultMsg, RiskFlattenMsg, RiskIntentApprovedMsg, RiskIntentDeniedMsg, RiskStateMsg, RiskStopsPolicyMsg, RiskTierChangedMsg } from './messages.js';
import { check, DEFAULT_PRE_TRADE_CONFIG, OrderRateWindow, type PreTradeConfig } from './pre-trade.js';
import type { RiskConfigInput } from './config.js';
import { RiskBook } from './book.js';
import type { RiskInputs } from './triggers.js';

export interface RiskDeskOptions {
  readonly risk?: RiskConfigInput;
  readonly preTrade?: Partial<PreTradeConfig>;
  /** Actor ids whose periodic messages are heartbeats (the strategy shards). */
  readonly heartbeatSources?: readonly string[];
  /** A cancel not confirmed within this long is asked for again, ms. Default 5000. */
  readonly cancelRetryMs?: number;
  /** Approved intents the broker never mentions are forgotten after this long, ms. Default 30,000. */
  readonly overlayTtlMs?: number;
}

export interface RiskDeskSnapshot {
  readonly governor: GovernorSnapshot;
  readonly marks: EquityMarks | null;
  readonly orderTimes: readonly number[];
  readonly flattenSeq: number;
}

export interface ReviewResult {
  readonly changes: readonly RiskTierChangedMsg[];
  readonly approved: readonly RiskIntentApprovedMsg[];
  readonly denied: readonly RiskIntentDeniedMsg[];
}

export interface FlattenPassResult {
  readonly cancels: readonly RiskCancelOrderMsg[];
  readonly approved: readonly RiskIntentApprovedMsg[];
  readonly denied: readonly RiskIntentDeniedMsg[];
  readonly report: RiskFlattenMsg;
}

/** Stands in for an intent too malformed to echo back. */
const PLACEHOLDER: OrderIntent = { intentId: '?', symbol: '?', side: 'buy', qty: 0, type: 'market', timeInForce: 'day', refPrice: 0, createdAt: 0, reason: 'malformed', postureSeq: 0 };

const NY_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The New York calendar date (YYYY-MM-DD) of an epoch-ms instant: the trading day. */
export function tradingDay(now: number): string {
  return NY_DATE.format(now);
}

export class RiskDesk {
  readonly governor: RiskGovernor;
  readonly equity: EquityTracker;
  readonly rate: OrderRateWindow;
  readonly book: RiskBook;
  readonly preTrade: PreTradeConfig;
  private readonly cancelRetryMs: number;
  private flattenSeq: number;
  private armedAt: number | null = null;
  /** Latest time seen, for the snapshot of the rate window. */
  private lastNow: number;
  private dayCache = { minute: -1, day: '' };

  constructor(options: RiskDeskOptions = {}, snapshot?: RiskDeskSnapshot | null, now = 0) {
    const snap = isDeskSnapshot(snapshot) ? snapshot : null;
    this.governor = snap ? RiskGovernor.restore(snap.governor, options.risk) : new RiskGovernor(options.risk, 'NORMAL', now);
    this.equity = new EquityTracker(snap?.marks ?? null);
    this.preTrade = { ...DEFAULT_PRE_TRADE_CONFIG, ...options.preTrade };
    this.rate = new OrderRateWindow(Math.max(this.preTrade.rateWindowMs, this.governor.config.orderRateWindowMs));
    for (const t of snap?.orderTimes ?? []) this.rate.record(t);
    this.book = new RiskBook(options.heartbeatSources ?? [], options.overlayTtlMs ?? 30_000);
    this.cancelRetryMs = options.cancelRetryMs ?? 5_000;
    this.flattenSeq = snap?.flattenSeq ?? 0;
    this.lastNow = now;
  }

  get tier(): RiskGovernor['tier'] {
    return this.governor.tier;
  }

  get armed(): boolean {
    return this.armedAt !== null;
  }

  /** Records an account reading (equity marks) and arms the desk once the broker has been ready. */
  noteAccount(now: number): void {
    const a = this.book.account;
    if (a) this.equity.update(a.equity, this.day(now));
    this.maybeArm(now);
  }

  maybeArm(now: number): void {
    if (this.armedAt === null && this.book.broker.ready && this.book.account !== null) this.armedAt = now;
  }

  /** The trigger inputs at `now`, or null while not armed. */
  inputs(now: number): RiskInputs | null {
    const marks = this.equity.current;
    if (this.armedAt === null || marks === null) return null;
    const ex = this.book.exposure();
    return {
      equity: marks.equity,
      peakEquity: marks.peakEquity,
      dayStartEquity: marks.dayStartEquity,
      grossExposure: ex.gross,
      exposureBySymbol: ex.bySymbol,
      orderTimestamps: this.rate.timestamps(now),
      marketDataAgeMs: this.book.marketDataAge(now, this.armedAt),
      brokerConnected: this.book.brokerUsable,
      reconciliationDrift: this.book.drift,
      heartbeatAgeMs: this.book.heartbeatAge(now, this.armedAt),
    };
  }

  /** Evaluates the triggers; returns the tier change, if any (none while not armed). */
  evaluate(now: number): { changes: readonly RiskTierChangedMsg[]; error?: string } {
    if (now > this.lastNow) this.lastNow = now;
    const inputs = this.inputs(now);
    if (inputs === null) return { changes: [] };
    const r = this.governor.evaluate(inputs, now);
    return r.error ? { changes: r.changes, error: r.error } : { changes: r.changes };
  }

  /** An operator command, answered with the state it leaves. */
  command(cmd: RiskCommandMsg, now: number): { result: RiskCommandResultMsg; changes: readonly RiskTierChangedMsg[] } {
    const r = this.governor.command(cmd, now);
    const result: RiskCommandResultMsg = {
      type: 'risk.command_result',
      ok: r.ok,
      error: r.error ?? null,
      tier: this.governor.tier,
      floor: this.governor.floor,
      latched: this.governor.isLatched,
      at: now,
    };
    return { result, changes: r.changes };
  }

  /** The verdict on each intent of a rebalance, in order, after bringing the tier up to date. */
  review(msg: AllocatorIntentsMsg, now: number): ReviewResult {
    const { changes } = this.evaluate(now);
    const approved: RiskIntentApprovedMsg[] = [];
    const denied: RiskIntentDeniedMsg[] = [];
    const originNs = msg.originNs ?? 0;
    for (const intent of Array.isArray(msg.intents) ? msg.intents : []) {
      if (!intent || typeof intent !== 'object') {
        denied.push(this.denial(PLACEHOLDER, 'invalid_intent', 'intent is not an object', now));
        continue;
      }
      if (intent.liquidation) {
        denied.push(this.denial(intent, 'invalid_intent', 'only the risk governor issues liquidations; an allocator intent may not claim to be one', now));
        continue;
      }
      const v = this.verdict(intent, now, originNs);
      if (v.type === 'risk.intent_approved') approved.push(v);
      else denied.push(v);
    }
    return { changes, approved, denied };
  }

  /**
   * One FLATTEN pass: cancel working orders and liquidate positions. Null when
   * not in FLATTEN, when the broker cannot act, when a liquidation of the last
   * pass is still working, or when there is nothing left to do.
   */
  flattenPass(now: number): FlattenPassResult | null {
    if (this.governor.tier !== 'FLATTEN' || !this.book.brokerUsable || this.book.liquidationInFlight(now)) return null;
    const working = [...this.book.openOrders.values()];
    const toCancel = working.filter((o) => o.cancelRequestedAt === null || now - o.cancelRequestedAt >= this.cancelRetryMs);
    const all = this.book.openPositions();
    const busy = new Set(working.map((o) => o.symbol));
    const positions = all.filter((p) => !busy.has(p.symbol));
    if (toCancel.length === 0 && positions.length === 0) return null;
    // Epoch ms as a floor keeps liquidation ids unique across restarts of this actor.
    this.flattenSeq = Math.max(this.flattenSeq + 1, Math.floor(now));
    const plan = planFlatten(
      toCancel.map((o) => ({ clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, symbol: o.symbol })),
      positions,
      this.book.lastPrices,
      this.flattenSeq,
      now,
    );
    const cancels: RiskCancelOrderMsg[] = plan.cancels.map((c) => {
      const o = this.book.openOrders.get(c.clientOrderId);
      if (o) o.cancelRequestedAt = now;
      return { type: 'risk.cancel_order', clientOrderId: c.clientOrderId, brokerOrderId: c.brokerOrderId, symbol: c.symbol, reason: 'FLATTEN: cancel all working orders', at: now };
    });
    const approved: RiskIntentApprovedMsg[] = [];
    const denied: RiskIntentDeniedMsg[] = [];
    for (const intent of plan.liquidations) {
      const v = this.verdict(intent, now, 0);
      if (v.type === 'risk.intent_approved') approved.push(v);
      else denied.push(v);
    }
    const report: RiskFlattenMsg = { type: 'risk.flatten', pass: this.flattenSeq, cancels: cancels.length, liquidations: approved.length, waiting: all.length - positions.length, openPositions: all.length, at: now };
    return { cancels, approved, denied, report };
  }

  /**
   * The protective-stop policy for the broker session: the configured one,
   * with each symbol's volatility distance when `volMultiple` is above 0,
   * held while FLATTEN holds.
   */
  stopsPolicy(now: number): RiskStopsPolicyMsg {
    const p = this.governor.config.protectiveStops;
    const tier = this.governor.tier;
    const distanceBpsBySymbol: Record<string, number> = {};
    for (const [symbol, vol] of this.book.vols) {
      const bps = volStopDistanceBps(vol, p.volMultiple);
      if (bps !== null) distanceBpsBySymbol[symbol] = bps;
    }
    return { type: 'risk.stops_policy', enabled: p.enabled, distanceBps: p.distanceBps, trailing: p.trailing, distanceBpsBySymbol, hold: tier === 'FLATTEN', tier, at: now };
  }

  state(now: number): RiskStateMsg {
    return this.governor.state(now);
  }

  snapshot(): RiskDeskSnapshot {
    return { governor: this.governor.snapshot(), marks: this.equity.current, orderTimes: [...this.rate.timestamps(this.lastNow)], flattenSeq: this.flattenSeq };
  }

  private verdict(intent: OrderIntent, now: number, originNs: number): RiskIntentApprovedMsg | RiskIntentDeniedMsg {
    const tier = this.governor.tier;
    if (!this.book.brokerUsable) return this.denial(intent, 'broker_not_ready', `broker session not usable: ${this.book.broker.reason ?? 'not ready'}`, now);
    const res = check(
      intent,
      {
        tier,
        lastPrices: this.book.lastPrices,
        positions: this.book.positions,
        pendingQty: this.book.pendingQty(now),
        buyingPower: this.book.account?.buyingPower ?? 0,
        recentOrders: this.rate.timestamps(now),
        now,
      },
      this.preTrade,
    );
    if (!res.approved) return this.denial(intent, res.code, res.reason, now);
    this.rate.record(now);
    this.book.approved(res.intent, now);
    return { type: 'risk.intent_approved', intent: res.intent, originalQty: res.originalQty, resized: res.resized, tier, at: now, originNs };
  }

  private denial(intent: OrderIntent, code: RiskIntentDeniedMsg['code'], reason: string, now: number): RiskIntentDeniedMsg {
    return { type: 'risk.intent_denied', intent, code, reason, tier: this.governor.tier, at: now };
  }

  private day(now: number): string {
    const minute = Math.floor(now / 60_000);
    if (minute !== this.dayCache.minute) this.dayCache = { minute, day: tradingDay(now) };
    return this.dayCache.day;
  }
}

function isDeskSnapshot(x: unknown): x is RiskDeskSnapshot {
  const s = x as RiskDeskSnapshot | null | undefined;
  return !!s && typeof s === 'object' && !!s.governor && typeof s.governor.tier === 'string' && Array.isArray(s.orderTimes);
}
