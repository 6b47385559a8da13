/**
 * What the broker session shell publishes beyond the session core's own
 * messages, and where each `exec.*` message goes.
 */
import { parseAccount, type Parsed } from './alpaca-mapping.js';
import type { ExecAccountMsg, ExecIntentRefusedMsg, ExecMsg } from './messages.js';

/** The topic of each message the broker session publishes. */
export const EXEC_TOPIC: Readonly<Record<ExecMsg['type'], string>> = {
  'exec.order_update': 'orders',
  'exec.intent_refused': 'orders',
  'exec.fill': 'fills',
  'exec.positions': 'positions',
  'exec.account': 'positions',
  'exec.reconciled': 'reconciled',
  'exec.connection': 'broker_status',
};

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
