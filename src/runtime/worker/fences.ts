/**
 * Route fences: per-pair FIFO across a route change.
 *
 * A worker sends to an actor whose route it does not know (not started yet,
 * or restarting) through the main thread, which forwards or holds the frames;
 * once the route is known it sends on the direct channel to the actor's
 * worker. Those are two MessagePorts, and the receiving worker drains them in
 * no particular order between ports, so without care a message sent on the
 * new direct channel can overtake one sent earlier through the main thread.
 * Seen in practice: a broker status "connected, not ready" sent before the
 * route to the risk governor was known arrived after the later "ready", and
 * the governor went to NO_NEW on a broker that was fine.
 *
 * The fence: when a route to `X` becomes known and this worker has sent
 * frames for `X` through the main thread since it last knew X's route, a fence
 * frame (Kind.Fence) follows those frames through the main thread, and frames
 * for X are kept here. The receiving worker answers the fence (Kind.FenceAck)
 * once it has taken everything before it off the main-thread port; only then
 * do the kept frames go out on the direct channel. A fence that is not
 * answered within `timeoutMs` (its sender stopped, the actor died) releases
 * its frames anyway: order is then best effort, nothing is lost.
 */
import { FrameWriter } from '../codec.js';

interface Pending {
  readonly token: number;
  readonly writer: FrameWriter;
  readonly timer: ReturnType<typeof setTimeout>;
}

export interface FenceHooks {
  /** Sends the fence for `to` through the main thread, from local actor `from`. */
  sendFence(to: string, from: string, token: number): void;
  /** Frames kept for `to` may go: route them by the current route. */
  release(to: string, bytes: Uint8Array, count: number): void;
}

export class RouteFences {
  /** Actors this worker has sent to through the main thread, with a local sender to answer a fence. */
  private readonly viaMain = new Map<string, string>();
  private readonly pending = new Map<string, Pending>();
  private seq = 0;

  constructor(
    private readonly hooks: FenceHooks,
    private readonly timeoutMs = 1000,
  ) {}

  /** Whether any fence is open (frames are being kept). */
  get active(): boolean {
    return this.pending.size > 0;
  }

  /** The writer keeping frames for `to` while its fence is open. */
  writerFor(to: string): FrameWriter | undefined {
    return this.pending.get(to)?.writer;
  }

  /** A frame for `to` went through the main thread; `from` is a local actor. */
  sentViaMain(to: string, from: string): void {
    this.viaMain.set(to, from);
  }

  /** The route to `to` is now the direct channel to another worker. */
  routedToPeer(to: string): void {
    const from = this.viaMain.get(to);
    this.viaMain.delete(to);
    if (from === undefined || this.pending.has(to)) return;
    const token = ++this.seq;
    const timer = setTimeout(() => this.open(to, token), this.timeoutMs);
    timer.unref?.();
    this.pending.set(to, { token, writer: new FrameWriter(256), timer });
    this.hooks.sendFence(to, from, token);
  }

  /** The route to `to` is the main thread again, or a local cell: no fence is needed. */
  routedElsewhere(to: string): void {
    this.viaMain.delete(to);
    const p = this.pending.get(to);
    if (p) this.open(to, p.token);
  }

  /** The receiving worker answered fence `token` for `to`. */
  acked(to: string, token: number): void {
    this.open(to, token);
  }

  /** Releases every kept frame now (the worker is about to go away). */
  close(): void {
    for (const [to, p] of [...this.pending]) this.open(to, p.token);
    this.viaMain.clear();
  }

  private open(to: string, token: number): void {
    const p = this.pending.get(to);
    if (!p || p.token !== token) return;
    clearTimeout(p.timer);
    this.pending.delete(to);
    const count = p.writer.count;
    if (count > 0) this.hooks.release(to, p.writer.take(), count);
  }
}
