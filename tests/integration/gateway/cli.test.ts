import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runGateway } from '../../../gateway/run.js';
import { InMemoryBus } from '../../../app/bus/memory.js';
import { loadConfig } from '../../../app/config/load.js';
import { createLogger } from '../../../src/runtime/logger.js';

const BIN = fileURLToPath(new URL('../../../../bin/qgtm.js', import.meta.url));
const qgtm = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });

describe('qgtm api command line', () => {
  it('--help then the options and exit 0', () => {
    const r = qgtm(['api', '--help']);
    expect(r.status).toBe(0);
    for (const opt of ['--redis URL', '--http-port N', '--host ADDR', '--config PATH', '--web-root DIR']) expect(r.stdout).toContain(opt);
  });

  it('qgtm --help then lists api', () => {
    expect(qgtm(['--help']).stdout).toMatch(/^ {2}api +the gateway alone/m);
  });

  it('bad flags then exit 2 naming them', () => {
    const r = qgtm(['api', '--nope', '--http-port']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option --nope; --http-port needs a value (N)');
  });

  it('bad configuration then exit 2 with every violation, no secret echoed', () => {
    const r = qgtm(['api', '--http-port', '99999'], { QGTM_API_TOKEN: 'short', QGTM_LOG_LEVEL: 'loud' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('http.port must be an integer 0-65535 (0 picks a free port); got 99999 from --http-port');
    expect(r.stderr).toContain('auth.token must be a string of at least 16 characters; got (secret value not shown) from env QGTM_API_TOKEN');
    expect(r.stderr).toContain('log.level must be one of debug, info, warn, error, silent; got "loud" from env QGTM_LOG_LEVEL');
    expect(r.stderr).toContain('redis.url is required by `qgtm api`');
    expect(r.stderr).not.toContain('short');
  });
});

describe('qgtm config', () => {
  const TOKEN = 'cli-config-token-0123456789abcdef';

  it('check then the effective configuration from file, environment and --set, each with its source, secrets masked', () => {
    const example = fileURLToPath(new URL('../../../../app/config/qgtm.example.json', import.meta.url));
    const r = qgtm(['config', 'check', '--config', example, '--set', 'risk.coolDownMs=60000', '--shards', '3'], { QGTM_API_TOKEN: TOKEN, QGTM_RISK_DRAWDOWN_FLATTEN: '0.2' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { config: Record<string, any>; sources: Record<string, string> };
    expect(out.config.risk.coolDownMs).toBe(60_000);
    expect(out.config.risk.drawdown.ladder.FLATTEN).toBe(0.2);
    expect(out.config.strategies.shards).toBe(3);
    expect(out.config.auth.token).toBe('***');
    expect(out.sources).toMatchObject({ 'risk.coolDownMs': '--set risk.coolDownMs', 'risk.drawdown.ladder.FLATTEN': 'env QGTM_RISK_DRAWDOWN_FLATTEN', 'strategies.shards': '--shards', 'http.port': `file ${example}` });
    expect(r.stdout).not.toContain(TOKEN);
  });

  it('a mistyped flag, option and variable then exit 2, each told the nearest name', () => {
    const flag = qgtm(['start', '--shard', '3']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('unknown option --shard (did you mean --shards?)');
    const set = qgtm(['config', 'check', '--set', 'risk.coolDwnMs=1'], { QGTM_RISK_DRAWDOWN_FLATEN: '0.1' });
    expect(set.status).toBe(2);
    expect(set.stderr).toContain('--set: unknown option risk.coolDwnMs (did you mean risk.coolDownMs?)');
    const env = qgtm(['config', 'check'], { QGTM_RISK_DRAWDOWN_FLATEN: '0.1' });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain('unknown environment variable QGTM_RISK_DRAWDOWN_FLATEN (did you mean QGTM_RISK_DRAWDOWN_FLATTEN?)');
  });

  it('schema and example then the committed files, byte for byte', () => {
    const committed = (name: string): string => readFileSync(new URL(`../../../../app/config/${name}`, import.meta.url), 'utf8');
    expect(qgtm(['config', 'schema']).stdout).toBe(committed('qgtm.schema.json'));
    expect(qgtm(['config', 'example']).stdout).toBe(committed('qgtm.example.json'));
  });
});

describe('qgtm start/daemon flags', () => {
  it('qgtm start --redis then refused with the reason and exit 2 before anything starts', () => {
    const t0 = Date.now();
    const r = qgtm(['start', '--redis', 'redis://127.0.0.1:6379', '--http-port', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('qgtm start does not use --redis (the all-in-one uses an in-memory bus; use qgtm daemon/api for Redis)');
    expect(r.stdout).not.toContain('qgtm is running');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('qgtm node: --help lists its flags; no Redis, a venue flag, or a cluster in the all-in-one then exit 2 with the reason', () => {
    const help = qgtm(['node', '--help']);
    expect(help.status).toBe(0);
    for (const f of ['--redis URL', '--node-id ID', '--lease-ms MS', '--shards N', '--metrics-port N']) expect(help.stdout).toContain(f);
    expect(help.stdout).not.toContain('--http-port');
    const noRedis = qgtm(['node']);
    expect(noRedis.status).toBe(2);
    expect(noRedis.stderr).toContain('redis.url is required by `qgtm node`');
    const venue = qgtm(['node', '--redis', 'redis://127.0.0.1:1', '--venue-port', '0']);
    expect(venue.status).toBe(2);
    expect(venue.stderr).toContain('qgtm node does not use --venue-port (`qgtm node` runs strategy shards only');
    const badId = qgtm(['node', '--redis', 'redis://127.0.0.1:1', '--node-id', 'no spaces']);
    expect(badId.status).toBe(2);
    expect(badId.stderr).toContain('cluster.nodeId must be 1-64 characters of [A-Za-z0-9_.:-]');
    const start = qgtm(['start', '--http-port', '0'], { QGTM_CLUSTER: '1' });
    expect(start.status).toBe(2);
    expect(start.stderr).toContain('cluster.enabled needs Redis');
  });

  it('qgtm daemon --help then only the flags the daemon uses; a gateway flag then refused', () => {
    const help = qgtm(['daemon', '--help']);
    expect(help.status).toBe(0);
    for (const opt of ['--redis URL', '--metrics-port N', '--placement MODE', '--venue-port N', '--config PATH']) expect(help.stdout).toContain(opt);
    for (const opt of ['--http-port', '--host', '--web-root']) expect(help.stdout).not.toContain(opt);
    const r = qgtm(['daemon', '--http-port', '9000'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('qgtm daemon does not use --http-port (the daemon serves no gateway');
  });

  it('qgtm start --help then no Redis or daemon-metrics flags', () => {
    const help = qgtm(['start', '--help']);
    expect(help.status).toBe(0);
    for (const opt of ['--http-port N', '--placement MODE', '--venue-port N']) expect(help.stdout).toContain(opt);
    for (const opt of ['--redis', '--metrics-port']) expect(help.stdout).not.toContain(opt);
  });
});

describe('ports in use', () => {
  /** Holds a loopback port for the duration of `fn`. */
  async function holding<T>(fn: (port: number) => T): Promise<T> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      return fn((server.address() as AddressInfo).port);
    } finally {
      await new Promise((r) => server.close(r));
    }
  }
  const cases: [string, (port: number) => string[], Record<string, string>, string][] = [
    ['qgtm start, gateway port', (p) => ['start', '--http-port', String(p)], {}, '--http-port N or QGTM_HTTP_PORT'],
    ['qgtm start, venue port', (p) => ['start', '--http-port', '0', '--venue-port', String(p)], {}, '--venue-port N or QGTM_VENUE_PORT'],
    ['qgtm daemon, metrics port', (p) => ['daemon', '--metrics-port', String(p)], { REDIS_URL: 'redis://127.0.0.1:1' }, '--metrics-port N or QGTM_DAEMON_METRICS_PORT'],
    ['qgtm api, gateway port (from the environment)', () => ['api'], { REDIS_URL: 'redis://127.0.0.1:1' }, '--http-port N or QGTM_HTTP_PORT'],
  ];
  for (const [name, args, env, change] of cases) {
    it(`${name} already in use then exit 2 at once naming the port and how to change it, nothing started`, async () => {
      await holding((port) => {
        const t0 = Date.now();
        const r = qgtm(args(port), { ...env, QGTM_HTTP_PORT: String(port), QGTM_LOG_LEVEL: 'info', QGTM_JOURNAL_DIR: join(tmpdir(), 'qgtm-ports-test') });
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 for the .+ is already in use; change it with ${change.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        expect(Date.now() - t0).toBeLessThan(5000);
        expect(r.stdout + r.stderr).not.toMatch(/daemon started|gateway listening|qgtm is running|local paper venue: http/i);
      });
    });
  }
});

describe('runGateway for qgtm start', () => {
  it('no token configured then one is generated, printed once, accepted, and never logged', async () => {
    const loaded = loadConfig({ mode: 'start', env: { QGTM_HTTP_PORT: '0' } });
    const printed: string[] = [];
    const logs: string[] = [];
    const bus = new InMemoryBus();
    bus.heartbeat({ pid: 1, startedAt: 0, version: 'x', degraded: [] });
    bus.onCommand(async (c) => ({ id: c.id, ok: true }));
    const gw = await runGateway({ loaded, bus, log: createLogger('debug', {}, (l) => logs.push(l)), busRole: 'all', print: (l) => printed.push(l) });
    try {
      expect(printed).toHaveLength(1);
      expect(printed[0]).toContain(loaded.generatedToken!);
      expect(logs.join('\n')).not.toContain(loaded.generatedToken!);
      expect(logs.some((l) => l.includes('gateway listening'))).toBe(true);
      const r = await fetch(`${gw.url}/api/v1/risk/flatten`, { method: 'POST', headers: { authorization: `Bearer ${loaded.generatedToken}` }, body: '{"reason":"x"}' });
      expect(r.status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
