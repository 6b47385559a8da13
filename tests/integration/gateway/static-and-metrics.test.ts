import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../../gateway/metrics-server.js';
import { isHashedAsset } from '../../../gateway/static.js';
import { InMemoryBus } from '../../../app/bus/memory.js';
import { busMetricsJson } from '../../../app/bus/metrics.js';
import { lintExposition, parseExposition, promtool } from '../../helpers/exposition.js';
import { toolMissing } from '../../helpers/tools.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { simulatedMetrics } from '../../fixtures/metric-set.js';

/** A raw request, so the path reaches the server exactly as written (fetch would normalise `..`). */
function rawGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(out)?.[1])));
    s.on('error', reject);
  });
}

describe('static web terminal files', () => {
  let t: TestGateway;
  beforeAll(async () => {
    const base = mkdtempSync(join(tmpdir(), 'qgtm-web-'));
    const root = join(base, 'web');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>qgtm</title>');
    writeFileSync(join(root, 'assets', 'app-3f9a1c2e.js'), 'console.log(1)');
    writeFileSync(join(root, 'assets', 'style.css'), 'body{}');
    writeFileSync(join(base, 'secret.txt'), 'outside the root');
    symlinkSync(join(base, 'secret.txt'), join(root, 'leak.txt'));
    t = await startTestGateway({ webRoot: root });
  });
  afterAll(() => t.close());

  it('index then HTML with no-cache', async () => {
    const r = await fetch(`${t.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(await r.text()).toContain('<title>qgtm</title>');
  });

  it('hashed asset then its type and a year of immutable caching; plain asset then no-cache', async () => {
    const js = await fetch(`${t.url}/assets/app-3f9a1c2e.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const css = await fetch(`${t.url}/assets/style.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toBe('no-cache');
  });

  it('a matching ETag then 304', async () => {
    const etag = (await fetch(`${t.url}/assets/style.css`)).headers.get('etag')!;
    expect((await fetch(`${t.url}/assets/style.css`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('an app route without extension then index.html; a missing file then 404', async () => {
    expect(await (await fetch(`${t.url}/risk/history`)).text()).toContain('<title>qgtm</title>');
    expect((await fetch(`${t.url}/assets/missing.js`)).status).toBe(404);
  });

  it('path traversal, encoded or through a symlink, then refused', async () => {
    expect(await rawGet(t.gw.port, '/../secret.txt')).toBe(403);
    expect(await rawGet(t.gw.port, '/assets/%2e%2e/%2e%2e/secret.txt')).toBe(403);
    expect(await rawGet(t.gw.port, '/leak.txt')).toBe(403);
    expect(await rawGet(t.gw.port, '/%00')).toBe(400);
  });

  it('the API still answers beside the files; POST on a file then 405', async () => {
    expect((await fetch(`${t.url}/api/v1/health`)).status).toBe(200);
    expect((await fetch(`${t.url}/index.html`, { method: 'POST' })).status).toBe(405);
  });

  it('hash detection then only content-hashed names', () => {
    expect(isHashedAsset('index-D4f9XyZ1.js')).toBe(true);
    expect(isHashedAsset('app.3f9a1c2e.css')).toBe(true);
    expect(isHashedAsset('style.css')).toBe(false);
    expect(isHashedAsset('favicon-light.ico')).toBe(false);
  });
});

describe('/metrics', () => {
  it('30 simulated workers plus the gateway then one exposition that parses, lints clean and sums across workers', async () => {
    const lists = simulatedMetrics(30, 3);
    const t = await startTestGateway({ metrics: async () => lists, processMetrics: true });
    try {
      await fetch(`${t.url}/api/v1/nothing`);
      const r = await fetch(`${t.url}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await r.text();
      const families = parseExposition(text);
      expect(lintExposition(families)).toEqual([]);
      for (const name of ['qgtm_actor_mailbox_depth', 'qgtm_actor_handle_seconds', 'qgtm_dead_letters_total', 'qgtm_supervisor_restarts_total', 'qgtm_worker_event_loop_delay_seconds', 'qgtm_feed_ticks_total', 'qgtm_broker_orders_total', 'qgtm_risk_tier', 'qgtm_gateway_ws_clients', 'qgtm_gateway_http_errors_total', 'qgtm_bus_telemetry_dropped_total', 'qgtm_daemon_up', 'process_cpu_user_seconds_total']) {
        expect(families.has(name), name).toBe(true);
      }
      const mailbox = families.get('qgtm_actor_mailbox_depth')!.samples;
      expect(mailbox).toHaveLength(90);
      const expectedTicks = lists[1].find((m) => m.name === 'qgtm_feed_ticks_total')!.values.reduce((a, v) => a + v.value, 0);
      expect(families.get('qgtm_feed_ticks_total')!.samples.reduce((a, s) => a + s.value, 0)).toBe(expectedTicks);
      expect(families.get('qgtm_daemon_up')!.samples[0].value).toBe(1);
      const p = promtool(text);
      if (p === null) toolMissing('promtool is not installed (Debian package prometheus)', 'only the built-in lint rules ran');
      else expect(p.output).toBe('');
    } finally {
      await t.close();
    }
  });

  it('a failing source or a bad family then the scrape still succeeds and counts it', async () => {
    let fail = true;
    const t = await startTestGateway({
      metrics: async () => {
        if (fail) throw new Error('worker gone');
        return [[{ name: 'bad name', help: 'x', type: 'gauge', aggregator: 'sum', values: [] }]];
      },
    });
    try {
      expect((await fetch(`${t.url}/metrics`)).status).toBe(200);
      fail = false;
      const text = await (await fetch(`${t.url}/metrics`)).text();
      const f = parseExposition(text);
      expect(f.get('qgtm_gateway_metrics_source_errors_total')!.samples[0].value).toBe(1);
      expect(f.get('qgtm_gateway_metrics_rejected_total')!.samples).toEqual([{ name: 'qgtm_gateway_metrics_rejected_total', labels: { reason: 'bad_name' }, value: 1 }]);
    } finally {
      await t.close();
    }
  });

  it('the daemon metrics server then /metrics with its sources and /healthz', async () => {
    const bus = new InMemoryBus();
    let ok = true;
    const s = await startMetricsServer({ port: 0, source: async () => simulatedMetrics(4, 2), extra: () => busMetricsJson(bus.stats(), 'daemon'), health: () => ({ ok, degraded: ok ? [] : ['redis'] }) });
    try {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      const f = parseExposition(text);
      expect(lintExposition(f)).toEqual([]);
      expect(f.get('qgtm_actor_mailbox_depth')!.samples).toHaveLength(8);
      expect(f.get('qgtm_bus_connected')!.samples[0].labels).toEqual({ role: 'daemon', backend: 'memory' });
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      ok = false;
      const h = await fetch(`${s.url}/healthz`);
      expect(h.status).toBe(503);
      expect(await h.json()).toMatchObject({ ok: false, degraded: ['redis'] });
      expect((await fetch(`${s.url}/other`)).status).toBe(404);
    } finally {
      s.close();
    }
  });
});
