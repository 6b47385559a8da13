/**
 * The raw MessagePort baseline shared by the benchmark suites: two worker
 * threads (bench/lib/raw-peer.ts) joined by a MessageChannel, exchanging the
 * same tick object with plain postMessage (structured clone, one
 * postMessage per message), measured exactly as the actors are.
 */
import { MessageChannel, Worker } from 'node:worker_threads';

export interface RawSide {
  /** One latency round: one-way latencies in µs of `n` ping-pongs after `warmup` more. */
  latency(n: number, warmup: number): Promise<number[]>;
  /** One-way latencies in µs of `n` messages sent one every `gapMs` (an idle receiver each time). */
  pacedLatency(n: number, gapMs: number): Promise<number[]>;
  /** One throughput round: messages per second for a burst of `n`. */
  burst(n: number): Promise<number>;
  close(): Promise<void>;
}

export async function rawSide(): Promise<RawSide> {
  const url = new URL('./raw-peer.js', import.meta.url);
  const a = new Worker(url);
  const b = new Worker(url);
  const { port1, port2 } = new MessageChannel();
  const next = (w: Worker, op: string): Promise<any> =>
    new Promise((resolve) => {
      const h = (m: { op: string }): void => {
        if (m.op === op) {
          w.off('message', h);
          resolve(m);
        }
      };
      w.on('message', h);
    });
  a.postMessage({ op: 'port', port: port1 }, [port1]);
  b.postMessage({ op: 'port', port: port2 }, [port2]);
  await Promise.all([next(a, 'ready'), next(b, 'ready')]);
  return {
    async latency(n, warmup) {
      b.postMessage({ op: 'reset', keep: n + warmup });
      await next(b, 'ok');
      a.postMessage({ op: 'latency', n: n + warmup });
      await next(a, 'done');
      b.postMessage({ op: 'stats' });
      const stats = await next(b, 'stats');
      return (stats.values as number[]).slice(warmup).map((ns) => ns / 1000);
    },
    async pacedLatency(n, gapMs) {
      b.postMessage({ op: 'reset', keep: n, expect: n });
      await next(b, 'ok');
      const done = next(b, 'done');
      a.postMessage({ op: 'paced', n, gapMs });
      await done;
      b.postMessage({ op: 'stats' });
      const stats = await next(b, 'stats');
      return (stats.values as number[]).map((ns) => ns / 1000);
    },
    async burst(n) {
      b.postMessage({ op: 'reset', keep: 0, expect: n });
      await next(b, 'ok');
      const t0 = performance.now();
      a.postMessage({ op: 'burst', n });
      await next(b, 'done');
      return n / ((performance.now() - t0) / 1000);
    },
    async close() {
      await Promise.all([a.terminate(), b.terminate()]);
    },
  };
}
