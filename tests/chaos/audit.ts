/**
 * The audit at the end of a chaos run, from the outside only: the venue's
 * REST (what the broker really holds), the daemon's write-ahead journal
 * (what it acknowledged) and the API (what the operator sees).
 *
 * - orders at the venue, and duplicate client order ids among them;
 * - acknowledged orders lost: client order ids the journal recorded as
 *   acknowledged by the venue that the venue does not have;
 * - position drift: symbols whose quantity at the venue differs from the
 *   daemon's reported position once trading is quiet and reconciled;
 * - the risk tier and its active triggers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VENUE_KEYS } from './cluster.js';

type J = Record<string, any>;

export interface ChaosAudit {
  readonly ordersAtVenue: number;
  readonly filledOrders: number;
  readonly duplicateClientOrderIds: number;
  readonly acknowledgedInJournal: number;
  readonly acknowledgedLost: number;
  readonly lostIds: readonly string[];
  readonly positionDriftSymbols: number;
  readonly positionDrift: readonly { symbol: string; venue: number; daemon: number }[];
  readonly riskTier: string | null;
  readonly activeTriggers: readonly string[];
  readonly daemonKills: number;
  /** Daemon exits the run did not cause (each one a finding). */
  readonly unexpectedDaemonExits: number;
  readonly redisOutageSec: number;
  /** Operator FLATTEN/clear cycles the load driver ran. */
  readonly flattenCycles: number;
  readonly venueFaults: number;
  readonly venue429: number;
  readonly venue5xx: number;
  readonly durationSec: number;
}

/** Every order the venue has (all statuses), paging backwards by submission time. */
export async function venueOrders(venueUrl: string): Promise<J[]> {
  const all: J[] = [];
  const seen = new Set<string>();
  let until: string | undefined;
  for (let page = 0; page < 200; page++) {
    const q = new URLSearchParams({ status: 'all', limit: '500', direction: 'desc', nested: 'false' });
    if (until) q.set('until', until);
    const r = await fetch(`${venueUrl}/v2/orders?${q}`, { headers: VENUE_KEYS });
    if (!r.ok) throw new Error(`venue GET /v2/orders answered ${r.status}: ${await r.text()}`);
    const batch = (await r.json()) as J[];
    const fresh = batch.filter((o) => !seen.has(o.id));
    for (const o of fresh) {
      seen.add(o.id);
      all.push(o);
    }
    if (batch.length < 500 || fresh.length === 0) break;
    // Inclusive of the last page's oldest instant (orders may share a millisecond); repeats are skipped above.
    until = new Date(Date.parse(batch[batch.length - 1].submitted_at) + 1).toISOString();
  }
  return all;
}

export async function venuePositions(venueUrl: string): Promise<Map<string, number>> {
  const r = await fetch(`${venueUrl}/v2/positions`, { headers: VENUE_KEYS });
  if (!r.ok) throw new Error(`venue GET /v2/positions answered ${r.status}`);
  const out = new Map<string, number>();
  for (const p of (await r.json()) as J[]) out.set(p.symbol, Number(p.qty));
  return out;
}

/** Client order ids the journal recorded as acknowledged by the venue (acks, and acked orders kept by compaction). */
export function journalAcknowledged(journalDir: string): Set<string> {
  const acked = new Set<string>();
  const path = join(journalDir, 'broker.wal');
  if (!existsSync(path)) return acked;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    let rec: J;
    try {
      rec = JSON.parse(line.slice(tab + 1)) as J;
    } catch {
      continue; // a torn tail: never acknowledged
    }
    const e = rec.e as J | undefined;
    if (!e) continue;
    if (e.kind === 'ack' && typeof e.clientOrderId === 'string') acked.add(e.clientOrderId);
    if (e.kind === 'snapshot') {
      for (const o of (e.state?.orders ?? []) as J[]) if (o.submission === 'acked' && o.intentId !== null) acked.add(o.clientOrderId);
    }
  }
  return acked;
}

/** The daemon's positions as the API shows them (symbol -> signed qty). */
export async function daemonPositions(apiUrl: string): Promise<{ positions: Map<string, number>; reconciled: boolean } | null> {
  const r = await fetch(`${apiUrl}/api/v1/positions`);
  if (!r.ok) return null;
  const d = ((await r.json()) as J).data as J | undefined;
  if (!d) return null;
  const positions = new Map<string, number>();
  for (const p of (d.positions ?? []) as J[]) if (Number(p.qty) !== 0) positions.set(p.symbol, Number(p.qty));
  return { positions, reconciled: d.reconciliation?.passed === true };
}

export function positionDiff(venue: Map<string, number>, daemon: Map<string, number>): { symbol: string; venue: number; daemon: number }[] {
  const out: { symbol: string; venue: number; daemon: number }[] = [];
  for (const s of new Set([...venue.keys(), ...daemon.keys()])) {
    const v = venue.get(s) ?? 0;
    const d = daemon.get(s) ?? 0;
    if (Math.abs(v - d) > 1e-9) out.push({ symbol: s, venue: v, daemon: d });
  }
  return out.sort((a, b) => a.symbol.localeCompare(b.symbol));
}

export function duplicateIds(orders: readonly J[]): number {
  const seen = new Map<string, number>();
  for (const o of orders) seen.set(o.client_order_id, (seen.get(o.client_order_id) ?? 0) + 1);
  let dups = 0;
  for (const n of seen.values()) if (n > 1) dups += n - 1;
  return dups;
}

/** The audit as a table for a person. */
export function formatAudit(a: ChaosAudit): string {
  const rows: [string, string][] = [
    ['duration', `${a.durationSec.toFixed(0)} s`],
    ['daemon kill -9', String(a.daemonKills)],
    ['daemon exits not caused', String(a.unexpectedDaemonExits)],
    ['Redis outage', `${a.redisOutageSec} s`],
    ['venue faults injected', String(a.venueFaults)],
    ['venue 429 / 5xx answered', `${a.venue429} / ${a.venue5xx}`],
    ['load: flatten cycles', String(a.flattenCycles)],
    ['orders at the venue', `${a.ordersAtVenue} (${((a.ordersAtVenue * 60) / Math.max(1, a.durationSec)).toFixed(0)}/min)`],
    ['  of which filled', String(a.filledOrders)],
    ['duplicate client order ids', String(a.duplicateClientOrderIds)],
    ['acknowledged in the journal', String(a.acknowledgedInJournal)],
    ['acknowledged orders lost', String(a.acknowledgedLost)],
    ['position drift (symbols)', String(a.positionDriftSymbols)],
    ['risk tier', a.riskTier ?? '?'],
    ['active triggers', a.activeTriggers.length > 0 ? a.activeTriggers.join(', ') : 'none'],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return ['chaos audit', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)].join('\n');
}
