/**
 * The operator views fed by the `risk` topic: each message kind the topic
 * carries lands in its own list (typing the topic found flatten passes being
 * listed as denials).
 */
import { describe, expect, it } from 'vitest';
import { OperatorViews } from '../../../../app/daemon/views.js';
import { intent } from '../../actors/broker/fixtures.js';
import type { RiskFlattenMsg, RiskIntentDeniedMsg } from '../../../../actors/risk/messages.js';

const T0 = Date.UTC(2025, 0, 6, 15, 0);

describe('operator views, risk topic', () => {
  it('flatten pass then not listed as a denial; a denial then listed', () => {
    const v = new OperatorViews('pm');
    const pass: RiskFlattenMsg = { type: 'risk.flatten', pass: 1, cancels: 0, liquidations: 2, waiting: 0, openPositions: 2, at: T0 };
    v.onRisk(pass);
    expect((v.riskSection() as { denied: unknown[] }).denied).toEqual([]);
    const denied: RiskIntentDeniedMsg = { type: 'risk.intent_denied', intent: intent(), code: 'tier_no_new', reason: 'tier NO_NEW', tier: 'NO_NEW', at: T0 };
    v.onRisk(denied);
    expect((v.riskSection() as { denied: unknown[] }).denied).toEqual([denied]);
  });
});
