/**
 * Building blocks for supervision tests: probe children, a tree on a fresh
 * system, and the lifecycle events and reports it produces.
 */
import { afterEach } from 'vitest';
import { ActorSystem, type Message, type SystemOptions } from '../../src/runtime/index.js';
import { SupervisionTree, type ChildSpec, type SupervisorReport, type SupervisorSpec, type WorkerChildSpec } from '../../supervisor/index.js';
import { fixture } from './fixtures.js';

export const probe = fixture('probe');

export type Any = Message & Record<string, any>;

export function worker(id: string, opts: Partial<Omit<WorkerChildSpec, 'type' | 'start'>> & { args?: Record<string, unknown>; start?: Record<string, unknown> } = {}): ChildSpec {
  return {
    type: 'worker',
    start: { id, module: probe, args: { reportLifecycle: true, ...opts.args }, ...opts.start },
    ...(opts.restart ? { restart: opts.restart } : {}),
    ...(opts.shutdown !== undefined ? { shutdown: opts.shutdown } : {}),
  };
}

export function sup(id: string, children: ChildSpec[], opts: Partial<SupervisorSpec> = {}): SupervisorSpec {
  return { id, strategy: 'one_for_one', intensity: 10, periodMs: 10_000, backoff: { minMs: 1, maxMs: 20, jitter: 0 }, children, ...opts };
}

export interface TreeRun {
  readonly system: ActorSystem;
  readonly tree: SupervisionTree;
  readonly lifecycle: Any[];
  readonly reports: SupervisorReport[];
}

/** A started tree per test; everything is shut down after the test. */
export function useTree(): (spec: SupervisorSpec, opts?: SystemOptions) => Promise<TreeRun> {
  const running: TreeRun[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.system.shutdown();
  });
  return async (spec, opts = {}) => {
    const system = await ActorSystem.start({ logLevel: 'silent', faults: true, ...opts });
    const lifecycle: Any[] = [];
    system.onMessage((m) => {
      if (m.type === 't.lifecycle') lifecycle.push(m as Any);
    });
    const tree = new SupervisionTree(system, spec, { random: () => 0.5 });
    const reports: SupervisorReport[] = [];
    tree.on('report', (r: SupervisorReport) => reports.push(r));
    const run = { system, tree, lifecycle, reports };
    running.push(run);
    await tree.start();
    return run;
  };
}

export async function incarnations(system: ActorSystem, ids: string[]): Promise<number[]> {
  return ids.map((id) => system.incarnation(id));
}

/**
 * Lifecycle events in the order they happened. They reach the main thread from
 * different workers over different channels, so arrival order is not event
 * order: sort by the monotonic stamp taken where they happened.
 */
export function events(run: TreeRun, event: 'init' | 'stop'): string[] {
  return run.lifecycle
    .filter((l) => l.event === event)
    .sort((x, y) => x.at - y.at)
    .map((l) => `${l.id}#${l.incarnation}`);
}
