/**
 * Risk tiers, ordered from least to most restrictive, and the rules for moving
 * between them:
 *
 * - Escalation (to any stricter tier, skipping is allowed) is always valid and
 *   immediate: when a threshold breaks, the governor jumps straight to the tier
 *   it demands.
 * - De-escalation goes exactly one step at a time (FLATTEN -> NO_NEW ->
 *   THROTTLE -> WARN -> NORMAL), so recovery is gradual and each step is
 *   recorded with its own reason.
 * - Staying in the same tier is not a transition; asking for one is an error.
 *
 * | tier | what it does to order intents |
 * |---|---|
 * | NORMAL | all pass the pre-trade checks |
 * | WARN | as NORMAL; operators are alerted |
 * | THROTTLE | exposure-increasing intents are scaled down; a lower order rate applies |
 * | NO_NEW | only exposure-reducing intents pass (never a flip or an increase) |
 * | FLATTEN | open orders are cancelled, positions liquidated; only liquidations pass |
 */

import { InvalidTierTransitionError } from './errors.js';

export const TIERS = ['NORMAL', 'WARN', 'THROTTLE', 'NO_NEW', 'FLATTEN'] as const;
export type Tier = (typeof TIERS)[number];

const RANK: Readonly<Record<Tier, number>> = { NORMAL: 0, WARN: 1, THROTTLE: 2, NO_NEW: 3, FLATTEN: 4 };

export function isTier(x: unknown): x is Tier {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(RANK, x);
}

export function tierRank(t: Tier): number {
  return RANK[t];
}

/** The stricter of two tiers. */
export function maxTier(a: Tier, b: Tier): Tier {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The tier one step less strict, or null from NORMAL. */
export function stepDown(t: Tier): Tier | null {
  const r = RANK[t];
  return r === 0 ? null : TIERS[r - 1]!;
}

export type TransitionKind = 'escalate' | 'de-escalate';

/** Why `from -> to` is invalid, or null when it is allowed. */
export function transitionError(from: Tier, to: Tier): string | null {
  if (!isTier(from) || !isTier(to)) return 'unknown tier';
  const d = RANK[to] - RANK[from];
  if (d === 0) return 'same tier';
  if (d < -1) return 'de-escalation must go one step at a time';
  return null;
}

/** Check a transition and say which kind it is; throws InvalidTierTransitionError when not allowed. */
export function assertTransition(from: Tier, to: Tier): TransitionKind {
  const err = transitionError(from, to);
  if (err) throw new InvalidTierTransitionError(String(from), String(to), err);
  return RANK[to] > RANK[from] ? 'escalate' : 'de-escalate';
}
