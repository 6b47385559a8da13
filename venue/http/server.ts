/**
 * The venue's uWebSockets.js server: one catch-all REST handler dispatching
 * through the Router (auth, rate limit, fault injection, JSON errors in the
 * dialect of the API addressed), plus the trading and market-data streams.
 *
 * uWS rules kept here: every response registers onAborted, bodies are read
 * with onData and bounded (413 past the limit), writes after an await are
 * corked, and no handler lets an exception escape (a bug answers 500 and is
 * counted). HTTP connections are closed after each response so `close()`
 * never leaves keep-alive sockets holding the process open.
 */
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { Uws } from '../../src/net/uws.js';
import { ALPACA_CODES, VenueRejection } from '../../src/matching/errors.js';
import type { DataStreamHub } from './data-stream.js';
import type { VenueFaults } from './faults.js';
import type { KeyRing } from './keys.js';
import { fredError, socrataError } from './macro-routes.js';
import type { WindowRateLimiter } from './rate-limit.js';
import type { Reply, RouteScope, Router, VenueRequest } from './router.js';
import type { VenueStats } from './stats.js';
import type { TradingStreamHub } from './trading-stream.js';

export interface ServerDeps {
  readonly uws: Uws;
  readonly router: Router;
  readonly keys: KeyRing;
  readonly faults: VenueFaults;
  readonly stats: VenueStats;
  readonly limiter: WindowRateLimiter;
  readonly macroLimiter: WindowRateLimiter;
  readonly trading: TradingStreamHub;
  readonly data: DataStreamHub;
  readonly maxBodyBytes: number;
  /** Wall-clock ms, for rate-limit windows. */
  readonly wallClock: () => number;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 204: 'No Content', 207: 'Multi-Status', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** What a garbage-JSON fault answers: a body cut off mid-value, as a broken proxy would send. */
const GARBAGE_JSON = '{"id":"6f1c\u0000","status":[tru';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export class VenueServer {
  private readonly app: TemplatedApp;
  private listenSocket: us_listen_socket | undefined;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private requestSeq = 0;
  private closed = false;

  constructor(private readonly deps: ServerDeps) {
    this.app = deps.uws.App();
    this.app.ws('/stream', deps.trading.behavior());
    this.app.ws('/v2/iex', deps.data.behavior('iex'));
    this.app.ws('/v2/sip', deps.data.behavior('sip'));
    this.app.ws('/v2/delayed_sip', deps.data.behavior('delayed_sip'));
    this.app.any('/*', (res, req) => {
      try {
        this.onRequest(res, req);
      } catch (err) {
        deps.stats.internalError('HTTP request', err);
      }
    });
  }

  /** Listens on host:port (0 = ephemeral); resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.app.listen(host, port, (socket) => {
        if (!socket) {
          reject(new Error(`venue could not listen on ${host}:${port}`));
          return;
        }
        this.listenSocket = socket;
        resolve(this.deps.uws.us_socket_local_port(socket as never));
      });
    });
  }

  /** Stops listening, closes streams and cancels delayed responses. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.deps.trading.closeAll();
    this.deps.data.closeAll();
    if (this.listenSocket) this.deps.uws.us_listen_socket_close(this.listenSocket);
    this.listenSocket = undefined;
  }

  private onRequest(res: HttpResponse, req: HttpRequest): void {
    // HttpRequest is only valid synchronously: copy everything out now.
    const method = req.getMethod().toUpperCase();
    const path = req.getUrl();
    const rawQuery = req.getQuery() ?? '';
    const headers: Record<string, string> = {};
    req.forEach((k, v) => {
      headers[k] = v;
    });
    // `done` turns true when the client goes away or the response has been written:
    // after either, the HttpResponse must not be touched again.
    const state = { done: false };
    res.onAborted(() => {
      state.done = true;
    });
    this.deps.stats.requests++;
    if (!BODY_METHODS.has(method)) {
      this.handle(res, state, method, path, rawQuery, headers, undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let rejected = false;
    res.onData((chunk, isLast) => {
      if (rejected) return;
      size += chunk.byteLength;
      if (size > this.deps.maxBodyBytes) {
        rejected = true;
        this.deps.stats.badInput++;
        this.write(res, state, { status: 413, body: { code: ALPACA_CODES.tooLarge, message: `request body exceeds ${this.deps.maxBodyBytes} bytes` } }, {});
        return;
      }
      // The chunk's memory is reused by uWS after this callback: copy it.
      chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast) {
        try {
          this.handle(res, state, method, path, rawQuery, headers, Buffer.concat(chunks));
        } catch (err) {
          this.deps.stats.internalError('HTTP body', err);
        }
      }
    });
  }

  private handle(
    res: HttpResponse,
    state: { done: boolean },
    method: string,
    path: string,
    rawQuery: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
  ): void {
    let reply: Reply;
    let extraHeaders: Record<string, string> = {};
    try {
      const query = new URLSearchParams(rawQuery);
      const match = this.deps.router.match(method, path);
      if (match.kind === 'not_found') {
        reply = { status: 404, body: { code: ALPACA_CODES.notFound, message: 'endpoint not found' } };
      } else if (match.kind === 'method_not_allowed') {
        reply = errorReply(match.scope, 405, 'method not allowed');
      } else {
        const { route, params } = match;
        const request: VenueRequest = { method, path, query, headers, params, body };
        const gate = this.gate(route.scope, request);
        extraHeaders = gate.headers;
        reply = gate.reply ?? route.handler(request);
      }
    } catch (err) {
      if (err instanceof VenueRejection) {
        reply = { status: err.status, body: err.body() };
      } else {
        reply = { status: 500, body: { code: ALPACA_CODES.internal, message: `internal error: ${(err as Error)?.message ?? String(err)}` } };
      }
    }
    const delay = this.deps.faults.takeDelay();
    if (delay <= 0) {
      this.write(res, state, reply, extraHeaders);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        this.write(res, state, reply, extraHeaders);
      } catch (err) {
        this.deps.stats.internalError('delayed HTTP response', err);
      }
    }, delay);
    this.timers.add(timer);
  }

  /** Auth, rate limit and injected faults, in that order; a reply here short-circuits the route. */
  private gate(scope: RouteScope, req: VenueRequest): { reply?: Reply; headers: Record<string, string> } {
    // Health and the admin routes (loopback only, see admin-routes.ts) are never rate limited or faulted.
    if (scope === 'health' || scope === 'admin') return { headers: {} };
    const faultScope = scope === 'socrata' ? 'macro' : scope;
    if (scope === 'trading' || scope === 'data') {
      if (!this.deps.keys.accepts(req.headers['apca-api-key-id'], req.headers['apca-api-secret-key'])) {
        return { reply: { status: 401, body: { code: ALPACA_CODES.unauthorized, message: 'request is not authorized' } }, headers: {} };
      }
    }
    const key =
      scope === 'macro' ? `fred:${req.query.get('api_key') ?? ''}` : scope === 'socrata' ? `socrata:${req.headers['x-app-token'] ?? 'anon'}` : `alpaca:${req.headers['apca-api-key-id']}`;
    const limiter = scope === 'macro' || scope === 'socrata' ? this.deps.macroLimiter : this.deps.limiter;
    const decision = limiter.take(key, this.deps.wallClock());
    const headers: Record<string, string> = {
      'X-Ratelimit-Limit': String(decision.limit),
      'X-Ratelimit-Remaining': String(decision.remaining),
      'X-Ratelimit-Reset': String(decision.resetSec),
    };
    const fault = this.deps.faults.takeRestFault(faultScope);
    if (fault) {
      this.deps.stats.faultsInjected++;
      if (fault.status === 429) {
        const reset = Math.ceil(this.deps.wallClock() / 1000) + fault.retryAfterSec;
        return {
          reply: errorReply(scope, 429, 'rate limit exceeded'),
          headers: { ...headers, 'X-Ratelimit-Remaining': '0', 'X-Ratelimit-Reset': String(reset), 'Retry-After': String(fault.retryAfterSec) },
        };
      }
      if (fault.garbage) return { reply: { status: fault.status, raw: GARBAGE_JSON }, headers };
      return { reply: errorReply(scope, fault.status, 'injected fault'), headers };
    }
    if (!decision.allowed) {
      const retry = Math.max(1, decision.resetSec - Math.floor(this.deps.wallClock() / 1000));
      return { reply: errorReply(scope, 429, 'rate limit exceeded'), headers: { ...headers, 'Retry-After': String(retry) } };
    }
    return { headers };
  }

  private write(res: HttpResponse, state: { done: boolean }, reply: Reply, headers: Record<string, string>): void {
    this.deps.stats.countResponse(reply.status);
    if (state.done) return;
    state.done = true;
    const payload = reply.raw ?? (reply.body === undefined || reply.status === 204 ? undefined : JSON.stringify(reply.body));
    res.cork(() => {
      res.writeStatus(`${reply.status} ${STATUS_TEXT[reply.status] ?? 'Status'}`);
      res.writeHeader('X-Request-ID', `venue-${++this.requestSeq}`);
      for (const [k, v] of Object.entries({ ...headers, ...reply.headers })) res.writeHeader(k, v);
      if (payload === undefined) {
        res.endWithoutBody(0, true);
      } else {
        res.writeHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(payload, true);
      }
    });
  }
}

/** An error body in the dialect of the API addressed. */
export function errorReply(scope: RouteScope, status: number, message: string): Reply {
  if (scope === 'macro') return fredError(status, message);
  if (scope === 'socrata') return socrataError(status, status === 429 ? 'rate_limited' : 'internal', message);
  const code = status === 429 ? ALPACA_CODES.rateLimited : status === 405 ? ALPACA_CODES.badRequest : status >= 500 ? ALPACA_CODES.internal : ALPACA_CODES.badRequest;
  return { status, body: { code, message } };
}
