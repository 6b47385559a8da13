/**
 * Slot ownership for a desk split across processes (issue 16): each of a
 * fixed number of strategy-shard slots is owned by one node at a time
 * through a lease in Redis, the way Akka Cluster Sharding and Effect Cluster
 * hold shard ownership in a store rather than in a home-made protocol.
 *
 * - `<prefix>slot:<n>:lease` holds `<node>|<token>` with a PX expiry: taken
 *   with SET NX semantics, renewed by its owner only (a compare-and-expire
 *   script), released by its owner only.
 * - `<prefix>slot:<n>:fence` is a counter INCRemented every time the slot
 *   changes owner: the fencing token. Everything a node sends for a slot
 *   carries the token it holds; a receiver refuses anything stamped with a
 *   token older than the current one (`isCurrent`), so a node that was
 *   paused past its lease and wakes up cannot act for a slot it lost.
 * - A node whose renewal fails must stop that slot's actors before anything
 *   else (fail closed): `renew` says so by returning false.
 *
 * Every operation is one Lua script (atomic on the Redis server); the
 * scripts touch only the slot's own keys, which share the `{slot:n}` hash
 * tag, so they stay valid on Redis Cluster.
 */
import type { Redis } from 'ioredis';

export interface Lease {
  readonly slot: number;
  readonly node: string;
  /** The fencing token: strictly greater on every change of owner. */
  readonly token: number;
  /** Milliseconds the lease has left when read. */
  readonly ttlMs: number;
}

export interface SlotLeasesOptions {
  /** Key prefix of the desk (e.g. `qgtm:desk1:`). */
  readonly prefix: string;
  /** This process's node id. */
  readonly node: string;
  /** Lease length; a node renews well within it (every third of it). */
  readonly leaseMs: number;
}

// KEYS[1] lease, KEYS[2] fence; ARGV[1] node, ARGV[2] leaseMs.
// Free: take it with the next token. Already ours: extend it and keep the token. Someone else's: nil.
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local sep = string.find(cur, '|', 1, true)
  if string.sub(cur, 1, sep - 1) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(string.sub(cur, sep + 1))
  end
  return nil
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return token`;

// KEYS[1] lease; ARGV[1] '<node>|<token>', ARGV[2] leaseMs. Extends only the exact lease held.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

// KEYS[1] lease; ARGV[1] '<node>|<token>'. Deletes only the exact lease held.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

export class SlotLeases {
  constructor(
    private readonly redis: Redis,
    private readonly opts: SlotLeasesOptions,
  ) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(opts.node)) throw new Error(`node id must be 1-64 characters of [A-Za-z0-9_.:-], got ${JSON.stringify(opts.node).slice(0, 80)}`);
    if (!Number.isInteger(opts.leaseMs) || opts.leaseMs < 100) throw new Error(`leaseMs must be an integer >= 100, got ${opts.leaseMs}`);
  }

  private keys(slot: number): [string, string] {
    if (!Number.isInteger(slot) || slot < 0) throw new Error(`slot must be an integer >= 0, got ${slot}`);
    // One hash tag per slot: both keys in one Redis Cluster hash slot, so each script is legal there.
    const tag = `${this.opts.prefix}{slot:${slot}}`;
    return [`${tag}:lease`, `${tag}:fence`];
  }

  /** Takes the slot if it is free (a new token) or extends it if it is already ours (the same token); null when another node holds it. */
  async acquire(slot: number): Promise<number | null> {
    const [lease, fence] = this.keys(slot);
    const r = await this.redis.eval(ACQUIRE, 2, lease, fence, this.opts.node, String(this.opts.leaseMs));
    return r === null ? null : Number(r);
  }

  /** Extends the lease held with `token`; false when it is lost (expired, or another owner): stop the slot's actors now. */
  async renew(slot: number, token: number): Promise<boolean> {
    const [lease] = this.keys(slot);
    return (await this.redis.eval(RENEW, 1, lease, `${this.opts.node}|${token}`, String(this.opts.leaseMs))) === 1;
  }

  /** Gives the slot up (a node leaving in order), so another can take it without waiting out the lease. */
  async release(slot: number, token: number): Promise<boolean> {
    const [lease] = this.keys(slot);
    return (await this.redis.eval(RELEASE, 1, lease, `${this.opts.node}|${token}`)) === 1;
  }

  /** Who holds the slot now, or null when nobody does. */
  async owner(slot: number): Promise<Lease | null> {
    const [lease] = this.keys(slot);
    const [v, ttl] = await Promise.all([this.redis.get(lease), this.redis.pttl(lease)]);
    if (v === null) return null;
    const sep = v.indexOf('|');
    return { slot, node: v.slice(0, sep), token: Number(v.slice(sep + 1)), ttlMs: Math.max(0, ttl) };
  }

  /** The slot's fencing token now (0 before anyone held it). */
  async currentToken(slot: number): Promise<number> {
    const [, fence] = this.keys(slot);
    return Number((await this.redis.get(fence)) ?? 0);
  }

  /** Whether a message stamped `token` for `slot` may be acted on: only the current owner's token is. */
  async isCurrent(slot: number, token: number): Promise<boolean> {
    return token === (await this.currentToken(slot)) && token > 0;
  }
}
