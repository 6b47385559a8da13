/**
 * A minimal uWS server for the daemon's own metrics in split mode:
 * `/metrics` (its actor system merged with this process's Node.js metrics)
 * and `/healthz` (JSON from a callback; 503 when it says not ok).
 */
import { Histogram, Registry } from 'prom-client';
import { loadUws } from '../src/net/uws.js';
import type { MetricJson } from '../src/runtime/metrics.js';
import { Exchange, HttpError, errorReply, jsonReply } from './http.js';
import { EXPOSITION_CONTENT_TYPE, mergeExposition, registerProcessMetrics, sanitizeSources, type MetricsSource } from './metrics.js';

export interface MetricsServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The actor system's metrics: `() => system.metricsJson()`. */
  readonly source: MetricsSource;
  /** More metrics computed at scrape time, e.g. `() => busMetricsJson(bus.stats(), 'daemon')`. */
  readonly extra?: () => MetricJson[];
  /** Body of /healthz; `ok: false` answers 503. Default `{ok: true}`. */
  readonly health?: () => { ok: boolean; [k: string]: unknown } | Promise<{ ok: boolean; [k: string]: unknown }>;
  /** Node.js process metrics. Default true. */
  readonly processMetrics?: boolean;
}

export interface MetricsServerHandle {
  readonly port: number;
  readonly url: string;
  close(): void;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServerHandle> {
  const uws = loadUws();
  const host = options.host ?? '127.0.0.1';
  const registry = new Registry();
  if (options.processMetrics !== false) registerProcessMetrics(registry);
  const scrapeSeconds = new Histogram({ name: 'qgtm_metrics_scrape_duration_seconds', help: 'Time to build the /metrics exposition of this process', registers: [registry], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
  let rejected = 0;

  const scrape = async (): Promise<string> => {
    const t0 = process.hrtime.bigint();
    const sources = await options.source().catch(() => [] as MetricJson[][]);
    const extra = options.extra ? options.extra() : [];
    const own = (await registry.getMetricsAsJSON()) as unknown as MetricJson[];
    const clean = sanitizeSources([...sources], () => rejected++);
    const text = await mergeExposition([own, extra, ...clean]);
    scrapeSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    return text;
  };

  const app = uws.App();
  // A throw out of a uWS handler aborts the process: nothing escapes this one.
  app.any('/*', (res, req) => {
    try {
      handle(new Exchange(res, req));
    } catch {
      try {
        res.cork(() => res.writeStatus('500 Internal Server Error').end('{"error":{"code":"QGTM_ERR_INTERNAL","status":500}}', true));
      } catch {
        // The connection is gone.
      }
    }
  });
  const handle = (ex: Exchange): void => {
    const reply = async () => {
      if (ex.path === '/metrics' && ex.method === 'GET') return { status: 200, body: await scrape(), headers: { 'content-type': EXPOSITION_CONTENT_TYPE, 'cache-control': 'no-store' } };
      if (ex.path === '/healthz' && ex.method === 'GET') {
        const h = options.health ? await options.health() : { ok: true };
        return jsonReply(h.ok ? 200 : 503, { ...h, rejectedMetricFamilies: rejected });
      }
      if (ex.path === '/metrics' || ex.path === '/healthz') throw new HttpError(405, 'QGTM_ERR_METHOD_NOT_ALLOWED', `${ex.method} is not allowed on ${ex.path}`, [], { allow: 'GET' });
      throw new HttpError(404, 'QGTM_ERR_NOT_FOUND', `no such path: ${ex.path} (try /metrics or /healthz)`);
    };
    reply()
      .then(
        (r) => ex.send(r),
        (err: unknown) => ex.send(errorReply(err instanceof HttpError ? err : new HttpError(500, 'QGTM_ERR_INTERNAL', (err as Error)?.message ?? String(err)))),
      )
      .catch(() => undefined);
  };
  const ls = await new Promise<unknown>((resolve, reject) =>
    app.listen(host, options.port, (s) => (s ? resolve(s) : reject(new HttpError(500, 'QGTM_ERR_LISTEN', `metrics server could not listen on ${host}:${options.port}`)))),
  );
  const port = uws.us_socket_local_port(ls as never);
  return {
    port,
    url: `http://${host}:${port}`,
    close: () => {
      uws.us_listen_socket_close(ls as never);
      (app as unknown as { close?: () => void }).close?.();
    },
  };
}
