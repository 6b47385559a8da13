/**
 * The benchmark's broker session: where the approved intent's latency is
 * measured, exactly as the real broker shell measures it (monoNs() minus the
 * intent's `originNs`, on receipt, before anything else), without the venue
 * behind it: the real shell would fsync and POST every intent, and the venue
 * would rate-limit a benchmark's worth of orders. It reports itself ready
 * with a large account; each approved intent becomes a working order that
 * never fills, reported as the real session reports a submission (see
 * BenchBroker), so the allocator trades only changes of target.
 */
import { defineActor, Kind, monoNs, type ActorContext, type Message } from '../../src/runtime/index.js';
import type { RiskIntentApprovedMsg } from '../../actors/risk/messages.js';
import { BenchBroker, EQUITY } from '../lib/stages.js';
import { TOPICS } from '../../actors/topics.js';

type In = RiskIntentApprovedMsg | { readonly type: 'broker.sync' } | { readonly type: 'broker.latency'; readonly reset?: boolean } | { readonly type: 'risk.cancel_order' };

export default defineActor<In, { samples?: number }>(() => {
  let lat = new Float64Array(0);
  let hop = new Float64Array(0);
  let n = 0;
  /** Distinct origins seen (the ticks that ended in approvals): how often approvals woke this worker. */
  let origins = 0;
  let lastOrigin = 0;
  const book = new BenchBroker();
  const sync = (ctx: ActorContext): void => {
    const now = ctx.clock.now();
    ctx.publish(TOPICS.broker_status, { type: 'broker.connection', connected: true, ready: true, stream: 'listening', restFailures: 0, reason: null, since: now, ts: now });
    ctx.publish(TOPICS.positions, { type: 'broker.positions', positions: [], pendingQty: {}, ts: now });
    ctx.publish(TOPICS.positions, { type: 'broker.account', equity: EQUITY, lastEquity: EQUITY, cash: EQUITY, buyingPower: EQUITY, status: 'ACTIVE', ts: now });
  };
  return {
    accepts: ['risk.intent_approved', 'broker.sync', 'broker.latency', 'risk.cancel_order'],
    init(ctx, args) {
      lat = new Float64Array(args?.samples ?? 200_000);
      hop = new Float64Array(lat.length);
      sync(ctx);
    },
    receive(msg, ctx) {
      switch (msg.type) {
        case 'risk.intent_approved': {
          const origin = msg.originNs ?? 0;
          if (origin > 0) {
            const t = monoNs();
            if (origin !== lastOrigin) origins++;
            lastOrigin = origin;
            if (n < lat.length) {
              lat[n] = t - origin;
              // The last hop alone: the risk governor's send stamp to here.
              hop[n] = t - ctx.envelope!.ts;
            }
            n++;
          }
          const r = book.accept(msg, ctx.clock.now());
          ctx.publish(TOPICS.orders, r.ack);
          ctx.publish(TOPICS.positions, r.book);
          return;
        }
        case 'broker.sync':
          sync(ctx);
          return;
        case 'broker.latency':
          if (ctx.envelope?.kind === Kind.Ask) ctx.reply({ type: 'broker.latency', samples: Array.from(lat.subarray(0, Math.min(n, lat.length))), lastHop: Array.from(hop.subarray(0, Math.min(n, hop.length))), count: n, origins } as Message);
          if (msg.reset) n = origins = 0;
          return;
        case 'risk.cancel_order':
          return;
      }
    },
  };
});
