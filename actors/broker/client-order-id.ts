/**
 * Client order ids derived from the intent, so a resubmission after an
 * ambiguous failure reuses the same id and Alpaca itself refuses a duplicate
 * ("client_order_id must be unique"): one intent can never become two live
 * orders.
 *
 * Shape: `q-<readable>-<hash>`:
 * - `readable` is the intent id with anything outside `[A-Za-z0-9._-]`
 *   replaced by `_`, cut to 64 characters, for operators reading the blotter;
 * - `hash` is 24 hex characters (96 bits) of SHA-256 over the salt and the
 *   full intent id, which makes the id unique even when the readable part was
 *   cut, and distinct per account/session salt (two accounts or a paper and a
 *   live session never collide).
 * At most 2 + 64 + 1 + 24 = 91 characters, inside Alpaca's 128.
 */

import { createHash } from 'node:crypto';

export const MAX_CLIENT_ORDER_ID_LENGTH = 128;
const SAFE = /^[A-Za-z0-9._-]+$/;

/** The client order id for an intent under a salt (e.g. the account id). */
export function clientOrderIdFor(intentId: string, salt: string): string {
  const readable = intentId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  const hash = createHash('sha256').update(salt).update('\u0000').update(intentId).digest('hex').slice(0, 24);
  return `q-${readable}-${hash}`;
}

/** Whether an id is acceptable to Alpaca and safe in URLs and logs. */
export function isValidClientOrderId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_CLIENT_ORDER_ID_LENGTH && SAFE.test(id);
}
