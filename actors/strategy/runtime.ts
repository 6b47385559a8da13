/**
 * Runtime entries: parameterised variants of a catalog entry (another window,
 * another instrument set) and control modules (buy-and-hold benchmark, flat
 * control), added by an operator while the daemon runs. Validated here against
 * the base's parameter bounds before they reach a shard.
 *
 * Known gap: cross-parameter rules (e.g. oversold < overbought) are not
 * checked: a base's evaluate on an empty view returns [] before reading them.
 */
import { MarketView } from './market-view.js';
import { paramBounds, boundViolation } from './param-bounds.js';
import { makeSignal, type ParamValue, type Params, type StrategyDef } from './strategy.js';
import { DurableRecord } from '../../src/durable/index.js';

export const CONTROL_KINDS = ['buy_and_hold', 'flat_control'] as const;
export type ControlKind = (typeof CONTROL_KINDS)[number];

export interface RuntimeEntrySpec {
  readonly id: string;
  readonly base: string;
  readonly params?: Readonly<Record<string, ParamValue>>;
  readonly instruments?: readonly string[];
  readonly note?: string;
}

export interface RuntimeOrigin {
  readonly source: 'api' | 'file';
  readonly by: string;
  readonly at: number;
}

/** A runtime entry's provenance as the live surface reports it. */
export interface RuntimeOriginInfo {
  readonly kind: 'runtime';
  /** The catalog entry (or control kind) it varies. */
  readonly base: string;
  readonly source: 'api' | 'file';
  readonly by: string;
  readonly at: number;
  readonly note: string | null;
}

export interface RuntimeEntry extends RuntimeEntrySpec {
  readonly origin: RuntimeOrigin;
  readonly shard: number;
}

export type RuntimeValidation = { readonly ok: true; readonly spec: RuntimeEntrySpec } | { readonly ok: false; readonly violations: string[] };

const ID_RE = /^[a-z0-9_.-]{1,64}$/;
/** Words of the /api/v1/strategies routes: an entry so named could not be addressed by them. */
const RESERVED_IDS: readonly string[] = ['runtime', 'learning', 'enable', 'disable', 'remove', 'reload'];
const DAY_MS = 86_400_000;

function isControl(base: string): base is ControlKind {
  return (CONTROL_KINDS as readonly string[]).includes(base);
}

function controlDef(kind: ControlKind, instruments: readonly string[]): StrategyDef {
  const params: Params = kind === 'buy_and_hold' ? { strength: 0.5 } : {};
  return {
    id: kind,
    family: 'control',
    thesis: kind === 'buy_and_hold' ? 'benchmark: long every instrument at constant strength' : 'control: never trades (direction 0 always)',
    params,
    instruments,
    macro: [],
    trigger: 'bar',
    perInstrument: true,
    evaluate(_view, p, now, only) {
      const strength = typeof p['strength'] === 'number' ? p['strength'] : 0;
      return (only ?? instruments).map((s) =>
        kind === 'buy_and_hold'
          ? makeSignal(kind, s, 1, strength, 1, DAY_MS, now, 'benchmark: hold long')
          : makeSignal(kind, s, 0, 0, 1, DAY_MS, now, 'flat control'),
      );
    },
  };
}

function baseDef(spec: Pick<RuntimeEntrySpec, 'base' | 'instruments'>, catalog: readonly StrategyDef[], universe: readonly string[]): StrategyDef | undefined {
  if (isControl(spec.base)) return controlDef(spec.base, spec.instruments ?? universe);
  return catalog.find((d) => d.id === spec.base);
}

/** Checks `raw` as a runtime entry spec, collecting every problem. */
export function validateRuntimeEntry(raw: unknown, catalog: readonly StrategyDef[], universeSymbols: readonly string[]): RuntimeValidation {
  const v: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, violations: ['spec must be an object'] };
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!['id', 'base', 'params', 'instruments', 'note'].includes(k)) v.push(`unknown field ${k}`);
  const id = r['id'];
  if (typeof id !== 'string' || !ID_RE.test(id)) v.push('id must be 1-64 characters of [a-z0-9_.-]');
  else if (catalog.some((d) => d.id === id) || isControl(id)) v.push(`id ${id} clashes with a catalog id`);
  else if (RESERVED_IDS.includes(id)) v.push(`id ${id} is reserved (a word of the strategies routes)`);
  const base = r['base'];
  let def: StrategyDef | undefined;
  if (typeof base !== 'string') v.push('base must be a catalog id or one of ' + CONTROL_KINDS.join(', '));
  else {
    def = baseDef({ base }, catalog, universeSymbols);
    if (!def) v.push(`unknown base ${base}`);
  }
  const instruments = r['instruments'];
  if (instruments !== undefined) {
    if (!Array.isArray(instruments) || instruments.length === 0 || !instruments.every((s) => typeof s === 'string')) v.push('instruments must be a non-empty list of symbols');
    else {
      for (const s of instruments as string[]) if (!universeSymbols.includes(s)) v.push(`instrument ${s} is not in the universe`);
      if (def && !def.perInstrument) v.push(`base ${def.id} is not per-instrument (its instruments are structural); instruments cannot be overridden`);
    }
  }
  const params = r['params'];
  if (params !== undefined) {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) v.push('params must be an object');
    else if (def) {
      const bounds = paramBounds(def);
      for (const [k, val] of Object.entries(params as Record<string, unknown>)) {
        const b = bounds[k];
        if (!b) { v.push(`unknown param ${k} for base ${def.id}`); continue; }
        const why = boundViolation(b, val);
        if (why) v.push(`param ${k} must be ${why}, got ${JSON.stringify(val)}`);
      }
    }
  }
  const note = r['note'];
  if (note !== undefined && (typeof note !== 'string' || note.length > 500)) v.push('note must be a string of at most 500 characters');
  // Rules across parameters (lower < upper, fast < slow) live in each entry's evaluate, checked before it
  // looks at data: a trial on an empty view finds them here rather than as an `error` state on a shard.
  if (v.length === 0 && def) {
    try {
      def.evaluate(new MarketView(), { ...def.params, ...((params as Params | undefined) ?? {}) }, 0);
    } catch (err) {
      v.push(`params rejected by ${def.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (v.length > 0) return { ok: false, violations: v };
  return { ok: true, spec: raw as RuntimeEntrySpec };
}

/** The StrategyDef a shard runs for a (validated) runtime entry. */
export function runtimeDef(spec: RuntimeEntrySpec, catalog: readonly StrategyDef[], universeSymbols: readonly string[] = []): StrategyDef {
  const base = baseDef(spec, catalog, universeSymbols);
  if (!base) throw new Error(`unknown base ${spec.base}`);
  const instruments = spec.instruments ?? base.instruments;
  const differs = [
    ...Object.entries(spec.params ?? {}).map(([k, x]) => `${k}=${JSON.stringify(x)}`),
    ...(spec.instruments ? [`instruments ${spec.instruments.join(',')}`] : []),
  ];
  return {
    id: spec.id,
    family: base.family,
    thesis: `variant of ${base.id}: ${differs.length > 0 ? differs.join(', ') : 'same parameters'}`,
    params: { ...base.params, ...(spec.params ?? {}) },
    instruments,
    macro: base.macro,
    ...(base.inputs ? { inputs: base.inputs } : {}),
    trigger: base.trigger,
    ...(base.perInstrument ? { perInstrument: true } : {}),
    evaluate(view, params, now, only) {
      return base.evaluate(view, params, now, base.perInstrument ? (only ?? instruments) : only).map((s) => ({ ...s, strategyId: spec.id }));
    },
  };
}

/** The provenance a shard reports for a runtime entry. */
export function originInfo(entry: RuntimeEntry): RuntimeOriginInfo {
  return { kind: 'runtime', base: entry.base, source: entry.origin.source, by: entry.origin.by, at: entry.origin.at, note: entry.note ?? null };
}

/** What `<stateDir>/runtime-strategies.json` holds: every runtime entry with its shard. Written by the daemon only. */
export interface RuntimeSet {
  readonly entries: readonly RuntimeEntry[];
}

export const RUNTIME_RECORD = 'runtime-strategies';

/** Why a decoded runtime record cannot be trusted, or null. */
export function runtimeSetProblem(x: unknown): string | null {
  const s = x as RuntimeSet | null;
  if (!s || typeof s !== 'object' || !Array.isArray(s.entries)) return 'no entries list';
  for (const [i, e] of s.entries.entries()) {
    if (!e || typeof e !== 'object' || typeof e.id !== 'string' || typeof e.base !== 'string') return `entry ${i} has no id or base`;
    if (!Number.isInteger(e.shard) || e.shard < 0) return `entry ${e.id} has no shard`;
    if (!e.origin || (e.origin.source !== 'api' && e.origin.source !== 'file') || typeof e.origin.at !== 'number') return `entry ${e.id} has no origin`;
  }
  return null;
}

/** The runtime record in `stateDir`. */
export function runtimeRecord(stateDir: string): DurableRecord<RuntimeSet> {
  return new DurableRecord<RuntimeSet>(stateDir, RUNTIME_RECORD, runtimeSetProblem);
}

/**
 * The definition and provenance a shard runs for `entry`: its base's
 * parameters under the shard's profile and configured overrides, then the
 * entry's own, so a variant differs from its base only where it says so.
 */
export function runtimeForShard(
  entry: RuntimeEntry,
  catalog: readonly StrategyDef[],
  overrides: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
): { readonly def: StrategyDef; readonly origin: RuntimeOriginInfo } {
  const def = runtimeDef(entry, catalog, entry.instruments ?? []);
  const params = { ...def.params, ...(overrides[entry.base] ?? {}), ...(entry.params ?? {}) } as Params;
  return { def: { ...def, params }, origin: originInfo(entry) };
}
