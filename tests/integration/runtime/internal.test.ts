/**
 * Internal messages across real worker threads: an actor's own timer and
 * self-tells reach it; the same message type from another actor (in another
 * worker or in the same one) or from the main thread is refused, counted as
 * an `internal` dead letter, and its sender is told only that it was not
 * handled.
 */
import { describe, expect, it } from 'vitest';
import type { ActorSystem, Message } from '../../../src/runtime/index.js';
import { eventually, fixture } from '../../helpers/fixtures.js';
import { useSystem } from '../../helpers/system.js';

type Any = Message & Record<string, any>;
const start = useSystem();
const ticker = fixture('ticker');
const probe = fixture('probe');

const count = async (sys: ActorSystem): Promise<number> => (await sys.ask<Any>('ticker', { type: 't.count' } as Any, { timeoutMs: 2000 })).n as number;
const internalDead = async (sys: ActorSystem): Promise<number> =>
  (await sys.deadLetters()).counts.filter((c) => c.actor === 'ticker' && c.reason === 'internal').reduce((n, c) => n + c.count, 0);

describe('internal messages (real workers)', () => {
  it('internal message from an actor in another worker then refused, counted, and its sender told unhandled', async () => {
    const sys = await start();
    await sys.spawn({ id: 'ticker', module: ticker });
    await sys.spawn({ id: 'intruder', module: probe });
    sys.tell('intruder', { type: 't.forward', to: 'ticker', msg: { type: 't.tick' } } as Any);
    await eventually(async () => (await internalDead(sys)) === 1, 5000, 'the internal dead letter');
    expect(await count(sys)).toBe(0);
    const st = await sys.ask<Any>('intruder', { type: 't.get' } as Any, { timeoutMs: 2000 });
    expect(st.notices).toEqual([{ type: 'sys.undelivered', to: 'ticker', reason: 'unhandled', originalType: 't.tick' }]);
  });

  it('internal message from an actor in the same worker, or from the main thread, then refused as well', async () => {
    const sys = await start();
    await sys.spawn({ id: 'ticker', module: ticker, placement: 'shared' });
    await sys.spawn({ id: 'neighbour', module: probe, placement: 'shared' });
    sys.tell('neighbour', { type: 't.forward', to: 'ticker', msg: { type: 't.tick' } } as Any);
    sys.tell('ticker', { type: 't.tick' } as Any);
    await eventually(async () => (await internalDead(sys)) === 2, 5000, 'two internal dead letters');
    expect(await count(sys)).toBe(0);
  });

  it('own timer and self-tell of an internal message then handled', async () => {
    const sys = await start();
    const ticked: number[] = [];
    sys.onMessage((m) => {
      if (m.type === 't.ticked') ticked.push((m as Any).n as number);
    });
    await sys.spawn({ id: 'ticker', module: ticker });
    sys.tell('ticker', { type: 't.poke' } as Any);
    await eventually(() => ticked.length === 1, 5000, 'the self-told tick');
    sys.tell('ticker', { type: 't.start', everyMs: 5 } as Any);
    await eventually(() => ticked.length >= 4, 5000, 'timer ticks');
    expect(ticked.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(await internalDead(sys)).toBe(0);
  });
});
