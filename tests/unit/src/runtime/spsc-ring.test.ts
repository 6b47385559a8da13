/**
 * The SPSC ring of the opt-in hot path (src/runtime/spsc-ring.ts): records
 * come out whole and in order across the end of the data region, a full ring
 * refuses (or, through RingWriter, keeps in order) instead of overwriting,
 * and two real threads exchange records with Atomics and the doorbell.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { awaitRecord, Doorbell, RingWriter, SpscRing } from '../../../../src/runtime/spsc-ring.js';
import { fixture } from '../../../helpers/fixtures.js';

const rec = (n: number, len: number): Uint8Array => {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (n + i) & 0xff;
  return b;
};

describe('SpscRing', () => {
  it('capacity not a power of two then refuses with the rule', () => {
    expect(() => SpscRing.allocate(100)).toThrow(/power of two/);
    expect(() => SpscRing.allocate(32)).toThrow(/power of two/);
  });

  it('records written then read back whole, in order, across many wraparounds', () => {
    const sab = SpscRing.allocate(64);
    const prod = new SpscRing(sab);
    const cons = new SpscRing(sab);
    // 13-byte records (17 with the length) land at every offset of a 64-byte region.
    for (let i = 0; i < 500; i++) {
      expect(prod.tryWrite(rec(i, 13))).toBe(true);
      if (i % 2 === 1) {
        expect(cons.read()).toEqual(Buffer.from(rec(i - 1, 13)));
        expect(cons.read()).toEqual(Buffer.from(rec(i, 13)));
      }
    }
    expect(cons.read()).toBeUndefined();
    expect(cons.available()).toBe(false);
  });

  it('new ring then its consumer counts as asleep (the first records bring a wake-up)', () => {
    const sab = SpscRing.allocate(64);
    expect(new SpscRing(sab).bell.asleep()).toBe(true);
  });

  it('empty record then read back as an empty buffer', () => {
    const sab = SpscRing.allocate(64);
    new SpscRing(sab).tryWrite(new Uint8Array(0));
    expect(new SpscRing(sab).read()?.byteLength).toBe(0);
  });

  it('ring full then tryWrite refuses and nothing is overwritten', () => {
    const sab = SpscRing.allocate(64);
    const prod = new SpscRing(sab);
    const cons = new SpscRing(sab);
    // 60 bytes of payload + 4 of length fill it exactly.
    expect(prod.tryWrite(rec(1, 60))).toBe(true);
    expect(prod.tryWrite(rec(2, 0))).toBe(false);
    expect(cons.read()).toEqual(Buffer.from(rec(1, 60)));
    expect(prod.tryWrite(rec(3, 60))).toBe(true);
    expect(cons.read()).toEqual(Buffer.from(rec(3, 60)));
  });

  it('record larger than the ring then a RangeError naming the limit', () => {
    const prod = new SpscRing(SpscRing.allocate(64));
    expect(() => prod.tryWrite(new Uint8Array(61))).toThrow(/exceeds the ring's 60/);
  });

  it('ring full then RingWriter keeps later records behind the kept one', () => {
    const sab = SpscRing.allocate(64);
    const w = new RingWriter(new SpscRing(sab));
    const cons = new SpscRing(sab);
    const sentAtOnce = [0, 1, 2, 3, 4].map((i) => w.send(rec(i, 20)));
    // Two 24-byte records fit in 64; the rest wait, in order.
    expect(sentAtOnce).toEqual([true, true, false, false, false]);
    expect(w.pending).toBe(3);
    const got: number[] = [];
    for (let guard = 0; guard < 10 && got.length < 5; guard++) {
      let r: Buffer | undefined;
      while ((r = cons.read())) got.push(r[0]!);
      w.pump();
    }
    expect(got).toEqual([0, 1, 2, 3, 4]);
    expect(w.pending).toBe(0);
  });

  it('consumer asleep on the doorbell then a record published wakes it (same thread: returns at once)', () => {
    const sab = SpscRing.allocate(64);
    const prod = new SpscRing(sab);
    const cons = new SpscRing(sab);
    const t0 = performance.now();
    expect(awaitRecord([cons], cons.bell, 0, 20)).toBe(false);
    // Nothing came: it slept out its bound.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
    prod.tryWrite(rec(7, 3));
    const t1 = performance.now();
    expect(awaitRecord([cons], cons.bell, 0, 5000)).toBe(true);
    expect(performance.now() - t1).toBeLessThan(1000);
  });

  it('two rings on one doorbell then a record on either is seen', () => {
    const bell = new Doorbell();
    const a = SpscRing.allocate(64);
    const b = SpscRing.allocate(64);
    const ra = new SpscRing(a, bell);
    const rb = new SpscRing(b, bell);
    const seen = bell.seq();
    new SpscRing(b, bell).tryWrite(rec(1, 1));
    expect(bell.seq()).not.toBe(seen);
    expect(awaitRecord([ra, rb], bell, 10, 1000)).toBe(true);
    expect(rb.read()).toEqual(Buffer.from(rec(1, 1)));
  });

  it('two real threads then every record arrives once, whole and in order', async () => {
    const count = 20_000;
    const sab = SpscRing.allocate(256);
    const cons = new SpscRing(sab);
    const worker = new Worker(new URL(fixture('ring-producer')), { workerData: { sab, count } });
    const done = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    let next = 0;
    const deadline = performance.now() + 30_000;
    // This thread is the consumer: it blocks in awaitRecord, the producer runs meanwhile.
    while (next < count && performance.now() < deadline) {
      if (!awaitRecord([cons], cons.bell, 20, 100)) continue;
      let r: Buffer | undefined;
      while ((r = cons.read())) {
        expect(r.byteLength).toBe(4 + (next % 37));
        expect(r.readUInt32LE(0)).toBe(next);
        for (let k = 4; k < r.byteLength; k++) if (r[k] !== (next & 0xff)) throw new Error(`record ${next} torn at byte ${k}`);
        next++;
      }
    }
    expect(next).toBe(count);
    await done;
    await worker.terminate();
  });
});
