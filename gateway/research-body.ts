/**
 * Strict checks of the research request bodies (`POST /api/v1/research/
 * backtests` and `/sweeps`). Every problem is collected and reported
 * together, each naming its field path (`history.symbols[1] must be ...`);
 * unknown fields are refused, never ignored, so a typo (`startCash`) does not
 * silently run with the default.
 *
 * The body's `history` is what a client may choose (which symbols, how many
 * days, which file); where the bars come from (the venue's data URL, keys,
 * the cache folder) is the process's business and is filled in from
 * {@link ResearchHistoryAccess}.
 */
import type { BacktestRequest, CostModel, HistorySpec, SweepParam, SweepRequest } from '../app/research/types.js';
import { describe, isPrototypeKey } from '../src/runtime/untrusted.js';
import { HttpError } from './http.js';
import { OBJECTIVES } from '../app/research/sweep-plan.js';
import { DEFAULT_COST_MODEL } from '../app/research/engine/market.js';

/** Where venue (or Alpaca) bars are read from in this process: the parts of a venue HistorySpec a client does not choose. */
export interface HistoryAccess {
  readonly dataUrl: string;
  readonly keyId: string;
  readonly secretKey: string;
  readonly cacheDir: string;
  readonly feed?: 'iex' | 'sip';
  readonly fredUrl?: string | null;
  readonly cftcUrl?: string | null;
}

/** Per history kind, how this process reaches it; a kind left out is refused (400) when a body asks for it. */
export interface ResearchHistoryAccess {
  readonly venue?: HistoryAccess;
  readonly alpaca?: HistoryAccess;
}

const DAY_MS = 86_400_000;
const SYMBOL = /^[A-Z0-9][A-Z0-9./-]{0,15}$/;
/** A configuration path as `--set` takes it: `allocator.sizing.targetVol`. */
const CONFIG_PATH = /^[A-Za-z_][\w-]*(\.[\w-]+){1,7}$/;
const COST_FIELDS = Object.keys(DEFAULT_COST_MODEL) as (keyof CostModel)[];
const MAX_SYMBOLS = 64;
const MAX_SET = 200;
const MAX_PARAMS = 8;
const MAX_VALUES = 1000;
const MAX_BARS = 50_000_000;

type Obj = Record<string, unknown>;

const show = (v: unknown): string => (typeof v === 'string' && /^[A-Za-z0-9_.:-]{1,40}$/.test(v) ? `"${v}"` : describe(v));
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects problems with their field paths. */
class Check {
  readonly problems: string[] = [];

  fail(path: string, what: string): undefined {
    this.problems.push(`${path} ${what}`);
    return undefined;
  }

  /** Reports every key of `o` not in `known` (prototype keys included, never echoed). */
  known(o: Obj, prefix: string, known: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (isPrototypeKey(k) || !known.includes(k)) this.problems.push(`unknown field ${prefix}${/^[A-Za-z0-9_.-]{1,40}$/.test(k) && !isPrototypeKey(k) ? k : describe(k)}`);
    }
  }

  obj(v: unknown, path: string): Obj | undefined {
    return isObj(v) ? v : this.fail(path, `must be an object, got ${typeName(v)}`);
  }

  str(v: unknown, path: string, max = 200): string | undefined {
    if (typeof v !== 'string') return this.fail(path, `must be a string, got ${typeName(v)}`);
    if (v.trim() === '') return this.fail(path, 'must not be empty');
    if (v.length > max) return this.fail(path, `must be at most ${max} characters`);
    return v;
  }

  num(v: unknown, path: string, min: number, max: number, opts: { int?: boolean; exclusiveMin?: boolean } = {}): number | undefined {
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(path, `must be a ${opts.int ? 'whole number' : 'number'}, got ${typeName(v)}`);
    if (opts.int && !Number.isInteger(v)) return this.fail(path, `must be a whole number, got ${v}`);
    if (opts.exclusiveMin ? v <= min : v < min) return this.fail(path, `must be ${opts.exclusiveMin ? 'above' : 'at least'} ${min}, got ${v}`);
    if (v > max) return this.fail(path, `must be at most ${max}, got ${v}`);
    return v;
  }

  oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T | undefined {
    return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : this.fail(path, `must be one of ${allowed.join(', ')}, got ${show(v)}`);
  }

  symbols(v: unknown, path: string): string[] | undefined {
    if (!Array.isArray(v)) return this.fail(path, `must be an array of symbols, got ${typeName(v)}`);
    if (v.length === 0 || v.length > MAX_SYMBOLS) return this.fail(path, `must hold 1-${MAX_SYMBOLS} symbols, got ${v.length}`);
    const out: string[] = [];
    v.forEach((s, i) => {
      if (typeof s !== 'string' || !SYMBOL.test(s)) this.fail(`${path}[${i}]`, `must be a symbol (upper-case letters, digits, . / -), got ${show(s)}`);
      else if (out.includes(s)) this.fail(`${path}[${i}]`, `repeats ${s}`);
      else out.push(s);
    });
    return out;
  }
}

/** The fields both kinds of request share. */
const COMMON = ['name', 'history', 'set', 'cost', 'startingCash', 'seed', 'by'];
const SWEEP_ONLY = ['params', 'mode', 'samples', 'objective', 'walkForward'];

/**
 * Checks a back-test body and builds the request; throws a 400 listing every
 * problem. `now` (epoch ms) anchors `days`: the range ends at the start of
 * today (UTC), so the same request on the same day reads the same bars
 * (and the disk cache).
 */
export function backtestRequest(body: Obj, access: ResearchHistoryAccess, now: number): BacktestRequest {
  const c = new Check();
  c.known(body, '', COMMON);
  const req = common(c, body, access, now);
  done(c);
  return req!;
}

/** Checks a sweep body and builds the request; throws a 400 listing every problem. */
export function sweepRequest(body: Obj, access: ResearchHistoryAccess, now: number): SweepRequest {
  const c = new Check();
  c.known(body, '', [...COMMON, ...SWEEP_ONLY]);
  const base = common(c, body, access, now);
  const params = sweepParams(c, body.params);
  const mode = body.mode === undefined ? undefined : c.oneOf(body.mode, 'mode', ['grid', 'random'] as const);
  const samples = body.samples === undefined ? undefined : c.num(body.samples, 'samples', 1, 100_000, { int: true });
  if (mode === 'random' && samples === undefined && body.samples === undefined) c.fail('samples', 'is required when mode is random');
  // A grid enumerates values; a range only makes sense when points are drawn from it.
  if (mode !== 'random' && params) params.forEach((p, i) => p.values !== undefined || p.min === undefined || c.fail(`params[${i}]`, 'needs values in grid mode (min/max are for mode random)'));
  const objective = body.objective === undefined ? undefined : c.oneOf(body.objective, 'objective', OBJECTIVES);
  let walkForward: SweepRequest['walkForward'];
  if (body.walkForward === null) walkForward = null;
  else if (body.walkForward !== undefined) {
    const w = c.obj(body.walkForward, 'walkForward');
    if (w) {
      c.known(w, 'walkForward.', ['trainBars', 'testBars']);
      const trainBars = c.num(w.trainBars, 'walkForward.trainBars', 1, MAX_BARS, { int: true });
      const testBars = c.num(w.testBars, 'walkForward.testBars', 1, MAX_BARS, { int: true });
      if (trainBars !== undefined && testBars !== undefined) walkForward = { trainBars, testBars };
    }
  }
  done(c);
  return {
    ...base!,
    params: params!,
    ...(mode !== undefined ? { mode } : {}),
    ...(samples !== undefined ? { samples } : {}),
    ...(objective !== undefined ? { objective } : {}),
    ...(walkForward !== undefined ? { walkForward } : {}),
  };
}

function done(c: Check): void {
  if (c.problems.length > 0) throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', `invalid request body: ${c.problems.join('; ')}`, c.problems);
}

function common(c: Check, body: Obj, access: ResearchHistoryAccess, now: number): BacktestRequest | undefined {
  const name = body.name === undefined ? undefined : c.str(body.name, 'name', 100);
  if (body.by !== undefined && (typeof body.by !== 'string' || !/^[\w .@:-]{1,100}$/.test(body.by))) c.fail('by', 'must be 1-100 characters of letters, digits, space and _.@:-');
  const history = body.history === undefined ? c.fail('history', 'is required (an object with kind venue, alpaca, csv or synthetic)') : historySpec(c, body.history, access, now);
  let set: Record<string, number | string | boolean> | undefined;
  if (body.set !== undefined) {
    const s = c.obj(body.set, 'set');
    if (s) {
      const keys = Object.keys(s);
      if (keys.length > MAX_SET) c.fail('set', `must hold at most ${MAX_SET} paths, got ${keys.length}`);
      set = {};
      for (const k of keys.slice(0, MAX_SET)) {
        if (isPrototypeKey(k) || !CONFIG_PATH.test(k)) {
          c.fail('set', `key ${isPrototypeKey(k) ? describe(k) : show(k)} is not a configuration path (like allocator.sizing.targetVol)`);
          continue;
        }
        const v = s[k];
        if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 200)) set[k] = v;
        else c.fail(`set.${k}`, `must be a number, string or boolean, got ${typeName(v)}`);
      }
    }
  }
  let cost: Partial<CostModel> | undefined;
  if (body.cost !== undefined) {
    const o = c.obj(body.cost, 'cost');
    if (o) {
      c.known(o, 'cost.', COST_FIELDS);
      const out: Partial<Record<keyof CostModel, number>> = {};
      for (const f of COST_FIELDS) {
        if (o[f] === undefined) continue;
        const v = f === 'participation' ? c.num(o[f], `cost.${f}`, 0, 1, { exclusiveMin: true }) : c.num(o[f], `cost.${f}`, 0, f === 'feePerShare' || f === 'minFee' ? 1000 : 10_000);
        if (v !== undefined) out[f] = v;
      }
      cost = out;
    }
  }
  const startingCash = body.startingCash === undefined ? undefined : c.num(body.startingCash, 'startingCash', 0, 1e12, { exclusiveMin: true });
  const seed = body.seed === undefined ? undefined : c.num(body.seed, 'seed', 0, 0xffff_ffff, { int: true });
  if (!history) return undefined;
  return {
    ...(name !== undefined ? { name } : {}),
    history,
    ...(set !== undefined ? { set } : {}),
    ...(cost !== undefined ? { cost } : {}),
    ...(startingCash !== undefined ? { startingCash } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

function historySpec(c: Check, v: unknown, access: ResearchHistoryAccess, now: number): HistorySpec | undefined {
  const h = c.obj(v, 'history');
  if (!h) return undefined;
  const kind = c.oneOf(h.kind, 'history.kind', ['venue', 'alpaca', 'csv', 'synthetic'] as const);
  if (kind === undefined) return undefined;
  const interval = (required: boolean): number | undefined =>
    h.intervalMs === undefined && !required ? undefined : c.num(h.intervalMs, 'history.intervalMs', 1000, DAY_MS * 7, { int: true });
  switch (kind) {
    case 'venue':
    case 'alpaca': {
      c.known(h, 'history.', ['kind', 'symbols', 'days', 'start', 'end', 'intervalMs', 'macro']);
      const symbols = c.symbols(h.symbols, 'history.symbols');
      const intervalMs = interval(false) ?? 60_000;
      let start: number | undefined;
      let end: number | undefined;
      if (h.days !== undefined) {
        if (h.start !== undefined || h.end !== undefined) c.fail('history.days', 'cannot be given with start/end');
        const days = c.num(h.days, 'history.days', 1, 3650, { int: true });
        end = Math.floor(now / DAY_MS) * DAY_MS;
        if (days !== undefined) start = end - days * DAY_MS;
      } else if (h.start !== undefined || h.end !== undefined) {
        start = c.num(h.start, 'history.start', 0, 8.64e15, { int: true });
        end = c.num(h.end, 'history.end', 0, 8.64e15, { int: true });
        if (start !== undefined && end !== undefined && end <= start) c.fail('history.end', `must be after history.start`);
      } else c.fail('history.days', 'or history.start and history.end are required');
      const macro = h.macro === undefined ? true : typeof h.macro === 'boolean' ? h.macro : c.fail('history.macro', `must be a boolean, got ${typeName(h.macro)}`);
      const a = access[kind];
      if (!a) c.fail('history.kind', `${kind} history is not available in this process`);
      if (!a || !symbols || start === undefined || end === undefined) return undefined;
      return {
        kind,
        dataUrl: a.dataUrl,
        keyId: a.keyId,
        secretKey: a.secretKey,
        symbols,
        start,
        end,
        intervalMs,
        ...(a.feed ? { feed: a.feed } : {}),
        fredUrl: macro ? (a.fredUrl ?? null) : null,
        cftcUrl: macro ? (a.cftcUrl ?? null) : null,
        cacheDir: a.cacheDir,
      };
    }
    case 'csv': {
      c.known(h, 'history.', ['kind', 'file', 'intervalMs', 'symbols']);
      const file = c.str(h.file, 'history.file', 1000);
      const intervalMs = interval(false);
      const symbols = h.symbols === undefined ? undefined : c.symbols(h.symbols, 'history.symbols');
      if (file === undefined) return undefined;
      return { kind, file, ...(intervalMs !== undefined ? { intervalMs } : {}), ...(symbols ? { symbols } : {}) };
    }
    case 'synthetic': {
      c.known(h, 'history.', ['kind', 'symbols', 'start', 'bars', 'intervalMs', 'seed']);
      const symbols = c.symbols(h.symbols, 'history.symbols');
      const start = c.num(h.start, 'history.start', 0, 8.64e15, { int: true });
      const bars = c.num(h.bars, 'history.bars', 1, MAX_BARS, { int: true });
      const intervalMs = interval(true);
      const seed = c.num(h.seed, 'history.seed', 0, 0xffff_ffff, { int: true });
      if (!symbols || start === undefined || bars === undefined || intervalMs === undefined || seed === undefined) return undefined;
      return { kind, symbols, start, bars, intervalMs, seed };
    }
  }
}

function sweepParams(c: Check, v: unknown): SweepParam[] | undefined {
  if (!Array.isArray(v)) return c.fail('params', `must be an array of parameters, got ${typeName(v)}`);
  if (v.length === 0 || v.length > MAX_PARAMS) return c.fail('params', `must hold 1-${MAX_PARAMS} parameters, got ${v.length}`);
  const out: SweepParam[] = [];
  v.forEach((raw, i) => {
    const at = `params[${i}]`;
    const p = c.obj(raw, at);
    if (!p) return;
    c.known(p, `${at}.`, ['path', 'values', 'min', 'max', 'int']);
    const path = typeof p.path === 'string' && CONFIG_PATH.test(p.path) ? p.path : c.fail(`${at}.path`, `must be a configuration path (like strategies.params.trend_ma_cross.fast), got ${show(p.path)}`);
    if (path && out.some((q) => q.path === path)) c.fail(`${at}.path`, `repeats ${path}`);
    let values: (number | string | boolean)[] | undefined;
    if (p.values !== undefined) {
      if (!Array.isArray(p.values) || p.values.length === 0 || p.values.length > MAX_VALUES) c.fail(`${at}.values`, `must be an array of 1-${MAX_VALUES} values`);
      else {
        values = [];
        p.values.forEach((x, j) => {
          if ((typeof x === 'number' && Number.isFinite(x)) || typeof x === 'boolean' || (typeof x === 'string' && x.length <= 100)) values!.push(x);
          else c.fail(`${at}.values[${j}]`, `must be a number, string or boolean, got ${typeName(x)}`);
        });
      }
    }
    const hasRange = p.min !== undefined || p.max !== undefined;
    const min = hasRange ? c.num(p.min, `${at}.min`, -1e15, 1e15) : undefined;
    const max = hasRange ? c.num(p.max, `${at}.max`, -1e15, 1e15) : undefined;
    if (min !== undefined && max !== undefined && max <= min) c.fail(`${at}.max`, `must be above ${at}.min`);
    const int = p.int === undefined ? undefined : typeof p.int === 'boolean' ? p.int : c.fail(`${at}.int`, `must be a boolean, got ${typeName(p.int)}`);
    if (p.values !== undefined && hasRange) c.fail(at, 'takes values or min/max, not both');
    if (p.values === undefined && !hasRange) c.fail(at, 'needs values (grid) or min and max (random)');
    if (path) out.push({ path, ...(values ? { values } : {}), ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), ...(int !== undefined ? { int } : {}) });
  });
  return out;
}
