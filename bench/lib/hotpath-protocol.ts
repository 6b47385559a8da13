/**
 * What the hot path's main thread (bench/lib/hotpath.ts) and its stage
 * threads (bench/lib/hotpath-worker.ts) share: the boot data and control
 * block of a stage thread, and what it reports.
 */
import type { Structure } from '../../src/runtime/codec.js';

export type HotRole = 'strategies' | 'trading' | 'broker';

export interface HotBoot {
  readonly role: HotRole;
  readonly structures: readonly Structure[];
  readonly spinUs: number;
  /** Int32 control block: [stop, epoch, approvals seen by the broker, acks of the epoch per role]. */
  readonly control: SharedArrayBuffer;
  readonly bell: SharedArrayBuffer;
  readonly inputs: readonly SharedArrayBuffer[];
  /** Rings this stage writes, by destination role, each with its consumer's doorbell. */
  readonly outputs: Readonly<Partial<Record<HotRole, { readonly ring: SharedArrayBuffer; readonly bell: SharedArrayBuffer }>>>;
}

export const CTL = { stop: 0, epoch: 1, count: 2, ack: { strategies: 3, trading: 4, broker: 5 } } as const;

export interface HotResult {
  readonly role: HotRole;
  /** Broker only: latencies in ns since the last epoch. */
  readonly samples: number[];
  /** CPU time of this thread since the last epoch, ms (from /proc/thread-self/schedstat; NaN where absent). */
  readonly cpuMs: number;
  readonly wallMs: number;
}
