/**
 * The catalog registry: lookup by id, partition across shards, and the live
 * surface (which strategies run, and how each is doing).
 */
import { CATALOG } from './catalog/index.js';
import { UnknownStrategyError } from './errors.js';
import type { StrategyState, StrategyStatusEntry } from './messages.js';
import type { StrategyDef } from './strategy.js';

export { CATALOG };

/** A catalog entry by id, or undefined. */
export function strategyById(id: string, catalog: readonly StrategyDef[] = CATALOG): StrategyDef | undefined {
  return catalog.find((s) => s.id === id);
}

/** Ids that appear more than once (a catalog must have none). */
export function duplicateIds(catalog: readonly StrategyDef[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const s of catalog) (seen.has(s.id) ? dup : seen).add(s.id);
  return [...dup];
}

/** 32-bit FNV-1a. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Splits a catalog into `shardCount` shards.
 *
 * Balanced: shard sizes differ by at most one. Stable: the result depends on
 * the set of ids only (not their order), and adding or removing one strategy
 * moves few others, because each strategy goes to the shard with the highest
 * rendezvous hash score for it that still has room (bounded-load rendezvous
 * hashing), taking strategies in id order.
 */
export function partition<S extends { readonly id: string }>(catalog: readonly S[], shardCount: number): S[][] {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`shardCount must be a positive integer, got ${shardCount}`);
  const sorted = [...catalog].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const n = sorted.length;
  const floor = Math.floor(n / shardCount);
  const big = n % shardCount; // shards allowed one extra
  const shards: S[][] = Array.from({ length: shardCount }, () => []);
  let bigUsed = 0;
  for (const s of sorted) {
    const order = Array.from({ length: shardCount }, (_, k) => k).sort(
      (x, y) => fnv1a(`${s.id}#${y}`) - fnv1a(`${s.id}#${x}`) || x - y,
    );
    for (const k of order) {
      const size = shards[k].length;
      if (size < floor) {
        shards[k].push(s);
        break;
      }
      if (size === floor && bigUsed < big) {
        shards[k].push(s);
        bigUsed++;
        break;
      }
    }
  }
  return shards;
}

/** The shard index holding `id` under `partition(catalog, shardCount)`, or -1. */
export function shardOf(id: string, catalog: readonly StrategyDef[], shardCount: number): number {
  return partition(catalog, shardCount).findIndex((shard) => shard.some((s) => s.id === id));
}

/** The outcome of an operator command. */
export interface CommandResult {
  readonly ok: boolean;
  readonly code: string | null;
  readonly message: string;
}

interface Entry {
  readonly def: StrategyDef;
  state: StrategyState;
  evaluations: number;
  signals: number;
  errors: number;
  lastError: string | null;
  lastErrorAt: number | null;
  lastEvaluatedAt: number | null;
  lastSignalAt: number | null;
  disabledReason: string | null;
}

export interface SurfaceSnapshot {
  readonly entries: readonly Omit<StrategyStatusEntry, 'family' | 'instruments' | 'weight'>[];
}

/**
 * The live surface of one shard: per strategy its state (enabled, disabled
 * by an operator, or error after it threw) and counters. A strategy in
 * `error` is not evaluated again until an operator enables it, so a broken
 * strategy cannot spam errors or bad signals.
 */
export class LiveSurface {
  private readonly entries = new Map<string, Entry>();

  constructor(defs: readonly StrategyDef[] = []) {
    for (const d of defs) this.add(d);
  }

  /** Drops a strategy; false when it was not registered. */
  remove(id: string): boolean {
    return this.entries.delete(id);
  }

  /** Adds a strategy at run time, enabled. */
  add(def: StrategyDef): CommandResult {
    if (this.entries.has(def.id)) return { ok: false, code: 'QGTM_ERR_DUPLICATE_STRATEGY', message: `strategy ${def.id} is already registered` };
    this.entries.set(def.id, {
      def,
      state: 'enabled',
      evaluations: 0,
      signals: 0,
      errors: 0,
      lastError: null,
      lastErrorAt: null,
      lastEvaluatedAt: null,
      lastSignalAt: null,
      disabledReason: null,
    });
    return { ok: true, code: null, message: `strategy ${def.id} added` };
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  def(id: string): StrategyDef | undefined {
    return this.entries.get(id)?.def;
  }

  defs(): StrategyDef[] {
    return [...this.entries.values()].map((e) => e.def);
  }

  state(id: string): StrategyState | undefined {
    return this.entries.get(id)?.state;
  }

  /** True when the strategy should be evaluated. */
  isRunnable(id: string): boolean {
    return this.entries.get(id)?.state === 'enabled';
  }

  /** Enables a strategy; from `error` this also clears the error (its counters stay). */
  enable(id: string): CommandResult {
    const e = this.entries.get(id);
    if (!e) return unknown(id);
    const was = e.state;
    e.state = 'enabled';
    e.disabledReason = null;
    e.lastError = was === 'error' ? null : e.lastError;
    return { ok: true, code: null, message: was === 'enabled' ? `strategy ${id} was already enabled` : `strategy ${id} enabled (was ${was})` };
  }

  disable(id: string, reason: string): CommandResult {
    const e = this.entries.get(id);
    if (!e) return unknown(id);
    const was = e.state;
    e.state = 'disabled';
    e.disabledReason = reason;
    return { ok: true, code: null, message: was === 'disabled' ? `strategy ${id} was already disabled` : `strategy ${id} disabled (was ${was})` };
  }

  recordEvaluation(id: string, now: number, signals: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.evaluations++;
    e.lastEvaluatedAt = now;
    if (signals > 0) {
      e.signals += signals;
      e.lastSignalAt = now;
    }
  }

  /** Marks the strategy `error` with the message (it stays out until re-enabled) and counts it. */
  recordError(id: string, message: string, now: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.evaluations++;
    e.lastEvaluatedAt = now;
    e.errors++;
    e.lastError = message;
    e.lastErrorAt = now;
    e.state = 'error';
  }

  status(id: string, weight = 1): StrategyStatusEntry | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    return {
      id,
      family: e.def.family,
      state: e.state,
      instruments: e.def.instruments,
      evaluations: e.evaluations,
      signals: e.signals,
      errors: e.errors,
      lastError: e.lastError,
      lastErrorAt: e.lastErrorAt,
      lastEvaluatedAt: e.lastEvaluatedAt,
      lastSignalAt: e.lastSignalAt,
      disabledReason: e.disabledReason,
      weight,
    };
  }

  list(weightOf: (id: string) => number = () => 1): StrategyStatusEntry[] {
    return [...this.entries.keys()].map((id) => this.status(id, weightOf(id)) as StrategyStatusEntry);
  }

  snapshot(): SurfaceSnapshot {
    return {
      entries: [...this.entries.values()].map((e) => ({
        id: e.def.id,
        state: e.state,
        evaluations: e.evaluations,
        signals: e.signals,
        errors: e.errors,
        lastError: e.lastError,
        lastErrorAt: e.lastErrorAt,
        lastEvaluatedAt: e.lastEvaluatedAt,
        lastSignalAt: e.lastSignalAt,
        disabledReason: e.disabledReason,
      })),
    };
  }

  /** Restores states and counters of strategies this surface holds; unknown ids are ignored. */
  restore(s: SurfaceSnapshot): void {
    for (const r of s.entries ?? []) {
      const e = this.entries.get(r.id);
      if (!e) continue;
      e.state = r.state === 'disabled' || r.state === 'error' ? r.state : 'enabled';
      e.evaluations = r.evaluations ?? 0;
      e.signals = r.signals ?? 0;
      e.errors = r.errors ?? 0;
      e.lastError = r.lastError ?? null;
      e.lastErrorAt = r.lastErrorAt ?? null;
      e.lastEvaluatedAt = r.lastEvaluatedAt ?? null;
      e.lastSignalAt = r.lastSignalAt ?? null;
      e.disabledReason = r.disabledReason ?? null;
    }
  }
}

function unknown(id: string): CommandResult {
  const err = new UnknownStrategyError(id);
  return { ok: false, code: err.code, message: err.message };
}
