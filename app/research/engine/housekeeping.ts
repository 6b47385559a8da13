/**
 * The broker session's own order housekeeping in a back-test: protective
 * stops (`StopKeeper`: placed after a fill, resized by replace, cancelled on
 * a flat book, holding back an order that would close a stop's shares) and
 * limit orders' time limits (`LimitTimeouts`: cancel, then the rest at
 * market). The plans come from the code the broker actor runs; only their
 * execution differs: the actor sends them over the SDK and hears the answers
 * as messages, here they go straight to the matching engine and its updates
 * are settled at once (`ResearchOrderIo`).
 *
 * The desk runs `run(now)` after every bar and timer, as the actor runs its
 * passes after every message, with the risk governor's stops policy as the
 * governor would publish it at that time (FLATTEN holds it).
 */
import type { OrderIntent } from '../../../actors/allocator/intent.js';
import type { OrderRequest, SdkOrderInput } from '../../../actors/broker/alpaca-mapping.js';
import { LimitTimeouts } from '../../../actors/broker/limit-timeouts.js';
import type { BrokerMsg } from '../../../actors/broker/messages.js';
import type { BrokerSessionCore } from '../../../actors/broker/session-core.js';
import { StopKeeper } from '../../../actors/broker/stop-keeper.js';
import type { RiskStopsPolicyMsg } from '../../../actors/risk/messages.js';

/** What the desk does for the housekeeping: the same calls its own orders go through. */
export interface ResearchOrderIo {
  /** Sends a registered order to the engine and settles its answer and updates. */
  send(clientOrderId: string, body: OrderRequest, now: number): void;
  /** Journals a cancel (`then: 'market'` for a time limit) and sends it. */
  cancel(clientOrderId: string, now: number, then?: 'market'): void;
  /** Sends a journaled replace and settles its answer. */
  replace(clientOrderId: string, orderId: string, body: Record<string, unknown>, now: number): void;
  deliver(msgs: readonly BrokerMsg[], now: number): void;
}

/** The broker actor's defaults (actors/broker/args.ts): retry a refused stop or an unconfirmed cancel, give up a resend. */
const RETRY_MS = 5000;
const MAX_RESEND_AGE_MS = 30_000;
/** Plan rounds per run: a cancel confirmed at once lets the next round place its successor. */
const ROUNDS = 4;

export class ResearchHousekeeping {
  readonly stops: StopKeeper;
  private readonly limits: LimitTimeouts;
  /** Orders held behind a protective stop, with the body to send when it is gone. */
  private readonly bodies = new Map<string, OrderRequest>();

  constructor(
    private readonly session: BrokerSessionCore,
    private readonly io: ResearchOrderIo,
  ) {
    this.stops = new StopKeeper(session.oms, RETRY_MS);
    this.limits = new LimitTimeouts(session.oms, { maxResendAgeMs: MAX_RESEND_AGE_MS, retryMs: RETRY_MS });
  }

  /** Sends a registered order, or holds it while a protective stop holds its shares (as `sendOrHold` in the actor). */
  sendOrHold(clientOrderId: string, request: SdkOrderInput, body: OrderRequest, now: number): void {
    if (this.stops.hold(clientOrderId, request)) {
      this.bodies.set(clientOrderId, body);
      return;
    }
    this.io.send(clientOrderId, body, now);
  }

  /** One pass of the stops and the time limits under `policy`, repeated while a round changed something. */
  run(policy: RiskStopsPolicyMsg, now: number): void {
    this.stops.setPolicy(policy);
    for (let round = 0; round < ROUNDS; round++) {
      if (!this.round(now)) break;
    }
    this.release(now);
  }

  /** A fill's price: the reference a stop placed after it starts from. */
  noteFill(symbol: string, price: number): void {
    this.stops.noteFill(symbol, price);
  }

  private round(now: number): boolean {
    const work = this.stops.plan(now);
    const limits = this.limits.plan(now, this.stops.policy);
    let acted = false;
    for (const a of work.cancels) {
      this.io.cancel(a.clientOrderId, now);
      acted = true;
    }
    for (const a of work.replaces) {
      const d = this.session.requestReplace(a.clientOrderId, { qty: a.qty }, now);
      this.io.deliver(d.messages, now);
      if (!d.ok) continue;
      this.io.replace(d.clientOrderId, d.request.orderId, { ...d.request.restBody }, now);
      acted = true;
    }
    for (const c of limits.cancels) {
      this.io.cancel(c.clientOrderId, now, 'market');
      acted = true;
    }
    // Stops and the remainders of timed-out limits are registered as any order is, then sent.
    const intents: OrderIntent[] = [...work.places, ...limits.converts.map((c) => c.intent)];
    if (intents.length === 0) return acted;
    const decisions = this.session.submitBatch(intents, now);
    for (const d of decisions) {
      this.io.deliver(d.messages, now);
      if (!d.ok) continue;
      this.sendOrHold(d.clientOrderId, d.request, d.restBody, now);
      acted = true;
    }
    return acted;
  }

  /** Sends the orders held back whose shares are free now; drops those that waited too long or were cancelled. */
  release(now: number): void {
    if (this.stops.heldCount === 0) return;
    const r = this.stops.release(now, MAX_RESEND_AGE_MS);
    for (const x of r.send) {
      const body = this.bodies.get(x.cid);
      this.bodies.delete(x.cid);
      if (body) this.io.send(x.cid, body, now);
    }
    for (const x of r.drop) {
      this.bodies.delete(x.cid);
      this.io.deliver(this.session.onSubmitError(x.cid, { status: 400, message: x.why }, now).messages, now);
    }
  }
}
