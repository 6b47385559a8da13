/**
 * Quiescence and virtual time for the whole actor system: knowing that no
 * message is queued, being handled or in flight anywhere, and moving a
 * virtual clock forward one due timer at a time.
 */
import { QgtmError } from './errors.js';
import type { VirtualClock } from './clock.js';
import type { MainEndpoint } from './main-endpoint.js';
import type { WorkerHost } from './worker-host.js';

/**
 * Resolves when every live worker is idle and every channel is balanced:
 * in-flight frames are counted per channel, so each live worker's sent count
 * to a live destination must equal what that destination received from it.
 * Stable over two rounds, to rule out a frame posted between two reads.
 */
export async function settle(endpoint: MainEndpoint, liveWorkers: () => WorkerHost[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stableRounds = 0;
  let last = '';
  while (Date.now() < deadline) {
    endpoint.flush();
    const counters = await Promise.all(liveWorkers().map((w) => w.call('counters', []).then((c) => [w.id, c] as const)));
    const byId = new Map(counters);
    let balanced = endpoint.idle;
    for (const [id, c] of counters) {
      if (!c.idle) balanced = false;
      if ((c.receivedFrom['$main'] ?? 0) !== endpoint.sentToWorker(id)) balanced = false;
      for (const [dest, n] of Object.entries(c.sentTo)) {
        // A destination that has died is excluded: what was in flight to it is lost (and reported as such).
        const peer = byId.get(dest);
        const got = dest === '$main' ? endpoint.receivedFromWorker(id) : peer ? (peer.receivedFrom[id] ?? 0) : n;
        if (got !== n) balanced = false;
      }
    }
    const sig = JSON.stringify(counters);
    if (balanced && sig === last) {
      if (++stableRounds >= 2) return;
    } else stableRounds = 0;
    last = sig;
    await new Promise((r) => setImmediate(r));
  }
  throw new QgtmError('QGTM_ERR_SETTLE_TIMEOUT', `system did not settle within ${timeoutMs} ms`);
}

/**
 * Moves the shared virtual time forward by `ms`: at each instant a timer is
 * due in any thread, sets the time there, fires what is due everywhere and
 * settles before looking for the next one.
 */
export async function advance(clock: VirtualClock, ms: number, liveWorkers: () => WorkerHost[], settleAll: () => Promise<void>): Promise<void> {
  const target = clock.now() + ms;
  for (;;) {
    await settleAll();
    const dues = await Promise.all(liveWorkers().map((w) => w.call('nextDue', [])));
    const candidates = [...dues, clock.nextDue() ?? null].filter((d): d is number => d !== null);
    const next = candidates.length ? Math.min(...candidates) : Infinity;
    if (next > target) break;
    clock.setTime(Math.max(next, clock.now()));
    clock.fireDue();
    await Promise.all(liveWorkers().map((w) => w.call('fireDue', [])));
  }
  clock.setTime(target);
  clock.fireDue();
  await settleAll();
}
