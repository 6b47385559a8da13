/**
 * The daemon's runtime strategy set: which runtime entries run, on which
 * shard, kept in `<stateDir>/runtime-strategies.json` (one DurableRecord,
 * written here only, read by each shard at its start).
 *
 * Write-ahead: every change is on disk before a shard is asked to apply it,
 * so a shard that misses the ask (timeout, crash) still runs what the record
 * says at its next start.
 *
 * Placement: a new entry goes to the least-loaded shard (its part of the
 * catalog plus its runtime entries; ties to the lowest index). Catalog
 * entries never move. After a remove leaves the loads more than one apart,
 * one runtime entry moves from the most- to the least-loaded shard
 * (`rebalance`): removed there, added here; the other shards are untouched.
 */
import { readFileSync } from 'node:fs';
import { CATALOG, partition } from '../../actors/strategy/registry.js';
import { runtimeRecord, validateRuntimeEntry, type RuntimeEntry, type RuntimeEntrySpec, type RuntimeOrigin, type RuntimeSet } from '../../actors/strategy/runtime.js';
import type { StrategyDef } from '../../actors/strategy/strategy.js';
import type { DurableRecord } from '../../src/durable/index.js';
import type { Logger } from '../../src/runtime/index.js';

export type RuntimeChange =
  | { readonly ok: true; readonly entry: RuntimeEntry; readonly previous?: RuntimeEntry }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly violations: readonly string[] };

export interface RuntimeStrategiesOptions {
  readonly shardCount: number;
  /** Symbols of the configured universe (instruments an entry may name). */
  readonly universe: readonly string[];
  /** Where the record lives; unset: in memory only (tests, research). */
  readonly stateDir?: string;
  readonly catalog?: readonly StrategyDef[];
}

/** What a strategies-file reload changed (each already recorded), or why the file was refused whole. */
export type FileSync =
  | { readonly ok: true; readonly added: readonly RuntimeEntry[]; readonly changed: readonly { readonly previous: RuntimeEntry; readonly entry: RuntimeEntry }[]; readonly removed: readonly RuntimeEntry[] }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly violations: readonly string[] };

/** One move of `rebalance`: the entry as it was, and as it is now. */
export interface RuntimeMove {
  readonly from: RuntimeEntry;
  readonly to: RuntimeEntry;
}

const refused = (code: string, violations: readonly string[]): RuntimeChange => ({ ok: false, code, message: violations.join('; '), violations });

export class RuntimeStrategies {
  private readonly entries = new Map<string, RuntimeEntry>();
  private readonly record: DurableRecord<RuntimeSet> | null;
  private readonly catalog: readonly StrategyDef[];
  private readonly catalogLoad: number[];
  private readonly catalogShard = new Map<string, number>();

  constructor(private readonly opts: RuntimeStrategiesOptions) {
    this.catalog = opts.catalog ?? CATALOG;
    this.record = opts.stateDir ? runtimeRecord(opts.stateDir) : null;
    const parts = partition(this.catalog, opts.shardCount);
    this.catalogLoad = parts.map((p) => p.length);
    parts.forEach((p, k) => p.forEach((d) => this.catalogShard.set(d.id, k)));
  }

  /**
   * Reads the record (throws StateCorruptError when it cannot be trusted:
   * the caller decides) and re-places entries whose shard no longer exists
   * (the shard count went down), writing the record when it moved any.
   * Returns the ids it re-placed.
   */
  load(now: number): string[] {
    const l = this.record?.read();
    const moved: string[] = [];
    for (const e of l?.value.entries ?? []) {
      if (e.shard < this.opts.shardCount) this.entries.set(e.id, e);
    }
    for (const e of l?.value.entries ?? []) {
      if (e.shard >= this.opts.shardCount) {
        this.entries.set(e.id, { ...e, shard: this.leastLoaded() });
        moved.push(e.id);
      }
    }
    if (moved.length > 0) this.write(now);
    return moved;
  }

  list(): RuntimeEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  get(id: string): RuntimeEntry | undefined {
    return this.entries.get(id);
  }

  /** The shard running `id` (catalog or runtime), or -1. */
  shardOf(id: string): number {
    return this.entries.get(id)?.shard ?? this.catalogShard.get(id) ?? -1;
  }

  /** Strategies per shard: its part of the catalog plus its runtime entries. */
  loads(): number[] {
    const out = [...this.catalogLoad];
    for (const e of this.entries.values()) out[e.shard]++;
    return out;
  }

  /** Validates and records a new entry (on disk before it returns); the caller then asks its shard. */
  add(raw: unknown, origin: RuntimeOrigin): RuntimeChange {
    const v = validateRuntimeEntry(raw, this.catalog, this.opts.universe);
    if (!v.ok) return refused('QGTM_ERR_INVALID_RUNTIME_STRATEGY', v.violations);
    if (this.entries.has(v.spec.id)) return refused('QGTM_ERR_DUPLICATE_STRATEGY', [`runtime strategy ${v.spec.id} already exists (change or remove it)`]);
    const entry = this.resolved(v.spec, origin, this.leastLoaded());
    this.entries.set(entry.id, entry);
    this.persist(origin.at, () => this.entries.delete(entry.id));
    return { ok: true, entry };
  }

  /** A changed entry (params, instruments, note) on the same shard; the fields given replace the old ones. */
  change(id: string, patch: Readonly<Record<string, unknown>>, origin: RuntimeOrigin): RuntimeChange {
    const old = this.entries.get(id);
    if (!old) return refused('QGTM_ERR_UNKNOWN_STRATEGY', [`no runtime strategy ${id}`]);
    const unknown = Object.keys(patch).filter((k) => !['params', 'instruments', 'note'].includes(k));
    if (unknown.length > 0) return refused('QGTM_ERR_INVALID_RUNTIME_STRATEGY', unknown.map((k) => `${k} cannot be changed (only params, instruments, note)`));
    const spec = { id: old.id, base: old.base, ...pick(old), ...patch };
    // Validated as a new entry would be, against a catalog without itself.
    const v = validateRuntimeEntry(spec, this.catalog, this.opts.universe);
    if (!v.ok) return refused('QGTM_ERR_INVALID_RUNTIME_STRATEGY', v.violations);
    const entry = this.resolved(v.spec, origin, old.shard);
    this.entries.set(id, entry);
    this.persist(origin.at, () => this.entries.set(id, old));
    return { ok: true, entry, previous: old };
  }

  /** Forgets an entry (on disk before it returns); the caller then asks its shard to drop it. */
  remove(id: string, now: number): RuntimeChange {
    const old = this.entries.get(id);
    if (!old) {
      const why = this.catalogShard.has(id) ? `${id} is a catalog entry (disable it instead)` : `no runtime strategy ${id}`;
      return refused('QGTM_ERR_UNKNOWN_STRATEGY', [why]);
    }
    this.entries.delete(id);
    this.persist(now, () => this.entries.set(id, old));
    return { ok: true, entry: old };
  }

  /**
   * Makes the entries that came from the strategies file equal to `raw` (the
   * parsed file): adds, changes and removes those with source `file`; API
   * entries are left alone, and a file entry may not take an API entry's id.
   * Every entry is checked first: one bad entry refuses the whole file and
   * nothing changes. Recorded once, before it returns.
   */
  syncFile(raw: unknown, by: string, now: number): FileSync {
    const refuse = (violations: string[]): FileSync => ({ ok: false, code: 'QGTM_ERR_INVALID_STRATEGIES_FILE', message: violations.join('; '), violations });
    const list = (raw as { entries?: unknown } | null)?.entries;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !Array.isArray(list)) return refuse(['the file must be a JSON object {"entries": [ ... ]}']);
    const v: string[] = [];
    const specs: RuntimeEntrySpec[] = [];
    const seen = new Set<string>();
    list.forEach((x, i) => {
      const r = validateRuntimeEntry(x, this.catalog, this.opts.universe);
      if (!r.ok) return void v.push(...r.violations.map((m) => `entries[${i}]: ${m}`));
      if (seen.has(r.spec.id)) return void v.push(`entries[${i}]: id ${r.spec.id} appears twice`);
      seen.add(r.spec.id);
      const had = this.entries.get(r.spec.id);
      if (had && had.origin.source !== 'file') return void v.push(`entries[${i}]: id ${r.spec.id} is an entry added through the API (remove it there first)`);
      specs.push(r.spec);
    });
    if (v.length > 0) return refuse(v);
    const before = new Map(this.entries);
    const origin: RuntimeOrigin = { source: 'file', by, at: now };
    const added: RuntimeEntry[] = [];
    const changed: { previous: RuntimeEntry; entry: RuntimeEntry }[] = [];
    const removed: RuntimeEntry[] = [];
    for (const e of before.values()) {
      if (e.origin.source === 'file' && !seen.has(e.id)) {
        this.entries.delete(e.id);
        removed.push(e);
      }
    }
    for (const spec of specs) {
      const had = this.entries.get(spec.id);
      if (!had) {
        const entry = this.resolved(spec, origin, this.leastLoaded());
        this.entries.set(entry.id, entry);
        added.push(entry);
      } else if (JSON.stringify(pick(had)) !== JSON.stringify(pick(this.resolved(spec, had.origin, had.shard))) || had.base !== spec.base) {
        const entry = this.resolved(spec, origin, had.shard);
        this.entries.set(entry.id, entry);
        changed.push({ previous: had, entry });
      }
    }
    if (added.length + changed.length + removed.length > 0) {
      this.persist(now, () => {
        this.entries.clear();
        for (const [k, e] of before) this.entries.set(k, e);
      });
    }
    return { ok: true, added, changed, removed };
  }

  /**
   * One runtime entry from the most- to the least-loaded shard when their
   * loads are more than one apart (recorded before it returns), or null.
   */
  rebalance(now: number): RuntimeMove | null {
    const loads = this.loads();
    const max = Math.max(...loads);
    const min = Math.min(...loads);
    if (max - min <= 1) return null;
    const from = loads.indexOf(max);
    const to = loads.indexOf(min);
    const candidate = this.list().find((e) => e.shard === from);
    if (!candidate) return null;
    const moved = { ...candidate, shard: to };
    this.entries.set(moved.id, moved);
    this.persist(now, () => this.entries.set(candidate.id, candidate));
    return { from: candidate, to: moved };
  }

  private leastLoaded(): number {
    const loads = this.loads();
    return loads.indexOf(Math.min(...loads));
  }

  /** A control without instruments runs on the whole universe; the entry records them, so it does not change with the config. */
  private resolved(spec: RuntimeEntrySpec, origin: RuntimeOrigin, shard: number): RuntimeEntry {
    const control = !this.catalog.some((d) => d.id === spec.base);
    const instruments = spec.instruments ?? (control ? this.opts.universe : undefined);
    return { id: spec.id, base: spec.base, ...(spec.params ? { params: spec.params } : {}), ...(instruments ? { instruments } : {}), ...(spec.note !== undefined ? { note: spec.note } : {}), origin, shard };
  }

  /** Writes the record; on failure undoes the change in memory and throws (nothing was asked of a shard). */
  private persist(now: number, undo: () => void): void {
    if (!this.record) return;
    try {
      this.write(now);
    } catch (err) {
      undo();
      throw err;
    }
  }

  private write(now: number): void {
    this.record?.write({ entries: this.list() }, now);
  }
}

function pick(e: RuntimeEntry): Partial<RuntimeEntrySpec> {
  return { ...(e.params ? { params: e.params } : {}), ...(e.instruments ? { instruments: e.instruments } : {}), ...(e.note !== undefined ? { note: e.note } : {}) };
}

/**
 * The runtime set for a daemon start, read before any shard starts. A record
 * that cannot be trusted is moved aside and the daemon starts without runtime
 * entries, loudly: fewer strategies is the safe side (each shard logs the
 * same and runs its catalog part only).
 */
export function loadRuntimeStrategies(opts: RuntimeStrategiesOptions, log: Logger, now = Date.now()): RuntimeStrategies {
  const rt = new RuntimeStrategies(opts);
  try {
    const moved = rt.load(now);
    log.info('runtime strategies loaded', { entries: rt.list().length, replaced: moved });
  } catch (err) {
    const aside = opts.stateDir ? runtimeRecord(opts.stateDir).quarantine(now) : null;
    log.error('runtime strategy record unusable: moved aside, starting without runtime entries', { error: err as Error, movedTo: aside });
    return new RuntimeStrategies(opts);
  }
  return rt;
}

/** The strategies file parsed, or what is wrong with it (missing, unreadable, not JSON). */
export function readStrategiesFile(path: string): { ok: true; value: unknown } | { ok: false; message: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, message: `cannot read ${path}: ${(err as Error).message}` };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: `${path} is not JSON: ${(err as Error).message}` };
  }
}

/** Applies the strategies file at a daemon start; a bad file is logged with its reasons and the recorded set runs unchanged. */
export function applyStrategiesFileAtStart(rt: RuntimeStrategies, path: string, log: Logger, now = Date.now()): FileSync {
  const read = readStrategiesFile(path);
  const sync: FileSync = read.ok ? rt.syncFile(read.value, 'strategies file', now) : { ok: false, code: 'QGTM_ERR_INVALID_STRATEGIES_FILE', message: read.message, violations: [read.message] };
  if (sync.ok) log.info('strategies file applied', { path, added: sync.added.map((e) => e.id), changed: sync.changed.map((c) => c.entry.id), removed: sync.removed.map((e) => e.id) });
  else log.error('strategies file refused: the recorded runtime entries run unchanged', { path, violations: sync.violations });
  return sync;
}
