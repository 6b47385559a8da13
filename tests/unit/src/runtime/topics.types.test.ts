/**
 * Topics typed by their messages. The `@ts-expect-error` lines are the test:
 * `npm test` compiles this file with tsc first, and an expected error that
 * does not happen (a wrong message accepted on a topic) fails the build. The
 * vitest cases check the same declarations at run time.
 */
import { describe, expect, it } from 'vitest';
import { carrying, defineTopics, subscriptions, untypedTopic, type ActorContext, type ActorSpec, type ActorSystem, type Topic, type TopicMessage } from '../../../../src/runtime/index.js';
import { TOPICS, type OnTopic } from '../../../../actors/topics.js';
import type { FeedFeaturesMsg } from '../../../../actors/feed/messages.js';
import type { BrokerFillMsg, BrokerOrderUpdateMsg } from '../../../../actors/broker/messages.js';

interface PingMsg {
  readonly type: 't.ping';
  readonly n: number;
}
interface PongMsg {
  readonly type: 't.pong';
}
const T = defineTopics({ pings: carrying<PingMsg>(), both: carrying<PingMsg | PongMsg>() });

/** Never called: its body only has to compile (or fail to, where expected). */
function compileOnly(ctx: ActorContext, system: ActorSystem, fill: BrokerFillMsg, features: FeedFeaturesMsg): void {
  ctx.publish(T.pings, { type: 't.ping', n: 1 });
  ctx.publish(T.both, { type: 't.pong' });
  ctx.publish(TOPICS.fills, fill);
  // @ts-expect-error a pong is not carried on `pings`
  ctx.publish(T.pings, { type: 't.pong' });
  // @ts-expect-error a message must be complete
  ctx.publish(T.pings, { type: 't.ping' });
  // @ts-expect-error features are not published on `fills`
  ctx.publish(TOPICS.fills, features);
  // @ts-expect-error a string is not a topic: topics come from the map
  ctx.publish('fills', fill);
  // @ts-expect-error the map has no such topic
  ctx.publish(TOPICS.fils, fill);
  // @ts-expect-error the main thread publishes under the same rule
  system.publish(TOPICS.features, fill);
  // @ts-expect-error nor does a string subscribe an actor
  ctx.subscribe('features');

  // A subscriber's handler receives the union of its topic, without a cast.
  void system.subscribe(TOPICS.orders, (m) => {
    const union: BrokerOrderUpdateMsg | OnTopic<'orders'> = m;
    // @ts-expect-error an order update or a refused intent, not a fill
    const notFill: BrokerFillMsg = m;
    void union;
    void notFill;
  });
  // @ts-expect-error a handler for another topic's message does not fit
  void system.subscribe(TOPICS.orders, (m: BrokerFillMsg) => m);

  // An actor's subscriptions must carry only messages it accepts.
  subscriptions<PingMsg | PongMsg>()(T.pings, T.both);
  // @ts-expect-error `both` carries pongs, which a ping-only actor does not accept
  subscriptions<PingMsg>()(T.pings, T.both);

  // Spec lists take topics, not strings.
  const ok: ActorSpec = { id: 'a', module: 'x', subscribe: [TOPICS.features, T.pings] };
  // @ts-expect-error a string is not a topic
  const bad: ActorSpec = { id: 'a', module: 'x', subscribe: ['features'] };
  void ok;
  void bad;

  // What a topic carries can be named from the topic.
  const carried: TopicMessage<typeof T.both> = { type: 't.pong' };
  void carried;
  // A name from data carries any message: the escape hatch is explicit.
  const dynamic: Topic = untypedTopic('anything');
  ctx.publish(dynamic, fill);
}

describe('topics', () => {
  it('defineTopics then every name is its key, and the map is frozen', () => {
    expect(T).toEqual({ pings: 'pings', both: 'both' });
    expect(Object.isFrozen(T)).toBe(true);
    expect(TOPICS.features).toBe('features');
    expect(TOPICS.broker_status).toBe('broker_status');
  });

  it('subscriptions then the topics given, in order', () => {
    expect(subscriptions<PingMsg | PongMsg>()(T.both, T.pings)).toEqual(['both', 'pings']);
    expect(typeof compileOnly).toBe('function');
  });
});
