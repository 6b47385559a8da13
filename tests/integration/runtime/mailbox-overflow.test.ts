import { describe, expect, it } from 'vitest';
import type { ActorSystem, Message } from '../../../src/runtime/index.js';
import { fixture } from '../../helpers/fixtures.js';
import { useSystem } from '../../helpers/system.js';

const probe = fixture('probe');
type Any = Message & Record<string, any>;

const startSystem = useSystem();

async function pausedTarget(mailbox: unknown): Promise<ActorSystem> {
  const system = await startSystem();
  await system.spawn({ id: 'sender', module: probe });
  await system.spawn({ id: 'target', module: probe, mailbox: mailbox as never });
  // Paused, the target queues without handling, so its mailbox fills.
  await system.pause('target');
  return system;
}

async function stateOf(sys: ActorSystem, id: string): Promise<Any> {
  return sys.ask<Any>(id, { type: 't.get' } as Any, { timeoutMs: 2000 });
}

describe('mailbox overflow policies', () => {
  it('reject policy when full then refuses and the sender learns it', async () => {
    const sys = await pausedTarget({ capacity: 3, overflow: 'reject' } as never);
    for (let i = 1; i <= 5; i++) sys.tell('sender', { type: 't.forward', to: 'target', msg: { type: 't.record', i } } as Any);
    await sys.settle();
    const [info] = await sys.inspect('target');
    expect(info.mailboxDepth).toBe(3);
    // An ask to the full mailbox fails at once instead of timing out.
    await expect(sys.ask('target', { type: 't.ping' } as Any, { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'QGTM_ERR_MAILBOX_FULL' });
    const sender = await stateOf(sys, 'sender');
    expect(sender.notices).toHaveLength(2);
    expect(sender.notices[0]).toMatchObject({ type: 'sys.undelivered', to: 'target', reason: 'mailbox_full', originalType: 't.record' });
    await sys.resume('target');
    await sys.settle();
    expect((await stateOf(sys, 'target')).seen.map((s: Any) => s.i)).toEqual([1, 2, 3]);
    const dead = await sys.deadLetters();
    expect(dead.counts.find((c) => c.actor === 'target' && c.reason === 'mailbox_full')?.count).toBe(3);
  });

  it('drop_oldest policy when full then keeps the newest and dead-letters the oldest', async () => {
    const sys = await pausedTarget({ capacity: 3, overflow: 'drop_oldest' } as never);
    for (let i = 1; i <= 5; i++) sys.tell('target', { type: 't.record', i } as Any);
    await sys.settle();
    await sys.resume('target');
    await sys.settle();
    expect((await stateOf(sys, 'target')).seen.map((s: Any) => s.i)).toEqual([3, 4, 5]);
    const dead = await sys.deadLetters();
    expect(dead.counts.find((c) => c.actor === 'target' && c.reason === 'dropped_oldest')?.count).toBe(2);
    expect(dead.recent.filter((d) => d.reason === 'dropped_oldest').every((d) => d.type === 't.record')).toBe(true);
  });

  it('conflate policy when lagging then keeps only the latest per key, in first-arrival order', async () => {
    const sys = await pausedTarget({ capacity: 100, overflow: 'conflate', conflateKey: 'symbol' } as never);
    const ticks = [
      ['GLD', 1],
      ['SLV', 1],
      ['GLD', 2],
      ['GLD', 3],
      ['SLV', 2],
      ['GDX', 1],
    ] as const;
    for (const [symbol, px] of ticks) sys.tell('target', { type: 't.record', symbol, px } as Any);
    await sys.settle();
    const [info] = await sys.inspect('target');
    expect(info.mailboxDepth).toBe(3);
    await sys.resume('target');
    await sys.settle();
    const seen = (await stateOf(sys, 'target')).seen.map((s: Any) => `${s.symbol}:${s.px}`);
    expect(seen).toEqual(['GLD:3', 'SLV:2', 'GDX:1']);
    const dead = await sys.deadLetters();
    expect(dead.counts.find((c) => c.actor === 'target' && c.reason === 'conflated')?.count).toBe(3);
  });

  it('conflate policy when full of distinct keys then drops the oldest', async () => {
    const sys = await pausedTarget({ capacity: 2, overflow: 'conflate', conflateKey: 'symbol' } as never);
    for (const symbol of ['A', 'B', 'C']) sys.tell('target', { type: 't.record', symbol } as Any);
    await sys.settle();
    await sys.resume('target');
    await sys.settle();
    expect((await stateOf(sys, 'target')).seen.map((s: Any) => s.symbol)).toEqual(['B', 'C']);
    expect((await sys.deadLetters()).counts.find((c) => c.reason === 'dropped_oldest')?.count).toBe(1);
  });
});

describe('dead letters and bad input', () => {
  it('message of a type the actor does not handle then is a dead letter and the actor keeps running', async () => {
    const system = await startSystem();
    await system.spawn({ id: 'a', module: probe });
    system.tell('a', { type: 'nobody.handles.this' });
    await expect(system.ask('a', { type: 'also.unknown' }, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'QGTM_ERR_UNDELIVERABLE' });
    await system.settle();
    const dead = await system.deadLetters();
    expect(dead.counts.find((c) => c.actor === 'a' && c.reason === 'unhandled')?.count).toBe(2);
    expect(dead.recent.find((d) => d.reason === 'unhandled')?.detail).toMatch(/does not handle nobody.handles.this/);
    expect(await system.ask<Any>('a', { type: 't.ping', n: 1 } as Any, { timeoutMs: 2000 })).toMatchObject({ type: 't.pong' });
  });

  it('message to an actor that does not exist then is a dead letter and an ask fails fast', async () => {
    const system = await startSystem();
    await system.spawn({ id: 'a', module: probe });
    system.tell('a', { type: 't.forward', to: 'ghost', msg: { type: 't.inc' } } as Any);
    await expect(system.ask('ghost', { type: 't.ping' }, { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'QGTM_ERR_NO_SUCH_ACTOR' });
    await system.settle();
    const dead = await system.deadLetters();
    expect(dead.counts.find((c) => c.actor === 'ghost' && c.reason === 'no_such_actor')?.count).toBe(2);
    const a = await system.ask<Any>('a', { type: 't.get' } as Any, { timeoutMs: 2000 });
    expect(a.notices[0]).toMatchObject({ reason: 'no_such_actor', to: 'ghost' });
  });

  it('message to a stopped actor then is a dead letter with reason actor_stopped', async () => {
    const system = await startSystem();
    await system.spawn({ id: 'a', module: probe });
    await system.spawn({ id: 'b', module: probe });
    await system.stop('b');
    system.tell('a', { type: 't.forward', to: 'b', msg: { type: 't.inc' } } as Any);
    await system.settle();
    const dead = await system.deadLetters();
    expect(dead.counts.find((c) => c.actor === 'b' && c.reason === 'actor_stopped')?.count).toBe(1);
  });

  it('undecodable bytes then are a decode_error dead letter and the actor keeps running', async () => {
    const system = await startSystem();
    await system.spawn({ id: 'a', module: probe });
    // A well-formed header followed by bytes that are not msgpack.
    const bad = new Uint8Array(24);
    bad.set([0, 255], 0);
    bad.set([0xc1, 0xc1, 0xc1], 21);
    await system.injectFrame('a', bad);
    await system.injectFrame('a', new Uint8Array([0x93, 0x01, 0x02, 0x03])); // valid msgpack, not an envelope
    const dead = await system.deadLetters();
    expect(dead.counts.find((c) => c.actor === 'a' && c.reason === 'decode_error')?.count).toBe(2);
    const details = dead.recent.filter((d) => d.reason === 'decode_error').map((d) => d.detail);
    expect(details[0]).toMatch(/msgpack/);
    expect(details[1]).toMatch(/shorter than an envelope header/);
    expect(await system.ask<Any>('a', { type: 't.ping', n: 2 } as Any, { timeoutMs: 2000 })).toMatchObject({ n: 2 });
  });
});

describe('time in the mailbox', () => {
  /** One histogram series of a worker's metrics: `_count`, `_sum`, and `_bucket` per `le`. */
  async function waitHistogram(sys: ActorSystem, actor: string): Promise<{ count: number; sum: number; under10ms: number }> {
    const out = { count: 0, sum: 0, under10ms: 0 };
    for (const list of await sys.metricsJson()) {
      for (const m of list) {
        if (m.name !== 'qgtm_actor_mailbox_wait_seconds') continue;
        for (const v of m.values) {
          if (v.labels.actor !== actor) continue;
          if (v.metricName?.endsWith('_count')) out.count += v.value;
          else if (v.metricName?.endsWith('_sum')) out.sum += v.value;
          else if (v.metricName?.endsWith('_bucket') && Number(v.labels.le) === 0.01) out.under10ms += v.value;
        }
      }
    }
    return out;
  }

  it('messages queued behind a paused actor then each wait, as long as the pause, is in qgtm_actor_mailbox_wait_seconds', async () => {
    const sys = await pausedTarget({ capacity: 100, overflow: 'reject' });
    for (let i = 1; i <= 3; i++) sys.tell('target', { type: 't.record', i } as Any);
    await sys.settle();
    expect((await sys.inspect('target'))[0].mailboxDepth).toBe(3);
    const before = await waitHistogram(sys, 'target');
    // A pause of known length: the messages cannot be handled before it ends.
    const pausedAt = performance.now();
    await new Promise((r) => setTimeout(r, 60));
    const pauseMs = performance.now() - pausedAt;
    await sys.resume('target');
    await sys.settle();
    expect((await stateOf(sys, 'target')).seen.map((s: Any) => s.i)).toEqual([1, 2, 3]);
    const after = await waitHistogram(sys, 'target');
    // The three, and the resume's own asks handled after them (quick), are counted.
    expect(after.count - before.count).toBeGreaterThanOrEqual(3);
    expect(after.sum - before.sum).toBeGreaterThanOrEqual((3 * pauseMs) / 1000);
    // None of the three waited under 10 ms.
    expect(after.under10ms - before.under10ms).toBeLessThanOrEqual(after.count - before.count - 3);
  });
});
