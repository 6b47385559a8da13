/**
 * REST under `/api/v1`. Reads come from the state bus (the same code serves
 * `npm start` with InMemoryBus and `qgtm api` with RedisBus); every GET but
 * the `/health` probe answers in one envelope, the daemon's section (or what
 * the route makes of it) under `data`:
 *
 *   { data, updatedAt, ageMs, stale, cached, daemon: { up, heartbeatAgeMs } | null }
 *
 * (`daemon` is null for what this process answers itself: research runs.)
 *
 * `stale` is true when the daemon's heartbeat has expired or the value came
 * from the API's cache because Redis is unreachable. Commands need the bearer
 * token and are answered with the daemon's ack.
 */
import { randomUUID } from 'node:crypto';
import { catalogEntries } from '../app/catalog.js';
import { TIERS, isTier } from '../app/tiers.js';
import type { ApiSide, BusHealth, BusStats, DaemonStatus, StateEntry } from '../app/bus/bus.js';
import type { OperatorCommand } from '../app/bus/commands.js';
import { BusUnavailableError, CommandTimeoutError, DaemonDownError, InvalidCommandError } from '../app/bus/errors.js';
import type { Section } from '../app/bus/sections.js';
import { isFocus, universe } from '../src/universe/index.js';
import type { TokenAuth } from './auth.js';
import { HttpError, jsonReply, parseJsonObject, type Exchange, type Reply } from './http.js';
import type { GatewayMetrics } from './metrics.js';
import { Router, type Params } from './router.js';
import { openApiDocument } from './openapi.js';
import { addResearchRoutes, type ResearchContext } from './research.js';
import { describe, isPrototypeKey } from '../src/runtime/untrusted.js';

/** A field name or value is echoed only when short and plain; anything else is described. */
const showField = (v: unknown): string => (typeof v === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(v) ? `"${v}"` : describe(v));

/** What the gateway needs from a bus: the API side plus health for /health and /metrics. */
export type GatewayBus = ApiSide & { readonly kind: 'memory' | 'redis'; health(): BusHealth; stats(): BusStats };

export interface GatewayLimits {
  readonly maxBodyBytes: number;
  readonly wsMaxPayloadBytes: number;
  readonly wsMaxBackpressureBytes: number;
  readonly wsIdleTimeoutSec: number;
  readonly wsMaxClients: number;
  /** How often slow WebSocket clients are looked for. */
  readonly wsSweepMs: number;
  readonly commandTimeoutMs: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxBodyBytes: 64 * 1024,
  wsMaxPayloadBytes: 16 * 1024,
  wsMaxBackpressureBytes: 1024 * 1024,
  wsIdleTimeoutSec: 120,
  wsMaxClients: 10_000,
  wsSweepMs: 200,
  commandTimeoutMs: 5000,
};

export interface ApiContext extends ResearchContext {
  readonly bus: GatewayBus;
  readonly auth: TokenAuth;
  readonly metrics: GatewayMetrics;
  readonly limits: GatewayLimits;
  readonly version: string;
  readonly startedAt: number;
  readonly now: () => number;
  readonly wsClients: () => number;
}

const OPERATOR = /^[\w .@:-]{1,100}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

function daemonBrief(s: DaemonStatus): Record<string, unknown> {
  return s.reason ? { up: s.up, heartbeatAgeMs: s.heartbeatAgeMs, reason: s.reason } : { up: s.up, heartbeatAgeMs: s.heartbeatAgeMs };
}

async function readSection(ctx: ApiContext, section: Section): Promise<{ entry: StateEntry | null; status: DaemonStatus }> {
  try {
    const [entry, status] = await Promise.all([ctx.bus.getState(section), ctx.bus.daemonStatus()]);
    return { entry, status };
  } catch (err) {
    if (err instanceof BusUnavailableError) throw new HttpError(503, err.code, err.message);
    throw err;
  }
}

function envelope(ctx: ApiContext, entry: StateEntry | null, status: DaemonStatus, data: unknown = entry?.value ?? null): Record<string, unknown> {
  return {
    data,
    updatedAt: entry?.updatedAt ?? null,
    ageMs: entry ? Math.max(0, ctx.now() - entry.updatedAt) : null,
    stale: entry === null || entry.cached || !status.up,
    cached: entry?.cached ?? false,
    daemon: daemonBrief(status),
  };
}

const sectionRoute =
  (section: Section) =>
  async (_ex: Exchange, _p: Params, ctx: ApiContext): Promise<Reply> => {
    const { entry, status } = await readSection(ctx, section);
    return jsonReply(200, envelope(ctx, entry, status));
  };

async function health(_ex: Exchange, _p: Params, ctx: ApiContext): Promise<Reply> {
  const busHealth = ctx.bus.health();
  const [status, detail] = await Promise.all([ctx.bus.daemonStatus(), ctx.bus.getState('health').catch(() => null)]);
  const info = status.info;
  const daemonDegraded = status.up && info ? info.degraded : [];
  const overall = !status.up ? 'down' : daemonDegraded.length > 0 || busHealth.degraded.length > 0 ? 'degraded' : 'ok';
  const now = ctx.now();
  return jsonReply(200, {
    status: overall,
    at: now,
    trading: tradingOf(detail?.value),
    api: { pid: process.pid, version: ctx.version, startedAt: ctx.startedAt, uptimeMs: now - ctx.startedAt, bus: busHealth, wsClients: ctx.wsClients(), commands: ctx.auth.enabled },
    daemon: {
      ...daemonBrief(status),
      ...(info ? { pid: info.pid, version: info.version, startedAt: info.startedAt, degraded: info.degraded, status: info.status ?? null, bus: info.bus, lastHeartbeatAt: info.at } : {}),
      detail: detail ? envelope(ctx, detail, status) : null,
    },
  });
}

/**
 * PAPER or LIVE, and on which venue, as the daemon reported it (UNKNOWN
 * before the daemon's first health section): every surface says which.
 */
function tradingOf(health: unknown): { mode: 'PAPER' | 'LIVE' | 'UNKNOWN'; venue: string | null } {
  const t = (health as { trading?: { mode?: unknown; venue?: unknown } } | null)?.trading;
  const mode = t?.mode === 'PAPER' || t?.mode === 'LIVE' ? t.mode : 'UNKNOWN';
  return { mode, venue: typeof t?.venue === 'string' ? t.venue : null };
}

async function strategies(_ex: Exchange, _p: Params, ctx: ApiContext): Promise<Reply> {
  const { entry, status } = await readSection(ctx, 'strategies');
  // Each entry: the catalog's `defaults` and the `params` its shard reports running (profile and
  // overrides applied), null until a shard has reported.
  const running = new Map<string, unknown>();
  // Runtime entries are the surface's lines that carry an origin (catalog lines carry none).
  const runtime: Record<string, unknown>[] = [];
  const shards = Array.isArray(entry?.value) ? (entry.value as { shard?: unknown; strategies?: unknown }[]) : [];
  for (const sh of shards) {
    if (!Array.isArray(sh?.strategies)) continue;
    for (const e of sh.strategies as { id?: unknown; params?: unknown; origin?: unknown }[]) {
      if (typeof e?.id !== 'string') continue;
      if (e.params) running.set(e.id, e.params);
      if (e.origin && typeof e.origin === 'object') runtime.push({ ...e, shard: sh.shard });
    }
  }
  const catalog = catalogEntries().map(({ params, ...c }) => ({ ...c, origin: { kind: 'catalog' }, params: running.get(c.id) ?? null, defaults: params }));
  const counts = { catalog: catalog.length, runtime: runtime.length, total: catalog.length + runtime.length };
  // The allocator's side (attribution, learning) and the support models ride in the forecasts section.
  const forecasts = (await readSection(ctx, 'forecasts')).entry?.value as { supportModels?: unknown } | null | undefined;
  const supportModels = Array.isArray(forecasts?.supportModels) ? forecasts.supportModels : [];
  // `live` is the strategies section as the shards report it; the envelope's stamp and staleness are its own.
  return jsonReply(200, envelope(ctx, entry, status, { counts, catalog, runtime, live: entry?.value ?? null, supportModels }));
}

/**
 * The instruments of a focus with the daemon's latest per-instrument data.
 * The daemon's `universe` section is `{ instruments: { [symbol]: {...} } }`
 * (an array of objects with `symbol` is accepted too).
 */
async function universeRoute(ex: Exchange, _p: Params, ctx: ApiContext): Promise<Reply> {
  const focus = ex.param('focus') ?? 'pm';
  if (!isFocus(focus)) throw new HttpError(400, 'QGTM_ERR_BAD_QUERY', `focus must be pm or broad, got ${showField(focus)}`);
  const { entry, status } = await readSection(ctx, 'universe');
  const live = new Map<string, unknown>();
  const raw = (entry?.value as { instruments?: unknown } | null)?.instruments;
  if (Array.isArray(raw)) {
    for (const x of raw) if (x && typeof (x as { symbol?: unknown }).symbol === 'string') live.set((x as { symbol: string }).symbol, x);
  } else if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) live.set(k, v);
  }
  const instruments = universe(focus).map((i) => ({ ...i, live: live.get(i.symbol) ?? null }));
  return jsonReply(200, envelope(ctx, entry, status, { focus, count: instruments.length, instruments }));
}

// ---- commands ---------------------------------------------------------------

interface BodySpec {
  readonly [field: string]: 'string' | 'optional-string';
}

/** Checks body fields against a spec; unknown fields and wrong types are each reported. */
function fields(body: Record<string, unknown>, spec: BodySpec): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const problems: string[] = [];
  // Own keys only: `'constructor' in spec` is true for any object.
  for (const key of Object.keys(body)) if ((!Object.hasOwn(spec, key) && key !== 'by') || isPrototypeKey(key)) problems.push(`unknown field ${showField(key).replace(/"/g, '')}`);
  for (const [key, kind] of Object.entries<'string' | 'optional-string'>({ ...spec, by: 'optional-string' })) {
    const v = body[key];
    if (v === undefined && kind === 'optional-string') continue;
    if (typeof v !== 'string') problems.push(`${key} must be a string${v === undefined ? ' (missing)' : `, got ${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v}`}`);
    else if (v.trim() === '' && kind === 'string') problems.push(`${key} must not be empty`);
    else if (v.length > 500) problems.push(`${key} must be at most 500 characters`);
    else out[key] = v;
  }
  if (out.by !== undefined && !OPERATOR.test(out.by)) problems.push('by must be 1-100 characters of letters, digits, space and _.@:-');
  if (problems.length > 0) throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', `invalid request body: ${problems.join('; ')}`, problems);
  return out;
}

/**
 * HTTP status of a runtime-entry command the daemon refused, by its code: a
 * bad entry is the client's (400), an unknown entry 404; anything else (and
 * every other command's refusal) a conflict with the daemon's state (409).
 */
const RUNTIME_REJECTED: Readonly<Record<string, number>> = { QGTM_ERR_INVALID_RUNTIME_STRATEGY: 400, QGTM_ERR_INVALID_STRATEGIES_FILE: 400, QGTM_ERR_UNKNOWN_STRATEGY: 404 };
const RUNTIME_COMMANDS: ReadonlySet<string> = new Set(['strategy.add_runtime', 'strategy.change_runtime', 'strategy.remove_runtime', 'strategy.reload_file']);

type CommandBuilder = (body: Record<string, unknown>, params: Params, base: { id: string; by: string; at: number }) => OperatorCommand;

const command =
  (type: OperatorCommand['type'], build: CommandBuilder) =>
  async (ex: Exchange, params: Params, ctx: ApiContext): Promise<Reply> => {
    const bodyPromise = ex.readBody(ctx.limits.maxBodyBytes);
    try {
      ctx.auth.check(ex.authorization);
      const body = parseJsonObject(ex, await bodyPromise);
      if (ex.idempotencyKey !== '' && !IDEMPOTENCY_KEY.test(ex.idempotencyKey)) {
        throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', 'Idempotency-Key must be 1-128 characters of [A-Za-z0-9_.:-]');
      }
      const id = ex.idempotencyKey || randomUUID();
      const by = typeof body.by === 'string' && body.by !== '' ? body.by : 'operator';
      const cmd = build(body, params, { id, by, at: ctx.now() });
      const ack = await ctx.bus.sendCommand(cmd, { timeoutMs: ctx.limits.commandTimeoutMs });
      ctx.metrics.commands.inc({ type, outcome: ack.ok ? 'ok' : 'rejected' });
      if (ack.ok) return jsonReply(200, { ack, command: cmd });
      const code = ack.error?.code ?? 'QGTM_ERR_COMMAND_REJECTED';
      const st = (RUNTIME_COMMANDS.has(type) ? RUNTIME_REJECTED[code] : undefined) ?? 409;
      return jsonReply(st, { error: { code, status: st, message: ack.error?.message ?? 'the daemon rejected the command' }, ack, command: cmd });
    } catch (err) {
      ctx.metrics.commands.inc({ type, outcome: outcomeOf(err) });
      throw translate(err);
    }
  };

function outcomeOf(err: unknown): string {
  if (err instanceof HttpError) return err.status === 401 || err.status === 403 ? 'unauthorized' : 'invalid';
  if (err instanceof DaemonDownError) return 'daemon_down';
  if (err instanceof CommandTimeoutError) return 'timeout';
  if (err instanceof BusUnavailableError) return 'bus_unavailable';
  if (err instanceof InvalidCommandError) return 'invalid';
  return 'error';
}

function translate(err: unknown): unknown {
  if (err instanceof DaemonDownError || err instanceof BusUnavailableError) return new HttpError(503, err.code, err.message);
  if (err instanceof CommandTimeoutError) {
    return new HttpError(err.delivered ? 504 : 503, err.code, err.message, [err.delivered ? 'delivered: outcome unknown' : 'not delivered: it will not run']);
  }
  if (err instanceof InvalidCommandError) return new HttpError(400, err.code, err.message, err.violations);
  return err;
}

const checkStrategyId = (id: string): string => {
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(id)) throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', `strategy id must be 1-64 characters of [A-Za-z0-9_.:-], got ${showField(id)}`);
  return id;
};

export function apiRouter(): Router<ApiContext> {
  const r = new Router<ApiContext>();
  r.add({ method: 'GET', pattern: '/api/v1/health', handler: health });
  r.add({ method: 'GET', pattern: '/api/v1/strategies', handler: strategies });
  r.add({ method: 'GET', pattern: '/api/v1/risk', handler: sectionRoute('risk') });
  r.add({ method: 'GET', pattern: '/api/v1/forecasts', handler: sectionRoute('forecasts') });
  r.add({ method: 'GET', pattern: '/api/v1/universe', handler: universeRoute });
  r.add({ method: 'GET', pattern: '/api/v1/positions', handler: sectionRoute('positions') });
  r.add({ method: 'GET', pattern: '/api/v1/orders', handler: sectionRoute('orders') });
  r.add({ method: 'GET', pattern: '/api/v1/fills', handler: sectionRoute('fills') });
  r.add({ method: 'GET', pattern: '/api/v1/watchdog', handler: sectionRoute('watchdog') });
  r.add({ method: 'GET', pattern: '/api/v1/config', handler: sectionRoute('config') });
  r.add({ method: 'GET', pattern: '/api/v1/dead-letters', handler: sectionRoute('dead_letters') });
  r.add({ method: 'GET', pattern: '/api/v1/audit', handler: sectionRoute('audit') });
  r.add({ method: 'GET', pattern: '/api/v1/performance', handler: sectionRoute('performance') });
  r.add({
    method: 'POST',
    pattern: '/api/v1/risk/tier',
    body: true,
    handler: command('risk.set_tier', (body, _p, base) => {
      const f = fields(body, { tier: 'string', reason: 'string' });
      if (!isTier(f.tier)) throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', `tier must be one of ${TIERS.join(', ')}, got ${showField(f.tier)}`);
      return { ...base, type: 'risk.set_tier', tier: f.tier, reason: f.reason! };
    }),
  });
  r.add({
    method: 'POST',
    pattern: '/api/v1/risk/clear',
    body: true,
    handler: command('risk.clear_tier', (body, _p, base) => ({ ...base, type: 'risk.clear_tier', reason: fields(body, { reason: 'string' }).reason! })),
  });
  r.add({
    method: 'POST',
    pattern: '/api/v1/risk/flatten',
    body: true,
    handler: command('risk.flatten', (body, _p, base) => ({ ...base, type: 'risk.flatten', reason: fields(body, { reason: 'string' }).reason! })),
  });
  r.add({
    method: 'POST',
    pattern: '/api/v1/strategies/:id/enable',
    body: true,
    handler: command('strategy.enable', (body, p, base) => {
      const f = fields(body, { reason: 'optional-string' });
      return { ...base, type: 'strategy.enable', strategyId: checkStrategyId(p.id), ...(f.reason !== undefined ? { reason: f.reason } : {}) };
    }),
  });
  r.add({
    method: 'POST',
    pattern: '/api/v1/strategies/:id/disable',
    body: true,
    handler: command('strategy.disable', (body, p, base) => ({ ...base, type: 'strategy.disable', strategyId: checkStrategyId(p.id), reason: fields(body, { reason: 'string' }).reason! })),
  });
  r.add({
    method: 'POST',
    pattern: '/api/v1/strategies/learning',
    body: true,
    handler: command('strategy.learning', (body, _p, base) => {
      const { frozen, ...rest } = body;
      const f = fields(rest, { reason: 'string' });
      if (typeof frozen !== 'boolean') throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', `invalid request body: frozen must be true or false, got ${showField(frozen)}`, ['frozen must be true or false']);
      return { ...base, type: 'strategy.learning', frozen, reason: f.reason! };
    }),
  });
  // Runtime entries: the body is the entry's spec ({id, base, params?, instruments?, note?}); the daemon validates it.
  r.add({
    method: 'POST',
    pattern: '/api/v1/strategies/runtime',
    body: true,
    handler: command('strategy.add_runtime', (body, _p, base) => {
      const { by: _by, ...spec } = body;
      return { ...base, type: 'strategy.add_runtime', spec };
    }),
  });
  r.add({
    method: 'POST',
    pattern: '/api/v1/strategies/runtime/:id',
    body: true,
    handler: command('strategy.change_runtime', (body, p, base) => {
      const { by: _by, ...patch } = body;
      return { ...base, type: 'strategy.change_runtime', strategyId: checkStrategyId(p.id), patch };
    }),
  });
  r.add({
    method: 'POST',
    pattern: '/api/v1/strategies/runtime/:id/remove',
    body: true,
    handler: command('strategy.remove_runtime', (body, p, base) => ({ ...base, type: 'strategy.remove_runtime', strategyId: checkStrategyId(p.id), reason: fields(body, { reason: 'string' }).reason! })),
  });
  r.add({
    method: 'POST',
    pattern: '/api/v1/strategies/reload',
    body: true,
    handler: command('strategy.reload_file', (body, _p, base) => ({ ...base, type: 'strategy.reload_file', reason: fields(body, { reason: 'string' }).reason! })),
  });
  addResearchRoutes(r);
  // Built from the routes above; throws here (at every start, and in every test) when a route is undescribed.
  const doc = openApiDocument([...r.list(), { method: 'GET', pattern: '/api/v1/openapi.json' }]);
  r.add({ method: 'GET', pattern: '/api/v1/openapi.json', handler: async () => jsonReply(200, doc) });
  return r;
}
