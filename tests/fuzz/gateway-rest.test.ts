/**
 * REST fuzz against the real gateway: malformed requests of many kinds (bad
 * and deep JSON, wrong content types, prototype keys, path traversal on the
 * static files, unknown routes and methods, bad, missing and malformed
 * tokens on every command route). Afterwards: no 5xx, every request refused
 * (4xx) and counted in `qgtm_gateway_http_errors_total`, no command reached
 * the daemon, health answers 200. Run on `npm start`'s shape (in-memory bus)
 * and on `qgtm api`'s (busRole 'api', RedisBus to a daemon-side RedisBus
 * over a real redis-server).
 */
import { describeWithTool } from '../helpers/tools.js';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from '../../app/bus/redis.js';
import type { OperatorCommand } from '../../app/bus/commands.js';
import { eventually } from '../helpers/fixtures.js';
import { scrapeValues, startTestGateway, TOKEN, type TestGateway } from '../helpers/gateway.js';
import { redisUnavailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { Gen, SEED, scaled } from './gen.js';
import { malformedRequest, send, type RawRequest } from './rest.js';

const SECRET = 'top-secret-outside-the-web-root';
const sum = (m: Map<string, number>, prefix: string): number => [...m].filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0);

interface Outcome {
  readonly byKind: Map<string, number>;
  readonly byStatus: Map<number, number>;
  readonly refused: number;
  readonly resetOversized: number;
}

/** Sends `n` malformed requests (8 at a time) and checks each answer. */
async function fuzz(url: string, n: number, seed: number): Promise<Outcome> {
  const g = new Gen(seed);
  const base = new URL(url);
  // One connection per request (agent false): the gateway closes a connection after some refusals.
  const agent = undefined;
  const reqs: RawRequest[] = Array.from({ length: n }, () => malformedRequest(g, TOKEN));
  const byKind = new Map<string, number>();
  const byStatus = new Map<number, number>();
  let refused = 0;
  let resetOversized = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < reqs.length) {
      const r = reqs[next++];
      byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1);
      let res;
      try {
        res = await send(agent, base, r);
      } catch (err) {
        // An oversized body: the gateway answers 413 and closes while the client may still be writing.
        if (r.kind === 'oversized') {
          resetOversized++;
          continue;
        }
        throw new Error(`${r.kind} ${r.method} ${r.path.slice(0, 80)}: ${(err as Error).message}`);
      }
      byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
      if (res.status < 400 || res.status >= 500) throw new Error(`${r.kind} ${r.method} ${r.path.slice(0, 80)} answered ${res.status}: ${res.body.slice(0, 200)}`);
      expect(res.body).not.toContain(SECRET);
      if (r.kind === 'prototype_key') expect(res.status, res.body).toBe(400);
      if (r.kind === 'bad_token') expect([401, 403]).toContain(res.status);
      // Error replies describe, never echo: no reply is longer than a short message.
      expect(res.body.length).toBeLessThan(1500);
      refused++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { byKind, byStatus, refused, resetOversized };
}

const summary = (o: Outcome): string =>
  `${o.refused + o.resetOversized} requests; statuses ${JSON.stringify(Object.fromEntries([...o.byStatus].sort()))}; kinds ${JSON.stringify(Object.fromEntries(o.byKind))}`;

describe('gateway REST fuzz (in-memory bus, npm start shape)', () => {
  let t: TestGateway;
  let root: string;
  const commands: OperatorCommand[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'qgtm-fuzz-web-'));
    mkdirSync(join(root, 'web'));
    writeFileSync(join(root, 'web', 'index.html'), '<!doctype html><title>qgtm</title>');
    writeFileSync(join(root, 'secret.txt'), SECRET);
    symlinkSync(root, join(root, 'web', 'link-out'));
    t = await startTestGateway({
      webRoot: join(root, 'web'),
      handler: async (cmd) => {
        commands.push(cmd);
        return { id: cmd.id, ok: true, at: Date.now() };
      },
    });
  });
  afterAll(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('prototype key in a /risk/clear body then 400 unknown field and no command', async () => {
    const r = await fetch(`${t.url}/api/v1/risk/clear`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' }, body: '{"__proto__":{"isAdmin":true},"reason":"x"}' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('unknown field');
    const c = await fetch(`${t.url}/api/v1/risk/clear`, { method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' }, body: '{"constructor":"x","reason":"x"}' });
    expect(c.status).toBe(400);
    expect(commands).toEqual([]);
  });

  it(`${scaled(2000)} malformed requests then all refused 4xx and counted, no 5xx, no command, health 200`, async () => {
    const before = await scrapeValues(t.url);
    const o = await fuzz(t.url, scaled(2000), SEED);
    const health = await fetch(`${t.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(commands).toEqual([]);
    const after = await scrapeValues(t.url);
    const counted = sum(after, 'qgtm_gateway_http_errors_total') - sum(before, 'qgtm_gateway_http_errors_total');
    expect(counted).toBe(o.refused + o.resetOversized);
    expect(sum(after, 'qgtm_gateway_http_errors_total{status="5')).toBe(0);
    expect(sum(after, 'qgtm_gateway_commands_total{type') - sum(before, 'qgtm_gateway_commands_total{type')).toBeGreaterThan(0);
    expect([...after].filter(([k]) => k.startsWith('qgtm_gateway_commands_total') && k.includes('outcome="ok"'))).toEqual([]);
    console.log(`rest fuzz (memory): seed ${SEED}, ${summary(o)}; errors counted ${counted}; commands accepted ${commands.length}; health ${health.status}`);
  }, 120_000);
});

describeWithTool('gateway REST fuzz (qgtm api shape: RedisBus to a daemon over redis-server)', redisUnavailable(), () => {
  let redis: RedisServer;
  let daemon: RedisBus;
  let apiBus: RedisBus;
  let t: TestGateway;
  const commands: OperatorCommand[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    daemon = new RedisBus({ url: redis.url, prefix: 'fuzz:', heartbeatTtlMs: 60_000 });
    apiBus = new RedisBus({ url: redis.url, prefix: 'fuzz:', heartbeatTtlMs: 60_000 });
    daemon.onCommand(async (cmd) => {
      commands.push(cmd);
      return { id: cmd.id, ok: true };
    });
    daemon.heartbeat({ pid: 1, startedAt: 1, version: 'fuzz-daemon', degraded: [] });
    t = await startTestGateway({ bus: apiBus, busRole: 'api' });
    await eventually(async () => (await apiBus.daemonStatus()).up, 5000, 'daemon up');
  });
  afterAll(async () => {
    await t?.close();
    await apiBus?.close();
    await daemon?.close();
    await redis?.stop();
  });

  it(`${scaled(500)} malformed requests then all refused 4xx and counted, no command reached the daemon, health 200`, async () => {
    const before = await scrapeValues(t.url);
    const o = await fuzz(t.url, scaled(500), SEED + 1);
    const health = await fetch(`${t.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { daemon: { up: boolean } }).daemon.up).toBe(true);
    expect(commands).toEqual([]);
    const after = await scrapeValues(t.url);
    const counted = sum(after, 'qgtm_gateway_http_errors_total') - sum(before, 'qgtm_gateway_http_errors_total');
    expect(counted).toBe(o.refused + o.resetOversized);
    expect(sum(after, 'qgtm_gateway_http_errors_total{status="5')).toBe(0);
    console.log(`rest fuzz (api over redis): seed ${SEED + 1}, ${summary(o)}; errors counted ${counted}; commands accepted ${commands.length}; health ${health.status}`);
  }, 120_000);
});
