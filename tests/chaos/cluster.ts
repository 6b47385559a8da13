/**
 * The production split for a chaos run: a real redis-server, `qgtm venue
 * --admin` as its own process, `qgtm daemon` and `qgtm api` as child
 * processes joined by Redis. The runner kills and restarts the daemon and
 * Redis through this handle; the venue outlives everything, as a broker does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, launch, QGTM_BIN, type Proc } from '../helpers/process.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis.js';

export const CHAOS_TOKEN = 'chaos-run-token-0123456789abcdef';
export const VENUE_KEYS = { 'APCA-API-KEY-ID': 'qgtm-local-key', 'APCA-API-SECRET-KEY': 'qgtm-local-secret' } as const;

export interface ClusterOptions {
  /** Venue market seed. */
  readonly seed: number;
  /** Venue market steps per symbol per second. */
  readonly ticksPerSecond: number;
  /** Venue volatility multiplier (bigger moves, more signal changes, more orders). */
  readonly volScale: number;
  /** The daemon's periodic rebalance, ms (allocator.rebalanceEveryMs). */
  readonly rebalanceEveryMs: number;
  /** The allocator's no-trade band (allocator.intents.noTradeBand). */
  readonly noTradeBand: number;
  /** The allocator's smallest trade, dollars (allocator.intents.minTradeNotional). */
  readonly minTradeNotional: number;
  /** The risk governor's cool-down per step down, ms (risk.coolDownMs). */
  readonly riskCoolDownMs: number;
  /** Universe: 'pm' (20 instruments, default) or 'broad' (44: more signals, more orders). */
  readonly focus?: 'pm' | 'broad';
  /** Daemon log level (info keeps the lines the runner waits for). */
  readonly logLevel?: string;
  /** Where each process's output goes as it arrives (default: nowhere, kept in memory). */
  readonly echo?: (proc: string, line: string) => void;
  /**
   * Cluster mode (issue 16): the daemon is the coordinator (`--cluster`) and
   * the strategy slots run on `qgtm node` processes started with
   * `startNode`; Redis keeps its data across restarts (AOF).
   */
  readonly cluster?: { readonly slots: number; readonly leaseMs: number };
}

export interface Cluster {
  readonly redis: RedisServer;
  readonly dir: string;
  readonly journalDir: string;
  readonly venueUrl: string;
  readonly apiUrl: string;
  readonly metricsPort: number;
  /** The daemon now running, or null while it is down. */
  daemon(): Proc | null;
  /** Daemon starts so far (the first included). */
  readonly starts: number;
  startDaemon(): Promise<Proc>;
  /** SIGKILL the daemon; resolves once it has exited. */
  killDaemon(): Promise<void>;
  /** Every line every process printed, oldest first, tagged. */
  readonly log: string[];
  /** Cluster mode: starts `qgtm node --node-id <id>`; resolves once it has started. */
  startNode(id: string): Promise<Proc>;
  /** The node processes started, by id (the latest start of each). */
  readonly nodes: ReadonlyMap<string, Proc>;
  close(): Promise<void>;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'qgtm-chaos-'));
  const journalDir = join(dir, 'journal');
  const procs: Proc[] = [];
  const log: string[] = [];
  const tap = (name: string, p: Proc): Proc => {
    const child = p.child;
    for (const s of [child.stdout!, child.stderr!]) {
      s.on('data', (d: Buffer) => {
        for (const line of d.toString('utf8').split('\n')) {
          if (line === '') continue;
          log.push(`${name}: ${line}`);
          if (log.length > 20_000) log.splice(0, 5_000);
          o.echo?.(name, line);
        }
      });
    }
    return p;
  };
  let redis: RedisServer | undefined;
  try {
    redis = await startRedis(o.cluster ? { persistDir: dir } : {});
    const metricsPort = await freePort();
    const venue = tap(
      'venue',
      launch([QGTM_BIN, 'venue', '--admin', '--port', '0', '--seed', String(o.seed), '--ticks-per-second', String(o.ticksPerSecond), '--vol-scale', String(o.volScale), '--focus', o.focus ?? 'pm'], {}),
    );
    procs.push(venue);
    const venueUrl = (await venue.waitLine((l) => l.startsWith('qgtm venue listening on'), 30_000)).split(' ').pop()!;
    const env: Record<string, string> = {
      REDIS_URL: redis.url,
      QGTM_REDIS_PREFIX: 'chaos:',
      QGTM_HEARTBEAT_TTL_MS: '1500',
      QGTM_API_TOKEN: CHAOS_TOKEN,
      QGTM_LOG_LEVEL: o.logLevel ?? 'info',
      QGTM_JOURNAL_DIR: journalDir,
      QGTM_VENUE_URL: venueUrl,
      QGTM_DAEMON_METRICS_PORT: String(metricsPort),
      QGTM_REBALANCE_EVERY_MS: String(o.rebalanceEveryMs),
      QGTM_UNIVERSE_FOCUS: o.focus ?? 'pm',
      QGTM_NO_TRADE_BAND: String(o.noTradeBand),
      QGTM_MIN_TRADE_NOTIONAL: String(o.minTradeNotional),
      QGTM_RISK_COOL_DOWN_MS: String(o.riskCoolDownMs),
      ...(o.cluster ? { QGTM_CLUSTER: '1', QGTM_CLUSTER_LEASE_MS: String(o.cluster.leaseMs), QGTM_STRATEGIES_SHARDS: String(o.cluster.slots) } : {}),
    };
    const nodes = new Map<string, Proc>();
    const api = tap('api', launch([QGTM_BIN, 'api', '--http-port', '0'], env));
    procs.push(api);
    const apiUrl = (JSON.parse(await api.waitLine((l) => l.includes('gateway listening'), 30_000)) as { url: string }).url;
    let daemon: Proc | null = null;
    let starts = 0;
    const cluster: Cluster = {
      redis,
      dir,
      journalDir,
      venueUrl,
      apiUrl,
      metricsPort,
      daemon: () => daemon,
      get starts() {
        return starts;
      },
      log,
      nodes,
      async startNode(id: string) {
        if (!o.cluster) throw new Error('startNode needs the cluster option');
        const { QGTM_CLUSTER: _coordinatorOnly, ...nodeEnv } = env;
        const p = tap(`node:${id}`, launch([QGTM_BIN, 'node', '--node-id', id, '--metrics-port', '0'], { ...nodeEnv, QGTM_NODE_STATE_DIR: join(dir, 'nodes', id) }));
        procs.push(p);
        nodes.set(id, p);
        await p.waitLine((l) => l.includes('"cluster node started"'), 60_000);
        return p;
      },
      async startDaemon() {
        const p = tap(`daemon#${starts + 1}`, launch([QGTM_BIN, 'daemon'], env));
        procs.push(p);
        daemon = p;
        starts++;
        await p.waitLine((l) => l.includes('"daemon started"'), 60_000);
        return p;
      },
      async killDaemon() {
        const p = daemon;
        daemon = null;
        if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
        p.child.kill('SIGKILL');
        await p.exited;
      },
      async close() {
        await killAll(procs);
        await redis?.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return cluster;
  } catch (err) {
    await killAll(procs);
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
