/**
 * Strategy shards on real worker threads: the catalog partitioned across
 * shards, the live surface (status on a timer and on change), operator
 * enable/disable with replies, and a crashed shard restarted warm.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOG } from '../../../actors/strategy/registry.js';
import { strategyActorFor } from '../../../app/daemon/index.js';
import { eventually, mid, startHarness, trendItems, type Any, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('strategy shards', () => {
  it('two shards over the whole catalog then each strategy runs in exactly one and the status lists them all', async () => {
    h = await startHarness({ trading: { shards: 2, strategy: { statusEveryMs: 200 } } });
    const a = await h.seen.strategy_status.waitFor((m) => m.shard === 0, 15_000, 'status of shard 0');
    const b = await h.seen.strategy_status.waitFor((m) => m.shard === 1, 15_000, 'status of shard 1');
    const ids0 = a.strategies.map((s: Any) => s.id);
    const ids1 = b.strategies.map((s: Any) => s.id);
    expect(ids0.filter((id: string) => ids1.includes(id))).toEqual([]);
    expect([...ids0, ...ids1].sort()).toEqual(CATALOG.map((s) => s.id).sort());
    expect(Math.abs(ids0.length - ids1.length)).toBeLessThanOrEqual(1);
    for (const id of ids1) expect(strategyActorFor(id, 2)).toBe('strategy:1');
    expect(a.strategies.every((s: Any) => s.state === 'enabled')).toBe(true);
  });

  it('disable a strategy then the shard replies, reports it disabled and stops signalling; enable brings it back', async () => {
    h = await startHarness();
    const disabled = await h.ask('strategy:0', { type: 'strategy.disable', strategyId: 'trend_ma_cross', requestedBy: 'tester', reason: 'maintenance', ts: Date.now() });
    expect(disabled).toMatchObject({ type: 'strategy.command_result', command: 'disable', ok: true, shard: 0, code: null });
    const status = await h.seen.strategy_status.waitFor((m) => m.strategies.some((s: Any) => s.id === 'trend_ma_cross' && s.state === 'disabled'), 3000, 'disabled on the surface');
    expect(status.strategies.find((s: Any) => s.id === 'trend_ma_cross').disabledReason).toMatch(/maintenance \(by tester\)/);

    const now = Date.now();
    await h.publish(trendItems('GLD', mid(h.venue, 'GLD'), 1, now));
    await eventually(async () => {
      const [info] = await h!.sys.inspect('strategy:0');
      return (info?.state_detail as { bars: Record<string, number> }).bars.GLD === 8;
    }, 3000, 'bars reached the shard');
    const q = await h.ask('strategy:0', { type: 'strategy.query' });
    expect(q.strategies[0].evaluations).toBe(0);
    expect(h.seen.signals.items).toEqual([]);

    const enabled = await h.ask('strategy:0', { type: 'strategy.enable', strategyId: 'trend_ma_cross', requestedBy: 'tester', ts: Date.now() });
    expect(enabled).toMatchObject({ ok: true, command: 'enable' });
    const sig = await h.seen.signals.waitFor((m) => m.symbol === 'GLD', 3000, 'signal after enable');
    expect(sig.direction).toBe(1);

    const unknown = await h.ask('strategy:0', { type: 'strategy.disable', strategyId: 'no_such', requestedBy: 'tester', reason: 'x', ts: Date.now() });
    expect(unknown).toMatchObject({ ok: false, code: 'QGTM_ERR_UNKNOWN_STRATEGY' });
  });

  it('a shard crashes then its supervisor restarts it warm from its snapshot', async () => {
    h = await startHarness({
      system: { faults: true },
      trading: { shardSnapshotEveryMs: 200, strategy: { strategies: ['trend_ma_cross'], paramOverrides: { trend_ma_cross: { fast: 2, slow: 4 } }, statusEveryMs: 200 } },
    });
    const now = Date.now();
    await h.publish(trendItems('GLD', mid(h.venue, 'GLD'), 1, now));
    await h.seen.signals.waitFor((m) => m.symbol === 'GLD', 3000, 'first signal');
    const before = (await h.ask('strategy:0', { type: 'strategy.query' })).strategies[0];
    // Wait for a snapshot that holds the history.
    await eventually(() => {
      const snap = h!.sys.lastSnapshot('strategy:0') as { surface?: { entries: Any[] } } | undefined;
      return (snap?.surface?.entries[0]?.evaluations ?? 0) >= before.evaluations;
    }, 8000, 'snapshot taken');
    await h.sys.fault('strategy:0', 'crash');
    await eventually(() => h!.sys.incarnation('strategy:0') === 2 && h!.sys.status('strategy:0') === 'running', 8000, 'restarted');
    const after = (await h.ask('strategy:0', { type: 'strategy.query' })).strategies[0];
    expect(after.evaluations).toBeGreaterThanOrEqual(before.evaluations);
    expect(after.signals).toBeGreaterThanOrEqual(before.signals);
    const report = h.tree.reports().find((r) => r.context === 'child_terminated' && r.offender.id === 'strategy:0');
    expect(report?.supervisor).toBe('trading/strategies');
  });
});
