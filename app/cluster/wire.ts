/**
 * What crosses a slot's streams between the coordinator and the node that
 * owns the slot (issue 16), and how.
 *
 * Each slot has two streams (see `SlotStream`), both carrying batches: one
 * entry is a msgpack array of messages, encoded with the record structures
 * every qgtm thread agrees on (`clusterCodec`), so the records are the ones
 * the actors exchange in process.
 * - `in` (coordinator -> owner, group `shard`): the shard's inputs (features,
 *   bars, feed status, macro series) as the coordinator's feeds published
 *   them, and operator commands wrapped in `cluster.command` (asked of the
 *   shard; the answer comes back in a `cluster.reply` with the same `corr`).
 *   Entries are stamped with token 0: the coordinator is one per desk.
 * - `out` (owner -> coordinator, group `coord`): the shard's signals and
 *   status, `cluster.reply`, and a `cluster.beacon` per slot every quarter
 *   lease. Entries carry the owner's fencing token; the coordinator refuses
 *   a stale one (`FenceGate`).
 *
 * Decoding is for untrusted bytes: anything but an array of messages is
 * refused with the reason, and the caller counts it.
 */
import { MARKET_DATA_STRUCTURES } from '../../actors/market-data/structures.js';
import { TRADING_STRUCTURES } from '../daemon/structures.js';
import { buildStructures, Codec, isMessage, type Message } from '../../src/runtime/index.js';
import type { StrategyCommandMsg, StrategyCommandResultMsg, StrategyRuntimeCommandMsg, StrategyStatusMsg } from '../../actors/strategy/messages.js';

/** Consumer group of the `in` stream (the owner reads it). */
export const IN_GROUP = 'shard';
/** Consumer group of the `out` stream (the coordinator reads it). */
export const OUT_GROUP = 'coord';

/**
 * ioredis options of every cluster connection: fail fast while Redis is
 * away (the callers count, drop or retry), reconnect quickly. Commands in
 * flight when the connection drops are sent again after the reconnect
 * (ioredis's default): with `autoResendUnfulfilledCommands: false` ioredis
 * forgets them on a quick reconnect without settling their promises, and a
 * read loop or a lease renewal awaiting one would hang for good.
 */
export const CLUSTER_REDIS = { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: (n: number): number => Math.min(50 * n, 1000) } as const;
/** The same for a connection that blocks in XREADGROUP: a read waits through an outage instead of failing. */
export const CLUSTER_READER = { ...CLUSTER_REDIS, enableOfflineQueue: true, maxRetriesPerRequest: null } as const;

/** Key prefix of the cluster's keys, under the desk's Redis prefix. */
export function clusterPrefix(redisPrefix: string): string {
  return `${redisPrefix}cluster:`;
}

/** An operator command for the shard, asked on the owner's side. */
export interface ClusterCommandMsg {
  readonly type: 'cluster.command';
  readonly corr: string;
  readonly msg: StrategyCommandMsg | StrategyRuntimeCommandMsg | { readonly type: 'strategy.query' };
}

/** The shard's answer to a `cluster.command`. */
export interface ClusterReplyMsg {
  readonly type: 'cluster.reply';
  readonly corr: string;
  readonly reply: StrategyCommandResultMsg | StrategyStatusMsg | { readonly type: 'cluster.error'; readonly message: string };
}

/** The owner says it holds the slot (every quarter lease). */
export interface ClusterBeaconMsg {
  readonly type: 'cluster.beacon';
  readonly node: string;
  readonly slot: number;
  readonly pid: number;
  readonly at: number;
}

/** One codec per thread, built from the structures every qgtm thread agrees on. */
let codec: Codec | null = null;
function shared(): Codec {
  codec ??= new Codec(buildStructures([...MARKET_DATA_STRUCTURES, ...TRADING_STRUCTURES]));
  return codec;
}

/** One stream entry's payload: the batch of messages. */
export function encodeBatch(msgs: readonly Message[]): Uint8Array {
  // Copied: the codec's buffer is reused by the next encoding.
  return Uint8Array.from(shared().pack(msgs));
}

export type Decoded = { readonly ok: true; readonly msgs: readonly Message[] } | { readonly ok: false; readonly error: string };

/** A batch read from a stream; anything but an array of messages is refused with the reason. */
export function decodeBatch(bytes: Uint8Array): Decoded {
  let value: unknown;
  try {
    value = shared().unpack(bytes);
  } catch (err) {
    return { ok: false, error: `not msgpack: ${(err as Error).message}` };
  }
  if (!Array.isArray(value)) return { ok: false, error: `a batch must be an array of messages, got ${value === null ? 'null' : typeof value}` };
  for (let i = 0; i < value.length; i++) {
    if (!isMessage(value[i])) return { ok: false, error: `item ${i} of the batch is not a message (an object with a string type)` };
  }
  return { ok: true, msgs: value as Message[] };
}
