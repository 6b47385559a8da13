/**
 * Injected time. Actor logic never calls Date.now() or setTimeout: it reads
 * `ctx.clock`, which is real in production and virtual in deterministic tests
 * and research runs.
 *
 * The virtual clock's time lives in a SharedArrayBuffer written only by the
 * main thread, so every worker reads the same instant without a message. Its
 * timers fire only when the main thread advances time and asks each worker to
 * fire what is due (see ActorSystem.advance), one due instant at a time, which
 * is what makes a multi-actor timer scenario deterministic.
 */

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  readonly kind: 'real' | 'virtual';
  /** Epoch milliseconds. */
  now(): number;
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export class RealClock implements Clock {
  readonly kind = 'real' as const;
  private readonly handles = new Map<number, NodeJS.Timeout>();
  private seq = 0;

  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const id = ++this.seq;
    const t = setTimeout(() => {
      this.handles.delete(id);
      fn();
    }, Math.max(0, delayMs));
    this.handles.set(id, t);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const t = this.handles.get(handle.id);
    if (t) {
      clearTimeout(t);
      this.handles.delete(handle.id);
    }
  }
}

interface VirtualTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/** Time in a shared Float64 slot; timers in a min-heap ordered by (due, creation). */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  readonly shared: SharedArrayBuffer;
  private readonly time: Float64Array;
  private heap: VirtualTimer[] = [];
  private readonly cancelled = new Set<number>();
  private seq = 0;

  constructor(shared?: SharedArrayBuffer, startTime = 0) {
    this.shared = shared ?? new SharedArrayBuffer(8);
    this.time = new Float64Array(this.shared);
    if (!shared) this.time[0] = startTime;
  }

  now(): number {
    return this.time[0];
  }

  /** Sets the shared time. Only the owner of the clock (the main thread) calls this. */
  setTime(t: number): void {
    if (t < this.time[0]) throw new RangeError(`virtual time cannot go back (${t} < ${this.time[0]})`);
    this.time[0] = t;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer = { id: ++this.seq, due: this.now() + Math.max(0, delayMs), fn };
    this.push(timer);
    return { id: timer.id };
  }

  clearTimer(handle: TimerHandle): void {
    this.cancelled.add(handle.id);
  }

  /** The earliest pending due time, or undefined. */
  nextDue(): number | undefined {
    this.dropCancelledTop();
    return this.heap[0]?.due;
  }

  /** Runs every timer due at or before now, in due order; returns how many ran. */
  fireDue(): number {
    let n = 0;
    const now = this.now();
    for (;;) {
      this.dropCancelledTop();
      const top = this.heap[0];
      if (!top || top.due > now) return n;
      this.pop();
      n++;
      top.fn();
    }
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.cancelled.has(this.heap[0].id)) {
      this.cancelled.delete(this.heap[0].id);
      this.pop();
    }
  }

  private less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.id < b.id);
  }

  private push(t: VirtualTimer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
