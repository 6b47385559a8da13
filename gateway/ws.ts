/**
 * WebSocket telemetry on `/ws`.
 *
 * Protocol (JSON text by default; msgpack binary when the client asks with
 * `?format=msgpack` or the subprotocol `qgtm.msgpack`):
 *
 * - server → client: `{type:'welcome', format, topics, maxPayloadBytes}` on
 *   open; `{type:'event', topic, seq, ts, data}` per telemetry message (`seq`
 *   counts per topic, so a client sees gaps); `{type:'subscribed', topics,
 *   added, unknown}` and `{type:'unsubscribed', topics, removed}` (`topics`:
 *   the client's topics after the change; `unknown`: names in the request
 *   that are not topics, which are skipped while the valid ones subscribe);
 *   `{type:'pong', id}`; `{type:'error', code, message}`.
 * - Right after `subscribed`, each newly added topic's latest state is sent
 *   as events flagged `snapshot: true` (see retained.ts: the last risk.state,
 *   the latest tick of every symbol, the newest orders...), carrying the
 *   `seq` they went out with; live events follow from the next `seq`.
 * - client → server: `{op:'subscribe'|'unsubscribe', topics:[...]}`,
 *   `{op:'ping', id?}`. Either encoding is accepted from any client.
 *   `?topics=a,b` subscribes at connect (unknown names are reported the
 *   same way; only none valid refuses the upgrade).
 *
 * Fan-out uses uWS's native pub/sub: one encode per format per message, no
 * per-client loop in JavaScript. Backpressure: uWS stops queueing to a client
 * whose buffered bytes pass `wsMaxBackpressureBytes`, and a sweep every
 * `wsSweepMs` disconnects such clients (counted as dropped, reason `slow`),
 * so one slow reader never holds up the rest. Oversized frames make uWS close
 * the connection (counted, reason `oversized_frame`); malformed messages get
 * an error reply, and a client that keeps sending them is disconnected.
 */
import { Packr, Unpackr } from 'msgpackr';
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_socket_context_t } from 'uWebSockets.js';
import { TOPICS as BUS_TOPICS } from '../app/bus/sections.js';
import type { ResearchService } from '../app/research/types.js';
import type { Uws } from '../src/net/uws.js';
import type { GatewayBus, GatewayLimits } from './api.js';
import { jsonReply, statusLine } from './http.js';
import type { GatewayMetrics } from './metrics.js';
import { UntrustedInputError, describe, parseJsonBounded, unpackBounded } from '../src/runtime/untrusted.js';
import { Retained } from './retained.js';

export type WireFormat = 'json' | 'msgpack';

/**
 * The topics a client may subscribe to: the state bus's telemetry topics,
 * plus `research` (ResearchEvent: progress and status of back-tests and
 * sweeps), which comes from the research service in this process rather
 * than from the daemon.
 */
export const WS_TOPICS = [...BUS_TOPICS, 'research'] as const;
export type WsTopic = (typeof WS_TOPICS)[number];
const TOPICS: readonly WsTopic[] = WS_TOPICS;
type Topic = WsTopic;
const TOPIC_SET: ReadonlySet<string> = new Set(WS_TOPICS);
const isTopic = (x: unknown): x is Topic => typeof x === 'string' && TOPIC_SET.has(x);

interface ClientData {
  readonly id: number;
  readonly format: WireFormat;
  readonly initial: readonly Topic[];
  /** Names in `?topics=` that are not topics, reported with the first `subscribed`. */
  readonly initialUnknown: readonly string[];
  readonly topics: Set<Topic>;
  errors: number;
  dropped: string | null;
}

/** Protocol errors a client may make before it is disconnected. */
const MAX_CLIENT_ERRORS = 10;
const SUBPROTOCOLS: Readonly<Record<string, WireFormat>> = { 'qgtm.json': 'json', 'qgtm.msgpack': 'msgpack' };

/** Client messages are flat (`{op, topics: [...]}`): anything nested deeper is refused before it is built. */
const MAX_CLIENT_DEPTH = 4;
/** A topic name is echoed in an error only when it looks like one; anything else is described. */
const ECHOABLE = /^[A-Za-z0-9_.-]{1,32}$/;
const showValue = (v: unknown): string => (typeof v === 'string' && ECHOABLE.test(v) ? `"${v}"` : describe(v));
/** A requested name as reported back in a list: itself when it looks like a name, else described. */
const nameOf = (v: unknown): string => (typeof v === 'string' && ECHOABLE.test(v) ? v : describe(v));

const channel = (format: WireFormat, topic: Topic): string => (format === 'json' ? 'j/' : 'm/') + topic;

export class TelemetryHub {
  private readonly clients = new Set<WebSocket<ClientData>>();
  private readonly seq = new Map<Topic, number>(TOPICS.map((t) => [t, 0]));
  private readonly sentByTopic;
  private readonly packr = new Packr({ useRecords: false });
  private readonly unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
  /** Each topic's latest state, sent first to a new subscriber. */
  private readonly retained = new Retained();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly sweepTimer: NodeJS.Timeout;
  private nextId = 1;

  constructor(
    private readonly uws: Uws,
    private readonly app: TemplatedApp,
    bus: GatewayBus,
    private readonly metrics: GatewayMetrics,
    private readonly limits: GatewayLimits,
    private readonly now: () => number,
    research: ResearchService | null = null,
  ) {
    this.sentByTopic = new Map(TOPICS.map((t) => [t, metrics.wsSent.labels({ topic: t })]));
    app.ws<ClientData>('/ws', {
      maxPayloadLength: limits.wsMaxPayloadBytes,
      maxBackpressure: limits.wsMaxBackpressureBytes,
      // We drop slow clients ourselves (sweep), so the drop is counted with its reason.
      closeOnBackpressureLimit: 0,
      idleTimeout: limits.wsIdleTimeoutSec,
      sendPingsAutomatically: true,
      compression: uws.DISABLED,
      // A throw out of a uWS handler aborts the process: each one is guarded.
      upgrade: (res, req, context) => this.guard('upgrade', () => this.upgrade(res, req, context), () => this.refuseRaw(res)),
      open: (ws) => this.guard('open', () => this.open(ws), () => ws.end(1011, 'internal error')),
      message: (ws, message, isBinary) => this.guard('message', () => this.message(ws, message, isBinary), () => ws.end(1011, 'internal error')),
      close: (ws, code, message) => this.guard('close', () => this.closed(ws, code, message), () => undefined),
    });
    for (const topic of BUS_TOPICS) this.unsubscribe.push(bus.subscribe(topic, (msg) => this.fanout(topic, msg)));
    if (research) this.unsubscribe.push(research.onEvent((e) => this.fanout('research', e)));
    this.sweepTimer = setInterval(() => this.sweep(), limits.wsSweepMs);
    this.sweepTimer.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Sends one telemetry message to every subscriber of `topic`. */
  fanout(topic: Topic, data: unknown): void {
    const seq = this.seq.get(topic)! + 1;
    this.seq.set(topic, seq);
    const ts = this.now();
    this.retained.keep(topic, seq, ts, data);
    const jsonCh = channel('json', topic);
    const mpCh = channel('msgpack', topic);
    const nJson = this.app.numSubscribers(jsonCh);
    const nMp = this.app.numSubscribers(mpCh);
    if (nJson + nMp === 0) return;
    const env = { type: 'event', topic, seq, ts, data };
    try {
      if (nJson > 0) this.app.publish(jsonCh, JSON.stringify(env), false, false);
      if (nMp > 0) this.app.publish(mpCh, this.packr.pack(env), true, false);
      this.sentByTopic.get(topic)!.inc(nJson + nMp);
    } catch {
      this.metrics.telemetryErrors.inc({ reason: 'encode' });
    }
  }

  /** Runs a uWS callback so that nothing it throws escapes: counted (`handler_<where>`) and the peer answered by `recover`. */
  private guard(where: string, work: () => void, recover: () => void): void {
    try {
      work();
    } catch {
      this.metrics.wsErrors.inc({ reason: `handler_${where}` });
      try {
        recover();
      } catch {
        // The socket is already gone.
      }
    }
  }

  private refuseRaw(res: HttpResponse): void {
    this.metrics.httpErrors.inc({ status: '500', reason: 'ws_upgrade' });
    res.cork(() => {
      res.writeStatus(statusLine(500));
      res.end('{"error":{"code":"QGTM_ERR_INTERNAL","status":500,"message":"internal error"}}', true);
    });
  }

  private upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
    const key = req.getHeader('sec-websocket-key');
    const protocolHeader = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const params = new URLSearchParams(req.getQuery() ?? '');
    const refuse = (status: number, code: string, message: string, reason: string): void => {
      this.metrics.wsErrors.inc({ reason });
      this.metrics.httpErrors.inc({ status: String(status), reason });
      const reply = jsonReply(status, { error: { code, status, message } });
      res.cork(() => {
        res.writeStatus(statusLine(status));
        for (const [k, v] of Object.entries(reply.headers)) res.writeHeader(k, v);
        res.end(reply.body, true);
      });
    };
    let format: WireFormat = 'json';
    let protocol = '';
    const fmt = params.get('format');
    if (fmt !== null) {
      if (fmt !== 'json' && fmt !== 'msgpack') return refuse(400, 'QGTM_ERR_BAD_QUERY', `format must be json or msgpack, got ${showValue(fmt)}`, 'bad_format');
      format = fmt;
    }
    if (protocolHeader !== '') {
      const offered = protocolHeader.split(',').map((p) => p.trim());
      protocol = offered.find((p) => p in SUBPROTOCOLS) ?? '';
      if (protocol === '') return refuse(400, 'QGTM_ERR_BAD_REQUEST', `no supported subprotocol among ${offered.join(', ')}; use qgtm.json or qgtm.msgpack`, 'bad_subprotocol');
      format = SUBPROTOCOLS[protocol];
    }
    const initial: Topic[] = [];
    const initialUnknown: string[] = [];
    const topicsParam = params.get('topics');
    if (topicsParam) {
      const names = topicsParam.split(',').slice(0, TOPICS.length * 2);
      for (const t of names) (isTopic(t) ? initial : initialUnknown).push(t);
      if (initial.length === 0) return refuse(400, 'QGTM_ERR_UNKNOWN_TOPIC', `unknown topic(s) ${names.map(showValue).join(', ')}; topics are ${TOPICS.join(', ')}`, 'unknown_topic');
      if (initialUnknown.length > 0) this.metrics.wsErrors.inc({ reason: 'unknown_topic' });
    }
    if (this.clients.size >= this.limits.wsMaxClients) {
      return refuse(503, 'QGTM_ERR_TOO_MANY_CLIENTS', `the gateway serves at most ${this.limits.wsMaxClients} WebSocket clients`, 'too_many_clients');
    }
    const data: ClientData = { id: this.nextId++, format, initial, initialUnknown: initialUnknown.map(nameOf), topics: new Set(), errors: 0, dropped: null };
    res.upgrade(data, key, protocol, extensions, context);
  }

  private open(ws: WebSocket<ClientData>): void {
    const d = ws.getUserData();
    this.clients.add(ws);
    this.metrics.wsClients.inc({ format: d.format });
    this.metrics.wsConnections.inc({ format: d.format });
    this.reply(ws, { type: 'welcome', format: d.format, topics: TOPICS, maxPayloadBytes: this.limits.wsMaxPayloadBytes });
    if (d.initial.length > 0) this.change(ws, 'subscribe', d.initial, d.initialUnknown);
  }

  private message(ws: WebSocket<ClientData>, message: ArrayBuffer, isBinary: boolean): void {
    this.metrics.wsReceived.inc();
    let msg: unknown;
    const bounds = { maxBytes: this.limits.wsMaxPayloadBytes, maxDepth: MAX_CLIENT_DEPTH };
    try {
      const bytes = new Uint8Array(message);
      msg = isBinary ? unpackBounded(bytes, (b) => this.unpackr.unpack(b), bounds) : parseJsonBounded(bytes, bounds);
    } catch (err) {
      const reason = err instanceof UntrustedInputError ? err.reason : isBinary ? 'bad_msgpack' : 'bad_json';
      const what = err instanceof UntrustedInputError ? err.message : `message is not valid ${isBinary ? 'msgpack' : 'JSON'}`;
      return this.clientError(ws, reason, what);
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return this.clientError(ws, 'bad_message', 'message must be an object with an op field');
    const m = msg as Record<string, unknown>;
    switch (m.op) {
      case 'subscribe':
      case 'unsubscribe': {
        const raw = m.topics ?? (m.topic !== undefined ? [m.topic] : undefined);
        if (!Array.isArray(raw) || raw.length === 0 || raw.length > TOPICS.length * 2) {
          return this.clientError(ws, 'bad_message', `${m.op} needs topics: a non-empty array of topic names`);
        }
        const valid = raw.filter(isTopic);
        const unknown = raw.filter((t) => !isTopic(t)).slice(0, TOPICS.length);
        if (valid.length === 0) {
          return this.clientError(ws, 'unknown_topic', `unknown topic(s) ${unknown.map(showValue).join(', ')}; topics are ${TOPICS.join(', ')}`);
        }
        // Some valid: those change, the rest are reported (counted, but not held against the client).
        if (unknown.length > 0) this.metrics.wsErrors.inc({ reason: 'unknown_topic' });
        return this.change(ws, m.op, valid, unknown.map(nameOf));
      }
      case 'ping':
        return this.reply(ws, { type: 'pong', id: typeof m.id === 'string' || typeof m.id === 'number' ? m.id : null, ts: this.now() });
      default:
        return this.clientError(ws, 'bad_op', `op must be subscribe, unsubscribe or ping, got ${showValue(m.op ?? null)}`);
    }
  }

  private change(ws: WebSocket<ClientData>, op: 'subscribe' | 'unsubscribe', topics: readonly Topic[], unknown: readonly string[] = []): void {
    const d = ws.getUserData();
    const changed: Topic[] = [];
    for (const t of new Set(topics)) {
      if (op === 'subscribe') {
        if (d.topics.has(t)) continue;
        ws.subscribe(channel(d.format, t));
        d.topics.add(t);
      } else {
        if (!d.topics.has(t)) continue;
        ws.unsubscribe(channel(d.format, t));
        d.topics.delete(t);
      }
      changed.push(t);
    }
    if (op === 'unsubscribe') {
      this.reply(ws, { type: 'unsubscribed', topics: [...d.topics], removed: changed, unknown });
      return;
    }
    this.reply(ws, { type: 'subscribed', topics: [...d.topics], added: changed, unknown });
    // Synchronously after the subscribe: no live event of these topics can come in between.
    for (const t of changed) {
      for (const k of this.retained.snapshot(t)) {
        this.reply(ws, { type: 'event', topic: t, seq: k.seq, ts: k.ts, data: k.data, snapshot: true });
        this.sentByTopic.get(t)!.inc();
      }
    }
  }

  private clientError(ws: WebSocket<ClientData>, reason: string, message: string): void {
    const d = ws.getUserData();
    this.metrics.wsErrors.inc({ reason });
    d.errors++;
    if (d.errors >= MAX_CLIENT_ERRORS) {
      d.dropped = 'protocol_errors';
      this.metrics.wsDropped.inc({ reason: 'protocol_errors' });
      ws.end(1008, 'too many protocol errors');
      return;
    }
    this.reply(ws, { type: 'error', code: `QGTM_ERR_WS_${reason.toUpperCase()}`, message });
  }

  private reply(ws: WebSocket<ClientData>, msg: Record<string, unknown>): void {
    const d = ws.getUserData();
    const status = d.format === 'json' ? ws.send(JSON.stringify(msg), false) : ws.send(this.packr.pack(msg), true);
    if (status === 2) this.metrics.wsErrors.inc({ reason: 'reply_dropped' });
  }

  private closed(ws: WebSocket<ClientData>, code: number, message: ArrayBuffer): void {
    const d = ws.getUserData();
    this.clients.delete(ws);
    this.metrics.wsClients.dec({ format: d.format });
    let reason = d.dropped ?? (code === 1000 || code === 1001 ? 'normal' : code === 1005 ? 'no_status' : 'abnormal');
    const why = code === 1006 && !d.dropped ? Buffer.from(message).toString() : '';
    // Frames uWS refuses itself never reach `message`: counted here by what uWS said.
    if (why === 'Received too big message') {
      reason = 'oversized_frame';
      this.metrics.wsDropped.inc({ reason });
    } else if (why === 'Received invalid UTF-8') {
      reason = 'invalid_utf8';
      this.metrics.wsDropped.inc({ reason });
    }
    this.metrics.wsDisconnects.inc({ reason });
  }

  /** Disconnects every client uWS has stopped queueing to (a slow reader). */
  sweep(): number {
    let dropped = 0;
    for (const ws of this.clients) {
      if (ws.getBufferedAmount() < this.limits.wsMaxBackpressureBytes) continue;
      const d = ws.getUserData();
      if (d.dropped) continue;
      d.dropped = 'slow';
      this.metrics.wsDropped.inc({ reason: 'slow' });
      dropped++;
      // close(), not end(): a graceful close frame would sit behind the backlog the client is not reading.
      ws.close();
    }
    return dropped;
  }

  close(): void {
    clearInterval(this.sweepTimer);
    for (const u of this.unsubscribe) u();
    for (const ws of [...this.clients]) ws.end(1001, 'gateway shutting down');
  }
}
