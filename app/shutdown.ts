/**
 * Orderly shutdown with a record of it: each part is closed in turn and
 * logged with the time it took (`closed gateway in 12 ms`), a part that fails
 * to close is logged and the rest still close, and the last line says the
 * whole took (`stopped in 840 ms`) and in what order.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../src/runtime/logger.js';

export interface CloseStep {
  /** What closes, as the log says it: 'gateway', 'trading tree', ... */
  readonly name: string;
  close(): Promise<unknown> | unknown;
}

export interface ClosedReport {
  readonly order: readonly string[];
  readonly failed: readonly string[];
  readonly ms: number;
}

const ms = (t0: number): number => Math.round(performance.now() - t0);

/**
 * Closes `steps` in order. `done` names the final line (`stopped in N ms`);
 * null leaves it out, for a part of a larger shutdown that logs its own
 * `closed <part> in N ms`.
 */
export async function closeInOrder(log: Logger, steps: readonly CloseStep[], done: string | null = 'stopped'): Promise<ClosedReport> {
  const t0 = performance.now();
  const order: string[] = [];
  const failed: string[] = [];
  for (const step of steps) {
    const t = performance.now();
    try {
      await step.close();
      order.push(step.name);
      // One reading for the text and the field: two could straddle a millisecond and disagree.
      const took = ms(t);
      log.info(`closed ${step.name} in ${took} ms`, { closed: step.name, ms: took });
    } catch (err) {
      failed.push(step.name);
      const took = ms(t);
      log.error(`${step.name} failed to close after ${took} ms`, { closed: step.name, ms: took, error: err as Error });
    }
  }
  const total = ms(t0);
  if (done !== null) log.info(`${done} in ${total} ms`, { order, ...(failed.length > 0 ? { failed } : {}), ms: total });
  return { order, failed, ms: total };
}
