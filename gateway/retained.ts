/**
 * What a new WebSocket subscriber of a topic is sent first: the topic's
 * latest state, kept from what was published on it, so a client does not
 * wait for the next change (or poll REST) to know where things stand.
 *
 * Each topic has a rule for what "latest" means:
 * - one value (`health`, `posture`): the last message;
 * - one value per key (`risk` keeps risk.state only; `positions` the last
 *   positions and the last account; `strategy_status` the last per shard;
 *   `orders` the last update of each of the newest orders; `research` the
 *   last event per run);
 * - the last few events (`fills`, `supervisor`, `dead_letters`);
 * - batches merged per item (`ticks` per symbol, `signals` per strategy and
 *   symbol), replayed as one batch.
 *
 * Everything is bounded: at most `max` keys per topic, oldest evicted.
 */

/** A message as it went out: its topic sequence number and time, and the payload. */
export interface Kept {
  readonly seq: number;
  readonly ts: number;
  readonly data: unknown;
}

type KeyOf = (msg: Record<string, unknown>, seq: number) => string | null;

interface Rule {
  readonly max: number;
  /** The key a message is kept under (a newer one replaces it), or null to not keep it. */
  readonly key: KeyOf;
  /** For batch topics: the message type of the replayed batch; items are kept one by one under `key`. */
  readonly batch?: string;
}

const str = (x: unknown): string | null => (typeof x === 'string' || typeof x === 'number' ? String(x) : null);
const one: KeyOf = () => 'latest';
const every: KeyOf = (_m, seq) => String(seq);

const RULES: Readonly<Record<string, Rule>> = {
  health: { max: 1, key: one },
  posture: { max: 1, key: one },
  risk: { max: 1, key: (m) => (m.type === 'risk.state' ? 'state' : null) },
  positions: { max: 2, key: (m) => str(m.type) },
  strategy_status: { max: 64, key: (m) => str(m.shard) },
  orders: { max: 100, key: (m) => str(m.clientOrderId) },
  research: { max: 50, key: (m) => str(m.id) ?? str((m.run as Record<string, unknown> | undefined)?.id) },
  fills: { max: 50, key: every },
  supervisor: { max: 50, key: every },
  dead_letters: { max: 10, key: every },
  ticks: { max: 200, key: (i) => str(i.symbol), batch: 'ticks' },
  signals: { max: 400, key: (i) => `${str(i.strategyId) ?? ''}|${str(i.symbol) ?? ''}`, batch: 'signals' },
};

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export class Retained {
  private readonly kept = new Map<string, Map<string, Kept>>();

  /** Keeps what `data` (published on `topic` as number `seq`) says about the topic's latest state. */
  keep(topic: string, seq: number, ts: number, data: unknown): void {
    const rule = RULES[topic];
    if (!rule || !isObj(data)) return;
    let m = this.kept.get(topic);
    if (!m) this.kept.set(topic, (m = new Map()));
    const put = (key: string | null, value: unknown): void => {
      if (key === null) return;
      m.delete(key);
      m.set(key, { seq, ts, data: value });
      if (m.size > rule.max) m.delete(m.keys().next().value!);
    };
    if (rule.batch) {
      if (Array.isArray(data.items)) for (const item of data.items) if (isObj(item)) put(rule.key(item, seq), item);
    } else {
      put(rule.key(data, seq), data);
    }
  }

  /** The frames to replay to a new subscriber of `topic`, oldest first (empty when nothing was published yet). */
  snapshot(topic: string): Kept[] {
    const rule = RULES[topic];
    const m = this.kept.get(topic);
    if (!rule || !m || m.size === 0) return [];
    const all = [...m.values()].sort((a, b) => a.seq - b.seq);
    if (!rule.batch) return all;
    const last = all[all.length - 1];
    return [{ seq: last.seq, ts: last.ts, data: { type: rule.batch, at: last.ts, items: all.map((k) => k.data) } }];
  }

  /** Topics with a rule (every telemetry topic should have one; tested). */
  static covers(topic: string): boolean {
    return topic in RULES;
  }
}
