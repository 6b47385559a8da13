/**
 * Pending asks of one thread, keyed by correlation id. Every ask has a
 * deadline on the injected clock; a reply, an error reply, an undeliverable
 * notice or the deadline settles it exactly once.
 */
import type { Clock, TimerHandle } from './clock.js';
import { AskTimeoutError, MailboxFullError, NoSuchActorError, QgtmError, UndeliverableError } from './errors.js';
import type { ErrorMsg, Message, UndeliveredMsg } from './message.js';

interface Pending {
  readonly owner: string;
  readonly resolve: (m: Message) => void;
  readonly reject: (e: Error) => void;
  readonly timer: TimerHandle;
}

export class AskTable {
  private readonly pending = new Map<number, Pending>();
  private seq = 0;

  /** `base` keeps correlation ids of different threads apart (they meet in replies). */
  constructor(
    private readonly clock: Clock,
    private readonly base: number,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Registers an ask and returns its correlation id and promise. */
  open<R extends Message>(owner: string, target: string, type: string, timeoutMs: number): { cid: number; promise: Promise<R> } {
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new RangeError(`ask ${type} to ${target}: timeoutMs must be a positive finite number`);
    this.seq = (this.seq + 1) % 0x100000;
    const cid = this.base * 0x100000 + this.seq + 1;
    let resolve!: (m: Message) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<R>((res, rej) => {
      resolve = res as (m: Message) => void;
      reject = rej;
    });
    const timer = this.clock.setTimer(timeoutMs, () => {
      if (this.pending.delete(cid)) reject(new AskTimeoutError(target, type, timeoutMs));
    });
    this.pending.set(cid, { owner, resolve, reject, timer });
    return { cid, promise };
  }

  /** Settles an ask with a reply; false when no such ask is pending (late or stray reply). */
  resolve(cid: number, owner: string, msg: Message): boolean {
    const p = this.take(cid, owner);
    if (!p) return false;
    p.resolve(msg);
    return true;
  }

  rejectWithError(cid: number, owner: string, info: ErrorMsg): boolean {
    const p = this.take(cid, owner);
    if (!p) return false;
    const err = new QgtmError(info.code, info.message);
    err.name = info.name;
    p.reject(err);
    return true;
  }

  rejectUndelivered(cid: number, owner: string, notice: UndeliveredMsg): boolean {
    const p = this.take(cid, owner);
    if (!p) return false;
    p.reject(undeliverableError(notice));
    return true;
  }

  /** Rejects every ask owned by `owner` (its incarnation ended). */
  rejectOwner(owner: string, err: Error): void {
    for (const [cid, p] of this.pending) {
      if (p.owner === owner) {
        this.pending.delete(cid);
        this.clock.clearTimer(p.timer);
        p.reject(err);
      }
    }
  }

  rejectAll(err: Error): void {
    for (const [cid, p] of this.pending) {
      this.pending.delete(cid);
      this.clock.clearTimer(p.timer);
      p.reject(err);
    }
  }

  private take(cid: number, owner: string): Pending | undefined {
    const p = this.pending.get(cid);
    if (!p || p.owner !== owner) return undefined;
    this.pending.delete(cid);
    this.clock.clearTimer(p.timer);
    return p;
  }
}

export function undeliverableError(notice: UndeliveredMsg): QgtmError {
  if (notice.reason === 'mailbox_full') return new MailboxFullError(notice.to);
  if (notice.reason === 'no_such_actor') return new NoSuchActorError(notice.to);
  return new UndeliverableError(notice.to, notice.reason);
}
