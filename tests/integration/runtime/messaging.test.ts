import { describe, expect, it } from 'vitest';
import { carrying, defineTopics, type Message } from '../../../src/runtime/index.js';
import { DEFAULT_RESTART } from '../../../src/runtime/system.js';
import { eventually, fixture } from '../../helpers/fixtures.js';
import { useSystem } from '../../helpers/system.js';

const PRICES = defineTopics({ prices: carrying<Any>() }).prices;

const probe = fixture('probe');
type Any = Message & Record<string, any>;

const startSystem = useSystem();

const start = startSystem;

describe('tell and ask across workers', () => {
  it('actors in separate workers then tell and ask reach each other', async () => {
    const sys = await start();
    await sys.spawn({ id: 'a', module: probe });
    await sys.spawn({ id: 'b', module: probe });
    expect(sys.workerOf('a')).not.toBe(sys.workerOf('b'));

    const pong = await sys.ask<Any>('a', { type: 't.ping', n: 7 } as Any, { timeoutMs: 2000 });
    expect(pong).toMatchObject({ type: 't.pong', n: 7, by: 'a' });

    const asked = await sys.ask<Any>('a', { type: 't.ask', to: 'b', msg: { type: 't.ping', n: 8 } } as Any, { timeoutMs: 2000 });
    expect(asked.reply).toMatchObject({ type: 't.pong', n: 8, by: 'b' });

    for (let i = 0; i < 50; i++) sys.tell('a', { type: 't.forward', to: 'b', msg: { type: 't.inc', by: 2 } } as Any);
    await sys.settle();
    const state = await sys.ask<Any>('b', { type: 't.get' } as Any, { timeoutMs: 2000 });
    expect(state.count).toBe(100);
  });

  it('a burst to a worker not yet wired in one handler then all arrive without stalling the sender', async () => {
    const sys = await start({ hangDeadlineMs: 3000 });
    await sys.spawn({ id: 'a', module: probe });
    await sys.spawn({ id: 'b', module: probe, mailbox: { capacity: 100_000, overflow: 'reject' } });
    const t0 = Date.now();
    sys.tell('a', { type: 't.flood', to: 'b', n: 60_000 } as Any);
    await sys.settle({ timeoutMs: 20_000 });
    expect((await sys.ask<Any>('b', { type: 't.get' } as Any, { timeoutMs: 5000 })).count).toBe(60_000);
    expect(sys.incarnation('a')).toBe(1);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('messages from one sender then arrive in the order sent', async () => {
    const sys = await start();
    await sys.spawn({ id: 'a', module: probe });
    await sys.spawn({ id: 'b', module: probe });
    for (let i = 0; i < 200; i++) sys.tell('a', { type: 't.forward', to: 'b', msg: { type: 't.record', i } } as Any);
    await sys.settle();
    const state = await sys.ask<Any>('b', { type: 't.get' } as Any, { timeoutMs: 2000 });
    expect(state.seen.map((s: Any) => s.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('publish to a topic then every subscriber receives it, the main thread included', async () => {
    const sys = await start();
    await sys.spawn({ id: 'pub', module: probe });
    await sys.spawn({ id: 's1', module: probe, subscribe: [PRICES] });
    await sys.spawn({ id: 's2', module: probe, subscribe: [PRICES] });
    const got: Any[] = [];
    await sys.subscribe(PRICES, (m) => got.push(m));
    sys.tell('pub', { type: 't.publish', topic: 'prices', msg: { type: 't.record', px: 1 } } as Any);
    await sys.settle();
    for (const id of ['s1', 's2']) {
      const st = await sys.ask<Any>(id, { type: 't.get' } as Any, { timeoutMs: 2000 });
      expect(st.seen).toHaveLength(1);
      expect(st.seen[0].px).toBe(1);
    }
    expect(got).toEqual([{ type: 't.record', px: 1 }]);
  });
});

describe('ask timeout', () => {
  it('ask to an actor that never replies then rejects with a typed timeout error', async () => {
    const sys = await start();
    await sys.spawn({ id: 'silent', module: probe });
    const t0 = Date.now();
    await expect(sys.ask('silent', { type: 't.record' } as Any, { timeoutMs: 150 })).rejects.toMatchObject({ code: 'QGTM_ERR_ASK_TIMEOUT' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('actor asks another that never replies then its ask times out', async () => {
    const sys = await start();
    await sys.spawn({ id: 'a', module: probe });
    await sys.spawn({ id: 'silent', module: probe });
    const asked = await sys.ask<Any>('a', { type: 't.ask', to: 'silent', msg: { type: 't.record' }, timeoutMs: 100 } as Any, { timeoutMs: 3000 });
    expect(asked.reply).toMatchObject({ type: 't.failed', code: 'QGTM_ERR_ASK_TIMEOUT' });
  });

  it('ask without a timeout then is refused', async () => {
    const sys = await start();
    await sys.spawn({ id: 'a', module: probe });
    expect(() => sys.ask('a', { type: 't.ping' } as Any, { timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('ask whose handler throws then rejects with the remote error', async () => {
    const sys = await start();
    sys.setFailureHandler(() => undefined);
    await sys.spawn({ id: 'a', module: probe });
    await expect(sys.ask('a', { type: 't.crash', why: 'boom' } as Any, { timeoutMs: 2000 })).rejects.toThrow(/crash requested: boom/);
  });
});

describe('order across a route change', () => {
  it('a sender ticking while its peer starts, with the main thread stalled after then ticks arrive in the order sent', async () => {
    const sys = await start();
    // 'a' ticks 'b' every millisecond, also while 'b' is not running: those ticks go through
    // the main thread (held, or dead letters while 'b' is stopped), the later ones on the
    // direct channel once 'a' learns b's route. Stalling the main thread right after the
    // route is out leaves ticks sent just before it queued there while newer ones go direct.
    await sys.spawn({ id: 'a', module: probe, args: { peer: 'b', tickEveryMs: 1 } });
    const block = (ms: number): void => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        // the main thread stalled, as on a loaded machine
      }
    };
    const disorders: string[] = [];
    // The main thread busy most of the time: what goes through it lags what goes direct.
    const busy = setInterval(() => block(4), 5);
    try {
      for (let round = 0; round < 15; round++) {
        await sys.spawn({ id: 'b', module: probe });
        block(40);
        await new Promise((r) => setTimeout(r, 150));
        const st = await sys.ask<Any>('b', { type: 't.get' } as Any, { timeoutMs: 2000 });
        const ns = (st.seen as Any[]).filter((x) => x.type === 't.tick').map((x) => x.n as number);
        expect(ns.length).toBeGreaterThan(10);
        for (let k = 1; k < ns.length; k++) if (ns[k]! <= ns[k - 1]!) disorders.push(`round ${round}: ${ns[k - 1]} then ${ns[k]}`);
        await sys.stop('b');
      }
    } finally {
      clearInterval(busy);
    }
    expect(disorders).toEqual([]);
  });
});

describe('co-located actors', () => {
  it('actors with one placement then share a worker and still talk', async () => {
    const sys = await start();
    await sys.spawn({ id: 'l1', module: probe, placement: 'light' });
    await sys.spawn({ id: 'l2', module: probe, placement: 'light' });
    await sys.spawn({ id: 'far', module: probe });
    expect(sys.workerOf('l1')).toBe(sys.workerOf('l2'));
    expect(sys.workerOf('far')).not.toBe(sys.workerOf('l1'));
    const asked = await sys.ask<Any>('l1', { type: 't.ask', to: 'l2', msg: { type: 't.ping', n: 1 } } as Any, { timeoutMs: 2000 });
    expect(asked.reply).toMatchObject({ by: 'l2' });
    sys.tell('l1', { type: 't.forward', to: 'far', msg: { type: 't.inc' } } as Any);
    sys.tell('far', { type: 't.forward', to: 'l2', msg: { type: 't.inc', by: 3 } } as Any);
    await sys.settle();
    expect((await sys.ask<Any>('far', { type: 't.get' } as Any, { timeoutMs: 2000 })).count).toBe(1);
    expect((await sys.ask<Any>('l2', { type: 't.get' } as Any, { timeoutMs: 2000 })).count).toBe(3);
    const infos = await sys.inspect();
    expect(infos.filter((i) => i.worker === sys.workerOf('l1')).map((i) => i.id).sort()).toEqual(['l1', 'l2']);
  });
});

describe('default failure handler (no supervisor)', () => {
  it('an actor failing again and again then restarted each time, with a growing delay', async () => {
    const sys = await start();
    await sys.spawn({ id: 'a', module: probe });
    const waits: number[] = [];
    for (let k = 1; k <= 4; k++) {
      const before = sys.incarnation('a');
      const t0 = performance.now();
      sys.tell('a', { type: 't.crash', why: `crash ${k}` } as Any);
      await eventually(() => sys.incarnation('a') === before + 1 && sys.status('a') === 'running', 5000, `restart ${k}`);
      waits.push(performance.now() - t0);
    }
    expect(sys.incarnation('a')).toBe(5);
    // The first failure is restarted at once; then 10, 20, 40 ms before each restart (DEFAULT_RESTART).
    expect(waits[2]).toBeGreaterThanOrEqual(DEFAULT_RESTART.baseMs * 2);
    expect(waits[3]).toBeGreaterThanOrEqual(DEFAULT_RESTART.baseMs * 4);
    // It still answers.
    expect(await sys.ask<Any>('a', { type: 't.ping', n: 1 } as Any, { timeoutMs: 2000 })).toMatchObject({ type: 't.pong', n: 1 });
  });
});
