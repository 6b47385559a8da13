/**
 * The `trade_updates` WebSocket (`/stream`), JSON both ways:
 * authenticate -> authorization, listen -> listening, then every engine
 * update as `{stream: "trade_updates", data}`. Malformed frames are answered
 * with an error message and counted, never thrown.
 */
import type { HttpRequest, HttpResponse, WebSocket, WebSocketBehavior, us_socket_context_t } from 'uWebSockets.js';
import type { MatchingEngine, TradeUpdateData } from '../../src/matching/engine.js';
import type { VenueFaults } from './faults.js';
import type { KeyRing } from './keys.js';
import type { VenueStats } from './stats.js';
import { parseJsonBounded } from '../../src/runtime/untrusted.js';

interface TradingSocket {
  readonly id: number;
  authed: boolean;
  listening: boolean;
  closed: boolean;
}

export interface TradingStreamDeps {
  readonly keys: KeyRing;
  readonly faults: VenueFaults;
  readonly stats: VenueStats;
  readonly engine: MatchingEngine;
}


export class TradingStreamHub {
  private readonly sockets = new Set<WebSocket<TradingSocket>>();
  private nextId = 1;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: TradingStreamDeps) {
    this.unsubscribe = deps.engine.onUpdate((u) => {
      // A send failure must not unwind into the engine halfway through a fill.
      try {
        this.broadcast(u);
      } catch (err) {
        deps.stats.internalError('trade_updates broadcast', err);
      }
    });
  }

  get connections(): number {
    return this.sockets.size;
  }

  behavior(): WebSocketBehavior<TradingSocket> {
    return {
      maxPayloadLength: 64 * 1024,
      idleTimeout: 120,
      maxBackpressure: 16 * 1024 * 1024,
      upgrade: (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
        const data: TradingSocket = { id: this.nextId++, authed: false, listening: false, closed: false };
        res.upgrade(data, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
      },
      open: (ws) => {
        this.sockets.add(ws);
        this.deps.stats.wsConnections++;
        this.deps.stats.wsOpen++;
      },
      message: (ws, message) => {
        try {
          this.onMessage(ws, message);
        } catch (err) {
          this.deps.stats.internalError('trade_updates message', err);
        }
      },
      close: (ws) => {
        ws.getUserData().closed = true;
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

  /** Closes every connection gracefully (venue shutdown). */
  closeAll(): void {
    this.unsubscribe();
    for (const ws of [...this.sockets]) ws.end(1001, 'venue shutting down');
  }

  private onMessage(ws: WebSocket<TradingSocket>, message: ArrayBuffer): void {
    const state = ws.getUserData();
    let msg: { action?: unknown; data?: { key_id?: unknown; secret_key?: unknown; streams?: unknown }; key?: unknown; secret?: unknown };
    try {
      msg = parseJsonBounded(new Uint8Array(message), { maxDepth: 8, maxBytes: 1024 * 1024 }) as typeof msg;
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new TypeError('not an object');
    } catch {
      this.deps.stats.badInput++;
      this.send(ws, { action: 'error', data: { error_message: 'invalid message: expected a JSON object' } });
      return;
    }
    if (msg.action === 'authenticate' || msg.action === 'auth') {
      const keyId = msg.action === 'auth' ? msg.key : msg.data?.key_id;
      const secret = msg.action === 'auth' ? msg.secret : msg.data?.secret_key;
      const ok = !this.deps.faults.refuseTradingAuth && this.deps.keys.accepts(keyId, secret);
      if (!ok && this.deps.faults.refuseTradingAuth) this.deps.stats.faultsInjected++;
      this.send(ws, { stream: 'authorization', data: { action: 'authenticate', status: ok ? 'authorized' : 'unauthorized' } });
      if (ok) state.authed = true;
      else if (!state.closed) ws.end(1008, 'unauthorized');
      return;
    }
    if (msg.action === 'listen') {
      if (!state.authed) {
        this.send(ws, { action: 'error', data: { error_message: 'not authenticated' } });
        return;
      }
      const streams = Array.isArray(msg.data?.streams) ? (msg.data!.streams as unknown[]) : [];
      state.listening = streams.includes('trade_updates');
      this.send(ws, { stream: 'listening', data: { streams: state.listening ? ['trade_updates'] : [] } });
      return;
    }
    this.deps.stats.badInput++;
    this.send(ws, { action: 'error', data: { error_message: `unknown action ${String(msg.action)}` } });
  }

  private broadcast(update: TradeUpdateData): void {
    let text: string | undefined;
    for (const ws of this.sockets) {
      const s = ws.getUserData();
      if (!s.authed || !s.listening || s.closed) continue;
      text ??= JSON.stringify({ stream: 'trade_updates', data: update });
      ws.send(text, false);
      this.deps.stats.framesSent++;
      this.deps.stats.itemsSent++;
      this.deps.stats.bytesSent += text.length;
    }
  }

  private send(ws: WebSocket<TradingSocket>, payload: unknown): void {
    if (ws.getUserData().closed) return;
    const text = JSON.stringify(payload);
    ws.send(text, false);
    this.deps.stats.framesSent++;
    this.deps.stats.bytesSent += text.length;
  }
}
