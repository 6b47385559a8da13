/**
 * What the broker session shell publishes beyond the session core's own
 * messages, and where each `broker.*` message goes.
 */
import { parseAccount, type Parsed } from './alpaca-mapping.js';
import type { BrokerAccountMsg, BrokerIntentRefusedMsg, BrokerMsg } from './messages.js';
import type { ActorContext } from '../../src/runtime/index.js';
import { TOPICS } from '../topics.js';

/** Publishes each message on the topic that carries it; the compiler checks every case against the topic map. */
export function publishBrokerMsg(ctx: ActorContext, msg: BrokerMsg): void {
  switch (msg.type) {
    case 'broker.order_update':
    case 'broker.intent_refused':
      return ctx.publish(TOPICS.orders, msg);
    case 'broker.fill':
      return ctx.publish(TOPICS.fills, msg);
    case 'broker.positions':
    case 'broker.account':
      return ctx.publish(TOPICS.positions, msg);
    case 'broker.reconciled':
      return ctx.publish(TOPICS.reconciled, msg);
    case 'broker.connection':
      return ctx.publish(TOPICS.broker_status, msg);
  }
}

/** `broker.account` from the broker's raw account (REST JSON or SDK object). */
export function accountMsg(raw: unknown, now: number): Parsed<BrokerAccountMsg> {
  const a = parseAccount(raw);
  if (!a.ok) return a;
  // The account number stays with the broker (its paper-first check): the message keeps its declared record shape.
  const { accountNumber: _number, ...account } = a.value;
  return { ok: true, value: { type: 'broker.account', ...account, ts: now } };
}

export function intentRefusedMsg(intentId: string, symbol: string, reason: string, now: number): BrokerIntentRefusedMsg {
  return { type: 'broker.intent_refused', intentId, symbol, reason, ts: now };
}
