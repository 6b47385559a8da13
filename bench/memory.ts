/**
 * memory: the resident-set cost of one idle actor in its own worker (the
 * default placement), and of one more idle actor co-located in a shared
 * worker. Target: at most 15 MB per idle actor in its own worker.
 */
import { ActorSystem } from '../src/runtime/index.js';
import { printFigures, printTable, round, target } from './lib/report.js';

const N = 12;

async function settledRss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 300));
  }
  return process.memoryUsage().rss;
}

export async function run(): Promise<Record<string, unknown>> {
  const module = new URL('./actors/hop.js', import.meta.url).href;
  const sys = await ActorSystem.start({ logLevel: 'warn' });
  // One actor first, so the main thread's own one-off costs (modules, codec) are not counted.
  await sys.spawn({ id: 'warm', module, export: 'ponger', args: { peer: 'x' } });
  const base = await settledRss();
  for (let i = 0; i < N; i++) await sys.spawn({ id: `idle-${i}`, module, export: 'ponger', args: { peer: 'x' } });
  const own = await settledRss();
  await sys.spawn({ id: 'host', module, export: 'ponger', args: { peer: 'x' }, placement: 'shared' });
  const sharedBase = await settledRss();
  for (let i = 0; i < N; i++) await sys.spawn({ id: `co-${i}`, module, export: 'ponger', args: { peer: 'x' }, placement: 'shared' });
  const shared = await settledRss();
  await sys.shutdown();

  const perOwnMb = (own - base) / N / 2 ** 20;
  const perSharedKb = (shared - sharedBase) / N / 2 ** 10;
  printTable('memory: RSS per idle actor', [
    { placement: 'own worker (default)', actors: N, 'RSS delta MB': round((own - base) / 2 ** 20, 1), 'per actor': `${round(perOwnMb, 2)} MB` },
    { placement: 'co-located in one worker', actors: N, 'RSS delta MB': round((shared - sharedBase) / 2 ** 20, 2), 'per actor': `${round(perSharedKb, 1)} KB` },
  ]);
  const figures = { idle_actor_own_worker_mb: target(perOwnMb, '<=', 15), idle_actor_colocated_kb: round(perSharedKb, 1) };
  printFigures('memory', figures);
  return figures;
}
