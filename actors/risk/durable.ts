/**
 * The risk governor's durable state: what the operator and the governor
 * decided (tier, FLATTEN latch, operator floor, tier history) plus the equity
 * marks, in `<stateDir>/risk.json` (a `DurableRecord`).
 *
 * The actor writes it after a decision is made in memory and before anything
 * that follows from it leaves the actor (a command's reply, a published tier
 * change, an approval or a liquidation), so whatever anyone saw is on disk.
 * At start it is read before the first intent can be reviewed:
 * - no record: a first start, NORMAL (restored false);
 * - a whole record: the governor as it was (a FLATTEN latch stays latched);
 * - a record that cannot be trusted: moved aside, and the governor starts
 *   with an operator floor of NO_NEW that only an operator `clear` lifts.
 *   Starting NORMAL would silently undo whatever was decided.
 *
 * A supervisor restart inside a running daemon also has the runtime's
 * snapshot (taken every second); the record is newer for the governor (it is
 * written on every change), the snapshot for the rolling inputs.
 */
import { DurableRecord, StateCorruptError } from '../../src/durable/index.js';
import type { RiskDeskSnapshot } from './desk.js';
import { isTier } from './tiers.js';

export const RISK_RECORD = 'risk';

export function riskStateProblem(x: unknown): string | null {
  const s = x as RiskDeskSnapshot | null;
  if (!s || typeof s !== 'object') return 'not an object';
  const g = s.governor;
  if (!g || typeof g !== 'object') return 'no governor';
  if (!isTier(g.tier)) return `tier ${String(g.tier)} is not a tier`;
  if (g.floor !== null && !isTier(g.floor)) return `floor ${String(g.floor)} is not a tier`;
  if (typeof g.latched !== 'boolean') return 'latched is not a boolean';
  if (!Array.isArray(g.history)) return 'history is not a list';
  if (!Array.isArray(s.orderTimes)) return 'orderTimes is not a list';
  return null;
}

export type RiskStart =
  | { readonly kind: 'none' }
  | { readonly kind: 'restored'; readonly snapshot: RiskDeskSnapshot; readonly seq: number; readonly savedAt: number }
  | { readonly kind: 'corrupt'; readonly error: string; readonly movedTo: string | null };

export function riskRecord(stateDir: string): DurableRecord<RiskDeskSnapshot> {
  return new DurableRecord<RiskDeskSnapshot>(stateDir, RISK_RECORD, riskStateProblem);
}

/** Reads the record; an untrusted one is moved aside and reported, never thrown. */
export function loadRiskState(record: DurableRecord<RiskDeskSnapshot>, now: number): RiskStart {
  try {
    const l = record.read();
    return l ? { kind: 'restored', snapshot: l.value, seq: l.seq, savedAt: l.savedAt } : { kind: 'none' };
  } catch (err) {
    const error = err instanceof StateCorruptError ? err.message : `risk state unreadable: ${(err as Error).message}`;
    let movedTo: string | null = null;
    try {
      movedTo = record.quarantine(now);
    } catch {
      // Left in place; the next write replaces it.
    }
    return { kind: 'corrupt', error, movedTo };
  }
}

/** The start state: the governor from disk (newest), the rolling inputs from the runtime's snapshot when there is one. */
export function mergeRiskStart(disk: RiskDeskSnapshot | null, runtime: RiskDeskSnapshot | undefined): RiskDeskSnapshot | null {
  if (!disk) return runtime ?? null;
  if (!runtime) return disk;
  return { ...runtime, governor: disk.governor, flattenSeq: Math.max(disk.flattenSeq ?? 0, runtime.flattenSeq ?? 0) };
}
