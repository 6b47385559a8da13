import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ActorSystem } from '../../../src/runtime/index.js';
import { SupervisionTree } from '../../../supervisor/index.js';
import { eventually, fixture } from '../../helpers/fixtures.js';
import { sup, useTree, worker, type Any } from '../../helpers/tree.js';

const startTree = useTree();

async function crash(run: Awaited<ReturnType<typeof startTree>>, id: string): Promise<void> {
  const before = run.system.incarnation(id);
  run.system.tell(id, { type: 't.crash' } as Any);
  await eventually(() => run.system.incarnation(id) > before && run.system.status(id) === 'running', 10_000, `${id} restarted`);
}

describe('restart intensity', () => {
  it('child supervisor past its intensity then escalates; the parent restarts it; past the parent intensity the root fails', async () => {
    const inner = sup('inner', [worker('x'), worker('y')], { intensity: 1 });
    const run = await startTree(sup('root', [worker('top'), { type: 'supervisor', start: inner }], { intensity: 1 }));
    let rootFailed = false;
    run.tree.on('root_failed', () => (rootFailed = true));

    await crash(run, 'x'); // inner: 1 restart, within intensity
    await crash(run, 'x'); // inner: 2 > 1 -> escalates; root restarts inner (root: 1)
    const escalated = run.reports.find((r) => r.context === 'escalated');
    expect(escalated).toMatchObject({ supervisor: 'root', offender: { id: 'inner', type: 'supervisor' } });
    expect(run.reports.find((r) => r.context === 'shutdown')).toMatchObject({ supervisor: 'root/inner', reason: expect.stringMatching(/reached_max_restart_intensity/) });
    // The restarted inner supervisor starts its children in order: y follows x.
    await eventually(() => run.system.status('y') === 'running' && run.system.incarnation('y') === 2, 10_000, 'y restarted with inner');
    expect(run.system.status('top')).toBe('running');
    expect(rootFailed).toBe(false);

    run.system.tell('x', { type: 't.crash' } as Any);
    await eventually(() => run.system.incarnation('x') >= 4 && run.system.status('x') === 'running', 10_000, 'x restarted a fourth time', () => ({ x: run.system.status('x'), incarnation: run.system.incarnation('x'), reports: run.reports.slice(-6) }));
    run.system.tell('x', { type: 't.crash' } as Any); // inner escalates again: root 2 > 1 -> root fails
    await eventually(() => rootFailed, 10_000, 'root failure');
    expect(run.tree.rootFailure).toMatchObject({ supervisor: 'root', context: 'shutdown' });
  });

  it('a child that crashes while a later sibling is still starting then is restarted once the start is done', async () => {
    // The supervisor used to drop such a failure (it was not "running" yet): the child stayed failed for good.
    const system = await ActorSystem.start({ logLevel: 'silent', faults: true });
    try {
      const tree = new SupervisionTree(system, sup('root', [worker('x'), worker('slow', { args: { initDelayMs: 1500 } })]), { random: () => 0.5 });
      const started = tree.start();
      await eventually(() => system.status('x') === 'running', 5000, 'x running');
      expect(system.status('slow')).not.toBe('running');
      system.tell('x', { type: 't.crash' } as Any);
      await eventually(() => system.status('x') === 'failed' || system.incarnation('x') > 1, 5000, 'x failed');
      await started;
      await eventually(() => system.incarnation('x') === 2 && system.status('x') === 'running', 5000, 'x restarted after the start', () => ({ x: system.status('x'), incarnation: system.incarnation('x'), reports: tree.reports().slice(-4) }));
      expect(system.status('slow')).toBe('running');
    } finally {
      await system.shutdown();
    }
  });

  it('restart that keeps failing in init then counts toward the intensity and escalates', async () => {
    const run = await startTree(sup('root', [worker('flaky', { args: { failRestarts: true } })], { intensity: 3 }));
    let rootFailed = false;
    run.tree.on('root_failed', () => (rootFailed = true));
    run.system.tell('flaky', { type: 't.crash' } as Any);
    await eventually(() => rootFailed, 10_000, 'root failure');
    expect(run.reports.filter((r) => r.context === 'start_error').length).toBeGreaterThanOrEqual(3);
    expect(run.reports.find((r) => r.context === 'start_error')!.reason).toMatch(/refused by args/);
  });

  it('root failure in a process then the process exits non-zero with a final report', async () => {
    const child = spawn(process.execPath, [new URL(fixture('root-fail')).pathname], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(70);
    const line = out.split('\n').find((l) => l.includes('final_report'));
    expect(JSON.parse(line!).final_report).toMatchObject({ supervisor: 'root', context: 'shutdown', reason: expect.stringMatching(/reached_max_restart_intensity/) });
  });
});

describe('start errors', () => {
  it('child failing init at start then the tree does not start and started children are stopped', async () => {
    const system = await ActorSystem.start({ logLevel: 'silent' });
    try {
      const tree = new SupervisionTree(system, sup('root', [worker('ok'), worker('bad', { args: { failInit: true } })]));
      const reports: string[] = [];
      tree.on('report', (r) => reports.push(`${r.context}:${r.offender.id}`));
      await expect(tree.start()).rejects.toThrow(/init refused by args/);
      expect(reports).toContain('start_error:bad');
      expect(system.status('ok')).toBe('stopped');
    } finally {
      await system.shutdown();
    }
  });

  it('invalid tree spec then every violation is reported with its path', async () => {
    const system = await ActorSystem.start({ logLevel: 'silent' });
    try {
      const tree = new SupervisionTree(system, { id: 'root', strategy: 'round_robin' as never, intensity: -1, periodMs: 0, children: [worker('a'), worker('a', { shutdown: -5 as never })] });
      const err = await tree.start().catch((e: Error & { violations?: string[] }) => e);
      expect((err as { violations: string[] }).violations).toEqual([
        'supervisor.strategy must be one_for_one, one_for_all or rest_for_one',
        'supervisor.intensity must be an integer >= 0',
        'supervisor.periodMs must be > 0',
        'supervisor.children[1].start.id a is used twice in the tree',
        'supervisor.children[1].shutdown must be a positive number of ms or brutal_kill',
      ]);
    } finally {
      await system.shutdown();
    }
  });
});
