import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG, partition } from '../../../../actors/strategy/registry.js';
import { runtimeRecord } from '../../../../actors/strategy/runtime.js';
import { loadRuntimeStrategies, RuntimeStrategies } from '../../../../app/daemon/runtime-strategies.js';
import { PM_UNIVERSE } from '../../../../src/universe/index.js';

const universe = PM_UNIVERSE.map((i) => i.symbol);
const origin = { source: 'api' as const, by: 'tester', at: 1_000 };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

describe('runtime strategy set', () => {
  it('a new entry goes to the least-loaded shard, and the record on disk has it before add returns', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'qgtm-rt-'));
    const rt = new RuntimeStrategies({ shardCount: 3, universe, stateDir });
    const catalogLoads = partition(CATALOG, 3).map((p) => p.length);
    const a = rt.add({ id: 'v1', base: 'tsmom_12_1', params: { lookback: 100 } }, origin);
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    expect(a.entry.shard).toBe(catalogLoads.indexOf(Math.min(...catalogLoads)));
    expect(runtimeRecord(stateDir).read()?.value.entries.map((e) => e.id)).toEqual(['v1']);
    for (let i = 2; i <= 6; i++) expect(rt.add({ id: `v${i}`, base: 'flat_control', instruments: ['GLD'] }, origin).ok).toBe(true);
    const loads = rt.loads();
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    expect(rt.shardOf('v1')).toBe(a.entry.shard);
    expect(rt.shardOf('trend_ma_cross')).toBeGreaterThanOrEqual(0);
  });

  it('bad entries are refused with every reason and change nothing; a duplicate id is refused', () => {
    const rt = new RuntimeStrategies({ shardCount: 2, universe });
    const r = rt.add({ id: 'Bad Id', base: 'nope', instruments: ['XYZ'] }, origin);
    expect(r).toMatchObject({ ok: false, code: 'QGTM_ERR_INVALID_RUNTIME_STRATEGY' });
    if (!r.ok) expect(r.violations.length).toBeGreaterThanOrEqual(3);
    expect(rt.add({ id: 'runtime', base: 'flat_control' }, origin)).toMatchObject({ ok: false, message: expect.stringMatching(/reserved/) });
    expect(rt.add({ id: 'ok1', base: 'flat_control' }, origin).ok).toBe(true);
    expect(rt.add({ id: 'ok1', base: 'flat_control' }, origin)).toMatchObject({ ok: false, code: 'QGTM_ERR_DUPLICATE_STRATEGY' });
    expect(rt.list().map((e) => e.id)).toEqual(['ok1']);
    // A control without instruments records the universe it ran on.
    expect(rt.get('ok1')?.instruments).toEqual(universe);
  });

  it('a change keeps the shard and validates the merged entry; a remove of a catalog entry is refused', () => {
    const rt = new RuntimeStrategies({ shardCount: 2, universe });
    const a = rt.add({ id: 'rsi_fast', base: 'rsi_reversal', params: { rsiBars: 3 } }, origin);
    if (!a.ok) throw new Error('add failed');
    const c = rt.change('rsi_fast', { params: { rsiBars: 4 }, note: 'slower' }, { ...origin, at: 2_000 });
    expect(c).toMatchObject({ ok: true, entry: { shard: a.entry.shard, params: { rsiBars: 4 }, note: 'slower' }, previous: { params: { rsiBars: 3 } } });
    expect(rt.change('rsi_fast', { params: { oversold: -1 } }, origin)).toMatchObject({ ok: false, code: 'QGTM_ERR_INVALID_RUNTIME_STRATEGY' });
    expect(rt.change('rsi_fast', { base: 'tsmom_3_0' }, origin)).toMatchObject({ ok: false, message: expect.stringMatching(/base cannot be changed/) });
    expect(rt.remove('trend_ma_cross', 1)).toMatchObject({ ok: false, code: 'QGTM_ERR_UNKNOWN_STRATEGY', message: expect.stringMatching(/catalog entry/) });
  });

  it('after removes leave the shards more than one apart, rebalance moves one runtime entry to the least-loaded shard', () => {
    const rt = new RuntimeStrategies({ shardCount: 2, universe });
    for (let i = 0; i < 6; i++) rt.add({ id: `e${i}`, base: 'flat_control', instruments: ['GLD'] }, origin);
    const onShard = (k: number) => rt.list().filter((e) => e.shard === k).map((e) => e.id);
    // Remove everything on the shard with fewer runtime entries.
    const k = onShard(0).length <= onShard(1).length ? 0 : 1;
    for (const id of onShard(k)) rt.remove(id, 2);
    const move = rt.rebalance(3);
    expect(move).not.toBeNull();
    expect(move!.to.shard).toBe(k);
    expect(move!.from.shard).toBe(1 - k);
    let moves = 1;
    while (rt.rebalance(4) !== null) moves++;
    expect(moves).toBeLessThanOrEqual(3);
    expect(Math.max(...rt.loads()) - Math.min(...rt.loads())).toBeLessThanOrEqual(1);
  });

  it('load re-places entries whose shard no longer exists, and a corrupt record is moved aside and the set starts empty', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'qgtm-rt-'));
    const four = new RuntimeStrategies({ shardCount: 4, universe, stateDir });
    // Eight: enough to reach every shard whatever the catalog's split.
    for (let i = 0; i < 8; i++) four.add({ id: `e${i}`, base: 'flat_control', instruments: ['GLD'] }, origin);
    expect(four.list().some((e) => e.shard >= 2)).toBe(true);
    const two = loadRuntimeStrategies({ shardCount: 2, universe, stateDir }, silent);
    expect(two.list().every((e) => e.shard < 2)).toBe(true);
    expect(runtimeRecord(stateDir).read()?.value.entries.every((e) => e.shard < 2)).toBe(true);

    const bad = mkdtempSync(join(tmpdir(), 'qgtm-rt-'));
    runtimeRecord(bad).write({ entries: [{ id: 'x' } as never] }, 1);
    const empty = loadRuntimeStrategies({ shardCount: 2, universe, stateDir: bad }, silent);
    expect(empty.list()).toEqual([]);
    expect(runtimeRecord(bad).read()).toBeNull();
  });
});

describe('strategies file', () => {
  it('sync adds, changes and removes file entries only, leaves API entries, and records once', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'qgtm-rt-'));
    const rt = new RuntimeStrategies({ shardCount: 2, universe, stateDir });
    rt.add({ id: 'from_api', base: 'flat_control', instruments: ['GLD'] }, origin);
    const a = rt.syncFile({ entries: [{ id: 'f1', base: 'tsmom_3_0', params: { lookback: 20 } }, { id: 'f2', base: 'flat_control', instruments: ['SLV'] }] }, 'file', 10);
    expect(a).toMatchObject({ ok: true, changed: [], removed: [] });
    if (a.ok) expect(a.added.map((e) => [e.id, e.origin.source])).toEqual([['f1', 'file'], ['f2', 'file']]);
    const b = rt.syncFile({ entries: [{ id: 'f1', base: 'tsmom_3_0', params: { lookback: 25 } }, { id: 'f3', base: 'buy_and_hold', instruments: ['GLD'] }] }, 'file', 11);
    expect(b.ok).toBe(true);
    if (b.ok) {
      expect(b.added.map((e) => e.id)).toEqual(['f3']);
      expect(b.changed.map((c) => [c.entry.id, c.entry.params, c.previous.params])).toEqual([['f1', { lookback: 25 }, { lookback: 20 }]]);
      expect(b.removed.map((e) => e.id)).toEqual(['f2']);
    }
    // Same file again: nothing to do.
    expect(rt.syncFile({ entries: [{ id: 'f1', base: 'tsmom_3_0', params: { lookback: 25 } }, { id: 'f3', base: 'buy_and_hold', instruments: ['GLD'] }] }, 'file', 12)).toMatchObject({ ok: true, added: [], changed: [], removed: [] });
    expect(runtimeRecord(stateDir).read()?.value.entries.map((e) => e.id)).toEqual(['f1', 'f3', 'from_api']);
  });

  it('one bad entry, a duplicate id, an API id or a bad shape refuses the whole file with every reason, and nothing changes', () => {
    const rt = new RuntimeStrategies({ shardCount: 2, universe });
    rt.add({ id: 'from_api', base: 'flat_control', instruments: ['GLD'] }, origin);
    rt.syncFile({ entries: [{ id: 'keep', base: 'flat_control', instruments: ['GLD'] }] }, 'file', 1);
    const r = rt.syncFile({ entries: [{ id: 'n1', base: 'tsmom_3_0', params: { lookback: -3 } }, { id: 'n2', base: 'flat_control' }, { id: 'n2', base: 'flat_control' }, { id: 'from_api', base: 'flat_control' }] }, 'file', 2);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.violations.some((v) => v.startsWith('entries[0]: param lookback'))).toBe(true);
      expect(r.violations).toContain('entries[2]: id n2 appears twice');
      expect(r.violations.some((v) => v.startsWith('entries[3]: id from_api is an entry added through the API'))).toBe(true);
    }
    expect(rt.syncFile([1, 2], 'file', 3)).toMatchObject({ ok: false, message: expect.stringMatching(/must be a JSON object/) });
    expect(rt.list().map((e) => e.id)).toEqual(['from_api', 'keep']);
  });
});
