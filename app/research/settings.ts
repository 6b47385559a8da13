/**
 * The trading settings a research run uses: the configuration's risk,
 * allocator and strategies sections, with overrides by configuration path
 * (`--set allocator.sizing.targetVol=0.12`, a sweep's parameter, the web
 * form). An override is checked exactly as the configuration checks the
 * same option (app/config: the option table, its coercion of strings, its
 * rules across fields, the strategy parameter bounds) and an unknown path
 * gets the configuration's "did you mean". Every violation is collected and
 * thrown together as one ConfigError.
 */
import { paramBounds, type ParamBound } from '../../actors/strategy/param-bounds.js';
import { CATALOG } from '../../actors/strategy/registry.js';
import { coerceOption, describeOption, getPath, setPath, unknownOption, validOption } from '../config/load.js';
import { DEFAULT_CONFIG, FIELDS, type FieldSpec, type QgtmConfig } from '../config/schema.js';
import { paramsViolations, strategyOverrides, TRADING_FIELDS, tradingViolations } from '../config/trading.js';
import { ConfigError } from '../../src/errors.js';
import type { SweepParam, TradingSettings } from './types.js';

export type OverrideValue = number | string | boolean;

const TRADING_BY_PATH: ReadonlyMap<string, FieldSpec> = new Map(TRADING_FIELDS.map((f) => [f.path, f]));
const ALL_PATHS: ReadonlySet<string> = new Set(FIELDS.map((f) => f.path));
const PARAMS_PREFIX = 'strategies.params.';

/** The trading sections of a loaded configuration. */
export function settingsFromConfig(config: QgtmConfig): TradingSettings {
  return { risk: config.risk, allocator: config.allocator, strategies: config.strategies };
}

const NUMERIC = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A strategy parameter from a string (the CLI and query strings give strings), by its bound; other values as they are. */
function coerceParam(bound: ParamBound | undefined, raw: OverrideValue): unknown {
  if (typeof raw !== 'string' || bound === undefined) return raw;
  const t = raw.trim();
  switch (bound.kind) {
    case 'integer':
    case 'number':
      return NUMERIC.test(t) ? Number(t) : raw;
    case 'boolean':
      return /^(1|true|yes)$/i.test(t) ? true : /^(0|false|no)$/i.test(t) ? false : raw;
    case 'list': {
      // `1,2,3` or `[1,2,3]`.
      const parts = t.replace(/^\[|\]$/g, '').split(',').map((x) => x.trim());
      return parts.every((x) => NUMERIC.test(x)) ? parts.map(Number) : raw;
    }
    case 'string':
      return raw;
  }
}

export interface OverrideOptions {
  /** How the overrides are named in messages (`--set`, `sweep parameter`); default `override`. */
  readonly source?: string;
}

/**
 * `settings` with `set` applied, each key a configuration path (including
 * `strategies.params.<id>.<param>`). Strings are coerced as the environment
 * and flags are. Throws a ConfigError listing every violation; `settings`
 * itself is never changed.
 */
export function withOverrides(settings: TradingSettings, set: Readonly<Record<string, OverrideValue>>, opts: OverrideOptions = {}): TradingSettings {
  const { result, violations } = apply(settings, set, opts.source ?? 'override', true);
  if (violations.length > 0) throw new ConfigError(violations);
  return result;
}

function apply(settings: TradingSettings, set: Readonly<Record<string, OverrideValue>>, source: string, acrossFields: boolean): { result: TradingSettings; violations: string[] } {
  const out = structuredClone(settings) as unknown as Record<string, unknown>;
  const violations: string[] = [];
  const params: Record<string, Record<string, unknown>> = {};
  let fieldBad = false;
  for (const [path, raw] of Object.entries(set)) {
    if (path === 'strategies.params') {
      violations.push(`strategies.params is set one parameter at a time: strategies.params.<strategy id>.<parameter> (from ${source})`);
      continue;
    }
    if (path.startsWith(PARAMS_PREFIX)) {
      const rest = path.slice(PARAMS_PREFIX.length).split('.');
      if (rest.length !== 2 || rest[0] === '' || rest[1] === '') {
        violations.push(`${path} is not a strategy parameter path: strategies.params.<strategy id>.<parameter> (from ${source})`);
        continue;
      }
      const [id, key] = rest;
      const def = CATALOG.find((s) => s.id === id);
      (params[id] ??= {})[key] = coerceParam(def ? paramBounds(def)[key] : undefined, raw);
      continue;
    }
    const spec = TRADING_BY_PATH.get(path);
    if (!spec) {
      violations.push(ALL_PATHS.has(path) ? `${path} is not a trading setting: a research run takes risk.*, allocator.* and strategies.* options (from ${source})` : `${unknownOption(path)} (from ${source})`);
      continue;
    }
    const v = coerceOption(spec, raw);
    if (!validOption(spec, v)) {
      violations.push(`${path} must be ${describeOption(spec)}; got ${JSON.stringify(raw)} from ${source}`);
      if (/^(risk|allocator)\./.test(path)) fieldBad = true;
      continue;
    }
    setPath(out, path, v);
  }
  violations.push(...paramsViolations(params).map((x) => `${x} (from ${source})`));
  const strategies = out.strategies as { params: Record<string, Record<string, unknown>> };
  const merged: Record<string, Record<string, unknown>> = { ...strategies.params };
  for (const [id, p] of Object.entries(params)) merged[id] = { ...merged[id], ...p };
  strategies.params = merged;
  const result = out as unknown as TradingSettings;
  // Rules across fields only once each field is valid alone, as the configuration does.
  if (acrossFields && !fieldBad) violations.push(...tradingViolations({ risk: result.risk, allocator: result.allocator }).map((x) => `${x} (with ${source})`));
  return { result, violations };
}

/** A path a sweep can vary, with its bounds and the value `settings` gives it. */
export interface SweepableField {
  readonly path: string;
  readonly kind: 'int' | 'number' | 'boolean' | 'enum' | 'string';
  /** Lower bound; exclusive when `exclusiveMin`. */
  readonly min?: number;
  readonly exclusiveMin?: boolean;
  readonly max?: number;
  readonly values?: readonly string[];
  /** The option may be null (a risk rung: that trigger never demands the tier). */
  readonly nullable?: boolean;
  readonly value: OverrideValue | null;
}

function fieldOf(f: FieldSpec, settings: TradingSettings): SweepableField | null {
  const t = f.type;
  const value = getPath(settings, f.path) as OverrideValue | null;
  switch (t.kind) {
    case 'int':
      return { path: f.path, kind: 'int', min: t.min, max: t.max, ...(t.nullable ? { nullable: true } : {}), value };
    case 'number': {
      const lo = t.greaterThan !== undefined ? { min: t.greaterThan, exclusiveMin: true } : t.min !== undefined ? { min: t.min } : {};
      return { path: f.path, kind: 'number', ...lo, ...(t.max !== undefined ? { max: t.max } : {}), ...(t.nullable ? { nullable: true } : {}), value };
    }
    case 'boolean':
      return { path: f.path, kind: 'boolean', value };
    case 'enum':
      return { path: f.path, kind: 'enum', values: t.values, value };
    default:
      return null;
  }
}

function paramField(path: string, b: ParamBound, value: unknown): SweepableField | null {
  const v = value as OverrideValue;
  switch (b.kind) {
    case 'integer':
      return { path, kind: 'int', min: b.min, ...(b.max !== undefined ? { max: b.max } : {}), value: v };
    case 'number':
      return { path, kind: 'number', min: b.exclusiveMin, exclusiveMin: true, ...(b.max !== undefined ? { max: b.max } : {}), value: v };
    case 'boolean':
      return { path, kind: 'boolean', value: v };
    case 'string':
      return { path, kind: 'string', value: v };
    case 'list':
      // A fixed-length table (12 months): not a value a sweep varies.
      return null;
  }
}

/**
 * Every path a sweep can vary: the numeric, boolean and enum trading
 * options, then every strategy parameter (lists excepted), with bounds and
 * the value under `settings` (default: the configuration's defaults).
 */
export function sweepableFields(settings?: TradingSettings): SweepableField[] {
  const s = settings ?? settingsFromConfig(DEFAULT_CONFIG);
  const out: SweepableField[] = [];
  for (const f of TRADING_FIELDS) {
    const x = fieldOf(f, s);
    if (x) out.push(x);
  }
  const effective = strategyOverrides(s.strategies);
  for (const def of CATALOG) {
    for (const [k, b] of Object.entries(paramBounds(def))) {
      const x = paramField(`${PARAMS_PREFIX}${def.id}.${k}`, b, effective[def.id]?.[k] ?? def.params[k]);
      if (x) out.push(x);
    }
  }
  return out;
}

/** The paths of `sweepableFields` (for the CLI's help and the web form). */
export function sweepablePaths(): string[] {
  return sweepableFields().map((f) => f.path);
}


/**
 * Violations of a sweep's parameters before any task runs: a path the
 * configuration does not know, a grid value or a random range end it would
 * refuse. Each value is checked alone, against its own option's bounds;
 * the rules across fields (rungs rising, caps consistent) depend on the
 * combination, so a point that breaks one fails its own task instead.
 */
export function sweepParamViolations(settings: TradingSettings, params: readonly SweepParam[]): string[] {
  const out: string[] = [];
  for (const p of params) {
    const values: OverrideValue[] = p.values !== undefined ? [...p.values] : [p.min, p.max].filter((x): x is number => typeof x === 'number');
    for (const v of values) {
      for (const x of apply(settings, { [p.path]: v }, `sweep parameter ${p.path}`, false).violations) if (!out.includes(x)) out.push(x);
    }
  }
  return out;
}
