/**
 * The restart benchmark's actor: reports to the main thread when it handles
 * `bench.first`, stamped with the shared monotonic clock.
 */
import { defineActor, monoNs, SYSTEM_ID, type Message } from '../../src/runtime/index.js';

export default defineActor<Message>(() => ({
  accepts: ['bench.first'],
  receive(_msg, ctx) {
    ctx.tell(SYSTEM_ID, { type: 'bench.handled', at: monoNs(), incarnation: ctx.incarnation } as Message);
  },
}));
