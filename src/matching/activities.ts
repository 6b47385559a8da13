/**
 * Account activities (`GET /v2/account/activities`): every fill as a FILL
 * trade activity and every fee as a FEE non-trade activity, newest last in
 * memory, bounded, with Alpaca's filters and paging (page_token is the id of
 * the last activity of the previous page).
 */
import { invalid } from './errors.js';
import { dec, iso } from './format.js';

export interface Activity {
  readonly id: string;
  readonly at: number;
  readonly wire: Readonly<Record<string, unknown>>;
}

export interface ActivityQuery {
  readonly activityTypes?: readonly string[];
  /** `trade_activity` (fills) or `non_trade_activity` (the rest); not with activityTypes. */
  readonly category?: string;
  readonly after?: number;
  readonly until?: number;
  /** A day (UTC midnight): only that day's activities. */
  readonly date?: number;
  readonly direction?: string;
  readonly pageSize?: number;
  readonly pageToken?: string;
}

/** Alpaca's activity types this venue produces. */
export const ACTIVITY_TYPES: readonly string[] = ['FILL', 'FEE'];
const KNOWN_TYPES = new Set(['FILL', 'TRANS', 'MISC', 'ACATC', 'ACATS', 'CSD', 'CSW', 'DIV', 'FEE', 'INT', 'JNLC', 'JNLS', 'MA', 'NC', 'OPASN', 'OPEXP', 'OPXRC', 'PTC', 'REORG', 'SPIN', 'SPLIT']);

/** `20250106143000123::<execution id>`, Alpaca's activity id shape (time first, so ids sort by time). */
function activityId(at: number, suffix: string): string {
  return iso(at).replace(/[-:TZ.]/g, '') + '::' + suffix;
}

export class ActivityLog {
  private readonly list: Activity[];

  constructor(private readonly keep = 10_000, restored: readonly Activity[] = []) {
    this.list = restored.slice(-keep);
  }

  get all(): readonly Activity[] {
    return this.list;
  }

  fill(f: {
    at: number; executionId: string; orderId: string; symbol: string; side: string; qty: number; price: number;
    cumQty: number; leavesQty: number; orderStatus: string; partial: boolean;
  }): void {
    this.push(f.at, activityId(f.at, f.executionId), {
      activity_type: 'FILL',
      transaction_time: iso(f.at),
      type: f.partial ? 'partial_fill' : 'fill',
      price: dec(f.price, 4),
      qty: dec(f.qty),
      side: f.side,
      symbol: f.symbol,
      leaves_qty: dec(f.leavesQty),
      order_id: f.orderId,
      cum_qty: dec(f.cumQty),
      order_status: f.orderStatus,
    });
  }

  fee(f: { at: number; executionId: string; symbol: string; qty: number; amount: number }): void {
    this.push(f.at, activityId(f.at, f.executionId + '-fee'), {
      activity_type: 'FEE',
      date: iso(f.at).slice(0, 10),
      net_amount: dec(-f.amount, 4),
      description: `fill fee (${dec(f.qty)} ${f.symbol})`,
      symbol: f.symbol,
      qty: dec(f.qty),
      per_share_amount: dec(f.qty > 0 ? f.amount / f.qty : 0, 6),
      status: 'executed',
    });
  }

  private push(at: number, id: string, wire: Record<string, unknown>): void {
    this.list.push({ id, at, wire: { id, ...wire } });
    if (this.list.length > this.keep) this.list.splice(0, this.list.length - this.keep);
  }

  /** Alpaca's filters: types, after/until/date, direction (default desc), page_size (default 100, 1-100), page_token. */
  query(q: ActivityQuery): Record<string, unknown>[] {
    let types = q.activityTypes && q.activityTypes.length > 0 ? q.activityTypes.map((t) => t.toUpperCase()) : undefined;
    for (const t of types ?? []) if (!KNOWN_TYPES.has(t)) throw invalid(`invalid activity_types: ${t}`);
    if (q.category !== undefined) {
      if (types) throw invalid('category cannot be combined with activity_types');
      if (q.category !== 'trade_activity' && q.category !== 'non_trade_activity') throw invalid(`invalid category: ${q.category} (trade_activity or non_trade_activity)`);
      types = q.category === 'trade_activity' ? ['FILL'] : [...KNOWN_TYPES].filter((t) => t !== 'FILL');
    }
    const direction = q.direction ?? 'desc';
    if (direction !== 'asc' && direction !== 'desc') throw invalid('invalid direction: must be asc or desc');
    const size = q.pageSize ?? 100;
    if (!Number.isInteger(size) || size < 1 || size > 100) throw invalid('page_size must be between 1 and 100');
    if (q.date !== undefined && (q.after !== undefined || q.until !== undefined)) throw invalid('date cannot be combined with after or until');
    const from = q.date ?? q.after;
    const to = q.date !== undefined ? q.date + 86_400_000 : q.until;
    let rows = this.list.filter(
      (a) =>
        (!types || types.includes(String(a.wire.activity_type))) &&
        (from === undefined || (q.date !== undefined ? a.at >= from : a.at > from)) &&
        (to === undefined || a.at < to),
    );
    if (direction === 'desc') rows = rows.reverse();
    if (q.pageToken !== undefined) {
      const k = rows.findIndex((a) => a.id === q.pageToken);
      if (k < 0) throw invalid('invalid page_token');
      rows = rows.slice(k + 1);
    }
    return rows.slice(0, size).map((a) => ({ ...a.wire }));
  }
}
