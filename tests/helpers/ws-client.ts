/**
 * The `ws` package as a test and benchmark client. It is installed (a
 * dependency of the Alpaca SDK) but not a direct dependency with types, so it
 * is loaded with require and typed here by the little we use.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { unpack } from 'msgpackr';

export interface WsSocket {
  readonly readyState: number;
  readonly protocol: string;
  readonly _socket: Socket;
  send(data: string | Uint8Array, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'close', fn: (code: number, reason: Buffer) => void): this;
  on(event: 'open' | 'error' | 'unexpected-response', fn: (...args: never[]) => void): this;
  once(event: string, fn: (...args: never[]) => void): this;
}

export interface WsCtor {
  new (url: string, protocols?: string | string[], options?: Record<string, unknown>): WsSocket;
}

export interface WsServerLike {
  readonly clients: Set<WsSocket & { bufferedAmount: number }>;
  on(event: 'connection', fn: (ws: WsSocket) => void): this;
  close(cb?: () => void): void;
  address(): { port: number };
}

export interface WsServerCtor {
  new (options: { host?: string; port?: number; perMessageDeflate?: boolean; maxPayload?: number }, cb?: () => void): WsServerLike;
}

const require = createRequire(import.meta.url);
const ws = require('ws') as WsCtor & { WebSocketServer: WsServerCtor };
export const WebSocket: WsCtor = ws;
export const WebSocketServer: WsServerCtor = ws.WebSocketServer;

export type WsMessage = Record<string, unknown>;

/** A connected client that queues what it receives, decoded (JSON text or msgpack binary). */
export class WsProbe {
  readonly messages: WsMessage[] = [];
  private waiters: { pred: (m: WsMessage) => boolean; resolve: (m: WsMessage) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WsSocket) {
    ws.on('message', (data, isBinary) => {
      const m = (isBinary ? unpack(data) : JSON.parse(data.toString('utf8'))) as WsMessage;
      const i = this.waiters.findIndex((w) => w.pred(m));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
      else this.messages.push(m);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** The next queued or arriving message matching `pred` (default: any). */
  next(pred: (m: WsMessage) => boolean = () => true, timeoutMs = 3000): Promise<WsMessage> {
    const i = this.messages.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.messages.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching WebSocket message within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
      });
    });
  }

  sendJson(obj: unknown): void {
    this.ws.send(JSON.stringify(obj));
  }
}

/** Opens a client; rejects with the HTTP status when the upgrade is refused. */
export function connectWs(url: string, protocols?: string | string[]): Promise<WsProbe> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    const probe = new WsProbe(ws);
    ws.once('open', () => resolve(probe));
    ws.once('unexpected-response', ((_req: unknown, res: { statusCode: number }) => reject(new Error(`upgrade refused: ${res.statusCode}`))) as never);
    ws.once('error', ((err: Error) => reject(err)) as never);
  });
}
