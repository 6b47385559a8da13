/**
 * The broker session actor: `BrokerSessionCore` (OMS, write-ahead journal,
 * reconciliation) wired to the venue through the real SDK (`VenueLink`).
 *
 * Start-up, in this order:
 * 1. open the journal and replay it (replay errors are logged, not fatal;
 *    orders that were pending when the last incarnation died are ambiguous);
 * 2. connect the trade_updates stream, buffering what it delivers;
 * 3. once it listens, take the broker snapshot (open and recent orders,
 *    positions, account) and reconcile; only when that passes is the session
 *    ready, and `submit` refused before;
 * 4. look every ambiguous order up by client order id (never resend blind),
 *    then apply the buffered trade_updates (the OMS deduplicates fills).
 *
 * Then: each `risk.intent_approved` is journaled (fsynced) before its POST,
 * the approvals of one risk review together with one fsync (group commit);
 * a POST that times out or fails with 5xx is looked up by client order id
 * before it may be resent with the same id, so an intent never becomes two
 * orders; a 429 is resent after `retryAfterMs`; a 422 duplicate is looked up.
 * `risk.cancel_order` cancels (looking the order up first when it has no
 * broker id yet). With the risk governor's `risk.stops_policy` enabled the
 * session keeps a protective stop on every position (protective-stops.ts),
 * re-planned after everything it handles: placed through the same journal
 * and client order ids as any order, cancelled when the position closes,
 * resized by cancel then new. It places nothing before it has heard the
 * policy, and nothing while the policy holds (FLATTEN); a malformed policy
 * is refused (logged, counted) and the one held stays. Reconciliation runs every `reconcileEveryMs` and right after
 * the stream reconnects (updates may have been missed); the journal is
 * compacted past `compactAtBytes`.
 *
 * Out: `broker.order_update` and `broker.intent_refused` on `orders`, `broker.fill`
 * on `fills`, `broker.positions` and `broker.account` on `positions`,
 * `broker.reconciled` on `reconciled`, `broker.connection` on `broker_status`
 * (on change and every `statusEveryMs`).
 *
 * All venue I/O runs as promises whose results come back as messages to
 * self, so the actor handles one thing at a time and never blocks on the
 * network. Those self-messages never leave the worker.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AlpacaConnection } from '../../src/alpaca/index.js';
import { tradingModeFor } from '../../src/alpaca/trading-mode.js';
import { ConfigError } from '../../src/errors.js';
import { Backoff, defineActor, Kind, monoNs, type ActorContext, type Message } from '../../src/runtime/index.js';
import type { RiskCancelOrderMsg, RiskIntentApprovedMsg, RiskStopsPolicyMsg } from '../risk/messages.js';
import type { SdkOrderInput } from './alpaca-mapping.js';
import { BROKER_TIMER_DEFAULTS, validateArgs, type BrokerArgs, type BrokerLatencyQuery, type BrokerStatusQuery, type BrokerSyncMsg } from './args.js';
import { ConnectionMonitor } from './connection.js';
import { brokerMetrics, type BrokerMetrics } from './metrics.js';
import type { BrokerAccountMsg, BrokerMsg } from './messages.js';
import { accountMsg, intentRefusedMsg, publishBrokerMsg } from './publish.js';
import { isOpenOrder } from './oms.js';
import { StopKeeper } from './stop-keeper.js';
import { LimitTimeoutPass, type LimitTimeoutTickMsg } from './limit-timeout-pass.js';
import { BrokerSessionCore, orderUpdateMsg, REFUSAL_REASONS, type RawBrokerState, type ReplaceRequest } from './session-core.js';
import { ORDER_STAGES, OrderTimings } from './order-timings.js';
import { isClientError, linkError, REST_OPS, VenueLink, type LinkError, type StreamEvent } from './venue-link.js';
import { TOPICS } from '../topics.js';
import { subscriptions } from '../../src/runtime/index.js';

export const BROKER_TOPICS = subscriptions<In>()();

type Local =
  | { readonly type: 'broker.stream'; readonly ev: StreamEvent }
  | { readonly type: 'broker.trade_update'; readonly update: unknown }
  | { readonly type: 'broker.state'; readonly phase: 'startup' | 'periodic'; readonly raw?: RawBrokerState; readonly error?: LinkError }
  | { readonly type: 'broker.submitted'; readonly cid: string; readonly order: unknown }
  | { readonly type: 'broker.submit_failed'; readonly cid: string; readonly error: LinkError }
  | { readonly type: 'broker.lookup_result'; readonly cid: string; readonly order?: unknown; readonly error?: LinkError }
  | { readonly type: 'broker.cancel_result'; readonly cid: string; readonly error?: LinkError }
  | { readonly type: 'broker.account_result'; readonly account?: unknown; readonly error?: LinkError }
  | { readonly type: 'broker.resend'; readonly cid: string }
  | { readonly type: 'broker.relookup'; readonly cid: string }
  | { readonly type: 'broker.reconnect' }
  | { readonly type: 'broker.reconcile_tick' }
  | { readonly type: 'broker.status_tick' }
  | { readonly type: 'broker.account_tick' }
  | { readonly type: 'broker.commit_intents' };

type In = Local | LimitTimeoutTickMsg | RiskIntentApprovedMsg | RiskCancelOrderMsg | RiskStopsPolicyMsg | BrokerLatencyQuery | BrokerStatusQuery | BrokerSyncMsg;

const MAX_BUFFERED_UPDATES = 50_000;

/** Longest wait a 429 may impose on a resend (one rate-limit window). */
const MAX_RATE_LIMIT_WAIT_MS = 60_000;


export default defineActor<In, BrokerArgs>(() => {
  let args: BrokerArgs;
  let session: BrokerSessionCore;
  let link: VenueLink | undefined;
  let monitor: ConnectionMonitor;
  let alive = true;
  let startupDone = false;
  let fetching = false;
  // Stream reconnect delays: they grow with the attempts since the stream last listened.
  let reconnect: Backoff;
  let buffered: unknown[] = [];
  const submitting = new Set<string>();
  /**
   * Approved intents received and not yet journaled. A risk review's
   * approvals arrive together; the commit is a message to self, which queues
   * behind the rest of them, so the whole review is journaled with one fsync
   * (group commit) before any of its orders is sent, instead of each order
   * waiting behind the fsyncs of the ones before it.
   */
  let approved: RiskIntentApprovedMsg[] = [];
  const lookingUp = new Set<string>();
  let lastAccount: BrokerAccountMsg | null = null;
  let latency = new Float64Array(0);
  let latencyCount = 0;
  let m: BrokerMetrics;

  let timings: OrderTimings | undefined;
  const ENDED_UNFILLED = new Set(['canceled', 'expired', 'rejected']);
  /** Approvals received and not yet committed: intent id to the monotonic time it arrived. */
  const approvedAt = new Map<string, number>();
  /** Protective stops (stop-keeper.ts): the policy, what to place and cancel, the orders held behind a stop. */
  let stops: StopKeeper;


  const publish = (ctx: ActorContext, msgs: readonly BrokerMsg[]): void => {
    for (const msg of msgs) publishBrokerMsg(ctx, msg);
  };

  /** Runs an I/O promise and brings its outcome back as a message to self (this incarnation only). */
  const io = <T>(ctx: ActorContext, p: Promise<T>, ok: (v: T) => Local, fail: (e: LinkError) => Local): void => {
    p.then(
      (v) => alive && ctx.tell(ctx.self, ok(v) as Message),
      (err: unknown) => alive && ctx.tell(ctx.self, fail(linkError(err)) as Message),
    );
  };

  const restFailed = (ctx: ActorContext, e: LinkError, what: string): void => {
    if (!isClientError(e)) monitor.restFailed(ctx.clock.now(), `${what}: ${e.status ?? 'no status'} ${e.message}`);
    else monitor.restOk();
  };

  const publishStatus = (ctx: ActorContext): void => {
    const now = ctx.clock.now();
    monitor.setReady(session.ready && startupDone);
    monitor.evaluate(now);
    m.connected.set(undefined, monitor.connected && session.ready ? 1 : 0);
    ctx.publish(TOPICS.broker_status, monitor.message(now));
  };

  const fetchState = (ctx: ActorContext, phase: 'startup' | 'periodic'): void => {
    if (fetching || !link) return;
    fetching = true;
    io(ctx, link.fetchState(), (raw) => ({ type: 'broker.state', phase, raw }), (error) => ({ type: 'broker.state', phase, error }));
  };

  const lookup = (ctx: ActorContext, cid: string): void => {
    if (lookingUp.has(cid) || !link) return;
    lookingUp.add(cid);
    io(ctx, link.lookup(cid), (order) => ({ type: 'broker.lookup_result', cid, order }), (error) => ({ type: 'broker.lookup_result', cid, error }));
  };

  const send = (ctx: ActorContext, cid: string, request: SdkOrderInput | null): void => {
    if (!request || submitting.has(cid) || !link) return;
    submitting.add(cid);
    timings?.onSent(cid, performance.now());
    io(ctx, link.submit(request), (order) => ({ type: 'broker.submitted', cid, order }), (error) => ({ type: 'broker.submit_failed', cid, error }));
  };

  /** Sends a replacement's PATCH; its answer comes back as a submission's would, under the replacement's client order id. */
  const sendReplace = (ctx: ActorContext, cid: string, request: ReplaceRequest | null): void => {
    if (!request || submitting.has(cid) || !link) return;
    submitting.add(cid);
    io(ctx, link.replace(request.orderId, request.patch), (order) => ({ type: 'broker.submitted', cid, order }), (error) => ({ type: 'broker.submit_failed', cid, error }));
  };

  /** Sends a `pending` order again: a replacement as its PATCH (or, its predecessor gone, records it as never sent), any other as its POST. */
  const resend = (ctx: ActorContext, cid: string): void => {
    const o = session.oms.order(cid);
    if (!o?.replaces) return sendOrHold(ctx, cid, session.resendRequest(cid));
    const request = session.replaceRequest(cid);
    if (request) return sendReplace(ctx, cid, request);
    if (o.submission !== 'pending') return;
    const r = session.onSubmitError(cid, { status: 400, message: `not sent: the order it replaces (${o.replaces}) no longer works` }, ctx.clock.now());
    publish(ctx, [...r.messages, session.positionsMsg(ctx.clock.now())]);
  };

  const refuse = (ctx: ActorContext, intentId: string, symbol: string, reason: string): void => {
    m.refused.inc({ reason: reason.split(':')[0] });
    ctx.publish(TOPICS.orders, intentRefusedMsg(intentId, symbol, reason, ctx.clock.now()));
    ctx.log.warn('intent refused', { intentId, reason });
  };

  /** Record a cancel (journaled) and send the DELETE, or look the order up first when it has no broker id yet. */
  const cancelOrder = (ctx: ActorContext, cid: string, now: number): void => {
    const r = session.requestCancel(cid, now);
    publish(ctx, r.messages);
    if (r.error) {
      ctx.log.warn('cancel not applied', { cid, error: r.error });
      return;
    }
    if (r.brokerOrderId && link) sendCancel(ctx, cid, r.brokerOrderId);
    else lookup(ctx, cid);
  };

  const sendCancel = (ctx: ActorContext, cid: string, brokerOrderId: string): void => {
    if (!link) return;
    io(ctx, link.cancel(brokerOrderId), () => ({ type: 'broker.cancel_result', cid }), (error) => ({ type: 'broker.cancel_result', cid, error }));
  };

  /**
   * Brings the protective stops in line with the positions (see
   * protective-stops.ts), then sends the orders whose stop is gone. Runs
   * after every message the session handles, so a fill, a cancel confirmed,
   * a reconciliation or a new policy is acted on at once; cheap: it reads
   * only the open orders and the positions.
   */
  const maintainStops = (ctx: ActorContext): void => {
    if (!startupDone || !session.ready || !link) return;
    const now = ctx.clock.now();
    const work = stops.plan(now);
    for (const a of work.cancels) {
      ctx.log.info('protective stop cancelled', { cid: a.clientOrderId, symbol: a.symbol, reason: a.reason });
      cancelOrder(ctx, a.clientOrderId, now);
    }
    for (const r of work.recancels) sendCancel(ctx, r.clientOrderId, r.brokerOrderId);
    for (const a of work.replaces) {
      const d = session.requestReplace(a.clientOrderId, { qty: a.qty }, now);
      publish(ctx, d.messages);
      if (!d.ok) {
        ctx.log.warn('protective stop not resized', { cid: a.clientOrderId, reason: d.reason });
        continue;
      }
      ctx.log.info('protective stop resized', { cid: a.clientOrderId, replacement: d.clientOrderId, symbol: a.symbol, qty: a.qty, reason: a.reason });
      sendReplace(ctx, d.clientOrderId, d.request);
    }
    if (work.places.length > 0) {
      const places = work.places;
      const decisions = session.submitBatch(places, now);
      const out: BrokerMsg[] = [];
      decisions.forEach((d, i) => {
        if (d.ok) out.push(...d.messages);
        else ctx.log.warn('protective stop not registered', { intentId: places[i]!.intentId, reason: d.reason });
      });
      if (out.length > 0) publish(ctx, [...out, session.positionsMsg(now)]);
      for (const [i, d] of decisions.entries()) {
        if (!d.ok) continue;
        const p = places[i]!;
        ctx.log.info('protective stop placed', { cid: d.clientOrderId, symbol: p.symbol, side: p.side, qty: p.qty, type: p.type, stopPrice: p.stopPrice ?? null, trailPercent: p.trailPercent ?? null });
        send(ctx, d.clientOrderId, d.request);
      }
    }
    if (stops.heldCount === 0) return;
    const released = stops.release(now, args.maxResendAgeMs ?? 30_000);
    for (const x of released.send) send(ctx, x.cid, x.request);
    for (const x of released.drop) {
      const r = session.onSubmitError(x.cid, { status: 400, message: x.why }, now);
      publish(ctx, [...r.messages, session.positionsMsg(now)]);
    }
  };

  /** Sends an order, or holds it while a protective stop, or another working order, holds its shares (StopKeeper.hold). */
  const sendOrHold = (ctx: ActorContext, cid: string, request: SdkOrderInput | null): void => {
    if (request && stops.hold(cid, request)) return;
    send(ctx, cid, request);
  };
  const limits = new LimitTimeoutPass({ sendCancel, send: sendOrHold, publish }); // limit orders' time limits (limit-timeout-pass.ts)

  const applyUpdate = (ctx: ActorContext, update: unknown): void => {
    const out = session.onTradeUpdate(update, ctx.clock.now());
    const t = performance.now();
    for (const x of out.messages) {
      if (x.type === 'broker.fill') {
        timings?.onFill(x.clientOrderId, t);
        stops.noteFill(x.symbol, x.price);
      } else if (x.type === 'broker.order_update' && x.status !== null && ENDED_UNFILLED.has(x.status)) {
        timings?.forget(x.clientOrderId);
        if (x.status === 'rejected') stops.noteRejected(x.clientOrderId, ctx.clock.now());
      }
    }
    publish(ctx, out.messages);
    if (out.error) {
      m.wireErrors.inc({ kind: 'trade_update' });
      ctx.log.warn('trade update not applied', { error: out.error });
    }
    if (out.messages.some((x) => x.type === 'broker.fill') && !ctx.timers.isActive('account')) {
      ctx.timers.start('account', 100, { type: 'broker.account_tick' });
    }
  };

  const publishAccount = (ctx: ActorContext, raw: unknown): void => {
    const a = accountMsg(raw, ctx.clock.now());
    if (!a.ok) {
      m.wireErrors.inc({ kind: 'account' });
      ctx.log.warn('account not parsed', { error: a.error });
      return;
    }
    lastAccount = a.value;
    ctx.publish(TOPICS.positions, a.value);
  };

  /** A lookup answered: resend an unsent order (if young enough), cancel one that was asked to be. */
  const afterLookup = (ctx: ActorContext, cid: string): void => {
    const now = ctx.clock.now();
    const o = session.oms.order(cid);
    if (!o) return;
    if (o.submission === 'pending') {
      const age = now - o.createdAt;
      if (age <= (args.maxResendAgeMs ?? 30_000)) {
        resend(ctx, cid);
      } else {
        // Not at the venue and too old to still mean what it meant: record it as not sent.
        const r = session.onSubmitError(cid, { status: 400, message: `not resent: intent is ${age} ms old (maxResendAgeMs ${args.maxResendAgeMs ?? 30_000})` }, now);
        publish(ctx, [...r.messages, session.positionsMsg(now)]);
      }
    } else if (o.cancelRequested && o.submission === 'acked' && isOpenOrder(o) && o.brokerOrderId && link) {
      sendCancel(ctx, cid, o.brokerOrderId);
    }
  };

  const onState = (ctx: ActorContext, msg: Extract<Local, { type: 'broker.state' }>): void => {
    fetching = false;
    const now = ctx.clock.now();
    if (msg.error || !msg.raw) {
      restFailed(ctx, msg.error ?? { status: null, message: 'no state', retryAfterMs: null }, 'reconciliation fetch');
      ctx.log.warn('broker state fetch failed', { phase: msg.phase, error: msg.error });
      return;
    }
    monitor.restOk();
    const phase = startupDone ? 'periodic' : 'startup';
    const r = session.reconcile(msg.raw, phase, now);
    publish(ctx, r.messages);
    publishAccount(ctx, msg.raw.account);
    m.reconciles.inc({ phase, passed: String(r.report.passed) });
    if (r.error) ctx.log.warn('broker state had unparseable entries', { error: r.error });
    if (r.report.items.length > 0) ctx.log.warn('reconciliation drift', { phase, magnitude: r.report.magnitude, items: r.report.items.slice(0, 20) });
    if (phase === 'startup') {
      if (!session.ready) {
        ctx.log.warn('start-up reconciliation did not pass; retrying', { items: r.report.items.length });
        return;
      }
      startupDone = true;
      ctx.log.info('start-up reconciliation passed; accepting intents', { orders: session.oms.orders().length, positions: session.oms.positions().length });
      // Whoever restarted with us (the risk governor) rebuilds its view of working orders from this.
      for (const o of session.oms.openOrders()) ctx.publish(TOPICS.orders, orderUpdateMsg(o, 'startup', o.reason, now));
      for (const o of session.oms.pendingAmbiguous()) lookup(ctx, o.clientOrderId);
      const pending = buffered;
      buffered = [];
      for (const u of pending) applyUpdate(ctx, u);
      publishStatus(ctx);
    } else if (session.journalBytes > (args.compactAtBytes ?? 4 * 1024 * 1024)) {
      session.compact(now);
      ctx.log.info('journal compacted', { bytes: session.journalBytes });
    }
  };

  /** Journals the approvals received so far (one fsync), then publishes and sends them. */
  const commitApproved = (ctx: ActorContext, now: number): void => {
    const batch = approved;
    approved = [];
    if (batch.length === 0) return;
    const decisions = session.submitBatch(batch.map((a) => a.intent), now);
    const out: BrokerMsg[] = [];
    decisions.forEach((d, i) => {
      const intentId = batch[i]!.intent.intentId;
      const t = approvedAt.get(intentId);
      approvedAt.delete(intentId);
      if (!d.ok) refuse(ctx, intentId, batch[i]!.intent.symbol, d.reason);
      else {
        out.push(...d.messages);
        if (t !== undefined) timings?.onApproved(d.clientOrderId, t);
      }
    });
    if (out.length > 0) publish(ctx, [...out, session.positionsMsg(now)]);
    for (const d of decisions) if (d.ok) sendOrHold(ctx, d.clientOrderId, d.request);
  };

  const handle = (msg: In, ctx: ActorContext): void => {
    const now = ctx.clock.now();
    // Only approvals may sit between an approval and its commit: anything else (a trade update
    // whose journal write fails, say) could end this incarnation with them received but unjournaled,
    // whereas waiting in the mailbox they would survive a restart in place.
    if (approved.length > 0 && msg.type !== 'risk.intent_approved' && msg.type !== 'broker.commit_intents') commitApproved(ctx, now);
    switch (msg.type) {
      case 'risk.intent_approved': {
        const origin = msg.originNs ?? 0;
        if (origin > 0) {
          const ns = monoNs() - origin;
          m.tickToIntent.observe(undefined, ns / 1e9);
          if (latencyCount < latency.length) latency[latencyCount] = ns;
          latencyCount++;
        }
        const intent = msg.intent;
        if (!startupDone || !session.ready) return refuse(ctx, intent.intentId, intent.symbol, 'not_ready: start-up reconciliation has not passed');
        if (approved.length === 0) ctx.tell(ctx.self, { type: 'broker.commit_intents' });
        approved.push(msg);
        approvedAt.set(intent.intentId, performance.now());
        return;
      }
      case 'broker.commit_intents':
        commitApproved(ctx, now);
        return;
      case 'broker.submitted': {
        submitting.delete(msg.cid);
        timings?.onAcked(msg.cid, performance.now());
        monitor.restOk();
        m.submits.inc({ outcome: 'ok' });
        const out = session.onSubmitOk(msg.cid, msg.order, now);
        publish(ctx, out.messages);
        if (out.error) ctx.log.warn('order ack not applied; looking it up', { cid: msg.cid, error: out.error });
        if (out.error) lookup(ctx, msg.cid);
        return;
      }
      case 'broker.submit_failed': {
        submitting.delete(msg.cid);
        const r = session.onSubmitError(msg.cid, msg.error, now);
        m.submits.inc({ outcome: r.outcome });
        if (r.outcome === 'rejected') stops.noteRejected(msg.cid, now);
        publish(ctx, [...r.messages, session.positionsMsg(now)]);
        ctx.log.warn('order POST failed', { cid: msg.cid, outcome: r.outcome, status: msg.error.status, error: msg.error.message });
        if (r.outcome === 'ambiguous' || r.outcome === 'duplicate') {
          restFailed(ctx, msg.error, 'order POST');
          lookup(ctx, msg.cid);
        } else if (r.outcome === 'retryable') {
          // Honour the venue's window: resending before its reset would only be refused again.
          const wait = Math.max(args.retryAfterMs ?? 1000, Math.min(msg.error.retryAfterMs ?? 0, MAX_RATE_LIMIT_WAIT_MS));
          ctx.timers.start(`resend:${msg.cid}`, wait, { type: 'broker.resend', cid: msg.cid } as Message);
        }
        return;
      }
      case 'broker.resend':
        resend(ctx, msg.cid);
        return;
      case 'broker.lookup_result': {
        lookingUp.delete(msg.cid);
        if (msg.error) {
          restFailed(ctx, msg.error, 'order lookup');
          ctx.timers.start(`relookup:${msg.cid}`, args.retryAfterMs ?? 1000, { type: 'broker.relookup', cid: msg.cid } as Message);
          return;
        }
        monitor.restOk();
        const out = session.onLookup(msg.cid, msg.order ?? null, now);
        publish(ctx, [...out.messages, session.positionsMsg(now)]);
        if (out.error) ctx.log.warn('lookup not applied', { cid: msg.cid, error: out.error });
        afterLookup(ctx, msg.cid);
        return;
      }
      case 'broker.relookup':
        lookup(ctx, msg.cid);
        return;
      case 'risk.cancel_order':
        if (!startupDone) return;
        cancelOrder(ctx, msg.clientOrderId, now);
        return;
      case 'risk.stops_policy': {
        const v = stops.setPolicy(msg);
        if (v.kind === 'malformed') {
          m.stopPoliciesRefused.inc();
          ctx.log.error('protective stop policy refused: malformed (the one held stays in force)', { from: ctx.envelope?.from ?? null, errors: v.errors.slice(0, 10) });
        } else if (v.kind === 'taken' && v.notable) {
          ctx.log.info('protective stop policy', { enabled: msg.enabled, distanceBps: msg.distanceBps, trailing: msg.trailing, distanceBpsBySymbol: msg.distanceBpsBySymbol, hold: msg.hold, tier: msg.tier });
        }
        return;
      }
      case 'broker.cancel_result':
        // A refused cancel (already filled or cancelled) is settled by the trade_update or the next reconciliation.
        if (msg.error) {
          restFailed(ctx, msg.error, 'cancel');
          ctx.log.info('cancel refused', { cid: msg.cid, status: msg.error.status, error: msg.error.message });
        } else monitor.restOk();
        return;
      case 'broker.trade_update':
        if (!startupDone) {
          if (buffered.length < MAX_BUFFERED_UPDATES) buffered.push(msg.update);
          else m.wireErrors.inc({ kind: 'buffer_overflow' });
          return;
        }
        applyUpdate(ctx, msg.update);
        return;
      case 'broker.stream': {
        m.stream.inc({ event: msg.ev.kind });
        if (msg.ev.kind === 'listening') {
          monitor.streamListening();
          reconnect.reset();
          // Before start-up this takes the snapshot; after a reconnect it catches updates missed while down.
          fetchState(ctx, startupDone ? 'periodic' : 'startup');
        } else if (msg.ev.kind === 'down') {
          monitor.streamDown(now, msg.ev.detail);
          if (!ctx.timers.isActive('reconnect')) {
            const inMs = reconnect.next();
            ctx.timers.start('reconnect', inMs, { type: 'broker.reconnect' });
            ctx.log.warn('trade_updates stream down; reconnecting', { detail: msg.ev.detail, inMs });
          }
        } else monitor.streamConnecting();
        publishStatus(ctx);
        return;
      }
      case 'broker.reconnect':
        link?.connectStream();
        return;
      case 'broker.reconcile_tick':
        if (monitor.streamState === 'listening' || startupDone) fetchState(ctx, startupDone ? 'periodic' : 'startup');
        return;
      case 'broker.state':
        onState(ctx, msg);
        return;
      case 'broker.account_tick':
        if (link) io(ctx, link.account(), (account) => ({ type: 'broker.account_result', account }), (error) => ({ type: 'broker.account_result', error }));
        return;
      case 'broker.account_result':
        if (msg.error) restFailed(ctx, msg.error, 'account');
        else {
          monitor.restOk();
          publishAccount(ctx, msg.account);
        }
        return;
      case 'broker.status_tick':
        publishStatus(ctx);
        return;
      case 'broker.latency': {
        if (ctx.envelope?.kind === Kind.Ask) {
          const n = Math.min(latencyCount, latency.length);
          ctx.reply({ type: 'broker.latency', samples: Array.from(latency.subarray(0, n)), count: latencyCount } as Message);
        }
        if (msg.reset) latencyCount = 0;
        return;
      }
      case 'broker.sync':
        publishStatus(ctx);
        if (!startupDone) return;
        for (const o of session.oms.openOrders()) ctx.publish(TOPICS.orders, orderUpdateMsg(o, 'sync', o.reason, now));
        ctx.publish(TOPICS.positions, session.positionsMsg(now));
        if (lastAccount) ctx.publish(TOPICS.positions, lastAccount);
        return;
      case 'broker.query':
        if (ctx.envelope?.kind === Kind.Ask) {
          ctx.reply({
            type: 'broker.status',
            ready: session.ready,
            startupDone,
            connection: monitor.message(now),
            orders: session.oms.orders().length,
            openOrders: session.oms.openOrders().length,
            positions: session.oms.positions().map((p) => ({ symbol: p.symbol, qty: p.qty, avgPrice: p.avgPrice })),
            stats: session.stats(),
          } as Message);
        }
        return;
    }
  };

  const dispose = (): void => {
    if (!alive) return;
    alive = false;
    link?.close();
    try {
      session?.close();
    } catch {
      // Closing a journal whose file is gone must not mask the original error.
    }
  };

  return {
    // What the venue link's callbacks and promises, and the timers, hand back to the session: internal.
    accepts: {
      'risk.intent_approved': 'public',
      'risk.cancel_order': 'public',
      'risk.stops_policy': 'public',
      'broker.latency': 'public',
      'broker.query': 'public',
      'broker.sync': 'public',
      'broker.stream': 'internal',
      'broker.trade_update': 'internal',
      'broker.state': 'internal',
      'broker.submitted': 'internal',
      'broker.submit_failed': 'internal',
      'broker.lookup_result': 'internal',
      'broker.cancel_result': 'internal',
      'broker.account_result': 'internal',
      'broker.resend': 'internal',
      'broker.relookup': 'internal',
      'broker.reconnect': 'internal',
      'broker.limit_tick': 'internal',
      'broker.reconcile_tick': 'internal',
      'broker.status_tick': 'internal',
      'broker.account_tick': 'internal',
      'broker.commit_intents': 'internal',
    },

    init(ctx, a) {
      const v = validateArgs(a);
      if (v.length > 0) throw new ConfigError(v);
      args = a;
      reconnect = new Backoff({ minMs: args.reconnectMinMs ?? 200, maxMs: args.reconnectMaxMs ?? 5000 });
      m = brokerMetrics(ctx);
      // The refusals, rate limits and stream drops an operator alerts on exist at 0 from the start.
      for (const reason of REFUSAL_REASONS) m.refused.labels({ reason });
      for (const op of REST_OPS) {
        m.requestSeconds.labels({ op });
        m.requestErrors.labels({ op, status: '429' });
      }
      for (const event of ['connecting', 'listening', 'down']) m.stream.labels({ event });
      for (const stage of ORDER_STAGES) m.orderStage.labels({ stage });
      timings = new OrderTimings((stage, seconds) => m.orderStage.labels({ stage }).observe(seconds));
      latency = new Float64Array(args.latencySamples ?? 100_000);
      mkdirSync(args.journalDir, { recursive: true });
      const opened = BrokerSessionCore.open({
        journalPath: join(args.journalDir, 'broker.wal'),
        salt: args.salt ?? args.connection.keyId,
        periodicGraceMs: args.periodicGraceMs,
        onCorrupt: args.onCorrupt ?? 'quarantine',
        accountRefusal: (n) => accountRefusal(args.connection, n),
      });
      session = opened.session;
      stops = new StopKeeper(session.oms, args.stopRetryMs ?? 5000);
      const { replay, replayErrors } = opened;
      if (replayErrors.length > 0) ctx.log.error('journal replay errors (continuing; reconciliation will settle them)', { count: replayErrors.length, first: replayErrors.slice(0, 10) });
      if (replay.quarantined.length > 0) ctx.log.error('corrupt journal records quarantined', { count: replay.quarantined.length, first: replay.quarantined.slice(0, 5) });
      ctx.log.info('journal replayed', { records: replay.records.length, tornBytes: replay.tornBytes, ambiguous: session.oms.pendingAmbiguous().length });
      const now = ctx.clock.now();
      monitor = new ConnectionMonitor({ disconnectAfterMs: args.disconnectAfterMs ?? 3000, restFailureLimit: args.restFailureLimit ?? 3 }, now);
      link = new VenueLink(args.connection, { timeoutMs: args.requestTimeoutMs ?? 5000, recentOrdersLimit: args.recentOrdersLimit ?? 500 }, {
        onStream: (ev) => alive && ctx.tell(ctx.self, { type: 'broker.stream', ev } as Message),
        onTradeUpdate: (update) => alive && ctx.tell(ctx.self, { type: 'broker.trade_update', update } as Message),
        onRequest: (op, seconds, failed) => {
          m.requestSeconds.labels({ op }).observe(seconds);
          if (failed) m.requestErrors.inc({ op, status: failed.status === null ? 'none' : String(failed.status) });
        },
      });
      ctx.timers.start('status', args.statusEveryMs ?? 1000, { type: 'broker.status_tick' }, { repeat: true });
      ctx.timers.start('reconcile', args.reconcileEveryMs ?? BROKER_TIMER_DEFAULTS.reconcileEveryMs, { type: 'broker.reconcile_tick' }, { repeat: true });
      link.connectStream();
      publishStatus(ctx);
    },

    receive(msg, ctx) {
      try {
        handle(msg, ctx);
        if (msg.type !== 'broker.latency' && msg.type !== 'broker.query') {
          maintainStops(ctx);
          limits.run(ctx, { session, policy: stops.policy, ready: startupDone && link !== undefined, args });
        }
      } catch (err) {
        // The incarnation is about to end: release the socket and the journal so the next one starts clean.
        dispose();
        throw err;
      }
    },

    stop() {
      dispose();
    },

    inspect() {
      return { ready: session?.ready ?? false, startupDone, stream: monitor?.streamState, connected: monitor?.connected, openOrders: session?.oms.openOrders().length, stats: session?.stats(), stopsPolicy: stops?.policy ?? null };
    },
  };
});

/**
 * The broker's own paper-first check of the account it trades (the process
 * checked it before starting, but keys or the venue may have changed since):
 * a connection cleared for PAPER trades only a paper account, one cleared for
 * LIVE only the account the operator named.
 */
function accountRefusal(connection: AlpacaConnection, accountNumber: string | null): string | null {
  try {
    tradingModeFor(accountNumber, { live: connection.tradingMode === 'LIVE', liveAccount: connection.liveAccount ?? null });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
