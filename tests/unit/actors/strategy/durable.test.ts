import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadShardState, shardRecord } from '../../../../actors/strategy/durable.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'qgtm-shard-state-'));
  dirs.push(d);
  return d;
};

describe('strategy shard state on disk', () => {
  it('two shard records decide the same strategy then the newest decision wins and only own strategies are taken', () => {
    const dir = fresh();
    shardRecord(dir, 0).write({ shard: 0, strategies: { a: { enabled: false, reason: 'old', at: 1 }, b: { enabled: false, reason: 'b off', at: 1 } }, meta: { records: [{ id: 'a', hits: 3, calls: 4, settled: 4 }], pending: [] } });
    shardRecord(dir, 1).write({ shard: 1, strategies: { a: { enabled: true, reason: null, at: 5 }, c: { enabled: false, reason: 'c off', at: 2 } }, meta: null });
    const st = loadShardState(dir, ['a', 'c'], 10);
    expect(st.files).toBe(2);
    expect(Object.fromEntries(st.decisions)).toEqual({ a: { enabled: true, reason: null, at: 5 }, c: { enabled: false, reason: 'c off', at: 2 } });
    expect(st.meta).toEqual({ records: [{ id: 'a', hits: 3, calls: 4, settled: 4 }], pending: [] });
    expect(st.problems).toEqual([]);
  });

  it('a shard record corrupt then it is moved aside, reported, and the others still count', () => {
    const dir = fresh();
    shardRecord(dir, 0).write({ shard: 0, strategies: { a: { enabled: false, reason: 'off', at: 1 } }, meta: null });
    writeFileSync(join(dir, 'strategies-1.json'), '{"format":1,"name":"strategies-1"');
    const st = loadShardState(dir, ['a'], 77);
    expect(st.decisions.get('a')?.enabled).toBe(false);
    expect(st.problems).toHaveLength(1);
    expect(st.problems[0]).toMatch(/strategies-1/);
    expect(existsSync(join(dir, 'strategies-1.json.corrupt-77'))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['strategies-0.json', 'strategies-1.json.corrupt-77']);
  });

  it('no state folder then nothing is decided', () => {
    expect(loadShardState(join(fresh(), 'missing'), ['a'], 1)).toMatchObject({ files: 0, meta: null, problems: [] });
  });
});
