import { QgtmError } from '../../src/errors.js';

/** A tier change the rules do not allow (a bug in the caller, never a market condition). */
export class InvalidTierTransitionError extends QgtmError {
  constructor(from: string, to: string, why: string) {
    super('QGTM_ERR_INVALID_TIER_TRANSITION', `risk tier ${from} -> ${to} is not allowed: ${why}`);
  }
}

