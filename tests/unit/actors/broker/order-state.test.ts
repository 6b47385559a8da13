import { describe, expect, it } from 'vitest';
import { canTransition, isTerminal, ORDER_STATUSES, statusForEvent, transition } from '../../../../actors/broker/order-state.js';
import { InvalidOrderTransitionError } from '../../../../actors/broker/errors.js';

describe('order state machine', () => {
  it('all fifteen Alpaca statuses then known, five terminal', () => {
    expect(ORDER_STATUSES).toHaveLength(16);
    expect(ORDER_STATUSES.filter(isTerminal).sort()).toEqual(['canceled', 'expired', 'filled', 'rejected', 'replaced']);
  });

  it('normal lifecycle then each step valid', () => {
    const path = ['pending_new', 'accepted', 'new', 'partially_filled', 'partially_filled', 'filled'] as const;
    for (let k = 1; k < path.length; k++) expect(transition('c', path[k - 1]!, path[k]!)).toBe(path[k]);
  });

  it('fill racing a pending cancel then allowed', () => {
    expect(canTransition('pending_cancel', 'filled')).toBe(true);
    expect(canTransition('pending_cancel', 'partially_filled')).toBe(true);
  });

  it('terminal status then any move is an invalid transition error', () => {
    for (const t of ['filled', 'canceled', 'expired', 'replaced', 'rejected'] as const) {
      for (const to of ORDER_STATUSES) expect(canTransition(t, to)).toBe(false);
    }
    expect(() => transition('c-9', 'filled', 'new')).toThrow(InvalidOrderTransitionError);
    let msg = '';
    try {
      transition('c-9', 'canceled', 'partially_filled');
    } catch (e) {
      msg = (e as Error).message;
      expect((e as InvalidOrderTransitionError).code).toBe('QGTM_ERR_INVALID_ORDER_TRANSITION');
    }
    expect(msg).toBe('order c-9: status canceled -> partially_filled is not a valid transition');
  });

  it('backward move then invalid', () => {
    expect(canTransition('partially_filled', 'new')).toBe(false);
    expect(canTransition('new', 'new')).toBe(false);
  });

  it('trade update events then map to statuses', () => {
    expect(statusForEvent('partial_fill')).toBe('partially_filled');
    expect(statusForEvent('fill')).toBe('filled');
    expect(statusForEvent('canceled')).toBe('canceled');
    expect(statusForEvent('order_cancel_rejected')).toBeNull();
  });
});
