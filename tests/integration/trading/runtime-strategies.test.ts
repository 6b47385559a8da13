/**
 * Runtime entries on real shard workers: a variant added by command runs
 * under its own id and reports its origin; a remove retracts its signals; a
 * shard restarted cold reads the daemon's runtime record and has the entry
 * again before any input.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runtimeRecord, type RuntimeEntry } from '../../../actors/strategy/runtime.js';
import { eventually, mid, startHarness, trendItems, type Any, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const entry = (shard: number): RuntimeEntry => ({
  id: 'ma_fast_slv',
  base: 'trend_ma_cross',
  params: { fast: 2, slow: 4 },
  instruments: ['SLV'],
  note: 'faster cross on silver',
  origin: { source: 'api', by: 'tester', at: 1_700_000_000_000 },
  shard,
});

describe('runtime strategy entries on shards', () => {
  it('an added variant signals under its own id with its origin; removing it retracts its signal', async () => {
    h = await startHarness({ trading: { strategy: { strategies: ['trend_ma_cross'], paramOverrides: { trend_ma_cross: { fast: 2, slow: 4 } }, statusEveryMs: 200 } } });
    const added = await h.ask('strategy:0', { type: 'strategy.add_runtime', entry: entry(0), requestedBy: 'tester', ts: Date.now() });
    expect(added).toMatchObject({ type: 'strategy.command_result', command: 'add_runtime', strategyId: 'ma_fast_slv', ok: true });
    const again = await h.ask('strategy:0', { type: 'strategy.add_runtime', entry: entry(0), requestedBy: 'tester', ts: Date.now() });
    expect(again).toMatchObject({ ok: false, code: 'QGTM_ERR_DUPLICATE_STRATEGY' });

    const status = await h.seen.strategy_status.waitFor((m) => m.strategies.some((s: Any) => s.id === 'ma_fast_slv'), 3000, 'runtime entry on the surface');
    const line = status.strategies.find((s: Any) => s.id === 'ma_fast_slv');
    expect(line).toMatchObject({ family: 'trend', state: 'enabled', instruments: ['SLV'], origin: { kind: 'runtime', base: 'trend_ma_cross', source: 'api', by: 'tester', note: 'faster cross on silver' } });
    expect(line.params).toMatchObject({ fast: 2, slow: 4 });
    expect(status.strategies.find((s: Any) => s.id === 'trend_ma_cross').origin).toBeUndefined();

    await h.publish(trendItems('SLV', mid(h.venue, 'SLV'), 1, Date.now()));
    const sig = await h.seen.signals.waitFor((m) => m.strategyId === 'ma_fast_slv' && m.direction === 1, 3000, 'variant signal');
    expect(sig.symbol).toBe('SLV');

    const removed = await h.ask('strategy:0', { type: 'strategy.remove_runtime', strategyId: 'ma_fast_slv', requestedBy: 'tester', reason: 'done', ts: Date.now() });
    expect(removed).toMatchObject({ command: 'remove_runtime', ok: true });
    await h.seen.signals.waitFor((m) => m.strategyId === 'ma_fast_slv' && m.direction === 0 && m.symbol === 'SLV', 3000, 'retraction');
    await h.seen.strategy_status.waitFor((m) => m.ts > removed.ts && !m.strategies.some((s: Any) => s.id === 'ma_fast_slv'), 3000, 'gone from the surface');
    const unknown = await h.ask('strategy:0', { type: 'strategy.remove_runtime', strategyId: 'ma_fast_slv', requestedBy: 'tester', reason: 'again', ts: Date.now() });
    expect(unknown).toMatchObject({ ok: false, code: 'QGTM_ERR_UNKNOWN_STRATEGY' });
  });

  it('a restarted shard loads the runtime entries the record places on it, and its disable of one survives too', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'qgtm-runtime-'));
    runtimeRecord(stateDir).write({ entries: [entry(0), { ...entry(1), id: 'elsewhere' }] }, Date.now());
    h = await startHarness({ system: { faults: true }, trading: { stateDir, strategy: { strategies: ['trend_ma_cross'], statusEveryMs: 200 } } });
    let q = await h.ask('strategy:0', { type: 'strategy.query' });
    expect(q.strategies.map((s: Any) => s.id).sort()).toEqual(['ma_fast_slv', 'trend_ma_cross']);
    const off = await h.ask('strategy:0', { type: 'strategy.disable', strategyId: 'ma_fast_slv', requestedBy: 'tester', reason: 'paused', ts: Date.now() });
    expect(off).toMatchObject({ ok: true });
    await h.sys.fault('strategy:0', 'crash');
    await eventually(() => h!.sys.incarnation('strategy:0') === 2 && h!.sys.status('strategy:0') === 'running', 8000, 'restarted');
    q = await h.ask('strategy:0', { type: 'strategy.query' });
    const line = q.strategies.find((s: Any) => s.id === 'ma_fast_slv');
    expect(line).toMatchObject({ state: 'disabled', origin: { kind: 'runtime', base: 'trend_ma_cross' } });
  });
});
