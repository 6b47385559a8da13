/**
 * What the broker session shell publishes beyond the session core's own
 * messages, and where each `exec.*` message goes.
 */
import { parseAccount, type Parsed } from './alpaca-mapping.js';
import type { ExecAccountMsg, ExecIntentRefusedMsg, ExecMsg } from './messages.js';
import type { ActorContext } from '../../src/runtime/index.js';
import { TOPICS } from '../topics.js';

/** Publishes each message on the topic that carries it; the compiler checks every case against the topic map. */
export function publishExec(ctx: ActorContext, msg: ExecMsg): void {
  switch (msg.type) {
    case 'exec.order_update':
    case 'exec.intent_refused':
      return ctx.publish(TOPICS.orders, msg);
    case 'exec.fill':
      return ctx.publish(TOPICS.fills, msg);
    case 'exec.positions':
    case 'exec.account':
      return ctx.publish(TOPICS.positions, msg);
    case 'exec.reconciled':
      return ctx.publish(TOPICS.reconciled, msg);
    case 'exec.connection':
      return ctx.publish(TOPICS.broker_status, msg);
  }
}

/** `exec.account` from the broker's raw account (REST JSON or SDK object). */
export function accountMsg(raw: unknown, now: number): Parsed<ExecAccountMsg> {
  const a = parseAccount(raw);
  if (!a.ok) return a;
  // The account number stays with the broker (its paper-first check): the message keeps its declared record shape.
  const { accountNumber: _number, ...account } = a.value;
  return { ok: true, value: { type: 'exec.account', ...account, ts: now } };
}

export function intentRefusedMsg(intentId: string, symbol: string, reason: string, now: number): ExecIntentRefusedMsg {
  return { type: 'exec.intent_refused', intentId, symbol, reason, ts: now };
}
