/**
 * One WorkerRuntime outside any worker thread, for tests that drive it by
 * hand: what it posts to the main thread goes to `toMain`.
 */
import { buildStructures, Codec } from '../../src/runtime/codec.js';
import { RealClock } from '../../src/runtime/clock.js';
import { createLogger } from '../../src/runtime/logger.js';
import { WorkerRuntime, type WorkerRuntimeOptions } from '../../src/runtime/worker/runtime.js';

/** The codec of hand-driven runtimes (core structures only), for encoding and decoding their frames. */
export const handCodec = new Codec(buildStructures([]));

export function handRuntime(toMain: WorkerRuntimeOptions['toMain'], workerId = 'w1'): WorkerRuntime {
  return new WorkerRuntime({ workerId, cidBase: 1, codec: handCodec, clock: new RealClock(), log: createLogger('silent'), toMain });
}
