/**
 * The venue's admin routes, so a person (or a chaos run in another process)
 * can rehearse a fault against a running `qgtm venue --admin`:
 *
 *   GET    /admin/faults   what is pending and standing
 *   POST   /admin/faults   inject one fault, JSON `{kind, ...}` (FAULT_KINDS)
 *   DELETE /admin/faults   clear every fault
 *
 * They exist only with `--admin`, which refuses any bind but loopback, so
 * they need no key. Bodies are validated strictly: an unknown kind or field,
 * a prototype key, a wrong type or an out-of-range number is a 400 naming
 * what was wrong, counted as bad input.
 */
import { parseJsonBounded, UntrustedInputError } from '../../src/runtime/untrusted.js';
import { QgtmError } from '../../src/errors.js';
import { ALPACA_CODES } from '../../src/matching/errors.js';
import type { FaultScope, VenueFaults } from './faults.js';
import type { Reply, Route, VenueRequest } from './router.js';
import type { VenueStats } from './stats.js';

/** Largest accepted admin body: a fault is a handful of fields. */
export const ADMIN_MAX_BODY_BYTES = 4096;

type FieldRule =
  | { readonly type: 'int'; readonly min: number; readonly max: number }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'string'; readonly maxLength: number };

const COUNT = { type: 'int', min: 1, max: 10_000 } as const;
const SCOPE = { type: 'enum', values: ['all', 'trading', 'data', 'macro'] } as const;
const FOR_SEC = { type: 'int', min: 1, max: 3600 } as const;
const STREAMS = { type: 'enum', values: ['all', 'trading', 'data'] } as const;

/** Every fault kind with its fields (all optional; defaults in `applyFault`). */
export const FAULT_KINDS: Readonly<Record<string, Readonly<Record<string, FieldRule>>>> = {
  /** The next `count` REST calls in `scope` answer `status` (5xx). */
  http_error: { count: COUNT, status: { type: 'int', min: 500, max: 599 }, scope: SCOPE },
  /** The next `count` REST calls answer 429 with Retry-After and X-Ratelimit-Reset `retryAfterSec` ahead. */
  rate_limit: { count: COUNT, retryAfterSec: { type: 'int', min: 1, max: 300 }, scope: SCOPE },
  /** The next `count` REST calls answer 200 with a body that is not valid JSON. */
  garbage_json: { count: COUNT, scope: SCOPE },
  /** Every REST response delayed by `ms` (0 clears), for `forSec` seconds when given. */
  latency: { ms: { type: 'int', min: 0, max: 60_000 }, forSec: FOR_SEC },
  /** The next `count` REST responses delayed by `ms`. */
  slow: { count: COUNT, ms: { type: 'int', min: 1, max: 60_000 } },
  /** Stream connections closed abruptly, as a network drop would. */
  drop_streams: { which: STREAMS },
  /** Stream logins refused (trading: unauthorized; data: 402 auth failed) for `forSec` seconds (default 10). */
  refuse_streams: { which: STREAMS, forSec: FOR_SEC },
  /** Market data stops flowing, connections open, for `forSec` seconds (default 10). */
  stall_data: { forSec: FOR_SEC },
  /** The next `count` orders are accepted, then rejected when they would go live. */
  reject_orders: { count: COUNT, reason: { type: 'string', maxLength: 200 } },
};

/** A validated fault request. */
export interface FaultRequest {
  readonly kind: string;
  readonly [field: string]: string | number;
}

/** Why a fault request was refused (a 400). */
export class FaultRequestError extends QgtmError {
  constructor(message: string) {
    super('QGTM_ERR_VENUE_ADMIN_BODY', message);
  }
}

const PROTO_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Validates a parsed body; throws FaultRequestError naming every problem. */
export function validateFaultRequest(body: unknown): FaultRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new FaultRequestError('body must be a JSON object {kind, ...}');
  const o = body as Record<string, unknown>;
  const kind = o.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(FAULT_KINDS, kind)) {
    throw new FaultRequestError(`kind must be one of ${Object.keys(FAULT_KINDS).join(', ')}`);
  }
  const rules = FAULT_KINDS[kind];
  const problems: string[] = [];
  const out: Record<string, string | number> = { kind };
  for (const key of Object.keys(o)) {
    if (key === 'kind') continue;
    if (PROTO_KEYS.has(key) || !Object.hasOwn(rules, key)) {
      problems.push(`unknown field ${JSON.stringify(key.slice(0, 40))} for ${kind} (allowed: ${Object.keys(rules).join(', ') || 'none'})`);
      continue;
    }
    const rule = rules[key];
    const v = o[key];
    if (rule.type === 'int') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < rule.min || v > rule.max) problems.push(`${key} must be an integer ${rule.min}-${rule.max}`);
      else out[key] = v;
    } else if (rule.type === 'enum') {
      if (typeof v !== 'string' || !rule.values.includes(v)) problems.push(`${key} must be one of ${rule.values.join(', ')}`);
      else out[key] = v;
    } else if (typeof v !== 'string' || v.length === 0 || v.length > rule.maxLength) {
      problems.push(`${key} must be a string of 1-${rule.maxLength} characters`);
    } else {
      out[key] = v;
    }
  }
  if (problems.length > 0) throw new FaultRequestError(problems.join('; '));
  return out as FaultRequest;
}

/** Standing faults with a duration: one timer per kind, replaced by a newer request. */
export class StandingFaultTimers {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  set(key: string, forSec: number, clear: () => void): void {
    this.cancel(key);
    const t = setTimeout(() => {
      this.timers.delete(key);
      clear();
    }, forSec * 1000);
    t.unref?.();
    this.timers.set(key, t);
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

/** Applies a validated request; returns what it did, for the reply. */
export function applyFault(faults: VenueFaults, timers: StandingFaultTimers, f: FaultRequest): Record<string, unknown> {
  const count = typeof f.count === 'number' ? f.count : 1;
  const scope = (f.scope as FaultScope | undefined) ?? 'all';
  const which = (f.which as 'all' | 'trading' | 'data' | undefined) ?? 'all';
  const forSec = typeof f.forSec === 'number' ? f.forSec : 10;
  switch (f.kind) {
    case 'http_error':
      faults.failNext(count, typeof f.status === 'number' ? f.status : 500, scope);
      return { queued: count, scope };
    case 'rate_limit':
      faults.rateLimitNext(count, typeof f.retryAfterSec === 'number' ? f.retryAfterSec : 1, scope);
      return { queued: count, scope };
    case 'garbage_json':
      faults.garbageNext(count, scope);
      return { queued: count, scope };
    case 'latency': {
      const ms = typeof f.ms === 'number' ? f.ms : 0;
      faults.setLatency(ms);
      if (typeof f.forSec === 'number' && ms > 0) timers.set('latency', f.forSec, () => faults.setLatency(0));
      else timers.cancel('latency');
      return { latencyMs: ms };
    }
    case 'slow':
      faults.slowNext(count, typeof f.ms === 'number' ? f.ms : 1000);
      return { queued: count };
    case 'drop_streams':
      return { dropped: faults.dropStreams(which) };
    case 'refuse_streams': {
      if (which !== 'data') {
        faults.refuseTradingAuth = true;
        timers.set('refuse_trading', forSec, () => (faults.refuseTradingAuth = false));
      }
      if (which !== 'trading') {
        faults.refuseDataAuth = true;
        timers.set('refuse_data', forSec, () => (faults.refuseDataAuth = false));
      }
      // Refusing logins only matters to new connections: drop the open ones so they must log in again.
      return { dropped: faults.dropStreams(which), forSec };
    }
    case 'stall_data':
      faults.stallData = true;
      timers.set('stall_data', forSec, () => (faults.stallData = false));
      return { forSec };
    case 'reject_orders':
      faults.rejectNextOrders(count, typeof f.reason === 'string' ? f.reason : undefined);
      return { queued: count };
    default:
      throw new FaultRequestError(`kind ${f.kind} is not handled`);
  }
}

function badRequest(stats: VenueStats, message: string): Reply {
  stats.badInput++;
  return { status: 400, body: { code: ALPACA_CODES.badRequest, message } };
}

/** The admin routes over `faults`. */
export function adminRoutes(faults: VenueFaults, stats: VenueStats, timers: StandingFaultTimers): Route[] {
  const post = (req: VenueRequest): Reply => {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) return badRequest(stats, 'content-type must be application/json');
    if (!req.body || req.body.length === 0) return badRequest(stats, 'body must be a JSON object {kind, ...}');
    if (req.body.length > ADMIN_MAX_BODY_BYTES) return { status: 413, body: { code: ALPACA_CODES.tooLarge, message: `admin body exceeds ${ADMIN_MAX_BODY_BYTES} bytes` } };
    let parsed: unknown;
    try {
      parsed = parseJsonBounded(req.body, { maxDepth: 4, maxBytes: ADMIN_MAX_BODY_BYTES });
    } catch (err) {
      if (err instanceof UntrustedInputError) return badRequest(stats, `body refused: ${err.message}`);
      throw err;
    }
    let f: FaultRequest;
    try {
      f = validateFaultRequest(parsed);
    } catch (err) {
      if (err instanceof FaultRequestError) return badRequest(stats, err.message);
      throw err;
    }
    return { status: 200, body: { ok: true, kind: f.kind, ...applyFault(faults, timers, f), faults: faults.snapshot() } };
  };
  return [
    { method: 'GET', pattern: '/admin/faults', scope: 'admin', handler: () => ({ status: 200, body: { faults: faults.snapshot(), injected: stats.faultsInjected, responsesByStatus: { ...stats.responsesByStatus } } }) },
    { method: 'POST', pattern: '/admin/faults', scope: 'admin', handler: post },
    {
      method: 'DELETE',
      pattern: '/admin/faults',
      scope: 'admin',
      handler: () => {
        timers.clearAll();
        faults.reset();
        return { status: 200, body: { ok: true, faults: faults.snapshot() } };
      },
    },
  ];
}
