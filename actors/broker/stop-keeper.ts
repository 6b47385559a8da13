/**
 * The broker session's protective-stop bookkeeping, without the runtime: the
 * risk governor's policy, the stop sequence numbers, symbols backing off
 * after a rejected stop, unconfirmed cancels to send again, the last fill
 * prices, and the orders held back until the stop (or the other working
 * orders) holding their shares is gone. The actor shell asks it what to do
 * and does it (journal, send). Pure: time comes in as `now`.
 */
import type { OrderIntent } from '../allocator/intent.js';
import type { RiskStopsPolicyMsg } from '../risk/messages.js';
import type { SdkOrderInput } from './alpaca-mapping.js';
import { isOpenOrder, type Oms } from './oms.js';
import { isProtectiveStop, isStopType, planStops, protectiveStopSeq, stopsPolicyErrors, type StopAction } from './protective-stops.js';

export interface StopWork {
  /** Stops to cancel (journal the request, then DELETE). */
  readonly cancels: readonly Extract<StopAction, { kind: 'cancel' }>[];
  /** Stops whose cancel was asked and not confirmed within `retryMs`: DELETE again. */
  readonly recancels: readonly { readonly clientOrderId: string; readonly brokerOrderId: string }[];
  /** Stops to resize by a replace (journal the request, then PATCH). */
  readonly replaces: readonly Extract<StopAction, { kind: 'replace' }>[];
  /** Stops to register (journal) and send. */
  readonly places: readonly OrderIntent[];
}

const NOTHING: StopWork = Object.freeze({ cancels: [], recancels: [], replaces: [], places: [] });

/** What `setPolicy` made of a policy. */
export type PolicyVerdict =
  /** Not a well-formed policy: refused, the one held stays in force. */
  | { readonly kind: 'malformed'; readonly errors: readonly string[] }
  /** Older than the one held (a state publication overtaken by a tier change): ignored. */
  | { readonly kind: 'older' }
  /** Taken; `notable` when it differs from the last notable one by more than the volatility drift of a bar or two (worth a log line). */
  | { readonly kind: 'taken'; readonly notable: boolean };

/**
 * A symbol's distance moving by at least this fraction of the one last
 * reported is notable. The volatility behind it moves a little every bar,
 * and the policy is told every state period: each of those is not news.
 */
export const NOTABLE_DISTANCE_MOVE = 0.25;

export class StopKeeper {
  private current: RiskStopsPolicyMsg | null = null;
  /** The policy last found notable, what later ones are compared with. */
  private reported: RiskStopsPolicyMsg | null = null;
  /** Highest `pstop:<SYMBOL>:<n>` known per symbol (built from the OMS at first use, then kept). */
  private seq: Map<string, number> | null = null;
  private readonly rejectedAt = new Map<string, number>();
  private readonly cancelSentAt = new Map<string, number>();
  private readonly lastFill: Record<string, number> = {};
  /**
   * Orders registered (journaled, pending) held back: cid to request and the
   * stops then holding their shares, or null for one that waits until our
   * other working orders leave it the shares it closes (`closesHeldShares`).
   */
  private readonly held = new Map<string, { readonly request: SdkOrderInput; readonly blockers: readonly string[] | null }>();

  constructor(private readonly oms: Oms, private readonly retryMs: number) {}

  get policy(): RiskStopsPolicyMsg | null {
    return this.current;
  }

  /**
   * Takes a policy unless it is malformed (it crossed a thread: checked
   * here, never trusted) or older than the one held. A stop already working
   * keeps its price whatever the new policy says (protective-stops.ts).
   */
  setPolicy(msg: RiskStopsPolicyMsg): PolicyVerdict {
    const errors = policyMsgErrors(msg);
    if (errors.length > 0) return { kind: 'malformed', errors };
    const was = this.current;
    if (was && msg.at < was.at) return { kind: 'older' };
    this.current = msg;
    const notable = this.reported === null || notableChange(this.reported, msg);
    if (notable) this.reported = msg;
    return { kind: 'taken', notable };
  }

  noteFill(symbol: string, price: number): void {
    this.lastFill[symbol] = price;
  }

  /** An order was rejected: if it was one of our stops, its symbol waits `retryMs` before the next. */
  noteRejected(cid: string, now: number): void {
    const o = this.oms.order(cid);
    if (o && isProtectiveStop(o)) this.rejectedAt.set(o.symbol, now);
  }

  /** What to cancel, cancel again and place now (nothing without a policy, or while it holds). */
  plan(now: number): StopWork {
    const policy = this.current;
    if (!policy || policy.hold) return NOTHING;
    const open = this.oms.openOrders();
    if (!policy.enabled && !open.some(isProtectiveStop)) return NOTHING;
    const seq = this.sequences();
    const blocked = new Set<string>();
    for (const [symbol, at] of this.rejectedAt) if (now - at < this.retryMs) blocked.add(symbol);
    const actions = planStops({ policy, positions: this.oms.positions(), openOrders: open, lastPrices: this.lastFill, nextSeq: (s) => (seq.get(s) ?? 0) + 1, blocked, now });
    const cancels: Extract<StopAction, { kind: 'cancel' }>[] = [];
    const replaces: Extract<StopAction, { kind: 'replace' }>[] = [];
    const places: OrderIntent[] = [];
    for (const a of actions) {
      if (a.kind === 'cancel') {
        this.cancelSentAt.set(a.clientOrderId, now);
        cancels.push(a);
      } else if (a.kind === 'replace') {
        replaces.push(a);
      } else {
        seq.set(a.intent.symbol, (seq.get(a.intent.symbol) ?? 0) + 1);
        places.push(a.intent);
      }
    }
    // A cancel that was not confirmed (the DELETE failed, or its answer was lost) is sent again.
    const recancels: { clientOrderId: string; brokerOrderId: string }[] = [];
    for (const o of open) {
      if (!o.cancelRequested || !isProtectiveStop(o) || !o.brokerOrderId) continue;
      if (now - (this.cancelSentAt.get(o.clientOrderId) ?? o.updatedAt) < this.retryMs) continue;
      this.cancelSentAt.set(o.clientOrderId, now);
      recancels.push({ clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId });
    }
    return { cancels, recancels, replaces, places };
  }

  /**
   * Holds an order back when it would close shares one of our stops holds
   * (true: do not send it now). A broker that reserves a working order's
   * shares (Alpaca does) would refuse it meanwhile, and one that does not
   * would let both sell the same shares. Only the stops working now hold it
   * back: a stop placed later was sized with this order counted
   * (protective-stops.ts), so it leaves its shares free. The rule is
   * Alpaca's reservation: an order is held when it would close more of the
   * position than our working orders on its side (stops included) leave
   * free (`closesHeldShares`), so a stop sized before the position grew
   * leaves room for a sell of the growth, and a flip's opening leg waits
   * while its closing leg works. It goes once they leave it enough: the
   * stop resized or gone, the closing leg done.
   */
  hold(cid: string, request: SdkOrderInput): boolean {
    if (isStopType(request.type)) return false;
    if (!this.closesHeldShares(cid, request, true)) return false;
    const blockers = this.oms
      .openOrders()
      .filter((o) => o.symbol === request.symbol && o.side === request.side && isProtectiveStop(o))
      .map((o) => o.clientOrderId);
    this.held.set(cid, { request, blockers: blockers.length > 0 ? blockers : null });
    return true;
  }

  /**
   * Whether an order would close more of the position than our other
   * working orders on its side leave free: a flip's opening leg sent while
   * its closing leg works (intents.ts), say. Alpaca refuses it (403
   * insufficient qty available), so it waits until they are done; with
   * nothing working it goes, and what goes beyond the position opens the
   * other side.
   */
  private closesHeldShares(cid: string, request: SdkOrderInput, atSend: boolean): boolean {
    const pos = this.oms.position(request.symbol).qty;
    const owned = request.side === 'sell' ? pos : -pos;
    if (!(owned > 0)) return false;
    // Sent, or on the way: not those held back, nor (when it is about to be sent) those of its batch registered
    // after it, not sent yet (a batch is sent in order; by a release every one of them is sent or held).
    const open = this.oms.openOrders();
    const at = atSend ? open.findIndex((o) => o.clientOrderId === cid) : -1;
    const unsent = new Set(at >= 0 ? open.slice(at + 1).filter((o) => o.submission === 'pending').map((o) => o.clientOrderId) : []);
    const working = this.oms.openQty(request.symbol, request.side, (o) => o.clientOrderId === cid || unsent.has(o.clientOrderId) || this.held.has(o.clientOrderId));
    return working > 0 && Number(request.qty) > owned - working + 1e-9;
  }

  /**
   * The held orders to send now (their stops are gone), and those never to
   * send: cancelled while they waited, or older than `maxAgeMs` (they no
   * longer mean what they meant: the resend rule).
   */
  release(now: number, maxAgeMs: number): { send: { cid: string; request: SdkOrderInput }[]; drop: { cid: string; why: string }[] } {
    const send: { cid: string; request: SdkOrderInput }[] = [];
    const drop: { cid: string; why: string }[] = [];
    for (const [cid, { request, blockers }] of this.held) {
      const o = this.oms.order(cid);
      if (!o || o.submission !== 'pending') {
        this.held.delete(cid);
      } else if (o.cancelRequested || now - o.createdAt > maxAgeMs) {
        this.held.delete(cid);
        const why = o.cancelRequested ? 'cancelled before it was sent' : `not sent: waited ${now - o.createdAt} ms (maxResendAgeMs ${maxAgeMs})`;
        drop.push({ cid, why: `${why} (it was waiting for ${blockers ? 'a protective stop to be cancelled' : 'our working orders to leave it the shares it closes'})` });
      } else if (!this.closesHeldShares(cid, request, false)) {
        this.held.delete(cid);
        send.push({ cid, request });
      }
    }
    return { send, drop };
  }

  get heldCount(): number {
    return this.held.size;
  }

  private isOpen(cid: string): boolean {
    const o = this.oms.order(cid);
    return o !== undefined && isOpenOrder(o);
  }

  private sequences(): Map<string, number> {
    if (this.seq === null) {
      this.seq = new Map();
      for (const o of this.oms.orders()) {
        const n = protectiveStopSeq(o);
        if (n !== null && n > (this.seq.get(o.symbol) ?? 0)) this.seq.set(o.symbol, n);
      }
    }
    return this.seq;
  }
}

/** Violations of a `risk.stops_policy` message, each naming its field. */
export function policyMsgErrors(msg: RiskStopsPolicyMsg): string[] {
  const m = msg as unknown as Record<string, unknown> | null;
  if (!m || typeof m !== 'object') return [`risk.stops_policy must be an object (got ${String(m)})`];
  const v = stopsPolicyErrors(msg, 'risk.stops_policy');
  // Optional in a configured policy, required in the message: the governor always says.
  if (m.trailing === undefined) v.push('risk.stops_policy.trailing is missing');
  if (m.distanceBpsBySymbol === undefined) v.push('risk.stops_policy.distanceBpsBySymbol is missing');
  if (typeof m.hold !== 'boolean') v.push(`risk.stops_policy.hold must be true or false (got ${String(m.hold)})`);
  if (typeof m.at !== 'number' || !Number.isFinite(m.at)) v.push(`risk.stops_policy.at must be a finite number (got ${String(m.at)})`);
  return v;
}

function notableChange(a: RiskStopsPolicyMsg, b: RiskStopsPolicyMsg): boolean {
  if (a.enabled !== b.enabled || a.hold !== b.hold || a.trailing !== b.trailing || a.distanceBps !== b.distanceBps) return true;
  const x = Object.keys(a.distanceBpsBySymbol);
  if (x.length !== Object.keys(b.distanceBpsBySymbol).length) return true;
  for (const symbol of x) {
    const before = a.distanceBpsBySymbol[symbol]!;
    if (!Object.hasOwn(b.distanceBpsBySymbol, symbol) || Math.abs(b.distanceBpsBySymbol[symbol]! - before) >= NOTABLE_DISTANCE_MOVE * before) return true;
  }
  return false;
}
