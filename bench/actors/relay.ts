/**
 * A pass-through stage for the tick-to-intent benchmark's transport floor:
 * the trading path's three stages (shard, allocator, risk) replaced by actors
 * that do no work, placed and subscribed as the real ones are, so the figure
 * is what the runtime alone costs on the same paced traffic.
 *
 * - First stage (`watch` set): a closed bar of one of the `watch` symbols
 *   (the instruments of the shard's strategies: the bars the real shard
 *   evaluates on) is passed on to `next` as `relay.hop`, its `originNs` the
 *   bar's envelope stamp, as the real shard stamps its signals; everything
 *   else it is sent (features) is dropped.
 * - Middle stage: passes `relay.hop` on.
 * - Last stage (`next` is the broker): sends one approved intent per hop,
 *   carrying the origin, as the risk governor does.
 */
import { defineActor, type Message } from '../../src/runtime/index.js';
import type { OrderIntent } from '../../actors/allocator/intent.js';
import type { RiskIntentApprovedMsg } from '../../actors/risk/messages.js';

export interface RelayArgs {
  readonly next: string;
  /** Symbols whose bars start a hop; only the first stage has them. */
  readonly watch?: readonly string[];
  /** The last stage: `next` receives approved intents. */
  readonly approve?: boolean;
}

interface HopMsg extends Message {
  readonly type: 'relay.hop';
  readonly originNs: number;
}

type In = HopMsg | { readonly type: 'feed.bar'; readonly symbol: string } | { readonly type: 'feed.features' };

export default defineActor<In, RelayArgs>(() => {
  let args: RelayArgs = { next: '' };
  let watch = new Set<string>();
  let seq = 0;
  return {
    accepts: ['feed.bar', 'feed.features', 'relay.hop'],
    init(_ctx, a) {
      args = a;
      watch = new Set(a.watch ?? []);
    },
    receive(msg, ctx) {
      if (msg.type === 'feed.bar') {
        if (!watch.has(msg.symbol)) return;
        const hop: HopMsg = { type: 'relay.hop', originNs: ctx.envelope!.ts };
        ctx.tell(args.next, hop);
        return;
      }
      if (msg.type !== 'relay.hop') return;
      if (!args.approve) {
        ctx.tell(args.next, msg);
        return;
      }
      const now = ctx.clock.now();
      const intent: OrderIntent = { intentId: `relay-${++seq}`, symbol: 'GLD', side: 'buy', qty: 1, type: 'market', timeInForce: 'day', refPrice: 100, createdAt: now, reason: 'relay', postureSeq: seq };
      const approved: RiskIntentApprovedMsg = { type: 'risk.intent_approved', intent, originalQty: 1, resized: null, tier: 'NORMAL', at: now, originNs: msg.originNs };
      ctx.tell(args.next, approved);
    },
  };
});
