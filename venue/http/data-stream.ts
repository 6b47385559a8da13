/**
 * The market-data v2 WebSocket (`/v2/iex`, `/v2/sip`), Alpaca's protocol:
 * `[{T:"success",msg:"connected"}]` on open, auth within the timeout (else
 * 404 auth timeout), subscribe/unsubscribe to trades, quotes and bars, and
 * data as arrays of `{T:...}` items, many per frame. Frames are plain
 * msgpack when the client asked for it on the upgrade
 * (`Content-Type: application/msgpack`, as the SDK does), JSON otherwise.
 * One authenticated connection per key and feed: a second one gets 406 and
 * is closed. A client that stops reading is cut off with 407 slow client.
 */
import { pack, unpack } from 'msgpackr';
import { parseJsonBounded, unpackBounded } from '../../src/runtime/untrusted.js';

/** Client messages are flat (`{action, trades: [...]}`): bounded before they are built. */
const WS_BOUNDS = { maxDepth: 8, maxBytes: 1024 * 1024 };
import type { HttpRequest, HttpResponse, WebSocket, WebSocketBehavior, us_socket_context_t } from 'uWebSockets.js';
import type { MarketEvent } from '../../src/matching/events.js';
import type { VenueFaults } from './faults.js';
import type { KeyRing } from './keys.js';
import type { VenueStats } from './stats.js';

export const DATA_CHANNELS = ['trades', 'quotes', 'bars', 'updatedBars', 'dailyBars', 'statuses', 'lulds', 'corrections', 'cancelErrors', 'imbalances'] as const;
export type DataChannel = (typeof DATA_CHANNELS)[number];

interface DataSocket {
  readonly id: number;
  readonly feed: string;
  readonly codec: 'msgpack' | 'json';
  authed: boolean;
  key?: string;
  closed: boolean;
  readonly subs: Record<DataChannel, Set<string>>;
  authTimer?: ReturnType<typeof setTimeout>;
}

export interface DataStreamDeps {
  readonly keys: KeyRing;
  readonly faults: VenueFaults;
  readonly stats: VenueStats;
  /** Ms a new connection has to authenticate. Alpaca: 10 s. */
  readonly authTimeoutMs: number;
  /** Most `{T:...}` items per frame. */
  readonly maxItemsPerFrame: number;
  /** Buffered bytes beyond which a client is dropped as slow (407). */
  readonly slowClientBytes: number;
  /** Whether streamed data flows now (false while the exchange session is closed). */
  readonly isOpen: () => boolean;
}


export class DataStreamHub {
  private readonly sockets = new Set<WebSocket<DataSocket>>();
  private nextId = 1;

  constructor(private readonly deps: DataStreamDeps) {}

  get connections(): number {
    return this.sockets.size;
  }

  behavior(feed: string): WebSocketBehavior<DataSocket> {
    return {
      maxPayloadLength: 64 * 1024,
      idleTimeout: 120,
      // uWS silently drops sends beyond maxBackpressure, so keep it well above
      // the slow-client cut-off and drop slow clients ourselves, loudly.
      maxBackpressure: Math.max(2 * this.deps.slowClientBytes, 64 * 1024 * 1024),
      upgrade: (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
        const codec = /msgpack/i.test(req.getHeader('content-type')) ? 'msgpack' : 'json';
        const subs = Object.fromEntries(DATA_CHANNELS.map((c) => [c, new Set<string>()])) as Record<DataChannel, Set<string>>;
        const data: DataSocket = { id: this.nextId++, feed, codec, authed: false, closed: false, subs };
        res.upgrade(data, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
      },
      open: (ws) => {
        this.sockets.add(ws);
        this.deps.stats.wsConnections++;
        this.deps.stats.wsOpen++;
        const s = ws.getUserData();
        this.send(ws, [{ T: 'success', msg: 'connected' }]);
        s.authTimer = setTimeout(() => {
          s.authTimer = undefined;
          if (s.closed || s.authed) return;
          this.send(ws, [{ T: 'error', code: 404, msg: 'auth timeout' }]);
          ws.end(1000, 'auth timeout');
        }, this.deps.authTimeoutMs);
      },
      message: (ws, message, isBinary) => {
        try {
          this.onMessage(ws, message, isBinary);
        } catch (err) {
          this.deps.stats.internalError('market-data message', err);
        }
      },
      close: (ws) => {
        const s = ws.getUserData();
        s.closed = true;
        if (s.authTimer) clearTimeout(s.authTimer);
        this.sockets.delete(ws);
        this.deps.stats.wsOpen--;
      },
    };
  }

  /** Closes every connection abruptly (fault injection). */
  drop(): number {
    const n = this.sockets.size;
    for (const ws of [...this.sockets]) ws.close();
    return n;
  }

  closeAll(): void {
    for (const ws of [...this.sockets]) ws.end(1001, 'venue shutting down');
  }

  /** Sends a batch of market events to every subscribed connection. */
  publish(events: readonly MarketEvent[]): void {
    if (this.sockets.size === 0 || events.length === 0 || this.deps.faults.stallData || !this.deps.isOpen()) return;
    for (const ws of [...this.sockets]) {
      const s = ws.getUserData();
      if (!s.authed || s.closed) continue;
      if (ws.getBufferedAmount() > this.deps.slowClientBytes) {
        this.deps.stats.slowClientsDropped++;
        this.send(ws, [{ T: 'error', code: 407, msg: 'slow client' }]);
        ws.end(1008, 'slow client');
        continue;
      }
      const { trades, quotes, bars } = s.subs;
      const tAll = trades.has('*');
      const qAll = quotes.has('*');
      const bAll = bars.has('*');
      if (trades.size + quotes.size + bars.size === 0) continue;
      const json = s.codec === 'json';
      let items: Record<string, unknown>[] = [];
      for (const ev of events) {
        if (ev.kind === 'quote') {
          if (!qAll && !quotes.has(ev.symbol)) continue;
          items.push({ T: 'q', S: ev.symbol, bx: ev.exchange, bp: ev.bid, bs: ev.bidSize, ax: ev.exchange, ap: ev.ask, as: ev.askSize, t: ts(ev.ts, json), c: ['R'], z: ev.tape });
        } else if (ev.kind === 'trade') {
          if (!tAll && !trades.has(ev.symbol)) continue;
          items.push({ T: 't', S: ev.symbol, i: ev.id, x: ev.exchange, p: ev.price, s: ev.size, t: ts(ev.ts, json), c: ['@'], z: ev.tape });
        } else {
          if (!bAll && !bars.has(ev.symbol)) continue;
          items.push({ T: 'b', S: ev.symbol, o: ev.open, h: ev.high, l: ev.low, c: ev.close, v: ev.volume, t: ts(ev.ts, json), n: ev.trades, vw: ev.vwap });
        }
        if (items.length >= this.deps.maxItemsPerFrame) {
          this.send(ws, items);
          items = [];
        }
      }
      if (items.length > 0) this.send(ws, items);
    }
  }

  private onMessage(ws: WebSocket<DataSocket>, message: ArrayBuffer, isBinary: boolean): void {
    const s = ws.getUserData();
    let msg: Record<string, unknown>;
    try {
      const bytes = new Uint8Array(message);
      const decoded: unknown = isBinary ? unpackBounded(bytes, (b) => unpack(b), WS_BOUNDS) : parseJsonBounded(bytes, WS_BOUNDS);
      if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw new TypeError('not an object');
      msg = decoded as Record<string, unknown>;
    } catch {
      this.invalidSyntax(ws);
      return;
    }
    switch (msg.action) {
      case 'auth':
        this.auth(ws, msg);
        return;
      case 'subscribe':
      case 'unsubscribe': {
        if (!s.authed) {
          this.send(ws, [{ T: 'error', code: 401, msg: 'not authenticated' }]);
          return;
        }
        const changes: [DataChannel, string[]][] = [];
        for (const channel of DATA_CHANNELS) {
          const list = msg[channel];
          if (list === undefined) continue;
          if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && x.trim() !== '')) {
            this.invalidSyntax(ws);
            return;
          }
          changes.push([channel, list as string[]]);
        }
        for (const [channel, list] of changes) {
          for (const sym of list) {
            if (msg.action === 'subscribe') s.subs[channel].add(sym);
            else s.subs[channel].delete(sym);
          }
        }
        this.send(ws, [this.subscriptionFrame(s)]);
        return;
      }
      default:
        this.invalidSyntax(ws);
    }
  }

  private auth(ws: WebSocket<DataSocket>, msg: Record<string, unknown>): void {
    const s = ws.getUserData();
    if (s.authed) {
      this.send(ws, [{ T: 'error', code: 403, msg: 'already authenticated' }]);
      return;
    }
    if (this.deps.faults.refuseDataAuth || !this.deps.keys.accepts(msg.key, msg.secret)) {
      if (this.deps.faults.refuseDataAuth) this.deps.stats.faultsInjected++;
      this.send(ws, [{ T: 'error', code: 402, msg: 'auth failed' }]);
      ws.end(1008, 'auth failed');
      return;
    }
    const key = msg.key as string;
    for (const other of this.sockets) {
      const o = other.getUserData();
      if (other !== ws && o.authed && !o.closed && o.key === key && o.feed === s.feed) {
        this.send(ws, [{ T: 'error', code: 406, msg: 'connection limit exceeded' }]);
        ws.end(1008, 'connection limit exceeded');
        return;
      }
    }
    s.authed = true;
    s.key = key;
    if (s.authTimer) clearTimeout(s.authTimer);
    s.authTimer = undefined;
    this.send(ws, [{ T: 'success', msg: 'authenticated' }]);
  }

  private subscriptionFrame(s: DataSocket): Record<string, unknown> {
    const frame: Record<string, unknown> = { T: 'subscription' };
    for (const c of DATA_CHANNELS) frame[c] = [...s.subs[c]].sort();
    return frame;
  }

  private invalidSyntax(ws: WebSocket<DataSocket>): void {
    this.deps.stats.badInput++;
    this.send(ws, [{ T: 'error', code: 400, msg: 'invalid syntax' }]);
  }

  private send(ws: WebSocket<DataSocket>, items: unknown[]): void {
    const s = ws.getUserData();
    if (s.closed) return;
    const frame = s.codec === 'msgpack' ? pack(items) : JSON.stringify(items);
    ws.send(frame, s.codec === 'msgpack');
    this.deps.stats.framesSent++;
    this.deps.stats.itemsSent += items.length;
    this.deps.stats.bytesSent += frame.length;
  }
}

/** Alpaca sends times as the msgpack timestamp extension (a Date here) or RFC 3339 in JSON. */
function ts(ms: number, json: boolean): Date | string {
  return json ? new Date(ms).toISOString() : new Date(ms);
}
