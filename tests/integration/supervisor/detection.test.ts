import { describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/fixtures.js';
import { events, sup, useTree, worker, type Any } from '../../helpers/tree.js';

const startTree = useTree();

describe('failure detection', () => {
  it('actor whose event loop hangs then is found by missed heartbeats, terminated and restarted', async () => {
    const run = await startTree(sup('root', [worker('h')]), { heartbeatIntervalMs: 50, hangDeadlineMs: 400 });
    const t0 = Date.now();
    await run.system.fault('h', 'hang');
    await eventually(() => run.reports.some((r) => r.context === 'child_terminated'), 10_000, 'hang report');
    const detectedAfter = Date.now() - t0;
    expect(run.reports.find((r) => r.context === 'child_terminated')!.reason).toMatch(/^hang/);
    // The last heartbeat may predate the hang by up to one interval, so detection comes no sooner than deadline - interval.
    expect(detectedAfter).toBeGreaterThanOrEqual(400 - 50);
    await eventually(() => run.system.incarnation('h') === 2 && run.system.status('h') === 'running');
    expect(await run.system.ask<Any>('h', { type: 't.ping', n: 1 } as Any, { timeoutMs: 5000 })).toMatchObject({ incarnation: 2 });
  });

  it('actor exceeding its memory limit then fails with reason oom and is restarted', async () => {
    const run = await startTree(sup('root', [worker('m', { start: { limits: { maxOldGenerationSizeMb: 32 } } })]));
    await run.system.fault('m', 'oom');
    await eventually(() => run.reports.some((r) => r.context === 'child_terminated'), 20_000, 'oom report');
    expect(run.reports.find((r) => r.context === 'child_terminated')!.reason).toMatch(/^oom/);
    await eventually(() => run.system.incarnation('m') === 2 && run.system.status('m') === 'running', 10_000);
  });

  it('worker that exits then its actor fails with reason exit and is restarted in a new worker', async () => {
    const run = await startTree(sup('root', [worker('e')]));
    const before = run.system.workerOf('e');
    await run.system.fault('e', 'exit');
    await eventually(() => run.system.incarnation('e') === 2 && run.system.status('e') === 'running');
    expect(run.reports.find((r) => r.context === 'child_terminated')!.reason).toMatch(/^exit/);
    expect(run.system.workerOf('e')).not.toBe(before);
  });

  it('unhandled promise rejection in an actor then its worker dies and the actor is restarted', async () => {
    const run = await startTree(sup('root', [worker('r')]));
    await run.system.fault('r', 'reject_promise');
    await eventually(() => run.system.incarnation('r') === 2 && run.system.status('r') === 'running');
    expect(run.reports.find((r) => r.context === 'child_terminated')!.reason).toMatch(/^crash: .*injected unhandled rejection/);
  });
});

describe('shutdown', () => {
  it('tree stop then children stop in reverse start order', async () => {
    const run = await startTree(sup('root', [worker('a'), worker('b'), worker('c')]));
    await run.tree.stop();
    expect(events(run, 'stop')).toEqual(['c#1', 'b#1', 'a#1']);
    expect(['a', 'b', 'c'].map((id) => run.system.status(id))).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('child that does not stop within its shutdown then is killed and reported', async () => {
    const run = await startTree(sup('root', [worker('quick'), worker('stuck', { args: { stopDelayMs: Infinity }, shutdown: 300 })]));
    const t0 = Date.now();
    await run.tree.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(run.reports.find((r) => r.context === 'shutdown_error')).toMatchObject({ offender: { id: 'stuck' }, reason: expect.stringMatching(/did not stop within 300 ms/) });
    expect(run.system.status('stuck')).toBe('stopped');
    expect(run.system.status('quick')).toBe('stopped');
  });

  it('brutal_kill child then is terminated without running its stop', async () => {
    const run = await startTree(sup('root', [worker('k', { shutdown: 'brutal_kill' })]));
    await run.tree.stop();
    expect(events(run, 'stop')).toEqual([]);
    expect(run.system.status('k')).toBe('stopped');
  });
});
