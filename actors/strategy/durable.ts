/**
 * A strategy shard's durable state: the operator's enables and disables and
 * the meta model's learned weights, in `<stateDir>/strategies-<k>.json`
 * (a `DurableRecord` per shard, written only by that shard).
 *
 * Entries are keyed by strategy id, so a restart with another shard count
 * still finds them: a shard reads every `strategies-*.json` and takes, per
 * strategy it runs, the newest entry. An enable or disable is written before
 * the command is answered; meta weights move with every settled signal and
 * are written at a bounded pace (the shard's `stateEveryMs`) when they moved.
 *
 * Only operator decisions are kept: a strategy in `error` (it threw) comes
 * back enabled, which is how an operator would re-enable it anyway.
 * A record that cannot be trusted is moved aside and the shard starts with
 * every strategy it cannot vouch for as the catalog has it, loudly: a
 * strategy's enable is a smaller risk than the governor's tier, which keeps
 * its own record.
 */
import { readdirSync } from 'node:fs';
import { DurableRecord } from '../../src/durable/index.js';
import type { MetaSnapshot } from './support/meta.js';

export interface StrategyDecision {
  readonly enabled: boolean;
  readonly reason: string | null;
  readonly at: number;
}

export interface ShardState {
  readonly shard: number;
  readonly strategies: Readonly<Record<string, StrategyDecision>>;
  readonly meta: MetaSnapshot | null;
}

const FILE = /^strategies-(\d+)\.json$/;

export function shardStateProblem(x: unknown): string | null {
  const s = x as ShardState | null;
  if (!s || typeof s !== 'object') return 'not an object';
  if (!Number.isInteger(s.shard)) return 'no shard';
  if (!s.strategies || typeof s.strategies !== 'object') return 'no strategies';
  for (const [id, d] of Object.entries(s.strategies)) {
    if (!d || typeof d.enabled !== 'boolean' || typeof d.at !== 'number') return `strategy ${id} has no decision`;
  }
  if (s.meta !== null && (typeof s.meta !== 'object' || !Array.isArray(s.meta.records))) return 'meta is malformed';
  return null;
}

export function shardRecord(stateDir: string, shard: number): DurableRecord<ShardState> {
  return new DurableRecord<ShardState>(stateDir, `strategies-${shard}`, shardStateProblem);
}

export interface ShardStart {
  /** Per strategy id of `ids`, the newest decision found. */
  readonly decisions: Map<string, StrategyDecision>;
  /** Meta records and pending calls of `ids`, merged. */
  readonly meta: MetaSnapshot | null;
  /** Records moved aside as untrusted, with why. */
  readonly problems: readonly string[];
  readonly files: number;
}

/** Reads every shard record in `stateDir` and keeps what concerns `ids`. */
export function loadShardState(stateDir: string, ids: readonly string[], now: number): ShardStart {
  const want = new Set(ids);
  const decisions = new Map<string, StrategyDecision>();
  const records: MetaSnapshot['records'][number][] = [];
  const pending: MetaSnapshot['pending'][number][] = [];
  const problems: string[] = [];
  let files = 0;
  let names: string[] = [];
  try {
    names = readdirSync(stateDir);
  } catch {
    return { decisions, meta: null, problems, files };
  }
  let anyMeta = false;
  for (const name of names.sort()) {
    const m = FILE.exec(name);
    if (!m) continue;
    const rec = shardRecord(stateDir, Number(m[1]));
    let v: ShardState;
    try {
      const l = rec.read();
      if (!l) continue;
      v = l.value;
    } catch (err) {
      problems.push((err as Error).message);
      try {
        rec.quarantine(now);
      } catch {
        // Left in place; its owner's next write replaces it.
      }
      continue;
    }
    files++;
    for (const [id, d] of Object.entries(v.strategies)) {
      if (!want.has(id)) continue;
      const had = decisions.get(id);
      if (!had || d.at > had.at) decisions.set(id, d);
    }
    if (v.meta) {
      anyMeta = true;
      for (const r of v.meta.records ?? []) if (want.has(r.id) && !records.some((x) => x.id === r.id)) records.push(r);
      for (const p of v.meta.pending ?? []) if (want.has(p.id)) pending.push(p);
    }
  }
  return { decisions, meta: anyMeta ? { records, pending } : null, problems, files };
}
