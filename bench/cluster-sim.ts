/**
 * cluster, many nodes simulated (issue 16's step to many hosts): what one
 * machine cannot show with processes, shown with the ownership protocol
 * alone. `NODES` Membership instances (the code a node runs, each on its
 * own Redis connection, in this one process) share `SLOTS` slots on one
 * redis-server:
 *
 * - time from the first tick to every slot owned and every node at its fair
 *   share (`ceil(slots / nodes)`);
 * - Redis commands per second while steady (renewals, announcements, the
 *   node scan), from Redis's own `INFO commandstats`;
 * - a quarter of the nodes halted at once (as after a rack failure): time
 *   until every slot is owned again by the survivors.
 */
import { Redis } from 'ioredis';
import { Membership } from '../app/cluster/membership.js';
import { printTable, round } from './lib/report.js';

const NODES = 32;
const SLOTS = 64;
const LEASE_MS = 1000;

async function commands(r: Redis): Promise<number> {
  const info = await r.info('commandstats');
  let n = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) n += Number(m[1]);
  return n;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench cluster-sim: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function runSim(url: string): Promise<Record<string, unknown>> {
  const prefix = `benchsim${Date.now()}:`;
  const conns: Redis[] = [];
  const members: Membership[] = [];
  const owner = new Map<number, number>();
  for (let k = 0; k < NODES; k++) {
    const r = new Redis(url);
    conns.push(r);
    members.push(
      new Membership(r, {
        prefix,
        node: `sim${k}`,
        slots: SLOTS,
        leaseMs: LEASE_MS,
        onGained: (slot) => void owner.set(slot, k),
        onLost: (slot) => {
          if (owner.get(slot) === k) owner.delete(slot);
        },
      }),
    );
  }
  const probe = new Redis(url);
  try {
    const share = (n: number): number => Math.ceil(SLOTS / n);
    const balanced = (alive: readonly number[]): boolean => owner.size === SLOTS && alive.every((k) => members[k]!.owned().size <= share(alive.length)) && [...owner.values()].every((k) => alive.includes(k));
    const all = [...Array(NODES).keys()];
    const t0 = performance.now();
    for (const m of members) m.start();
    await until(() => balanced(all), 60_000, `${SLOTS} slots balanced over ${NODES} nodes`);
    const converge = performance.now() - t0;
    // Steady state: commands per second over 5 s.
    const c0 = await commands(probe);
    const s0 = performance.now();
    await new Promise((r) => setTimeout(r, 5000));
    const perSec = ((await commands(probe)) - c0 - 1) / ((performance.now() - s0) / 1000);
    // A quarter of the nodes stop ticking at once.
    const dead = all.slice(0, NODES / 4);
    const alive = all.slice(NODES / 4);
    const t1 = performance.now();
    for (const k of dead) members[k]!.halt();
    for (const [slot, k] of [...owner]) if (dead.includes(k)) owner.delete(slot);
    await until(() => owner.size === SLOTS && [...owner.values()].every((k) => alive.includes(k)), 60_000, 'the dead nodes\' slots owned by the survivors');
    const failover = performance.now() - t1;
    printTable(`cluster: ${NODES} nodes simulated (the membership protocol, one connection each) over ${SLOTS} slots, lease ${LEASE_MS} ms`, [
      { what: 'first tick to every slot owned, fair shares', ms: Math.round(converge), per_s: '' },
      { what: 'Redis commands per second, steady', ms: '', per_s: Math.round(perSec) },
      { what: `${dead.length} nodes halted at once to every slot owned again`, ms: Math.round(failover), per_s: '' },
    ]);
    return { sim_nodes: NODES, sim_slots: SLOTS, sim_converge_ms: Math.round(converge), sim_redis_cmds_per_s: Math.round(perSec), sim_failover_ms: Math.round(failover), sim_failover_over_lease: round(failover / LEASE_MS, 2) };
  } finally {
    for (const m of members) m.halt();
    probe.disconnect();
    for (const r of conns) r.disconnect();
  }
}
