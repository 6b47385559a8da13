/**
 * The opt-in hot path (SystemOptions.hotPath; src/runtime/worker/rings.ts):
 * direct channels into hot workers carry their batches through
 * SharedArrayBuffer rings. Per-pair order must hold as on a port, with a ring
 * too small for a burst (kept frames, back-pressure) and batches too large
 * for it (the port, at a marker's place), across the fence of a route that
 * starts through the main thread.
 */
import { describe, expect, it } from 'vitest';
import type { ActorSystem, Message } from '../../../src/runtime/index.js';
import { validateSystemOptions } from '../../../src/runtime/system.js';
import { eventually, fixture } from '../../helpers/fixtures.js';
import { useSystem } from '../../helpers/system.js';

const probe = fixture('probe');
type Any = Message & Record<string, any>;
const start = useSystem();

/** Batches a worker of placement `group` took from its rings (qgtm_hot_path_batches_total). */
async function ringBatches(sys: ActorSystem, group: string): Promise<number> {
  let n = 0;
  for (const list of await sys.metricsJson()) {
    for (const m of list) {
      if (m.name !== 'qgtm_hot_path_batches_total') continue;
      for (const v of m.values) if (String(v.labels.worker).startsWith(`${group}#`)) n += v.value;
    }
  }
  return n;
}

describe('hot path rings', () => {
  it('bad hot path options then every violation named', () => {
    expect(validateSystemOptions({ hotPath: { workers: [''], spinUs: -1, ringBytes: 100 } })).toEqual([
      'system.hotPath.workers must be a list of placement group names',
      'system.hotPath.spinUs must be 0-1000000 µs',
      'system.hotPath.ringBytes must be a power of two in 64..2^30',
    ]);
  });

  it('a burst through a tiny ring with batches too large for it then all arrive once, in send order', async () => {
    // 256-byte rings: most batches wait their turn, and the large records never fit.
    const sys = await start({ hotPath: { workers: ['wa', 'wb'], spinUs: 50, ringBytes: 256 } });
    await sys.spawn({ id: 'a', module: probe, placement: 'wa' });
    await sys.spawn({ id: 'b', module: probe, placement: 'wb', mailbox: { capacity: 10_000, overflow: 'reject' } });
    const n = 1500;
    const big = 'x'.repeat(2000);
    for (let i = 0; i < n; i++) sys.tell('a', { type: 't.forward', to: 'b', msg: { type: 't.record', i, pad: i % 100 === 7 ? big : '' } } as Any);
    const state = await eventually(
      async () => {
        const s = await sys.ask<Any>('b', { type: 't.get' } as Any, { timeoutMs: 5000 });
        return s.seen.length >= n ? s : null;
      },
      30_000,
      'every record at b',
    );
    expect(state!.seen.map((r: Any) => r.i)).toEqual(Array.from({ length: n }, (_, i) => i));
    await sys.settle({ timeoutMs: 10_000 });
    // Through the ring indeed, not the port.
    expect(await ringBatches(sys, 'wb')).toBeGreaterThan(10);
  });

  it('ask and reply between two hot workers then both directions go through rings and answer', async () => {
    const sys = await start({ hotPath: { workers: ['wa', 'wb'], spinUs: 0 } });
    await sys.spawn({ id: 'a', module: probe, placement: 'wa' });
    await sys.spawn({ id: 'b', module: probe, placement: 'wb' });
    for (let k = 0; k < 20; k++) {
      const asked = await sys.ask<Any>('a', { type: 't.ask', to: 'b', msg: { type: 't.ping', n: k } } as Any, { timeoutMs: 5000 });
      expect(asked.reply).toMatchObject({ type: 't.pong', n: k, by: 'b' });
    }
    expect(await ringBatches(sys, 'wa')).toBeGreaterThanOrEqual(20);
    expect(await ringBatches(sys, 'wb')).toBeGreaterThanOrEqual(20);
  });

  it('hot path off then no worker reads a ring', async () => {
    const sys = await start();
    await sys.spawn({ id: 'a', module: probe, placement: 'wa' });
    await sys.spawn({ id: 'b', module: probe, placement: 'wb' });
    const asked = await sys.ask<Any>('a', { type: 't.ask', to: 'b', msg: { type: 't.ping', n: 1 } } as Any, { timeoutMs: 5000 });
    expect(asked.reply).toMatchObject({ n: 1 });
    expect(await ringBatches(sys, 'wb')).toBe(0);
  });
});
