import { describe, expect, it } from 'vitest';
import { assertTransition, maxTier, stepDown, TIERS, transitionError } from '../../../../actors/risk/tiers.js';
import { InvalidTierTransitionError } from '../../../../actors/risk/errors.js';

describe('tiers', () => {
  it('tiers ordered then max and step down follow the order', () => {
    expect(TIERS).toEqual(['NORMAL', 'WARN', 'THROTTLE', 'NO_NEW', 'FLATTEN']);
    expect(maxTier('WARN', 'NO_NEW')).toBe('NO_NEW');
    expect(stepDown('FLATTEN')).toBe('NO_NEW');
    expect(stepDown('NORMAL')).toBeNull();
  });

  it('escalation skipping tiers then allowed', () => {
    expect(assertTransition('NORMAL', 'FLATTEN')).toBe('escalate');
    expect(assertTransition('NO_NEW', 'THROTTLE')).toBe('de-escalate');
  });

  it('de-escalation by two steps then invalid transition error', () => {
    expect(() => assertTransition('FLATTEN', 'THROTTLE')).toThrow(InvalidTierTransitionError);
    let code: string | undefined;
    try {
      assertTransition('NO_NEW', 'NORMAL');
    } catch (e) {
      code = (e as InvalidTierTransitionError).code;
    }
    expect(code).toBe('QGTM_ERR_INVALID_TIER_TRANSITION');
    expect(transitionError('WARN', 'WARN')).toBe('same tier');
  });
});
