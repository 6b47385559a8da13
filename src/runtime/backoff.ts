/**
 * The one retry-with-backoff policy of the project: delays that grow by
 * `factor` from `minMs` to `maxMs`, spread by `jitter` so that things that
 * failed together do not retry in lockstep. Supervisor restarts, the
 * runtime's default restarts, stream reconnects, macro fetches and backfill
 * retries all compose it instead of writing their own doubling.
 */

export interface BackoffPolicy {
  /** Delay of the first retry, ms. */
  readonly minMs: number;
  /** Longest delay, ms. */
  readonly maxMs: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Random spread as a fraction of the delay (0.2 = +-20 %). Default 0. */
  readonly jitter?: number;
  /** `both` spreads the delay up and down by `jitter` (default); `up` only lengthens it. */
  readonly spread?: 'both' | 'up';
}

/**
 * The delay before retry number `attempt` (0 for the first), given a uniform
 * value `u` in [0, 1) for the spread (a random draw, or a hash where the
 * caller must stay deterministic). The growth stops at `maxMs`; the spread
 * applies on top of it, so retries that all reached the cap still do not
 * line up. Never negative.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, u = 0.5): number {
  const base = Math.min(policy.maxMs, policy.minMs * (policy.factor ?? 2) ** Math.max(0, attempt));
  const jitter = policy.jitter ?? 0;
  const spread = policy.spread === 'up' ? jitter * u : jitter * (2 * u - 1);
  return Math.max(0, Math.round(base * (1 + spread)));
}

/** Violations of a policy, each naming `path` (for validation at start). */
export function backoffViolations(policy: Partial<BackoffPolicy>, path: string): string[] {
  const out: string[] = [];
  const { minMs, maxMs, factor, jitter } = policy;
  if (minMs !== undefined && !(Number.isFinite(minMs) && minMs >= 0)) out.push(`${path}.minMs must be a number >= 0`);
  if (maxMs !== undefined && !(Number.isFinite(maxMs) && maxMs >= (minMs ?? 0))) out.push(`${path}.maxMs must be a number >= minMs`);
  if (factor !== undefined && !(Number.isFinite(factor) && factor >= 1)) out.push(`${path}.factor must be a number >= 1`);
  if (jitter !== undefined && !(jitter >= 0 && jitter <= 1)) out.push(`${path}.jitter must be within 0..1`);
  return out;
}

/**
 * A retry counter over a policy: `next()` gives the next delay and counts
 * the attempt, `reset()` starts over after a success.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    return backoffDelay(this.policy, this.attempt++, this.random());
  }

  reset(): void {
    this.attempt = 0;
  }

  /** Retries handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }
}
