/**
 * `qgtm api` as a real child process against a fake daemon process, both over
 * a real redis-server: the split deployment of qgtm-api.service and
 * qgtm-daemon.service.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, fixture } from '../../helpers/fixtures.js';
import { lintExposition, parseExposition } from '../../helpers/exposition.js';
import { redisUnavailable, startRedis, type RedisServer } from '../../helpers/redis.js';
import { describeWithTool } from '../../helpers/tools.js';
import { connectWs } from '../../helpers/ws-client.js';
import { killAll, launch, QGTM_BIN, type Proc } from '../../helpers/process.js';

const why = redisUnavailable();

const BIN = QGTM_BIN;
const TOKEN = 'process-test-token-0123456789';
const PREFIX = 'proc:';

describeWithTool('qgtm api and a daemon as separate processes over Redis', why, () => {
  let redis: RedisServer;
  let daemon: Proc;
  let api: Proc;
  let url: string;
  const procs: Proc[] = [];

  const startDaemon = async (): Promise<Proc> => {
    const p = launch([fileURLToPath(fixture('fake-daemon'))], { REDIS_URL: redis.url, QGTM_REDIS_PREFIX: PREFIX, QGTM_HEARTBEAT_TTL_MS: '600' });
    procs.push(p);
    await p.waitLine((l) => l.includes('"ready":true'));
    return p;
  };
  const startApi = async (): Promise<Proc> => {
    const p = launch([BIN, 'api', '--redis', redis.url, '--http-port', '0', '--redis-prefix', PREFIX], { QGTM_API_TOKEN: TOKEN, QGTM_COMMAND_TIMEOUT_MS: '2000', QGTM_LOG_LEVEL: 'info' });
    procs.push(p);
    const line = await p.waitLine((l) => l.includes('gateway listening'));
    url = (JSON.parse(line) as { url: string }).url;
    return p;
  };
  const health = async (): Promise<Record<string, any>> => (await (await fetch(`${url}/api/v1/health`)).json()) as Record<string, any>;
  const command = (path: string, body: unknown): Promise<Response> =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    redis = await startRedis();
    daemon = await startDaemon();
    api = await startApi();
  });
  afterAll(async () => {
    await killAll(procs);
    await redis.stop();
  });

  it('api up then health shows the daemon up and the daemon state is served', async () => {
    const h = await eventually(async () => ((await health()).daemon.up ? health() : null), 5000, 'daemon up');
    expect(h!.daemon).toMatchObject({ up: true, version: 'fake-daemon', degraded: [] });
    expect(h!.api.bus).toMatchObject({ kind: 'redis', connected: true });
    const pos = (await (await fetch(`${url}/api/v1/positions`)).json()) as Record<string, any>;
    expect(pos).toMatchObject({ data: { positions: [{ symbol: 'GLD', qty: 10 }] }, stale: false });
    const uni = (await (await fetch(`${url}/api/v1/universe`)).json()) as Record<string, any>;
    expect(uni.data.instruments.find((i: any) => i.symbol === 'GLD').live).toEqual({ last: 245.1, status: 'fresh' });
  });

  it('a WebSocket client subscribed to ticks then receives the daemon telemetry', async () => {
    const c = await connectWs(`${url.replace(/^http/, 'ws')}/ws?topics=ticks`);
    const ev = await c.next((m) => m.type === 'event', 5000);
    expect(ev).toMatchObject({ topic: 'ticks', data: { type: 'md.trade', symbol: 'GLD' } });
    c.ws.close();
  });

  it('an operator command then executed by the daemon, acked, and visible in its state', async () => {
    const r = await command('/api/v1/risk/tier', { tier: 'THROTTLE', reason: 'test' });
    expect(r.status).toBe(200);
    expect(((await r.json()) as Record<string, any>).ack).toMatchObject({ ok: true, result: { tier: 'THROTTLE' } });
    await eventually(async () => ((await (await fetch(`${url}/api/v1/risk`)).json()) as Record<string, any>).data.tier === 'THROTTLE', 3000, 'risk state');
    const bad = await command('/api/v1/strategies/nope/enable', {});
    expect(bad.status).toBe(409);
  });

  it('the daemon killed then, once its heartbeat expires, the API reports it down and refuses commands', async () => {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    const h = await eventually(async () => {
      const x = await health();
      return x.daemon.up ? null : x;
    }, 5000, 'daemon down');
    expect(h!.status).toBe('down');
    expect(h!.daemon).toMatchObject({ up: false, reason: 'expired', version: 'fake-daemon' });
    const risk = (await (await fetch(`${url}/api/v1/risk`)).json()) as Record<string, any>;
    expect(risk).toMatchObject({ data: { tier: 'THROTTLE' }, stale: true });
    const r = await command('/api/v1/risk/flatten', { reason: 'x' });
    expect(r.status).toBe(503);
  });

  it('the daemon restarted then the API sees it up again without restarting', async () => {
    daemon = await startDaemon();
    await eventually(async () => (await health()).daemon.up, 5000, 'daemon back');
    const r = await command('/api/v1/risk/flatten', { reason: 'back' });
    expect(r.status).toBe(200);
  });

  it('the API restarted then the new one serves the daemon state at once; the old one stopped cleanly', async () => {
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    api = await startApi();
    const risk = (await (await fetch(`${url}/api/v1/risk`)).json()) as Record<string, any>;
    expect(risk.data.tier).toBe('FLATTEN');
    const text = await (await fetch(`${url}/metrics`)).text();
    const f = parseExposition(text);
    expect(lintExposition(f)).toEqual([]);
    expect(f.get('qgtm_daemon_up')!.samples[0].value).toBe(1);
    expect(f.get('qgtm_bus_connected')!.samples[0].labels).toEqual({ role: 'api', backend: 'redis' });
    // Nothing secret in the API's logs.
    expect(api.lines.join('\n')).not.toContain(TOKEN);
  });
});
