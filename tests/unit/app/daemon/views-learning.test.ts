/** The strategies section and support models with the allocator's attribution and learning joined. */
import { describe, expect, it } from 'vitest';
import type { AllocatorLearningMsg } from '../../../../actors/allocator/messages.js';
import type { StrategyStatusMsg } from '../../../../actors/strategy/messages.js';
import { OperatorViews } from '../../../../app/daemon/views.js';

const status: StrategyStatusMsg = {
  type: 'strategy.status', shard: 0, ts: 1, regime: 'trending',
  strategies: [{ id: 'trend_a', family: 'trend', state: 'enabled', disabledReason: null, weight: 1.2 } as StrategyStatusMsg['strategies'][number]],
};
const learning: AllocatorLearningMsg = {
  type: 'allocator.learning', ts: 2, enabled: true, frozen: true,
  settings: { rate: 0.05, share: 0.05, floor: 0.2, cap: 3, periodMs: 900_000, historyPoints: 500 },
  updates: 3, strategies: { trend_a: { pnl: 125.5, hitRate: 2 / 3, periods: 3, learnedWeight: 1.4 } }, unattributed: -4,
  history: [{ ts: 2, weights: { trend_a: 1.4 } }],
};

describe('operator views, learning', () => {
  it('before the allocator has published then pnl, hit rate and learned weight are null', () => {
    const v = new OperatorViews('pm');
    v.onStrategyStatus(status);
    const e = (v.strategiesSection() as { strategies: Record<string, unknown>[] }[])[0]!.strategies[0]!;
    expect(e).toMatchObject({ id: 'trend_a', weight: 1.2, pnl: null, hitRate: null, learnedWeight: null });
  });

  it('a learning message then each entry carries its pnl, hit rate and learned weight, and the support models their state', () => {
    const v = new OperatorViews('pm');
    v.onStrategyStatus(status);
    v.onLearning(learning);
    const e = (v.strategiesSection() as { strategies: Record<string, unknown>[] }[])[0]!.strategies[0]!;
    expect(e).toMatchObject({ pnl: 125.5, hitRate: 2 / 3, learnedWeight: 1.4, weight: 1.2 });
    const models = v.supportModels();
    expect(models.map((m) => m.id)).toEqual(['regime', 'meta', 'learning']);
    for (const m of models) expect(m.description.length).toBeGreaterThan(40);
    expect(models[0]!.state).toEqual({ byShard: { '0': 'trending' } });
    expect(models[1]!.state).toEqual({ weights: { trend_a: 1.2 } });
    expect(models[2]!.state).toMatchObject({ frozen: true, weights: { trend_a: 1.4 }, history: learning.history });
    expect((v.forecastsSection() as { supportModels: unknown }).supportModels).toEqual(models);
  });
});
