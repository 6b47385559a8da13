/**
 * Issue 16's foundations against a real redis-server: slot leases with
 * fencing tokens, and the per-slot stream with consumer groups (ack after
 * handling, a dead owner's pending entries claimed by the next, stale
 * tokens refused).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlotLeases } from '../../../app/cluster/leases.js';
import { FenceGate, SlotStream } from '../../../app/cluster/slot-stream.js';
import { redisUnavailable, startRedis, type RedisServer } from '../../helpers/redis.js';
import { describeWithTool } from '../../helpers/tools.js';
import { eventually } from '../../helpers/fixtures.js';

describeWithTool('cluster: slot leases and slot streams on Redis', redisUnavailable(), () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const client = (): Redis => {
    const r = new Redis(server.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    clients.push(r);
    return r;
  };
  let n = 0;
  const prefix = (): string => `qgtm:t${++n}:`;

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
  });

  it('a free slot then one node takes it with token 1; another cannot; the owner re-acquiring keeps its token', async () => {
    const p = prefix();
    const a = new SlotLeases(client(), { prefix: p, node: 'node-a', leaseMs: 5000 });
    const b = new SlotLeases(client(), { prefix: p, node: 'node-b', leaseMs: 5000 });
    expect(await a.acquire(3)).toBe(1);
    expect(await b.acquire(3)).toBeNull();
    expect(await a.acquire(3)).toBe(1);
    expect(await a.owner(3)).toMatchObject({ slot: 3, node: 'node-a', token: 1 });
    expect((await a.owner(3))!.ttlMs).toBeGreaterThan(4000);
    expect(await b.isCurrent(3, 1)).toBe(true);
    // Slots are independent.
    expect(await b.acquire(4)).toBe(1);
  });

  it('a lease that lapses then the next owner gets a higher token; the old owner cannot renew, and its token is refused', async () => {
    const p = prefix();
    const a = new SlotLeases(client(), { prefix: p, node: 'node-a', leaseMs: 150 });
    const b = new SlotLeases(client(), { prefix: p, node: 'node-b', leaseMs: 5000 });
    const t1 = (await a.acquire(0))!;
    expect(await a.renew(0, t1)).toBe(true);
    const t2 = await eventually(() => b.acquire(0), 3000, 'node-b takes the lapsed slot');
    expect(t2).toBe(t1 + 1);
    // Node A wakes up (a pause, a partition): fail closed.
    expect(await a.renew(0, t1)).toBe(false);
    expect(await a.release(0, t1)).toBe(false);
    expect(await a.isCurrent(0, t1)).toBe(false);
    expect(await a.isCurrent(0, t2!)).toBe(true);
    expect(await a.owner(0)).toMatchObject({ node: 'node-b', token: t2 });
  });

  it('released by its owner then free at once, and the next owner fenced above it', async () => {
    const p = prefix();
    const a = new SlotLeases(client(), { prefix: p, node: 'node-a', leaseMs: 60_000 });
    const b = new SlotLeases(client(), { prefix: p, node: 'node-b', leaseMs: 60_000 });
    const t1 = (await a.acquire(1))!;
    expect(await b.release(1, t1)).toBe(false);
    expect(await a.release(1, t1)).toBe(true);
    expect(await a.owner(1)).toBeNull();
    expect(await b.acquire(1)).toBe(t1 + 1);
  });

  it('bad arguments then a clear error', () => {
    const r = client();
    expect(() => new SlotLeases(r, { prefix: 'x:', node: 'has space', leaseMs: 1000 })).toThrow('node id must be');
    expect(() => new SlotLeases(r, { prefix: 'x:', node: 'n', leaseMs: 5 })).toThrow('leaseMs must be an integer >= 100');
    expect(() => new SlotStream(r, { prefix: 'x:', slot: -1, group: 'g' })).toThrow('slot must be an integer >= 0');
  });

  it('entries then read in order by the group, pending until acknowledged after handling', async () => {
    const p = prefix();
    const s = new SlotStream(client(), { prefix: p, slot: 2, group: 'shard' });
    await s.ensureGroup();
    await s.ensureGroup(); // idempotent
    for (let i = 1; i <= 5; i++) await s.send(7, Buffer.from([i]));
    const r = await s.read('node-a', 10, 100);
    expect(r.entries.map((e) => [e.token, e.payload[0]])).toEqual([[7, 1], [7, 2], [7, 3], [7, 4], [7, 5]]);
    expect(await s.backlog()).toEqual({ pending: 5, lag: 0 });
    expect(await s.ack(r.entries.slice(0, 3).map((e) => e.id))).toBe(3);
    expect((await s.backlog()).pending).toBe(2);
    // Nothing new for anyone: a read waits its block and returns empty.
    expect((await s.read('node-a', 10, 50)).entries).toEqual([]);
  });

  it('an owner dies with entries handled but not acknowledged then the next owner claims them and handles them again', async () => {
    const p = prefix();
    const dead = new SlotStream(client(), { prefix: p, slot: 5, group: 'shard' });
    await dead.ensureGroup();
    for (let i = 1; i <= 3; i++) await dead.send(1, Buffer.from([i]));
    const got = await dead.read('node-a', 10, 100);
    await dead.ack([got.entries[0].id]); // handled one, died before acking the rest
    const next = new SlotStream(client(), { prefix: p, slot: 5, group: 'shard' });
    // Too fresh to claim: the owner may still be working on them.
    expect((await next.claimStale('node-b', 60_000)).entries).toEqual([]);
    const claimed = await eventually(async () => {
      const c = await next.claimStale('node-b', 30);
      return c.entries.length > 0 ? c : null;
    }, 3000, 'pending entries claimable');
    expect(claimed!.entries.map((e) => e.payload[0])).toEqual([2, 3]);
    await next.ack(claimed!.entries.map((e) => e.id));
    expect((await next.backlog()).pending).toBe(0);
  });

  it('a malformed entry then acknowledged at once and reported, never redelivered', async () => {
    const p = prefix();
    const r = client();
    const s = new SlotStream(r, { prefix: p, slot: 6, group: 'shard' });
    await s.ensureGroup();
    await r.xadd(s.key, '*', 'garbage', 'x');
    await s.send(2, Buffer.from([9]));
    const got = await s.read('node-a', 10, 100);
    expect(got.bad).toHaveLength(1);
    expect(got.entries.map((e) => e.payload[0])).toEqual([9]);
    expect((await s.backlog()).pending).toBe(1);
  });

  it('a fence gate then admits the current owner\'s token, refuses an older one, and notices a takeover', async () => {
    const p = prefix();
    const a = new SlotLeases(client(), { prefix: p, node: 'node-a', leaseMs: 100 });
    const b = new SlotLeases(client(), { prefix: p, node: 'node-b', leaseMs: 5000 });
    let now = 0;
    const gate = new FenceGate(() => a.currentToken(8), 1000, () => now);
    expect(await gate.admit(1)).toBe(false); // nobody owns it yet
    const t1 = (await a.acquire(8))!;
    now += 1000;
    expect(await gate.admit(t1)).toBe(true);
    const t2 = (await eventually(() => b.acquire(8), 3000, 'takeover'))!;
    // The new owner's first message raises the gate at once...
    expect(await gate.admit(t2)).toBe(true);
    // ...and the old owner's late one is refused.
    expect(await gate.admit(t1)).toBe(false);
    expect(gate.token).toBe(t2);
  });
});
