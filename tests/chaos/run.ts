/**
 * The chaos run: split mode with a real redis-server, the venue as its own
 * process with its admin endpoint, `qgtm daemon` and `qgtm api` as child
 * processes. While the daemon trades, it is killed with SIGKILL at seeded
 * random moments and restarted, Redis is stopped for a while under load, and
 * venue faults are injected through `/admin/faults` (5xx, garbage JSON,
 * dropped and refused streams, 429). Then trading is quieted (operator tier
 * NO_NEW), and the audit (audit.ts) is taken and printed as a table and one
 * JSON line.
 *
 *   npm run chaos                                   the long run (10 kills, 30 s Redis outage)
 *   npm run chaos -- --kills 3 --redis-outage 10    shorter
 *
 * The scenario's timing comes from one seed (`--seed`), so a run can be
 * repeated; the processes' own timing is real, so no two runs are identical.
 */
import { writeFileSync } from 'node:fs';
import { mulberry32 } from '../../src/random.js';
import { eventually } from '../helpers/fixtures.js';
import { redisUnavailable } from '../helpers/redis.js';
import { daemonPositions, duplicateIds, formatAudit, journalAcknowledged, positionDiff, venueOrders, venuePositions, type ChaosAudit } from './audit.js';
import { CHAOS_TOKEN, startCluster, VENUE_KEYS, type Cluster, type ClusterOptions } from './cluster.js';

/** The cluster's market and pacing settings (seed, ticks, volatility, allocator and risk pacing) and the run's own. */
export interface ChaosOptions extends Omit<ClusterOptions, 'focus' | 'logLevel' | 'echo'> {
  /** SIGKILLs of the daemon. Default 10. */
  readonly kills: number;
  /** Seconds Redis is down, under load. 0 skips the outage. Default 30. */
  readonly redisOutageSec: number;
  /** Inject the venue faults (one of each kind). Default true. */
  readonly venueFaults: boolean;
  /** Least seconds the daemon trades between a restart and the next kill. Default 6. */
  readonly minUpSec: number;
  /** Most seconds between a restart and the next kill. Default 20. */
  readonly maxUpSec: number;
  /** Seconds of trading before the first fault. Default 10. */
  readonly warmupSec: number;
  /**
   * Seconds between the load driver's operator FLATTEN cycles (0: none). The
   * strategies move on one-minute bars, a handful of orders a minute; each
   * cycle liquidates the book through the risk governor and, once cleared,
   * lets the allocator open it again: two orders per position, through the
   * same path as any other. Default 15.
   */
  readonly flattenEverySec: number;
  /** Where to write every process's output at the end (for a post-mortem), or none. */
  readonly logFile?: string;
  /** Progress lines (default: none). */
  readonly progress?: (line: string) => void;
}

export const CHAOS_DEFAULTS: ChaosOptions = {
  kills: 10,
  redisOutageSec: 30,
  venueFaults: true,
  minUpSec: 6,
  maxUpSec: 20,
  warmupSec: 10,
  seed: 11,
  ticksPerSecond: 20,
  volScale: 8,
  rebalanceEveryMs: 3000,
  noTradeBand: 0.002,
  minTradeNotional: 20,
  riskCoolDownMs: 1000,
  flattenEverySec: 15,
};

/** Venue faults, one of each kind the issue names, through the admin endpoint. */
export const CHAOS_FAULTS: readonly Record<string, string | number>[] = [
  { kind: 'http_error', count: 6, status: 503, scope: 'trading' },
  { kind: 'garbage_json', count: 4, scope: 'trading' },
  { kind: 'drop_streams', which: 'all' },
  { kind: 'refuse_streams', which: 'all', forSec: 5 },
  { kind: 'rate_limit', count: 8, retryAfterSec: 3, scope: 'all' },
];

type Step = { readonly at: 'kill' } | { readonly at: 'redis' } | { readonly at: 'fault'; readonly fault: Record<string, string | number> };

type J = Record<string, any>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The seeded scenario: kills, the Redis outage and the faults, shuffled together. */
export function chaosScenario(o: Pick<ChaosOptions, 'kills' | 'redisOutageSec' | 'venueFaults' | 'seed'>): Step[] {
  const rnd = mulberry32(o.seed);
  const steps: Step[] = [];
  for (let k = 0; k < o.kills; k++) steps.push({ at: 'kill' });
  if (o.redisOutageSec > 0) steps.push({ at: 'redis' });
  if (o.venueFaults) for (const f of CHAOS_FAULTS) steps.push({ at: 'fault', fault: f });
  for (let k = steps.length - 1; k > 0; k--) {
    const j = Math.floor(rnd() * (k + 1));
    [steps[k], steps[j]] = [steps[j]!, steps[k]!];
  }
  return steps;
}

async function postFault(c: Cluster, fault: Record<string, string | number>): Promise<J> {
  const r = await fetch(`${c.venueUrl}/admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
  const body = (await r.json()) as J;
  if (!r.ok) throw new Error(`venue refused fault ${JSON.stringify(fault)}: ${r.status} ${JSON.stringify(body)}`);
  return body;
}

async function command(c: Cluster, path: string, body: J): Promise<number> {
  try {
    const r = await fetch(`${c.apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CHAOS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    await r.body?.cancel();
    return r.status;
  } catch {
    return 0;
  }
}

/**
 * The load driver: operator FLATTEN, wait for a flat book (bounded), clear,
 * repeat. Commands refused while the daemon is down are simply tried again
 * next cycle. Resolves once `stop()` was called and the cycle ended cleared.
 */
function driveLoad(c: Cluster, everySec: number, say: (l: string) => void): { stop(): Promise<void>; cycles(): number } {
  let stopping = false;
  let cycles = 0;
  const done = (async () => {
    if (everySec <= 0) return;
    while (!stopping) {
      await sleep(everySec * 1000);
      if (stopping) break;
      if ((await command(c, '/api/v1/risk/flatten', { reason: 'chaos load: flatten cycle' })) !== 200) continue;
      cycles++;
      const until = Date.now() + Math.min(10_000, everySec * 600);
      // Watch the book through the API: polling the venue would spend the account's request budget.
      while (Date.now() < until && ((await daemonPositions(c.apiUrl).catch(() => null))?.positions.size ?? 0) > 0) await sleep(500);
      for (let k = 0; k < 20 && (await command(c, '/api/v1/risk/clear', { reason: 'chaos load: cycle done' })) !== 200; k++) await sleep(500);
    }
    await command(c, '/api/v1/risk/clear', { reason: 'chaos load: stopped' });
    say(`load driver stopped after ${cycles} flatten cycles`);
  })();
  return {
    stop: async () => {
      stopping = true;
      await done;
    },
    cycles: () => cycles,
  };
}

async function apiGet(c: Cluster, path: string): Promise<J> {
  const r = await fetch(`${c.apiUrl}${path}`, { signal: AbortSignal.timeout(5000) });
  return (await r.json()) as J;
}

async function venueStats(c: Cluster): Promise<{ faults: number; status429: number; status5xx: number }> {
  const body = (await (await fetch(`${c.venueUrl}/admin/faults`)).json()) as J;
  let status5xx = 0;
  for (const [s, n] of Object.entries((body.responsesByStatus ?? {}) as Record<string, number>)) if (Number(s) >= 500) status5xx += n;
  return { faults: Number(body.injected ?? 0), status429: Number(body.responsesByStatus?.['429'] ?? 0), status5xx };
}

/** Orders the venue holds now (cheap: one page is enough for the progress line). */
async function orderCount(c: Cluster): Promise<number> {
  return (await venueOrders(c.venueUrl)).length;
}

/** What the audit reads from the venue, the journal and the API once the book is quiet. */
export type BookAudit = Pick<ChaosAudit, 'ordersAtVenue' | 'filledOrders' | 'duplicateClientOrderIds' | 'acknowledgedInJournal' | 'acknowledgedLost' | 'lostIds' | 'positionDriftSymbols' | 'positionDrift'>;

/**
 * Quiets the book (operator NO_NEW, no open order at the venue, the
 * daemon reconciled) and audits it: duplicate client order ids, orders the
 * journal acknowledged that the venue lacks, position drift.
 */
export async function quietAndAudit(c: Cluster, acked: Set<string>, collectAcks: () => void): Promise<BookAudit> {
  await eventually(
    async () => {
      const r = await fetch(`${c.apiUrl}/api/v1/risk/tier`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CHAOS_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tier: 'NO_NEW', reason: 'chaos run: quiet the book for the audit' }),
      });
      return r.status === 200;
    },
    30_000,
    'the operator NO_NEW accepted',
  );
  await eventually(
    async () => {
      const r = await fetch(`${c.venueUrl}/v2/orders?status=open&limit=500`, { headers: VENUE_KEYS });
      return r.ok && ((await r.json()) as J[]).length === 0;
    },
    30_000,
    'no open order at the venue',
  );
  let drift: { symbol: string; venue: number; daemon: number }[] = [];
  await eventually(
    async () => {
      const d = await daemonPositions(c.apiUrl);
      if (!d?.reconciled) return false;
      drift = positionDiff(await venuePositions(c.venueUrl), d.positions);
      return drift.length === 0;
    },
    45_000,
    'daemon positions matching the venue',
  ).catch(() => undefined);
  collectAcks();
  const orders = await venueOrders(c.venueUrl);
  const atVenue = new Set(orders.map((x) => x.client_order_id as string));
  const lost = [...acked].filter((id) => !atVenue.has(id));
  return {
    ordersAtVenue: orders.length,
    filledOrders: orders.filter((x) => x.status === 'filled').length,
    duplicateClientOrderIds: duplicateIds(orders),
    acknowledgedInJournal: acked.size,
    acknowledgedLost: lost.length,
    lostIds: lost.slice(0, 20),
    positionDriftSymbols: drift.length,
    positionDrift: drift,
  };
}

/** Runs the scenario and returns the audit. Throws when the cluster cannot be brought up. */
export async function runChaos(options: Partial<ChaosOptions> = {}): Promise<ChaosAudit> {
  const o: ChaosOptions = { ...CHAOS_DEFAULTS, ...options };
  const say = o.progress ?? (() => undefined);
  const why = redisUnavailable();
  if (why) throw new Error(`chaos run needs redis-server: ${why}`);
  const rnd = mulberry32(o.seed ^ 0x5eed);
  const upFor = (): number => (o.minUpSec + rnd() * Math.max(0, o.maxUpSec - o.minUpSec)) * 1000;
  const t0 = Date.now();
  const c = await startCluster({
    seed: o.seed,
    ticksPerSecond: o.ticksPerSecond,
    volScale: o.volScale,
    rebalanceEveryMs: o.rebalanceEveryMs,
    noTradeBand: o.noTradeBand,
    minTradeNotional: o.minTradeNotional,
    riskCoolDownMs: o.riskCoolDownMs,
  });
  const acked = new Set<string>();
  const collectAcks = (): void => {
    for (const id of journalAcknowledged(c.journalDir)) acked.add(id);
  };
  let kills = 0;
  let unexpectedExits = 0;
  let load: ReturnType<typeof driveLoad> | undefined;
  try {
    await c.startDaemon();
    say(`cluster up: venue ${c.venueUrl}, api ${c.apiUrl}, redis ${c.redis.url}`);
    await eventually(async () => (await orderCount(c)) > 0, 60_000, 'the first order at the venue');
    load = driveLoad(c, o.flattenEverySec, say);
    await sleep(o.warmupSec * 1000);
    for (const step of chaosScenario(o)) {
      // A daemon that died on its own is a finding: count it and bring it back.
      const d = c.daemon();
      if (!d || d.child.exitCode !== null || d.child.signalCode !== null) {
        unexpectedExits++;
        say('daemon found dead without a kill: restarting');
        await c.startDaemon();
      }
      if (step.at === 'kill') {
        await c.killDaemon();
        kills++;
        collectAcks();
        say(`kill -9 #${kills} (orders at the venue so far: ${await orderCount(c)})`);
        await c.startDaemon();
      } else if (step.at === 'redis') {
        say(`Redis stopped for ${o.redisOutageSec} s`);
        await c.redis.kill();
        await sleep(o.redisOutageSec * 1000);
        await c.redis.start();
        say('Redis back');
      } else {
        const r = await postFault(c, step.fault);
        say(`venue fault ${step.fault.kind}: ${JSON.stringify({ ...r, faults: undefined, ok: undefined })}`);
      }
      await sleep(upFor());
    }
    await load.stop();
    // The last cycle's clear steps the tier down one cool-down at a time: the tier to report is
    // where it settles (NORMAL unless a trigger holds it), read before the book is quieted.
    let beforeQuiet: J | undefined;
    await eventually(
      async () => {
        beforeQuiet = (await apiGet(c, '/api/v1/risk')).data?.state as J | undefined;
        return beforeQuiet?.tier === 'NORMAL';
      },
      20_000,
      'the risk tier settled',
    ).catch(() => undefined);
    // Quiet the book so positions can be compared: no new orders, open ones settle, reconciliation runs.
    const tierUnderLoad = (beforeQuiet?.tier as string | undefined) ?? null;
    const triggersUnderLoad = ((beforeQuiet?.triggers ?? []) as J[]).filter((t) => t.tier !== 'NORMAL').map((t) => `${t.trigger}:${t.tier}`);
    const book = await quietAndAudit(c, acked, collectAcks);
    const stats = await venueStats(c);
    const audit: ChaosAudit = {
      ...book,
      riskTier: tierUnderLoad,
      activeTriggers: triggersUnderLoad,
      daemonKills: kills,
      unexpectedDaemonExits: unexpectedExits,
      redisOutageSec: o.redisOutageSec,
      flattenCycles: load.cycles(),
      venueFaults: stats.faults,
      venue429: stats.status429,
      venue5xx: stats.status5xx,
      durationSec: (Date.now() - t0) / 1000,
    };
    return audit;
  } finally {
    await load?.stop();
    if (o.logFile) writeFileSync(o.logFile, c.log.join('\n') + '\n');
    await c.close();
  }
}

/** `npm run chaos -- [--kills N] [--redis-outage S] [--no-faults] [--seed N] [--min-up S] [--max-up S]`. */
export function parseChaosArgs(argv: readonly string[]): Partial<ChaosOptions> {
  const out: Record<string, unknown> = {};
  const flags: Record<string, keyof ChaosOptions> = {
    '--kills': 'kills',
    '--redis-outage': 'redisOutageSec',
    '--seed': 'seed',
    '--min-up': 'minUpSec',
    '--max-up': 'maxUpSec',
    '--warmup': 'warmupSec',
    '--ticks-per-second': 'ticksPerSecond',
    '--vol-scale': 'volScale',
    '--flatten-every': 'flattenEverySec',
    '--rebalance-every-ms': 'rebalanceEveryMs',
  };
  const bad: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--no-faults') {
      out.venueFaults = false;
      continue;
    }
    const key = flags[a];
    const v = Number(argv[k + 1]);
    if (!key) bad.push(`unknown option ${a}`);
    else if (!Number.isFinite(v) || v < 0) bad.push(`${a} needs a number >= 0 (got ${argv[k + 1] ?? 'nothing'})`);
    else out[key] = v;
    k++;
  }
  if (bad.length > 0) throw new Error(`${bad.join('; ')}\nusage: npm run chaos -- [--kills N] [--redis-outage S] [--no-faults] [--seed N] [--min-up S] [--max-up S] [--warmup S] [--ticks-per-second R] [--vol-scale X] [--flatten-every S] [--rebalance-every-ms MS]`);
  return out as Partial<ChaosOptions>;
}

/** The audit's verdict: what must be zero is zero. */
export function auditFailures(a: ChaosAudit): string[] {
  const f: string[] = [];
  if (a.duplicateClientOrderIds > 0) f.push(`${a.duplicateClientOrderIds} duplicate client order ids`);
  if (a.acknowledgedLost > 0) f.push(`${a.acknowledgedLost} acknowledged orders lost`);
  if (a.positionDriftSymbols > 0) f.push(`position drift in ${a.positionDriftSymbols} symbols`);
  return f;
}

export async function main(argv: readonly string[]): Promise<number> {
  const opts = parseChaosArgs(argv);
  const audit = await runChaos({ ...opts, ...(process.env.QGTM_CHAOS_LOG ? { logFile: process.env.QGTM_CHAOS_LOG } : {}), progress: (l) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${l}`) });
  console.log(formatAudit(audit));
  console.log(JSON.stringify({ chaosAudit: audit }));
  const failures = auditFailures(audit);
  if (failures.length > 0) console.log(`FAILED: ${failures.join('; ')}`);
  return failures.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
