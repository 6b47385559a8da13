/**
 * The production split: `qgtm venue`, `qgtm daemon` and `qgtm api` as three
 * processes, daemon and API joined by a real redis-server. Either side may
 * restart without the other losing state; Redis may go away under a running
 * daemon, which keeps trading, reports itself degraded and catches up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activeTriggers, eventually } from '../../helpers/fixtures.js';
import { killAll, launch, QGTM_BIN, type Proc } from '../../helpers/process.js';
import { freePort, redisUnavailable, startRedis, type RedisServer } from '../../helpers/redis.js';
import { describeWithTool } from '../../helpers/tools.js';

const why = redisUnavailable();

const TOKEN = 'split-test-token-0123456789abcdef';
type J = Record<string, any>;

describeWithTool('qgtm daemon and qgtm api as separate processes over Redis', why, () => {
  let redis: RedisServer;
  let dir: string;
  let venueUrl: string;
  let apiUrl: string;
  let metricsPort: number;
  let daemon: Proc;
  const procs: Proc[] = [];

  const env = (): Record<string, string> => ({
    REDIS_URL: redis.url,
    QGTM_REDIS_PREFIX: 'split:',
    QGTM_HEARTBEAT_TTL_MS: '1500',
    QGTM_API_TOKEN: TOKEN,
    QGTM_LOG_LEVEL: 'info',
    QGTM_JOURNAL_DIR: join(dir, 'journal'),
    QGTM_VENUE_URL: venueUrl,
    QGTM_DAEMON_METRICS_PORT: String(metricsPort),
  });
  const startDaemon = async (): Promise<Proc> => {
    // A daemon-only setting: the API process must show the daemon's configuration, not its own.
    const p = launch([QGTM_BIN, 'daemon', '--set', 'risk.coolDownMs=4321'], env());
    procs.push(p);
    await p.waitLine((l) => l.includes('"daemon started"'), 30_000);
    return p;
  };
  const get = async (path: string): Promise<J> => (await (await fetch(`${apiUrl}${path}`)).json()) as J;
  const daemonUp = async (): Promise<boolean> => (await get('/api/v1/health')).daemon?.up === true;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qgtm-split-'));
    redis = await startRedis();
    metricsPort = await freePort();
    const venue = launch([QGTM_BIN, 'venue', '--port', '0', '--ticks-per-second', '20'], {});
    procs.push(venue);
    venueUrl = (await venue.waitLine((l) => l.startsWith('qgtm venue listening on'))).split(' ').pop()!;
    daemon = await startDaemon();
    const api = launch([QGTM_BIN, 'api', '--http-port', '0'], env());
    procs.push(api);
    apiUrl = (JSON.parse(await api.waitLine((l) => l.includes('gateway listening'))) as { url: string }).url;
  }, 60_000);

  afterAll(async () => {
    await killAll(procs);
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('both up then the API serves the daemon state from Redis and the daemon its own metrics', async () => {
    await eventually(daemonUp, 15_000, 'daemon up');
    const u = await eventually(async () => {
      const x = await get('/api/v1/universe');
      return x.data?.instruments?.some((i: J) => typeof i.live?.price === 'number') ? x : null;
    }, 20_000, 'prices through Redis');
    expect(u!.stale).toBe(false);
    const w = await get('/api/v1/watchdog');
    expect(w.data.tree.id).toBe('trading');
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('qgtm_actor_messages_handled_total');
  });

  it('config then the daemon\'s configuration through Redis: its own flag with its source, the token masked', async () => {
    const c = await eventually(async () => {
      const x = await get('/api/v1/config');
      return x.data ? x : null;
    }, 10_000, 'config section through Redis');
    expect(c!.data.config.risk.coolDownMs).toBe(4321);
    expect(c!.data.sources['risk.coolDownMs']).toBe('--set risk.coolDownMs');
    expect(c!.data.sources['redis.prefix']).toBe('env QGTM_REDIS_PREFIX');
    expect(c!.data.config.auth.token).toBe('***');
    expect(JSON.stringify(c)).not.toContain(TOKEN);
  });

  it('an operator command through the API then executed by the daemon and acknowledged', async () => {
    const r = await fetch(`${apiUrl}/api/v1/risk/tier`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ tier: 'WARN', reason: 'split test' }) });
    expect(r.status).toBe(200);
    const ack = ((await r.json()) as J).ack;
    const active = activeTriggers((await get('/api/v1/risk')).data?.state);
    const daemonLog = daemon.lines.filter((l) => /stream|broker|tier|REST|reconcil/i.test(l)).slice(-15);
    expect(ack, JSON.stringify({ active, daemonLog }, null, 1)).toMatchObject({ ok: true, result: { tier: 'WARN' } });
    await eventually(async () => (await get('/api/v1/risk')).data?.state?.tier === 'WARN', 10_000, 'risk WARN via Redis');
  });

  it('Redis stopped under a running daemon then it keeps running degraded, and catches up when Redis returns', async () => {
    await redis.kill();
    // The daemon does not stop: its own health endpoint stays up and says what it misses.
    const health = await eventually(async () => {
      const h = (await (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).json()) as J;
      return h.degraded?.includes('redis') ? h : null;
    }, 10_000, 'daemon degraded');
    expect(health!.ok).toBe(true);
    expect(daemon.child.exitCode).toBeNull();
    await redis.start();
    await eventually(daemonUp, 20_000, 'daemon up after Redis returned');
    // Redis came back empty: the state it lost was put again by the daemon.
    await eventually(async () => (await get('/api/v1/risk')).data?.state?.tier === 'WARN', 15_000, 'state caught up');
  });

  it('the daemon killed then the API reports it down; restarted, it recovers its book from the journal and the venue', async () => {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    const h = await eventually(async () => {
      const x = await get('/api/v1/health');
      return x.daemon.up ? null : x;
    }, 10_000, 'daemon down');
    expect(h!.daemon.reason).toBe('expired');
    const refused = await fetch(`${apiUrl}/api/v1/risk/tier`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ tier: 'WARN', reason: 'while down' }) });
    expect(refused.status).toBe(503);
    daemon = await startDaemon();
    await eventually(daemonUp, 15_000, 'daemon up again');
    const p = await eventually(async () => {
      const x = await get('/api/v1/positions');
      return x.data?.reconciliation?.passed === true ? x : null;
    }, 20_000, 'start-up reconciliation passed');
    expect(p!.data.reconciliation.phase).toBeDefined();
  });
});
