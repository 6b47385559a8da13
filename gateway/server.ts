/**
 * The gateway: REST under /api/v1, WebSocket telemetry on /ws, the merged
 * Prometheus exposition on /metrics, and optionally the web terminal's static
 * files — one uWebSockets.js app. Every request ends in a reply: handler
 * errors become JSON errors (500 for the unexpected, which is also logged),
 * and every error reply is counted by status and reason.
 */
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { busMetricsJson } from '../app/bus/metrics.js';
import { loadUws } from '../src/net/uws.js';
import { createLogger, type Logger } from '../src/runtime/logger.js';
import { DEFAULT_LIMITS, apiRouter, type ApiContext, type GatewayBus, type GatewayLimits } from './api.js';
import { TokenAuth } from './auth.js';
import { Exchange, HttpError, errorReply, jsonReply, statusLine, type Reply } from './http.js';
import { EXPOSITION_CONTENT_TYPE, GatewayMetrics, type MetricsSource } from './metrics.js';
import type { ResearchService } from '../app/research/types.js';
import type { ResearchHistoryAccess } from './research-body.js';
import { StaticFiles } from './static.js';
import { TelemetryHub } from './ws.js';
import { VERSION } from '../src/version.js';

export interface GatewayOptions {
  /** The API side of the state bus (InMemoryBus for `npm start`, RedisBus for `qgtm api`). */
  readonly bus: GatewayBus;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port (read it from the handle). */
  readonly port: number;
  /** Bearer token for operator commands; null disables them (403). */
  readonly token: string | null;
  /** The actor system's metrics (`() => system.metricsJson()`); omitted in `qgtm api`. */
  readonly metrics?: MetricsSource;
  /** Folder of the web terminal, or null. */
  readonly webRoot?: string | null;
  readonly limits?: Partial<GatewayLimits>;
  /** Reported by /api/v1/health; default the package version. */
  readonly version?: string;
  readonly log?: Logger;
  /** Clock (epoch ms). */
  readonly now?: () => number;
  /** `role` label of the bus metrics: 'api' for `qgtm api`, 'all' for `npm start`. Default 'api'. */
  readonly busRole?: string;
  /** Node.js process metrics in /metrics. Default true. */
  readonly processMetrics?: boolean;
  /** Back-tests and sweeps (`/api/v1/research`, WebSocket topic `research`); absent: those routes answer 503. */
  readonly research?: ResearchService;
  /** How venue/Alpaca history is reached for research requests (URLs, keys, cache folder); a kind left out is refused. */
  readonly researchHistory?: ResearchHistoryAccess;
}

export interface GatewayStats {
  readonly wsClients: number;
  readonly requests: number;
  readonly errors: number;
}

export interface GatewayHandle {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  readonly metrics: GatewayMetrics;
  stats(): GatewayStats;
  /** Builds the /metrics text (what a scrape returns). */
  scrape(): Promise<string>;
  /** Closes WebSocket clients, the listening socket and open connections. */
  close(): Promise<void>;
}

const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);


export async function startGateway(options: GatewayOptions): Promise<GatewayHandle> {
  const uws = loadUws();
  const host = options.host ?? '127.0.0.1';
  const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? createLogger('info', { component: 'gateway' });
  const now = options.now ?? Date.now;
  const metrics = new GatewayMetrics({ processMetrics: options.processMetrics });
  const statics = options.webRoot ? new StaticFiles(options.webRoot) : null;
  const router = apiRouter();
  const app = uws.App();
  const busRole = options.busRole ?? 'api';
  let requests = 0;
  let errors = 0;

  const hub = new TelemetryHub(uws, app, options.bus, metrics, limits, now, options.research ?? null);
  const ctx: ApiContext = {
    bus: options.bus,
    auth: new TokenAuth(options.token),
    metrics,
    limits,
    version: options.version ?? VERSION,
    startedAt: now(),
    now,
    wsClients: () => hub.clientCount,
    research: options.research ?? null,
    researchHistory: options.researchHistory ?? {},
  };

  let inflightScrape: Promise<string> | null = null;
  const scrapeOnce = async (): Promise<string> => {
    const t0 = process.hrtime.bigint();
    let sources: Awaited<ReturnType<MetricsSource>> = [];
    if (options.metrics) {
      try {
        sources = await options.metrics();
      } catch (err) {
        metrics.sourceErrors.inc();
        log.warn('metrics source failed', { err: err as Error });
      }
    }
    const status = await options.bus.daemonStatus().catch(() => null);
    metrics.daemonUp.set(status?.up ? 1 : 0);
    if (status?.heartbeatAgeMs != null) metrics.heartbeatAge.set(status.heartbeatAgeMs / 1000);
    const text = await metrics.exposition(sources, busMetricsJson(options.bus.stats(), busRole));
    metrics.scrapeDuration.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    return text;
  };
  // Concurrent scrapes share one build: each asks every worker for its metrics.
  const scrape = (): Promise<string> =>
    (inflightScrape ??= scrapeOnce().finally(() => {
      inflightScrape = null;
    }));

  const finish = (ex: Exchange, reply: Reply): void => {
    const status = reply.status;
    requests++;
    if (status >= 400) errors++;
    const method = KNOWN_METHODS.has(ex.method) ? ex.method : 'OTHER';
    metrics.httpRequests.inc({ method, route: ex.route, status: String(status) });
    metrics.httpDuration.observe({ route: ex.route }, Number(process.hrtime.bigint() - ex.startedAt) / 1e9);
    // A HEAD answer has no body, errors included: bytes after it would be read as the next response.
    ex.send(ex.method === 'HEAD' && !reply.noBody ? { ...reply, noBody: true } : reply);
  };

  const fail = (ex: Exchange, err: unknown): void => {
    let httpErr: HttpError;
    if (err instanceof HttpError) {
      httpErr = err;
    } else {
      log.error('request handler failed', { method: ex.method, route: ex.route, err: err as Error });
      httpErr = new HttpError(500, 'QGTM_ERR_INTERNAL', 'internal error; it has been logged');
    }
    metrics.httpErrors.inc({ status: String(httpErr.status), reason: httpErr.reason });
    finish(ex, errorReply(httpErr));
  };

  const run = (ex: Exchange, work: () => Promise<Reply>): void => {
    let p: Promise<Reply>;
    try {
      p = work();
    } catch (err) {
      fail(ex, err);
      return;
    }
    p.then(
      (reply) => finish(ex, reply),
      (err: unknown) => fail(ex, err),
    ).catch((err: unknown) => lastResort(ex, err));
  };

  /** A throw while answering (not while handling): counted and logged, and the connection closed if nothing was sent. */
  const lastResort = (ex: Exchange | null, err: unknown, res?: HttpResponse): void => {
    metrics.httpErrors.inc({ status: '500', reason: 'handler_threw' });
    log.error('gateway handler threw', { err: err as Error });
    try {
      if (ex && !ex.done && !ex.aborted) ex.send(errorReply(new HttpError(500, 'QGTM_ERR_INTERNAL', 'internal error; it has been logged')), true);
      else if (!ex && res) res.cork(() => res.writeStatus(statusLine(500)).end('{"error":{"code":"QGTM_ERR_INTERNAL","status":500}}', true));
    } catch {
      // The connection is gone.
    }
  };

  const methodNotAllowed = (ex: Exchange, allowed: readonly string[]): never => {
    throw new HttpError(405, 'QGTM_ERR_METHOD_NOT_ALLOWED', `${ex.method} is not allowed on ${ex.path}; allowed: ${allowed.join(', ')}`, [], { allow: allowed.join(', ') });
  };

  // A throw out of a uWS handler aborts the process: nothing may escape this one.
  const dispatch = (res: HttpResponse, req: HttpRequest): void => {
    let ex: Exchange | null = null;
    try {
      ex = new Exchange(res, req);
      route(ex);
    } catch (err) {
      lastResort(ex, err, res);
    }
  };

  const route = (ex: Exchange): void => {
    run(ex, () => {
      const path = ex.path;
      if (path === '/metrics') {
        ex.route = '/metrics';
        if (ex.method !== 'GET') methodNotAllowed(ex, ['GET']);
        return scrape().then((text) => ({ status: 200, body: text, headers: { 'content-type': EXPOSITION_CONTENT_TYPE, 'cache-control': 'no-store' } }));
      }
      if (path === '/api' || path.startsWith('/api/')) {
        const m = router.match(ex.method, path);
        if (m === null) {
          ex.route = 'unmatched';
          throw new HttpError(404, 'QGTM_ERR_NOT_FOUND', `no such route: ${ex.method} ${path}`);
        }
        if (m.route === null) {
          ex.route = m.pattern;
          return methodNotAllowed(ex, m.allowed);
        }
        ex.route = m.route.pattern;
        return m.route.handler(ex, m.params, ctx);
      }
      if (path === '/ws') {
        ex.route = '/ws';
        throw new HttpError(426, 'QGTM_ERR_UPGRADE_REQUIRED', '/ws is a WebSocket endpoint: connect with a WebSocket client', [], { upgrade: 'websocket' });
      }
      if (statics) {
        ex.route = 'static';
        if (ex.method !== 'GET' && ex.method !== 'HEAD') methodNotAllowed(ex, ['GET', 'HEAD']);
        return statics.serve(ex);
      }
      if (path === '/') {
        ex.route = '/';
        if (ex.method !== 'GET') methodNotAllowed(ex, ['GET']);
        return Promise.resolve(jsonReply(200, { name: 'qgtm', version: ctx.version, api: '/api/v1', websocket: '/ws', metrics: '/metrics' }));
      }
      throw new HttpError(404, 'QGTM_ERR_NOT_FOUND', `no such path: ${path}`);
    });
  };
  app.any('/*', dispatch);

  const listenSocket = await new Promise<unknown>((resolve, reject) => {
    app.listen(host, options.port, (ls) => {
      if (ls) resolve(ls);
      else reject(new HttpError(500, 'QGTM_ERR_LISTEN', `the gateway could not listen on ${host}:${options.port}`));
    });
  }).catch((err: unknown) => {
    hub.close();
    throw err;
  });
  const port = uws.us_socket_local_port(listenSocket as never);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed = false;

  return {
    host,
    port,
    url,
    metrics,
    stats: () => ({ wsClients: hub.clientCount, requests, errors }),
    scrape,
    close: async () => {
      if (closed) return;
      closed = true;
      hub.close();
      uws.us_listen_socket_close(listenSocket as never);
      // Newer uWS builds can close every socket of the app at once.
      (app as unknown as { close?: () => void }).close?.();
    },
  };
}
