import { describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/fixtures.js';
import { sup, useTree, worker, type Any } from '../../helpers/tree.js';

const startTree = useTree();
const get = (run: Awaited<ReturnType<typeof startTree>>, id: string): Promise<Any> => run.system.ask<Any>(id, { type: 't.get' } as Any, { timeoutMs: 5000 });

describe('nothing silently lost', () => {
  it('restart after a crash then the actor resumes from its last snapshot', async () => {
    const run = await startTree(sup('root', [worker('s', { start: { snapshot: { everyMessages: 1 } } })]));
    for (let i = 0; i < 5; i++) run.system.tell('s', { type: 't.inc' } as Any);
    await run.system.settle();
    run.system.tell('s', { type: 't.crash' } as Any);
    await eventually(() => run.system.incarnation('s') === 2 && run.system.status('s') === 'running');
    expect(await get(run, 's')).toMatchObject({ count: 5, incarnation: 2 });
    expect(run.lifecycle.find((l) => l.event === 'init' && l.incarnation === 2)!.snapshot).toEqual({ count: 5 });
  });

  it('restart after its worker died then the actor resumes from the snapshot the main thread kept', async () => {
    const run = await startTree(sup('root', [worker('s', { start: { snapshot: { everyMessages: 1 } } })]));
    for (let i = 0; i < 7; i++) run.system.tell('s', { type: 't.inc' } as Any);
    await run.system.settle();
    await run.system.fault('s', 'exit');
    await eventually(() => run.system.incarnation('s') === 2 && run.system.status('s') === 'running');
    expect((await get(run, 's')).count).toBe(7);
  });

  it('messages sent while an actor restarts in place then are delivered after the restart, in order', async () => {
    const run = await startTree(sup('root', [worker('target'), worker('sender')], { backoff: { minMs: 300, maxMs: 300, jitter: 0 } }));
    run.system.tell('target', { type: 't.crash' } as Any);
    await eventually(() => run.system.status('target') === 'failed');
    for (let i = 1; i <= 3; i++) run.system.tell('sender', { type: 't.forward', to: 'target', msg: { type: 't.record', i } } as Any);
    await eventually(() => run.system.incarnation('target') === 2 && run.system.status('target') === 'running');
    await run.system.settle();
    expect((await get(run, 'target')).seen.map((s: Any) => s.i)).toEqual([1, 2, 3]);
  });

  it('messages sent while its worker is replaced then are held up to the bound, the rest dead letters', async () => {
    const run = await startTree(sup('root', [worker('target', { start: { restartBuffer: 2 } })], { backoff: { minMs: 400, maxMs: 400, jitter: 0 } }));
    await run.system.fault('target', 'exit');
    await eventually(() => run.system.status('target') === 'down');
    for (let i = 1; i <= 4; i++) run.system.tell('target', { type: 't.record', i } as Any);
    await eventually(() => run.system.incarnation('target') === 2 && run.system.status('target') === 'running');
    await run.system.settle();
    expect((await get(run, 'target')).seen.map((s: Any) => s.i)).toEqual([1, 2]);
    const dead = await run.system.deadLetters();
    expect(dead.counts.find((c) => c.actor === 'target' && c.reason === 'restart_buffer_full')?.count).toBe(2);
    expect(dead.counts.find((c) => c.actor === 'target' && c.reason === 'lost_with_worker')?.count).toBe(1);
  });

  it('a ref held by another actor when its target restarts in a new worker then keeps working', async () => {
    const run = await startTree(sup('root', [worker('target'), worker('sender')]));
    await run.system.ask('sender', { type: 't.ask', to: 'target', msg: { type: 't.ping', n: 1 } } as Any, { timeoutMs: 5000 });
    await run.system.fault('target', 'exit');
    await eventually(() => run.system.incarnation('target') === 2 && run.system.status('target') === 'running');
    const asked = await run.system.ask<Any>('sender', { type: 't.ask', to: 'target', msg: { type: 't.ping', n: 2 } } as Any, { timeoutMs: 5000 });
    expect(asked.reply).toMatchObject({ type: 't.pong', n: 2, incarnation: 2 });
  });

  it('watcher of an actor that crashes then receives a terminated notice with the cause', async () => {
    const run = await startTree(sup('root', [worker('target'), worker('watcher')]));
    run.system.tell('watcher', { type: 't.watch', target: 'target' } as Any);
    await run.system.settle();
    run.system.tell('target', { type: 't.crash', why: 'watched' } as Any);
    await eventually(async () => (await get(run, 'watcher')).notices.length > 0);
    const notice = (await get(run, 'watcher')).notices[0];
    expect(notice).toMatchObject({ type: 'sys.terminated', ref: 'target' });
    expect(notice.cause).toMatch(/crash: crash requested: watched/);
  });
});
