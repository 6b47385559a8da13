/**
 * A stand-in for the gateway while `startAllInOne` does not exist yet: node
 * http + ws on loopback, serving dist/web as static files and the routes
 * and wire formats of gateway/ (see gateway/README.md: the `{data,
 * updatedAt, ageMs, stale, cached, daemon}` envelope, /health, commands
 * answered `{ack, command}` with 401/403/409/503, /ws `event` frames),
 * backed by FakeDaemon. It returns what `startAllInOne` will: `{httpUrl,
 * token, close()}`, plus test controls.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { TIERS, type Tier } from '../../actors/risk/tiers.js';
import { CATALOG } from '../../actors/strategy/catalog/index.js';
import { BROAD_UNIVERSE, PM_UNIVERSE } from '../../src/universe/index.js';
import { FakeDaemon } from './fake-daemon.js';

export interface TerminalServer {
  readonly httpUrl: string;
  readonly token: string;
  close(): Promise<void>;
}

export interface FakeTerminalServer extends TerminalServer {
  readonly daemon: FakeDaemon;
  /** Stops the heartbeat and telemetry: the API then reports the daemon down. */
  setDaemonUp(up: boolean): void;
  /** Closes every WebSocket from the server side. */
  dropClients(): void;
}

export interface FakeServerOptions {
  readonly webRoot?: string;
  readonly token?: string;
  /** Simulation step; 0 = no timer (tests step by hand). */
  readonly stepMs?: number;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};
const SECTIONS = new Set(['risk', 'forecasts', 'positions', 'orders', 'fills', 'watchdog', 'dead-letters', 'audit', 'performance']);
const HEARTBEAT_TTL_MS = 3000;
const BUS = { kind: 'memory', connected: true, degraded: [], outages: 0, lastOutageStartedAt: null, lastOutageEndedAt: null, telemetryDropped: 0 };

export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeTerminalServer> {
  const webRoot = resolve(options.webRoot ?? 'dist/web');
  const token = options.token ?? randomBytes(16).toString('hex');
  const clients = new Map<WebSocket, Set<string>>();
  let daemonUp = true;
  let lastBeat = Date.now();
  const seqs = new Map<string, number>();
  const publish = (topic: string, msg: unknown): void => {
    if (!daemonUp) return;
    const seq = (seqs.get(topic) ?? 0) + 1;
    seqs.set(topic, seq);
    const frame = JSON.stringify({ type: 'event', topic, seq, ts: Date.now(), data: msg });
    for (const [ws, topics] of clients) if (topics.has(topic) && ws.readyState === WebSocket.OPEN) ws.send(frame);
  };
  const daemon = new FakeDaemon(publish);

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  /** 401 without a bearer token, 403 with a wrong one, null when it is right (as gateway/auth.ts). */
  const authError = (req: IncomingMessage): number | null => {
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Bearer ') || h.length === 7) return 401;
    const given = Buffer.from(h.slice(7));
    const want = Buffer.from(token);
    return given.length === want.length && timingSafeEqual(given, want) ? null : 403;
  };
  const daemonBrief = (): Record<string, unknown> => {
    const age = Date.now() - lastBeat;
    const up = daemonUp && age < HEARTBEAT_TTL_MS;
    return up ? { up, heartbeatAgeMs: age } : { up, heartbeatAgeMs: age, reason: 'expired' };
  };
  const envelope = (data: unknown): Record<string, unknown> => {
    const d = daemonBrief();
    return { data, updatedAt: lastBeat, ageMs: Date.now() - lastBeat, stale: !d.up, cached: false, daemon: d };
  };
  const body = (req: IncomingMessage): Promise<Record<string, unknown>> =>
    new Promise((ok, fail) => {
      let s = '';
      req.on('data', (c: Buffer) => (s += c.toString('utf8')));
      req.on('end', () => {
        try {
          ok(s ? (JSON.parse(s) as Record<string, unknown>) : {});
        } catch (e) {
          fail(e);
        }
      });
    });

  async function serveStatic(path: string, res: ServerResponse): Promise<void> {
    const rel = path === '/' ? 'index.html' : decodeURIComponent(path.slice(1));
    const file = normalize(join(webRoot, rel));
    if (!file.startsWith(webRoot + sep)) return json(res, 403, { error: { code: 'forbidden', message: 'path outside web root' } });
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const data = await readFile(file);
      const hashed = /-\d{12}\.(js|css)(\.map)?$/.test(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache' });
      res.end(data);
    } catch {
      json(res, 404, { error: { code: 'not_found', message: `no such file ${path}` } });
    }
  }

  async function command(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const auth = authError(req);
    if (auth !== null) return json(res, auth, { error: { code: 'QGTM_ERR_UNAUTHORIZED', status: auth, message: auth === 401 ? 'missing bearer token' : 'wrong token' } });
    if (!daemonUp) return json(res, 503, { error: { code: 'QGTM_ERR_DAEMON_DOWN', status: 503, message: 'daemon is down' } });
    let b: Record<string, unknown>;
    try {
      b = await body(req);
    } catch {
      return json(res, 400, { error: { code: 'QGTM_ERR_BAD_JSON', status: 400, message: 'malformed JSON' } });
    }
    const allowed = path === '/api/v1/risk/tier' ? ['tier', 'reason', 'by'] : path === '/api/v1/strategies/learning' ? ['frozen', 'reason', 'by'] : ['reason', 'by'];
    const unknown = Object.keys(b).filter((k) => !allowed.includes(k));
    if (unknown.length > 0) return json(res, 400, { error: { code: 'QGTM_ERR_BAD_REQUEST', status: 400, message: `invalid request body: ${unknown.map((k) => `unknown field ${k}`).join('; ')}` } });
    const id = String(req.headers['idempotency-key'] ?? randomBytes(6).toString('hex'));
    const reason = typeof b.reason === 'string' ? b.reason : '';
    const needsReason = !/\/enable$/.test(path);
    if (needsReason && reason.trim() === '') return json(res, 400, { error: { code: 'QGTM_ERR_BAD_REQUEST', status: 400, message: 'invalid request body: reason must not be empty' } });
    const ok = (result: unknown) => json(res, 200, { ack: { id, ok: true, result }, command: { id, path, ...b } });
    if (path === '/api/v1/risk/tier') {
      if (!TIERS.includes(b.tier as Tier)) return json(res, 400, { error: { code: 'QGTM_ERR_BAD_REQUEST', status: 400, message: `tier must be one of ${TIERS.join(', ')}` } });
      return ok({ tier: daemon.setTier(b.tier as Tier, reason) });
    }
    if (path === '/api/v1/risk/flatten') return ok({ tier: daemon.setTier('FLATTEN', reason) });
    if (path === '/api/v1/risk/clear') return ok({ tier: daemon.clearTier(reason) });
    if (path === '/api/v1/strategies/learning') {
      if (typeof b.frozen !== 'boolean') return json(res, 400, { error: { code: 'QGTM_ERR_BAD_REQUEST', status: 400, message: 'invalid request body: frozen must be true or false' } });
      return ok(daemon.learningCommand(b.frozen));
    }
    const m = /^\/api\/v1\/strategies\/([^/]+)\/(enable|disable)$/.exec(path);
    if (m) {
      const r = daemon.strategyCommand(decodeURIComponent(m[1]!), m[2] as 'enable' | 'disable', reason);
      if (r.ok) return ok(r.message);
      const ack = { id, ok: false, error: { code: 'QGTM_ERR_UNKNOWN_STRATEGY', message: r.message } };
      return json(res, 409, { error: { ...ack.error, status: 409 }, ack, command: { id, path, ...b } });
    }
    json(res, 404, { error: { code: 'QGTM_ERR_NOT_FOUND', status: 404, message: `no route POST ${path}` } });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const run = async (): Promise<void> => {
      if (req.method === 'POST' && path.startsWith('/api/v1/')) return command(req, res, path);
      if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: { code: 'method_not_allowed', message: `${req.method} not allowed` } });
      if (path === '/api/v1/health') {
        const d = daemonBrief();
        const now = Date.now();
        return json(res, 200, {
          status: d.up ? 'ok' : 'down',
          at: now,
          api: { pid: process.pid, version: '0.1.0', startedAt: daemon.startedAt, uptimeMs: now - daemon.startedAt, bus: BUS, wsClients: clients.size, commands: true },
          daemon: { ...d, pid: process.pid, version: '0.1.0', startedAt: daemon.startedAt, degraded: [], status: null, bus: BUS, lastHeartbeatAt: lastBeat, detail: envelope(daemon.health(lastBeat)) },
        });
      }
      if (path === '/api/v1/strategies') {
        return json(res, 200, envelope({ catalog: CATALOG.map((s) => ({ id: s.id, family: s.family, thesis: s.thesis, instruments: s.instruments, macro: s.macro })), live: daemon.section('strategies'), supportModels: daemon.supportModels(Date.now()) }));
      }
      if (path === '/api/v1/universe') {
        const focus = url.searchParams.get('focus') ?? 'pm';
        if (focus !== 'pm' && focus !== 'broad') return json(res, 400, { error: { code: 'QGTM_ERR_BAD_QUERY', status: 400, message: 'focus must be pm or broad' } });
        const live = (daemon.section('universe') as { instruments: Record<string, unknown> }).instruments;
        const instruments = (focus === 'pm' ? PM_UNIVERSE : BROAD_UNIVERSE).map((i) => ({ ...i, live: live[i.symbol] ?? null }));
        return json(res, 200, envelope({ focus, count: instruments.length, instruments }));
      }
      const m = /^\/api\/v1\/([a-z-]+)$/.exec(path);
      if (m && SECTIONS.has(m[1]!)) return json(res, 200, envelope(daemon.section(m[1]!)));
      if (path.startsWith('/api/')) return json(res, 404, { error: { code: 'QGTM_ERR_NOT_FOUND', status: 404, message: `no route ${path}` } });
      return serveStatic(path, res);
    };
    run().catch((err: unknown) => json(res, 500, { error: { code: 'internal', message: String(err) } }));
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/ws') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const initial = (u.searchParams.get('topics') ?? '').split(',').filter(Boolean);
      clients.set(ws, new Set(initial));
      ws.send(JSON.stringify({ type: 'welcome', format: 'json', topics: ['health', 'ticks', 'signals', 'risk', 'orders', 'fills', 'supervisor', 'positions', 'posture', 'strategy_status', 'dead_letters', 'research'], maxPayloadBytes: 16384 }));
      ws.on('message', (raw) => {
        let m: { op?: string; topics?: unknown };
        try {
          m = JSON.parse(String(raw)) as typeof m;
        } catch {
          return ws.send(JSON.stringify({ type: 'error', code: 'QGTM_ERR_WS_BAD_MESSAGE', message: 'malformed JSON' }));
        }
        const topics = Array.isArray(m.topics) ? m.topics.filter((t): t is string => typeof t === 'string') : [];
        const set = clients.get(ws)!;
        if (m.op === 'subscribe') topics.forEach((t) => set.add(t));
        else if (m.op === 'unsubscribe') topics.forEach((t) => set.delete(t));
        ws.send(JSON.stringify({ type: m.op === 'unsubscribe' ? 'unsubscribed' : 'subscribed', topics: [...set] }));
      });
      ws.on('close', () => clients.delete(ws));
    });
  });

  const stepMs = options.stepMs ?? 250;
  const timer =
    stepMs > 0
      ? setInterval(() => {
          if (!daemonUp) return;
          lastBeat = Date.now();
          daemon.step(lastBeat);
        }, stepMs)
      : null;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;

  return {
    httpUrl: `http://127.0.0.1:${port}`,
    token,
    daemon,
    setDaemonUp(up) {
      daemonUp = up;
      if (up) lastBeat = Date.now();
    },
    dropClients() {
      for (const ws of clients.keys()) ws.terminate();
    },
    async close() {
      if (timer) clearInterval(timer);
      for (const ws of clients.keys()) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
