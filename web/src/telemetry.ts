/**
 * Rolling time series for the daemon telemetry charts, built from health
 * samples: rates (from the daemon's own rates, else differentiated from its
 * monotonic counters, else counted on the stream), event-loop delay per
 * worker and mailbox depths. A `gap()` after a disconnect puts a break in
 * every line, so a chart never draws a straight line across missing time.
 */
import type { HealthVM, Topic } from './api/index.js';

export const WINDOW_S = 300;

export type RateSource = 'daemon' | 'counters' | 'stream' | null;

type Rates = { ticks: number | null; signals: number | null; orders: number | null };

export class Telemetry {
  /** Seconds (page clock). */
  readonly t: number[] = [];
  readonly ticks: (number | null)[] = [];
  readonly signals: (number | null)[] = [];
  readonly orders: (number | null)[] = [];
  readonly mailboxTotal: (number | null)[] = [];
  readonly mailboxMax: (number | null)[] = [];
  /** Event-loop delay per worker id, aligned with `t`. */
  readonly eld = new Map<string, (number | null)[]>();
  rateSource: RateSource = null;
  /** Bumps on every sample (views redraw charts only when it moved). */
  version = 0;

  private prev: { at: number; ticks: number | null; signals: number | null; orders: number | null } | null = null;
  private prevStream: { at: number; counts: Record<string, number> } | null = null;
  private lastAt: number | null = null;

  /** Adds one sample from a health update; a repeat of the same daemon sample is ignored. */
  sample(h: HealthVM, counts: Readonly<Record<Topic, number>>, now: number): void {
    const at = h.at ?? now;
    if (this.lastAt !== null && at <= this.lastAt) return;
    this.lastAt = at;
    const rates = this.rates(h, counts, at, now);
    const depths = h.actors.map((a) => a.mailboxDepth).filter((d): d is number => d !== null);
    this.push(now / 1000, rates, depths.length ? depths.reduce((a, b) => a + b, 0) : null, depths.length ? Math.max(...depths) : null, h);
  }

  /** A break in every series (call after a reconnect). */
  gap(): void {
    if (this.t.length === 0) return;
    this.prev = null;
    this.prevStream = null;
    const t = this.t[this.t.length - 1]! + 0.001;
    this.t.push(t);
    for (const s of [this.ticks, this.signals, this.orders, this.mailboxTotal, this.mailboxMax, ...this.eld.values()]) s.push(null);
    this.trim();
    this.version++;
  }

  private rates(h: HealthVM, counts: Readonly<Record<Topic, number>>, at: number, now: number): Rates {
    if (h.rates.ticks !== null || h.rates.signals !== null || h.rates.orders !== null) {
      this.rateSource = 'daemon';
      return { ticks: h.rates.ticks, signals: h.rates.signals, orders: h.rates.orders };
    }
    const c = h.counters;
    if (c.ticks !== null || c.signals !== null || c.orders !== null) {
      const prev = this.prev;
      this.prev = { at, ticks: c.ticks, signals: c.signals, orders: c.orders };
      this.rateSource = 'counters';
      if (!prev || at <= prev.at) return { ticks: null, signals: null, orders: null };
      const dt = (at - prev.at) / 1000;
      // A counter that went down means the daemon restarted: no rate for this interval.
      const d = (x: number | null, p: number | null): number | null => (x === null || p === null || x < p ? null : (x - p) / dt);
      return { ticks: d(c.ticks, prev.ticks), signals: d(c.signals, prev.signals), orders: d(c.orders, prev.orders) };
    }
    const prevS = this.prevStream;
    this.prevStream = { at: now, counts: { ...counts } };
    this.rateSource = 'stream';
    if (!prevS || now <= prevS.at) return { ticks: null, signals: null, orders: null };
    const dt = (now - prevS.at) / 1000;
    return {
      ticks: (counts.ticks - prevS.counts.ticks!) / dt,
      signals: (counts.signals - prevS.counts.signals!) / dt,
      orders: (counts.orders - prevS.counts.orders!) / dt,
    };
  }

  private push(t: number, r: Rates, mbTotal: number | null, mbMax: number | null, h: HealthVM): void {
    const n = this.t.length;
    this.t.push(t);
    this.ticks.push(r.ticks);
    this.signals.push(r.signals);
    this.orders.push(r.orders);
    this.mailboxTotal.push(mbTotal);
    this.mailboxMax.push(mbMax);
    const seen = new Set<string>();
    for (const w of h.workers) {
      let s = this.eld.get(w.id);
      if (!s) {
        s = new Array<number | null>(n).fill(null);
        this.eld.set(w.id, s);
      }
      s.push(w.eventLoopDelayMs);
      seen.add(w.id);
    }
    for (const [id, s] of this.eld) if (!seen.has(id)) s.push(null);
    this.trim();
    this.version++;
  }

  private trim(): void {
    const cutoff = this.t[this.t.length - 1]! - WINDOW_S;
    let k = 0;
    while (k < this.t.length && this.t[k]! < cutoff) k++;
    if (k === 0) return;
    for (const s of [this.t, this.ticks, this.signals, this.orders, this.mailboxTotal, this.mailboxMax, ...this.eld.values()]) s.splice(0, k);
    for (const [id, s] of this.eld) if (s.every((x) => x === null)) this.eld.delete(id);
  }
}
