/**
 * View models that join a REST snapshot with the live stream laid over it:
 * ticks over the universe, signals over strategies, order updates and fills
 * over the orders snapshot, tier changes over the risk state. A stream value
 * wins only when it is newer than what the snapshot holds.
 */
import {
  isOpenOrder,
  normaliseFills,
  normaliseForecasts,
  normaliseOrders,
  normalisePositions,
  normaliseRisk,
  normaliseStrategies,
  normaliseUniverse,
  normaliseWatchdog,
  normaliseDeadLetters,
  type DeadLettersVM,
  type FillVM,
  type ForecastsVM,
  type InstrumentVM,
  type OrderVM,
  type PositionsVM,
  type RiskVM,
  type StrategiesVM,
  type UniverseVM,
  type WatchdogVM,
} from './api/index.js';
import type { Store } from './store.js';

export interface InstrumentRow extends InstrumentVM {
  /** Page-clock time this row's data last arrived (tick or snapshot). */
  readonly receivedAt: number | null;
}

export function universeOf(store: Store): (UniverseVM & { readonly rows: readonly InstrumentRow[] }) | null {
  const slot = store.slots.universe;
  if (slot.value === null) return null;
  const u = normaliseUniverse(slot.value);
  const rows = u.instruments.map((i): InstrumentRow => {
    const t = store.ticks.get(i.symbol);
    if (!t || (i.lastUpdateAt !== null && t.v.ts !== null && t.v.ts < i.lastUpdateAt)) return { ...i, receivedAt: slot.receivedAt };
    const x = t.v;
    return {
      ...i,
      price: x.price ?? i.price,
      change: x.change ?? i.change,
      vol: x.vol ?? i.vol,
      spreadBps: x.spreadBps ?? i.spreadBps,
      status: x.status ?? i.status,
      lastUpdateAt: x.ts ?? i.lastUpdateAt,
      receivedAt: Math.max(t.receivedAt, slot.receivedAt ?? 0),
    };
  });
  return { ...u, rows };
}

/** Last known price per symbol, from ticks or the universe snapshot (for marks). */
export function lastPrices(store: Store): Map<string, { price: number; receivedAt: number | null }> {
  const out = new Map<string, { price: number; receivedAt: number | null }>();
  const u = store.slots.universe.value === null ? null : normaliseUniverse(store.slots.universe.value);
  for (const i of u?.instruments ?? []) if (i.price !== null) out.set(i.symbol, { price: i.price, receivedAt: store.slots.universe.receivedAt });
  for (const [sym, t] of store.ticks) if (t.v.price !== null) out.set(sym, { price: t.v.price, receivedAt: t.receivedAt });
  return out;
}

export function strategiesOf(store: Store): StrategiesVM | null {
  if (store.slots.strategies.value === null) return null;
  const s = normaliseStrategies(store.slots.strategies.value);
  return {
    ...s,
    strategies: s.strategies.map((x) => {
      const live = store.signals.get(x.id)?.v;
      if (!live || (x.lastSignal && (x.lastSignal.ts ?? 0) > (live.ts ?? 0))) return x;
      return { ...x, lastSignal: live, lastSignalAt: Math.max(x.lastSignalAt ?? 0, live.ts ?? 0) || null };
    }),
  };
}

export function forecastsOf(store: Store): ForecastsVM | null {
  return store.slots.forecasts.value === null ? null : normaliseForecasts(store.slots.forecasts.value);
}

export function watchdogOf(store: Store): WatchdogVM | null {
  return store.slots.watchdog.value === null ? null : normaliseWatchdog(store.slots.watchdog.value);
}

export function deadLettersOf(store: Store): DeadLettersVM | null {
  const v = store.slots['dead-letters'].value;
  return v === null ? null : normaliseDeadLetters(v);
}

export function riskOf(store: Store): RiskVM | null {
  const base = store.slots.risk.value === null ? null : normaliseRisk(store.slots.risk.value);
  const live = store.riskLive?.v ?? null;
  let r: RiskVM | null = base;
  if (live && live.tier !== null && (!base || base.at === null || (live.at ?? 0) >= base.at)) {
    // A live risk.state carries the triggers; the snapshot carries exposure in dollars and its ratios.
    r = {
      ...live,
      history: base?.history ?? [],
      equity: live.equity ?? base?.equity ?? null,
      grossExposure: live.grossExposure ?? base?.grossExposure ?? null,
      grossExposureRatio: base?.grossExposure != null ? base.grossExposureRatio : (live.grossExposureRatio ?? base?.grossExposureRatio ?? null),
      netExposure: live.netExposure ?? base?.netExposure ?? null,
      netExposureRatio: live.netExposureRatio ?? base?.netExposureRatio ?? null,
      targetGrossRatio: live.targetGrossRatio ?? base?.targetGrossRatio ?? null,
      targetNetRatio: live.targetNetRatio ?? base?.targetNetRatio ?? null,
    };
  }
  const changes = store.riskChanges.map((c) => c.v);
  if (changes.length === 0) return r;
  const history = [...changes];
  const seen = new Set(changes.map((c) => `${c.at}|${c.to}`));
  for (const h of r?.history ?? []) if (!seen.has(`${h.at}|${h.to}`)) history.push(h);
  history.sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
  const newest = changes[0]!;
  const tierFromChange = !r || r.at === null || (newest.at ?? 0) > r.at;
  const empty: RiskVM = {
    tier: null, since: null, floor: null, floorReason: null, latched: false, coolDownRemainingMs: null, triggers: [], history: [],
    equity: null, grossExposure: null, grossExposureRatio: null, netExposure: null, netExposureRatio: null, targetGrossRatio: null, targetNetRatio: null,
    drawdown: null, dailyLoss: null, at: null,
  };
  const base2 = r ?? empty;
  return { ...base2, history, ...(tierFromChange ? { tier: newest.to, since: newest.at } : {}) };
}

export interface OrdersView {
  readonly open: readonly OrderVM[];
  readonly recent: readonly OrderVM[];
  readonly fills: readonly FillVM[];
}

export function ordersOf(store: Store): OrdersView | null {
  const slot = store.slots.orders;
  const fillSlot = store.slots.fills;
  if (slot.value === null && fillSlot.value === null && store.liveOrders.size === 0 && store.liveFills.size === 0) return null;
  const base = slot.value === null ? { open: [], recent: [], fills: [] } : normaliseOrders(slot.value);
  const byId = new Map<string, OrderVM>();
  for (const o of [...base.recent, ...base.open]) byId.set(o.clientOrderId, o);
  for (const { v } of store.liveOrders.values()) {
    const cur = byId.get(v.clientOrderId);
    if (!cur || cur.ts === null || (v.ts ?? 0) >= cur.ts) byId.set(v.clientOrderId, v);
  }
  const all = [...byId.values()].sort((a, b) => (b.ts ?? 0) - (a.ts ?? 0));
  const fills = new Map<string, FillVM>();
  for (const f of [...base.fills, ...(fillSlot.value === null ? [] : normaliseFills(fillSlot.value))]) fills.set(f.executionId, f);
  for (const { v } of store.liveFills.values()) fills.set(v.executionId, v);
  return {
    open: all.filter(isOpenOrder),
    recent: all.filter((o) => !isOpenOrder(o)).slice(0, 50),
    fills: [...fills.values()].sort((a, b) => (b.ts ?? 0) - (a.ts ?? 0)).slice(0, 50),
  };
}

export function positionsOf(store: Store): PositionsVM | null {
  return store.slots.positions.value === null ? null : normalisePositions(store.slots.positions.value);
}
