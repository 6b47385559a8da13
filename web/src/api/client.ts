/**
 * The terminal's only door to the gateway: REST routes, operator commands
 * and the /ws telemetry socket. Routes and the socket protocol live here;
 * JSON shapes live in normalise.ts. Same origin: the gateway serves the page.
 */
import { isObj, str, unwrap } from './normalise.js';
import type { CommandOutcome, Section, Tier, Topic, Unwrapped } from './types.js';

export const ROUTES = {
  section: (s: Section): string => `/api/v1/${s}`,
  universe: (focus: string): string => `/api/v1/universe?focus=${encodeURIComponent(focus)}`,
  /** POST {tier, reason}: sets the operator floor tier. */
  setTier: '/api/v1/risk/tier',
  /** POST {reason}: clears the operator floor (and a latched FLATTEN). */
  clearTier: '/api/v1/risk/clear',
  /** POST {reason}: the kill switch. */
  flatten: '/api/v1/risk/flatten',
  /** POST {reason}: action is enable or disable. */
  strategy: (id: string, action: 'enable' | 'disable'): string => `/api/v1/strategies/${encodeURIComponent(id)}/${action}`,
  /** POST {frozen, reason}: freezes or unfreezes the allocator's self-learning weights. */
  learning: '/api/v1/strategies/learning',
  /** POST {id, base, params?, instruments?, note?}: adds a runtime entry. */
  runtimeAdd: '/api/v1/strategies/runtime',
  /** POST {params?, instruments?, note?}: changes a runtime entry (the fields given replace the old ones). */
  runtimeChange: (id: string): string => `/api/v1/strategies/runtime/${encodeURIComponent(id)}`,
  /** POST {reason}: removes a runtime entry. */
  runtimeRemove: (id: string): string => `/api/v1/strategies/runtime/${encodeURIComponent(id)}/remove`,
  /** GET: the research runs' headlines. */
  researchRuns: '/api/v1/research/runs',
  /** GET: one run whole (series, attribution, sweep rows). */
  researchRun: (id: string): string => `/api/v1/research/runs/${encodeURIComponent(id)}`,
  /** POST {history, name?, startingCash?, seed?, ...}: queues a back-test. */
  backtests: '/api/v1/research/backtests',
  /** POST {history, params, objective?, ...}: queues a sweep. */
  sweeps: '/api/v1/research/sweeps',
  /** POST {reason?}: cancels a queued or running run. */
  cancelRun: (id: string): string => `/api/v1/research/runs/${encodeURIComponent(id)}/cancel`,
  ws: '/ws',
} as const;

const REST_TIMEOUT_MS = 4000;
const COMMAND_TIMEOUT_MS = 10_000;

export type FetchResult = { readonly ok: true; readonly data: Unwrapped } | { readonly ok: false; readonly status: number; readonly error: string };

async function getJson(path: string): Promise<FetchResult> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), REST_TIMEOUT_MS);
  try {
    const res = await fetch(path, { headers: { accept: 'application/json' }, signal: ctl.signal, cache: 'no-store' });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) return { ok: false, status: res.status, error: errorText(body) ?? `HTTP ${res.status}` };
    return { ok: true, data: unwrap(body) };
  } catch (err) {
    return { ok: false, status: 0, error: ctl.signal.aborted ? 'timed out' : err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** One REST snapshot section. */
export function fetchSection(section: Section, focus?: string): Promise<FetchResult> {
  return getJson(section === 'universe' && focus ? ROUTES.universe(focus) : ROUTES.section(section));
}

/** A GET answered as plain JSON (no state envelope): the research routes. */
export async function fetchJson(path: string): Promise<{ readonly ok: true; readonly body: unknown } | { readonly ok: false; readonly status: number; readonly error: string }> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), REST_TIMEOUT_MS);
  try {
    const res = await fetch(path, { headers: { accept: 'application/json' }, signal: ctl.signal, cache: 'no-store' });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) return { ok: false, status: res.status, error: errorText(body) ?? `HTTP ${res.status}` };
    return { ok: true, body };
  } catch (err) {
    return { ok: false, status: 0, error: ctl.signal.aborted ? 'timed out' : err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

function errorText(body: unknown): string | null {
  if (!isObj(body)) return null;
  const e = body.error;
  if (isObj(e)) return str(e.message) ?? str(e.code);
  return str(e) ?? str(body.message);
}

function commandId(): string {
  const b = new Uint8Array(9);
  crypto.getRandomValues(b);
  return 'web-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function postCommand(path: string, body: Record<string, unknown>, token: string): Promise<CommandOutcome> {
  if (!token) return { ok: false, status: 0, message: 'enter the operator token first' };
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), COMMAND_TIMEOUT_MS);
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': commandId() },
      body: JSON.stringify({ ...body, by: 'web-terminal' }),
      signal: ctl.signal,
    });
    const json: unknown = await res.json().catch(() => null);
    if (res.status === 401 || res.status === 403) return { ok: false, status: res.status, message: `token rejected (${res.status})${errorText(json) ? ': ' + errorText(json) : ''}` };
    const ack = isObj(json) && isObj(json.ack) ? json.ack : json;
    if (!res.ok || (isObj(ack) && ack.ok === false)) {
      return { ok: false, status: res.status, message: errorText(ack) ?? errorText(json) ?? `HTTP ${res.status}` };
    }
    // A daemon command answers {ack: {result}}; a research command its own body ({run}).
    return { ok: true, status: res.status, message: 'done', result: isObj(json) && isObj(json.ack) ? json.ack.result : json };
  } catch (err) {
    return { ok: false, status: 0, message: ctl.signal.aborted ? 'no answer in time' : err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

export const commands = {
  setTier: (tier: Tier, reason: string, token: string) => postCommand(ROUTES.setTier, { tier, reason }, token),
  clearTier: (reason: string, token: string) => postCommand(ROUTES.clearTier, { reason }, token),
  flatten: (reason: string, token: string) => postCommand(ROUTES.flatten, { reason }, token),
  strategy: (id: string, action: 'enable' | 'disable', reason: string, token: string) => postCommand(ROUTES.strategy(id, action), { reason }, token),
  learning: (frozen: boolean, reason: string, token: string) => postCommand(ROUTES.learning, { frozen, reason }, token),
  addRuntime: (spec: Record<string, unknown>, token: string) => postCommand(ROUTES.runtimeAdd, spec, token),
  changeRuntime: (id: string, patch: Record<string, unknown>, token: string) => postCommand(ROUTES.runtimeChange(id), patch, token),
  removeRuntime: (id: string, reason: string, token: string) => postCommand(ROUTES.runtimeRemove(id), { reason }, token),
  startBacktest: (body: Record<string, unknown>, token: string) => postCommand(ROUTES.backtests, body, token),
  startSweep: (body: Record<string, unknown>, token: string) => postCommand(ROUTES.sweeps, body, token),
  cancelRun: (id: string, token: string) => postCommand(ROUTES.cancelRun(id), {}, token),
};

// ---- telemetry socket ----------------------------------------------------------

export type SocketState = 'connecting' | 'open' | 'closed';

export interface SocketHandlers {
  onState(state: SocketState): void;
  onMessage(topic: Topic, data: unknown): void;
}

/** A decoded /ws frame: `{topic, data}` (also `msg` or `payload` for the body); control frames give null. */
export function decodeFrame(frame: unknown): { topic: string; data: unknown }[] {
  if (Array.isArray(frame)) return frame.flatMap(decodeFrame);
  if (!isObj(frame)) return [];
  const topic = str(frame.topic);
  if (topic === null) return [];
  const data = 'data' in frame ? frame.data : 'msg' in frame ? frame.msg : 'payload' in frame ? frame.payload : undefined;
  return data === undefined ? [] : [{ topic, data }];
}

/**
 * The /ws connection. Subscribes to `topics` on every open and reconnects by
 * itself after a drop, backing off from 0.5 s to 5 s (with jitter, so many
 * terminals do not reconnect in lockstep after a gateway restart).
 */
export class TelemetrySocket {
  private ws: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  state: SocketState = 'closed';
  /** Consecutive failed attempts since the last open. */
  attempts = 0;
  /** When the state last changed (page clock). */
  since = Date.now();
  nextRetryAt: number | null = null;
  /** When the stream was last lost (or the page started without it); null while open. */
  downSince: number | null = Date.now();
  lastMessageAt: number | null = null;
  messages = 0;

  constructor(
    private readonly topics: readonly Topic[],
    private readonly handlers: SocketHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.ws?.close();
  }

  private setState(s: SocketState): void {
    if (s === this.state) return;
    if (s === 'open') this.downSince = null;
    else if (this.state === 'open') this.downSince = Date.now();
    this.state = s;
    this.since = Date.now();
    this.handlers.onState(s);
  }

  private connect(): void {
    this.retryTimer = null;
    this.nextRetryAt = null;
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${ROUTES.ws}`;
    this.setState('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempts = 0;
      ws.send(JSON.stringify({ op: 'subscribe', topics: this.topics }));
      this.setState('open');
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let frame: unknown;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      this.lastMessageAt = Date.now();
      this.messages++;
      for (const { topic, data } of decodeFrame(frame)) {
        if ((this.topics as readonly string[]).includes(topic)) this.handlers.onMessage(topic as Topic, data);
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setState('closed');
      this.scheduleRetry();
    };
    // An error is always followed by close, which does the work.
    ws.onerror = () => undefined;
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.attempts++;
    const base = Math.min(5000, 500 * 2 ** Math.min(this.attempts - 1, 4));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.nextRetryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
