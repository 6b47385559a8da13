import { describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/fixtures.js';
import { events, sup, useTree, worker, type Any } from '../../helpers/tree.js';

const startTree = useTree();
const ids = ['a', 'b', 'c'];

async function settledAfterCrash(run: Awaited<ReturnType<typeof startTree>>, expected: number[]): Promise<void> {
  run.system.tell('b', { type: 't.crash', why: 'test' } as Any);
  await eventually(() => ids.every((id, i) => run.system.incarnation(id) === expected[i] && run.system.status(id) === 'running'), 10_000, `incarnations ${expected}`);
}

describe('restart strategies', () => {
  it('one_for_one when a child crashes then only that child restarts', async () => {
    const run = await startTree(sup('root', ids.map((id) => worker(id))));
    expect(events(run, 'init')).toEqual(['a#1', 'b#1', 'c#1']);
    await settledAfterCrash(run, [1, 2, 1]);
    expect(events(run, 'init')).toEqual(['a#1', 'b#1', 'c#1', 'b#2']);
    expect(run.reports.find((r) => r.context === 'child_terminated')).toMatchObject({ supervisor: 'root', offender: { id: 'b', type: 'worker', restart: 'permanent' } });
    expect(run.reports.find((r) => r.context === 'child_terminated')!.reason).toMatch(/crash: crash requested: test/);
  });

  it('one_for_all when a child crashes then the others stop in reverse order and all restart in order', async () => {
    const run = await startTree(sup('root', ids.map((id) => worker(id)), { strategy: 'one_for_all' }));
    await settledAfterCrash(run, [2, 2, 2]);
    expect(events(run, 'stop')).toEqual(['c#1', 'a#1']);
    expect(events(run, 'init').slice(3)).toEqual(['a#2', 'b#2', 'c#2']);
  });

  it('rest_for_one when a middle child crashes then it and the later children restart', async () => {
    const run = await startTree(sup('root', ids.map((id) => worker(id)), { strategy: 'rest_for_one' }));
    await settledAfterCrash(run, [1, 2, 2]);
    expect(events(run, 'stop')).toEqual(['c#1']);
    expect(events(run, 'init').slice(3)).toEqual(['b#2', 'c#2']);
  });

  it('one_for_all restart then messages queued for the siblings are still handled', async () => {
    const run = await startTree(sup('root', ids.map((id) => worker(id, { args: { stopDelayMs: 200 } })), { strategy: 'one_for_all', backoff: { minMs: 200, maxMs: 200, jitter: 0 } }));
    run.system.tell('b', { type: 't.crash' } as Any);
    for (let i = 0; i < 3; i++) run.system.tell('a', { type: 't.inc' } as Any);
    await eventually(() => run.system.incarnation('a') === 2 && run.system.status('c') === 'running', 10_000);
    const a = await run.system.ask<Any>('a', { type: 't.get' } as Any, { timeoutMs: 5000 });
    // Three increments arrived around the restart; none was lost (the count comes from the snapshot plus the kept mailbox).
    expect(a.count).toBe(3);
  });
});

describe('restart types', () => {
  it('permanent child then restarts after a crash and after a normal exit', async () => {
    const run = await startTree(sup('root', [worker('p', { restart: 'permanent' })]));
    run.system.tell('p', { type: 't.crash' } as Any);
    await eventually(() => run.system.incarnation('p') === 2 && run.system.status('p') === 'running');
    run.system.tell('p', { type: 't.stop', reason: 'normal' } as Any);
    await eventually(() => run.system.incarnation('p') === 3 && run.system.status('p') === 'running');
  });

  it('transient child then restarts after a crash but not after a normal exit', async () => {
    const run = await startTree(sup('root', [worker('t', { restart: 'transient' })]));
    run.system.tell('t', { type: 't.crash' } as Any);
    await eventually(() => run.system.incarnation('t') === 2 && run.system.status('t') === 'running');
    run.system.tell('t', { type: 't.stop', reason: 'normal' } as Any);
    await eventually(() => run.system.status('t') === 'stopped');
    expect(run.system.incarnation('t')).toBe(2);
  });

  it('transient child exiting abnormally then restarts', async () => {
    const run = await startTree(sup('root', [worker('t', { restart: 'transient' })]));
    run.system.tell('t', { type: 't.stop', reason: 'lost upstream' } as Any);
    await eventually(() => run.system.incarnation('t') === 2 && run.system.status('t') === 'running');
  });

  it('temporary child then is never restarted', async () => {
    const run = await startTree(sup('root', [worker('tmp', { restart: 'temporary' }), worker('other')]));
    run.system.tell('tmp', { type: 't.crash' } as Any);
    await eventually(() => run.system.status('tmp') === 'stopped');
    expect(run.system.incarnation('tmp')).toBe(1);
    expect(run.system.status('other')).toBe('running');
  });
});
