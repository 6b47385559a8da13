import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableRecord, StateCorruptError } from '../../../../src/durable/index.js';

const dirs: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'qgtm-durable-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Tier {
  tier: string;
  latched: boolean;
}
const validate = (x: unknown): string | null => (x && typeof (x as Tier).tier === 'string' ? null : 'no tier');

describe('DurableRecord', () => {
  it('no file then reads null', () => {
    expect(new DurableRecord<Tier>(fresh(), 'risk', validate).read()).toBeNull();
  });

  it('written then read back by a new instance with its sequence', () => {
    const dir = fresh();
    const a = new DurableRecord<Tier>(dir, 'risk', validate);
    expect(a.write({ tier: 'NO_NEW', latched: false }, 1)).toBe(1);
    expect(a.write({ tier: 'FLATTEN', latched: true }, 2)).toBe(2);
    const b = new DurableRecord<Tier>(dir, 'risk', validate);
    expect(b.read()).toEqual({ value: { tier: 'FLATTEN', latched: true }, seq: 2, savedAt: 2 });
    expect(b.write({ tier: 'NORMAL', latched: false })).toBe(3);
    // No temp file is left behind.
    expect(readdirSync(dir)).toEqual(['risk.json']);
  });

  it('file truncated mid-record then read throws StateCorruptError', () => {
    const dir = fresh();
    const r = new DurableRecord<Tier>(dir, 'risk', validate);
    r.write({ tier: 'FLATTEN', latched: true });
    truncateSync(r.path, 40);
    expect(() => new DurableRecord<Tier>(dir, 'risk', validate).read()).toThrow(StateCorruptError);
  });

  it('data altered but still JSON then checksum mismatch is refused', () => {
    const dir = fresh();
    const r = new DurableRecord<Tier>(dir, 'risk', validate);
    r.write({ tier: 'FLATTEN', latched: true });
    writeFileSync(r.path, readFileSync(r.path, 'utf8').replace('FLATTEN', 'NORMAL'));
    expect(() => r.read()).toThrow(/checksum mismatch/);
  });

  it('empty file, another record name or an invalid value then each is refused with its reason', () => {
    const dir = fresh();
    const r = new DurableRecord<Tier>(dir, 'risk', validate);
    writeFileSync(r.path, '');
    expect(() => r.read()).toThrow(/not JSON/);
    new DurableRecord<Tier>(dir, 'other').write({ tier: 'X', latched: false });
    writeFileSync(r.path, readFileSync(join(dir, 'other.json')));
    expect(() => r.read()).toThrow(/holds record other/);
    new DurableRecord<unknown>(dir, 'risk').write({ nope: 1 });
    expect(() => r.read()).toThrow(/invalid value: no tier/);
    try {
      r.read();
    } catch (err) {
      expect((err as StateCorruptError).code).toBe('QGTM_ERR_STATE_CORRUPT');
    }
  });

  it('corrupt record quarantined then moved aside and a fresh one can be written', () => {
    const dir = fresh();
    const r = new DurableRecord<Tier>(dir, 'risk', validate);
    writeFileSync(r.path, '{"torn');
    const to = r.quarantine(123);
    expect(to).toBe(join(dir, 'risk.json.corrupt-123'));
    expect(r.read()).toBeNull();
    r.write({ tier: 'NO_NEW', latched: false });
    expect(r.read()?.value.tier).toBe('NO_NEW');
  });

  it('bad record name then refused at construction', () => {
    expect(() => new DurableRecord(fresh(), '../escape')).toThrow(/record names/);
  });
});
