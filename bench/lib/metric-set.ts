/**
 * The metric lists a daemon of `workers` worker threads reports (main thread
 * first), built with the runtime's own MetricsRegistry from a seed: the
 * payload the gateway benchmark renders on every `/metrics` scrape.
 */
import { MetricsRegistry, type MetricJson } from '../../src/runtime/metrics.js';
import { PM_UNIVERSE } from '../../src/universe/index.js';

/** Per-actor families, each as [name, kind]: a counter, gauge or histogram labelled by actor. */
const PER_ACTOR: ReadonlyArray<readonly [string, 'counter' | 'gauge' | 'histogram']> = [
  ['qgtm_actor_messages_received_total', 'counter'],
  ['qgtm_actor_messages_handled_total', 'counter'],
  ['qgtm_actor_messages_sent_total', 'counter'],
  ['qgtm_actor_mailbox_depth', 'gauge'],
  ['qgtm_actor_handle_seconds', 'histogram'],
];

export function benchMetricSet(workers: number, actorsPerWorker: number, seed = 11): MetricJson[][] {
  let s = seed >>> 0;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const main = new MetricsRegistry();
  const age = main.gauge('qgtm_actor_heartbeat_age_seconds', 'Age of the last heartbeat of each worker', ['worker'], 'max');
  for (let w = 0; w < workers; w++) age.set({ worker: `w${w}` }, rnd() / 5);
  const lists = [main.toJson()];
  for (let w = 0; w < workers; w++) {
    const r = new MetricsRegistry();
    for (const [name, kind] of PER_ACTOR) {
      for (let a = 0; a < actorsPerWorker; a++) {
        const actor = `actor-${w}-${a}`;
        if (kind === 'counter') r.counter(name, name, ['actor']).inc({ actor }, Math.floor(rnd() * 1e6));
        else if (kind === 'gauge') r.gauge(name, name, ['actor']).set({ actor }, Math.floor(rnd() * 50));
        else for (let i = 0, h = r.histogram(name, name, ['actor']).labels({ actor }); i < 200; i++) h.observe(rnd() ** 3 / 100);
      }
    }
    r.gauge('qgtm_worker_heap_used_bytes', 'V8 heap used by a worker thread', ['worker']).set({ worker: `w${w}` }, 2e7 + rnd() * 3e7);
    if (w === 0) for (const i of PM_UNIVERSE) r.counter('qgtm_feed_ticks_total', 'Ticks accepted by the feeds', ['symbol']).inc({ symbol: i.symbol }, Math.floor(rnd() * 1e5));
    lists.push(r.toJson());
  }
  return lists;
}
