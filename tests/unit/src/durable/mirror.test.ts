import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { takeNewer } from '../../../../app/daemon/state-mirror.js';
import type { DaemonSide } from '../../../../app/bus/bus.js';
import { DurableRecord, encodeRecord } from '../../../../src/durable/index.js';
import { createLogger } from '../../../../src/runtime/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'qgtm-mirror-'));
  dirs.push(d);
  return d;
};
const log = createLogger('silent', {});
const busWith = (records: Record<string, string>): DaemonSide => ({ readRecords: async () => new Map(Object.entries(records)) }) as unknown as DaemonSide;

describe('state mirror at start', () => {
  it('Redis copy newer than the file then taken; older then the file kept', async () => {
    const dir = fresh();
    const risk = new DurableRecord<{ tier: string }>(dir, 'risk');
    risk.write({ tier: 'WARN' });
    risk.write({ tier: 'NO_NEW' });
    const other = new DurableRecord<{ tier: string }>(dir, 'other');
    other.write({ tier: 'NORMAL' });
    const taken = await takeNewer(dir, busWith({ risk: encodeRecord('risk', 5, { tier: 'FLATTEN' }, 1), other: encodeRecord('other', 1, { tier: 'FLATTEN' }, 1) }), log);
    expect(taken).toEqual(['risk']);
    expect(new DurableRecord(dir, 'risk').read()).toMatchObject({ value: { tier: 'FLATTEN' }, seq: 5 });
    expect(new DurableRecord(dir, 'other').read()).toMatchObject({ value: { tier: 'NORMAL' }, seq: 1 });
  });

  it('file missing or corrupt then the Redis copy is taken; a corrupt Redis copy or a bad name is ignored', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'allocator.json'), '{"torn');
    const taken = await takeNewer(
      dir,
      busWith({ risk: encodeRecord('risk', 2, { tier: 'FLATTEN' }, 1), allocator: encodeRecord('allocator', 1, { core: {} }, 1), 'strategies-0': '{"format":1', '../x': encodeRecord('../x', 1, {}, 1) }),
      log,
    );
    expect(taken.sort()).toEqual(['allocator', 'risk']);
    expect(new DurableRecord(dir, 'strategies-0').read()).toBeNull();
  });

  it('Redis not answering then the files are used alone', async () => {
    const bus = { readRecords: () => Promise.reject(new Error('no answer')) } as unknown as DaemonSide;
    expect(await takeNewer(fresh(), bus, log)).toEqual([]);
  });
});
