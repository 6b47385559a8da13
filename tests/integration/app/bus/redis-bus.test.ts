import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisBus } from '../../../../app/bus/redis.js';
import { CommandTimeoutError, DaemonDownError } from '../../../../app/bus/errors.js';
import type { CommandAck, OperatorCommand } from '../../../../app/bus/commands.js';
import { eventually } from '../../../helpers/fixtures.js';
import { redisUnavailable, startRedis, type RedisServer } from '../../../helpers/redis.js';
import { describeWithTool } from '../../../helpers/tools.js';

const why = redisUnavailable();

const beat = { pid: 99, startedAt: 1, version: 'v-test', degraded: [] as string[] };
let n = 0;
const cmd = (id = `c${++n}`): OperatorCommand => ({ id, type: 'risk.set_tier', tier: 'WARN', reason: 'test', by: 'tester', at: Date.now() });

describeWithTool('RedisBus over a real redis-server', why, () => {
  let redis: RedisServer;
  const buses: RedisBus[] = [];
  let prefixSeq = 0;
  /** A daemon-side and an API-side bus on their own key prefix. */
  const pair = async (ttl = 400): Promise<{ daemon: RedisBus; api: RedisBus; prefix: string }> => {
    const prefix = `t${++prefixSeq}:`;
    const daemon = new RedisBus({ url: redis.url, prefix, heartbeatTtlMs: ttl });
    const api = new RedisBus({ url: redis.url, prefix, heartbeatTtlMs: ttl });
    buses.push(daemon, api);
    expect(await daemon.ready(3000)).toBe(true);
    expect(await api.ready(3000)).toBe(true);
    return { daemon, api, prefix };
  };
  /**
   * The daemon's heartbeat is fire-and-forget on its own connection, so the API's
   * next read can overtake it: wait until the API sees the daemon up.
   */
  const beatSeen = async (daemon: RedisBus, api: RedisBus): Promise<void> => {
    daemon.heartbeat(beat);
    await eventually(async () => (await api.daemonStatus()).up, 2000, 'heartbeat seen');
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const b of buses) await b.close();
    await redis.stop();
  });

  it('queued command nested 100000 deep or with a prototype key then discarded and counted, the next one handled', async () => {
    const { daemon, api, prefix } = await pair(5000);
    await beatSeen(daemon, api);
    const seen: string[] = [];
    daemon.onCommand(async (c): Promise<CommandAck> => {
      seen.push(c.id);
      return { id: c.id, ok: true };
    });
    const r = new Redis(redis.url);
    const deep = `{"cmd":{"id":"deep","x":${'['.repeat(100_000)}${']'.repeat(100_000)}},"expiresAt":${Date.now() + 60_000}}`;
    const proto = `{"cmd":{"id":"proto","__proto__":{"admin":true},"type":"risk.flatten"},"expiresAt":${Date.now() + 60_000}}`;
    await r.lpush(`${prefix}cmd:queue`, deep, proto);
    r.disconnect();
    await eventually(() => daemon.stats().commandsMalformed === 2, 3000, 'both discarded');
    const c = cmd();
    expect(await api.sendCommand(c, { timeoutMs: 3000 })).toMatchObject({ id: c.id, ok: true });
    expect(seen).toEqual([c.id]);
  });

  it('a malformed heartbeat, stored ack or published ack then refused and counted, the API still answers', async () => {
    const { daemon, api, prefix } = await pair(5000);
    const r = new Redis(redis.url);
    try {
      await r.set(`${prefix}daemon:heartbeat`, '{"at":', 'PX', 5000);
      await r.set(`${prefix}daemon:last`, '{"at":"yesterday"}');
      const status = await api.daemonStatus();
      expect(status).toMatchObject({ up: false, reason: 'no_heartbeat' });
      expect(api.stats().recordsMalformed).toBe(2);
      // Gone before the daemon beats: polls that overtook its first write would count them again.
      await r.del(`${prefix}daemon:heartbeat`, `${prefix}daemon:last`);
      await beatSeen(daemon, api);
      expect(api.stats().recordsMalformed).toBe(2);
      daemon.onCommand(async (c): Promise<CommandAck> => ({ id: c.id, ok: true }));
      // An ack stored under a command's id that is not an ack: the command runs instead of being answered from it.
      const c = cmd();
      await r.set(`${prefix}cmd:ack:${c.id}`, '[1,2,3]');
      expect(await api.sendCommand(c, { timeoutMs: 3000 })).toEqual({ id: c.id, ok: true });
      expect(api.stats().recordsMalformed).toBe(3);
      await r.publish(`${prefix}cmd:acks`, '{"id":');
      await eventually(() => api.stats().recordsMalformed === 4, 2000, 'published garbage ack counted');
    } finally {
      r.disconnect();
    }
  });

  it('state put by the daemon then read by the API, latest wins', async () => {
    const { daemon, api } = await pair();
    daemon.putState('risk', { tier: 'NORMAL' });
    daemon.putState('risk', { tier: 'THROTTLE', n: [1, 2] });
    await eventually(async () => ((await api.getState('risk'))?.value as { tier?: string })?.tier === 'THROTTLE', 2000, 'risk state');
    expect(await api.getState('risk')).toMatchObject({ section: 'risk', value: { tier: 'THROTTLE', n: [1, 2] }, cached: false });
    expect(await api.getState('orders')).toBeNull();
  });

  it('telemetry published then delivered to API subscribers of that topic', async () => {
    const { daemon, api } = await pair();
    const got: unknown[] = [];
    api.subscribe('ticks', (m) => got.push(m));
    // Subscription is asynchronous: publish until the first one lands.
    await eventually(() => {
      daemon.publish('ticks', { warm: true });
      return got.length > 0;
    }, 3000, 'subscription');
    daemon.publish('risk', { ignored: true });
    daemon.publish('ticks', { symbol: 'GLD', price: 245.5 });
    const real = (): unknown[] => got.filter((m) => !(m as { warm?: boolean }).warm);
    await eventually(() => real().length === 1, 2000, 'tick');
    expect(real()).toEqual([{ symbol: 'GLD', price: 245.5 }]);
  });

  it('heartbeat then up with its age from the TTL; heartbeats stop then down after the TTL with the last info', async () => {
    const { daemon, api } = await pair(1000);
    expect((await api.daemonStatus()).reason).toBe('no_heartbeat');
    daemon.heartbeat(beat);
    await eventually(async () => (await api.daemonStatus()).up, 2000, 'up');
    const up = await api.daemonStatus();
    expect(up.heartbeatAgeMs).toBeGreaterThanOrEqual(0);
    expect(up.heartbeatAgeMs).toBeLessThan(1000);
    expect(up.info).toMatchObject({ pid: 99, version: 'v-test', ttlMs: 1000, bus: { kind: 'redis', connected: true } });
    const down = await eventually(async () => {
      const s = await api.daemonStatus();
      return s.up ? null : s;
    }, 3000, 'expiry');
    expect(down).toMatchObject({ up: false, reason: 'expired', info: { pid: 99 } });
  });

  it('command then executed by the daemon and acked; the same id again then not re-executed', async () => {
    const { daemon, api } = await pair(5000);
    await beatSeen(daemon, api);
    const seen: string[] = [];
    daemon.onCommand(async (c): Promise<CommandAck> => {
      seen.push(c.id);
      return { id: c.id, ok: true, result: { tier: (c as { tier: string }).tier } };
    });
    const c = cmd();
    expect(await api.sendCommand(c, { timeoutMs: 3000 })).toEqual({ id: c.id, ok: true, result: { tier: 'WARN' } });
    expect(await api.sendCommand(c, { timeoutMs: 3000 })).toEqual({ id: c.id, ok: true, result: { tier: 'WARN' } });
    expect(seen).toEqual([c.id]);
  });

  it('no heartbeat then DaemonDownError and nothing queued', async () => {
    const { api, prefix } = await pair();
    await expect(api.sendCommand(cmd(), { timeoutMs: 500 })).rejects.toBeInstanceOf(DaemonDownError);
    const r = new Redis(redis.url);
    expect(await r.llen(`${prefix}cmd:queue`)).toBe(0);
    r.disconnect();
  });

  it('daemon alive but not taking commands then timeout, withdrawn, and it never runs later', async () => {
    const { daemon, api, prefix } = await pair(5000);
    await beatSeen(daemon, api);
    const c = cmd();
    const err = (await api.sendCommand(c, { timeoutMs: 200 }).catch((e: unknown) => e)) as CommandTimeoutError;
    expect(err).toBeInstanceOf(CommandTimeoutError);
    expect(err.delivered).toBe(false);
    const seen: string[] = [];
    daemon.onCommand(async (x) => {
      seen.push(x.id);
      return { id: x.id, ok: true };
    });
    const after = cmd();
    await api.sendCommand(after, { timeoutMs: 3000 });
    expect(seen).toEqual([after.id]);
    const r = new Redis(redis.url);
    expect(await r.llen(`${prefix}cmd:queue`)).toBe(0);
    r.disconnect();
  });

  it('a command left in processing by a crashed daemon then handled by the next one, once', async () => {
    const { api, prefix } = await pair(5000);
    const r = new Redis(redis.url);
    const c = cmd();
    await r.lpush(`${prefix}cmd:processing`, JSON.stringify({ cmd: c, expiresAt: Date.now() + 60_000 }));
    r.disconnect();
    const next = new RedisBus({ url: redis.url, prefix, heartbeatTtlMs: 5000 });
    buses.push(next);
    const seen: string[] = [];
    next.onCommand(async (x) => {
      seen.push(x.id);
      return { id: x.id, ok: true, result: 'recovered' };
    });
    next.heartbeat(beat);
    await eventually(() => seen.length === 1, 3000, 'recovery');
    await eventually(async () => (await api.daemonStatus()).up, 2000, 'heartbeat seen');
    // The API asking again with the same id gets the stored ack, without a second run.
    expect(await api.sendCommand(c, { timeoutMs: 2000 })).toEqual({ id: c.id, ok: true, result: 'recovered' });
    expect(seen).toEqual([c.id]);
  });

  it('every client connection dropped at once (Redis stays up, clients reconnect at the first try) while the daemon waits for commands then the next command is still handled', async () => {
    // ioredis with autoResendUnfulfilledCommands: false forgets a command in flight on a quick
    // reconnect without settling it: the daemon's BLMOVE would never return and no operator
    // command would be handled again. Several rounds: the drop must land while BLMOVE waits.
    const { daemon, api } = await pair(5000);
    await beatSeen(daemon, api);
    daemon.onCommand(async (c): Promise<CommandAck> => ({ id: c.id, ok: true, result: { tier: (c as { tier: string }).tier } }));
    expect((await api.sendCommand(cmd(), { timeoutMs: 3000 })).ok).toBe(true);
    const admin = new Redis(redis.url);
    try {
      for (let round = 0; round < 3; round++) {
        // The command loop is blocked in BLMOVE (2 s) most of the time: drop every normal client.
        await eventually(async () => String(await admin.call('CLIENT', 'LIST')).includes('cmd=blmove'), 3000, 'the daemon waiting in BLMOVE');
        await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
        await eventually(() => daemon.stats().reconnects > round && !daemon.degraded().includes('redis'), 3000, 'the daemon reconnected');
        daemon.heartbeat(beat);
        await eventually(async () => (await api.daemonStatus()).up, 3000, 'heartbeat seen again');
        const c = cmd();
        expect(await api.sendCommand(c, { timeoutMs: 4000 })).toEqual({ id: c.id, ok: true, result: { tier: 'WARN' } });
      }
    } finally {
      admin.disconnect();
    }
  });

  it('Redis killed and restarted under a running daemon then it keeps going, reports degraded, and catches up', async () => {
    const { daemon, api } = await pair(600);
    const ticks: unknown[] = [];
    api.subscribe('ticks', (m) => ticks.push(m));
    await eventually(() => {
      daemon.publish('ticks', { before: true });
      return ticks.length > 0;
    }, 3000, 'subscribed before the outage');
    daemon.heartbeat(beat);
    daemon.putState('positions', { v: 1 });
    await eventually(async () => ((await api.getState('positions'))?.value as { v: number })?.v === 1, 2000, 'first put');

    await redis.kill();
    await eventually(() => daemon.degraded().includes('redis'), 3000, 'daemon degraded');
    const dropped = daemon.stats().telemetryDropped;
    // Trading code keeps calling the bus: nothing throws, state is kept locally, telemetry is dropped and counted.
    expect(() => {
      daemon.putState('positions', { v: 2 });
      daemon.putState('risk', { tier: 'NO_NEW' });
      daemon.publish('ticks', { lost: true });
      daemon.heartbeat(beat);
    }).not.toThrow();
    expect(daemon.stats().telemetryDropped).toBe(dropped + 1);
    // The API serves its cache, marked, and cannot see the daemon.
    expect(await api.getState('positions')).toMatchObject({ value: { v: 1 }, cached: true });
    expect((await api.daemonStatus()).reason).toBe('bus_unavailable');

    await redis.start(); // empty: no persistence
    await eventually(async () => ((await api.getState('positions'))?.value as { v: number } | undefined)?.v === 2, 5000, 'catch-up');
    expect((await api.getState('risk'))?.value).toEqual({ tier: 'NO_NEW' });
    expect(daemon.degraded()).toEqual([]);
    // The heartbeat the resync re-put comes after the sections in the same pipeline: it does not claim a resync.
    const resynced = (await eventually(async () => {
      const st = await api.daemonStatus();
      return st.up ? st : null;
    }, 3000, 'resynced heartbeat'))!;
    expect(resynced.info?.degraded).toEqual([]);
    daemon.heartbeat(beat);
    const s = (await eventually(async () => {
      const st = await api.daemonStatus();
      return st.up ? st : null;
    }, 3000, 'heartbeat back'))!;
    expect(s.info?.bus).toMatchObject({ outages: 1, connected: true });
    expect(s.info?.bus.lastOutageEndedAt).toBeGreaterThanOrEqual(s.info!.bus.lastOutageStartedAt!);
    expect(daemon.stats()).toMatchObject({ outages: 1, reconnects: 1 });
    // The API's subscriber subscribed again by itself after the restart: telemetry flows again.
    const seen = ticks.length;
    await eventually(() => {
      daemon.publish('ticks', { after: true });
      return ticks.length > seen;
    }, 5000, 'telemetry after the restart');
    expect(ticks.at(-1)).toEqual({ after: true });
    expect(api.stats().subscriberErrors).toBe(0);
  });
});
