/**
 * Slot ownership across nodes (issue 16) against a real redis-server: three
 * members share twelve slots evenly, a dead one's slots move within the
 * stated bound, a paused one is fenced and stops its slots first when it
 * wakes, a leaving one hands its slots over at once.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Membership } from '../../../app/cluster/membership.js';
import { redisUnavailable, startRedis, type RedisServer } from '../../helpers/redis.js';
import { describeWithTool } from '../../helpers/tools.js';
import { eventually } from '../../helpers/fixtures.js';

const SLOTS = 12;
const LEASE_MS = 1000;

interface Node {
  readonly id: string;
  readonly m: Membership;
  readonly events: { kind: 'gained' | 'lost'; slot: number; token: number; why?: string; at: number }[];
}

describeWithTool('cluster: slot ownership through leases', redisUnavailable(), () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  let n = 0;

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
  });

  function node(prefix: string, id: string): Node {
    const r = new Redis(server.url, { maxRetriesPerRequest: 1 });
    clients.push(r);
    const events: Node['events'] = [];
    const m = new Membership(r, {
      prefix,
      node: id,
      slots: SLOTS,
      leaseMs: LEASE_MS,
      onGained: (slot, token) => void events.push({ kind: 'gained', slot, token, at: Date.now() }),
      onLost: (slot, token, why) => void events.push({ kind: 'lost', slot, token, why, at: Date.now() }),
    });
    return { id, m, events };
  }

  const ownersOf = (nodes: readonly Node[]): Map<number, string> => {
    const out = new Map<number, string>();
    for (const x of nodes) for (const slot of x.m.owned().keys()) out.set(slot, x.id);
    return out;
  };
  const balanced = (nodes: readonly Node[]): boolean => ownersOf(nodes).size === SLOTS && nodes.every((x) => x.m.owned().size === SLOTS / nodes.length);

  it('three nodes then twelve slots, four each, every slot owned once', async () => {
    const p = `qgtm:m${++n}:`;
    const nodes = ['a', 'b', 'c'].map((id) => node(p, id));
    for (const x of nodes) x.m.start();
    await eventually(async () => balanced(nodes), 10_000, 'four slots each');
    // Never two owners at once: every slot's lease names exactly the node that holds it.
    for (const [slot, id] of ownersOf(nodes)) expect((await nodes[0].m.leases.owner(slot))?.node).toBe(id);
    for (const x of nodes) await x.m.leave();
  });

  it('a node killed then its slots move to the others within lease + two ticks, with higher tokens', async () => {
    const p = `qgtm:m${++n}:`;
    const nodes = ['a', 'b', 'c'].map((id) => node(p, id));
    for (const x of nodes) x.m.start();
    await eventually(async () => balanced(nodes), 10_000, 'balanced');
    const dead = nodes[2];
    const theirs = new Map(dead.m.owned());
    const killedAt = Date.now();
    dead.m.halt();
    const rest = nodes.slice(0, 2);
    await eventually(async () => balanced(rest), 10_000, 'the dead node\'s slots taken');
    const movedIn = Date.now() - killedAt;
    // The bound: its leases lapse at most LEASE_MS after its last renewal, and a survivor's next tick takes them;
    // the dead node's heartbeat lapses within the same LEASE_MS, so the survivors' fair share grows in time.
    const bound = LEASE_MS + 2 * dead.m.tickMs + 1500;
    console.log(`slot failover after a node stopped: ${movedIn} ms (bound ${bound} ms: lease ${LEASE_MS} + 2 ticks of ${dead.m.tickMs} + 1500 slack on a loaded machine)`);
    expect(movedIn).toBeLessThanOrEqual(bound);
    for (const [slot, token] of theirs) {
      const now = (await rest[0].m.leases.owner(slot))!;
      expect(now.token).toBeGreaterThan(token);
      expect(await rest[0].m.leases.isCurrent(slot, token)).toBe(false);
    }
    // A crashed node never said it stopped anything.
    expect(dead.events.filter((e) => e.kind === 'lost')).toEqual([]);
    for (const x of rest) await x.m.leave();
  });

  it('a node paused past its lease then, woken, it stops every lost slot before it takes anything', async () => {
    const p = `qgtm:m${++n}:`;
    const nodes = ['a', 'b', 'c'].map((id) => node(p, id));
    for (const x of nodes) x.m.start();
    await eventually(async () => balanced(nodes), 10_000, 'balanced');
    const sleeper = nodes[1];
    const held = new Map(sleeper.m.owned());
    sleeper.m.pause();
    const others = [nodes[0], nodes[2]];
    // The others take its slots once its leases lapse.
    await eventually(async () => [...held.keys()].every((s) => others.some((o) => o.m.owned().has(s))), 10_000, 'its slots taken while it sleeps');
    const wokeAt = sleeper.events.length;
    sleeper.m.start();
    await eventually(async () => balanced(nodes), 10_000, 'balanced again with the sleeper back');
    const after = sleeper.events.slice(wokeAt);
    const lost = after.filter((e) => e.kind === 'lost');
    expect(new Set(lost.map((e) => e.slot))).toEqual(new Set(held.keys()));
    expect(lost.every((e) => e.why === 'lease_lost')).toBe(true);
    const firstGain = after.findIndex((e) => e.kind === 'gained');
    expect(firstGain === -1 || firstGain > after.findLastIndex((e) => e.kind === 'lost' && held.has(e.slot))).toBe(true);
    for (const x of nodes) await x.m.leave();
  });

  it('a node that leaves in order then its slots are taken at once, not after a lease', async () => {
    const p = `qgtm:m${++n}:`;
    const nodes = ['a', 'b'].map((id) => node(p, id));
    for (const x of nodes) x.m.start();
    await eventually(async () => balanced(nodes), 10_000, 'balanced');
    const leftAt = Date.now();
    await nodes[1].m.leave();
    expect(nodes[1].events.filter((e) => e.kind === 'lost').every((e) => e.why === 'leaving')).toBe(true);
    await eventually(async () => nodes[0].m.owned().size === SLOTS, 10_000, 'all twelve on the one left');
    expect(Date.now() - leftAt).toBeLessThan(LEASE_MS);
    await nodes[0].m.leave();
  });

  it('bad settings then a clear error', () => {
    const r = new Redis(server.url, { lazyConnect: true });
    clients.push(r);
    expect(() => new Membership(r, { prefix: 'x:', node: 'n', slots: 0, leaseMs: 1000, onGained: () => undefined, onLost: () => undefined })).toThrow('slots must be an integer in 1..4096');
  });
});
