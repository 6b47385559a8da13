/**
 * Messages and envelopes.
 *
 * A message is a flat, immutable, plain-data object discriminated by a
 * namespaced `type` ('md.trade', 'risk.tier_changed'). It crosses threads as
 * msgpack, so it holds only numbers, strings, booleans, null, arrays and plain
 * objects. The runtime wraps each message in an envelope that carries the
 * sender, a correlation id and a high-resolution send timestamp.
 */

export interface Message {
  readonly type: string;
}

/** How an envelope is to be handled by the receiving side. */
export const enum Kind {
  Tell = 0,
  Ask = 1,
  Reply = 2,
  /** The asked actor's handler threw; `msg` is a `sys.error` carrying the error info. */
  ReplyError = 3,
  /** The message could not be delivered; `msg` is a `sys.undelivered` notice for the sender. */
  Undelivered = 4,
  /** Runtime-internal, never delivered to an actor: marks the end of frames sent through the main thread (see worker/fences.ts). */
  Fence = 5,
  /** Runtime-internal: the answer to a Fence; `cid` is its token. */
  FenceAck = 6,
}

export interface Envelope<M extends Message = Message> {
  /** Receiving actor id. */
  readonly to: string;
  readonly kind: Kind;
  /** Sending actor id, `$system` for the main thread, or null when anonymous. */
  readonly from: string | null;
  /** Correlation id; 0 when none. Replies carry the id of the ask they answer. */
  readonly cid: number;
  /** Send time, monotonic nanoseconds shared by every thread of the process (see `monoNs`). */
  readonly ts: number;
  readonly msg: M;
  /** The topic, when the message was published rather than told. */
  readonly topic?: string;
}

/** The main thread's address. */
export const SYSTEM_ID = '$system';

/** Sent back to a sender when its message could not be delivered. */
export interface UndeliveredMsg extends Message {
  readonly type: 'sys.undelivered';
  readonly to: string;
  readonly reason: string;
  readonly originalType: string;
}

/** A remote handler's failure, carried back to an asker. */
export interface ErrorMsg extends Message {
  readonly type: 'sys.error';
  readonly code: string;
  readonly name: string;
  readonly message: string;
}

/**
 * Monotonic time in nanoseconds, as a double. `process.hrtime` reads
 * CLOCK_MONOTONIC, which every worker thread of a process shares, so a stamp
 * taken in one worker can be subtracted from a reading in another: that is
 * how end-to-end latency is measured across hops.
 */
export function monoNs(): number {
  return Number(process.hrtime.bigint());
}

const ID_PATTERN = /^[A-Za-z0-9_.:\-[\]$#/]{1,200}$/;

/** Actor ids are short ASCII names so they can be framed without a text codec. */
export function isValidActorId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

export function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
