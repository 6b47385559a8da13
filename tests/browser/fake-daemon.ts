/**
 * A simulated daemon for the terminal's browser tests: it keeps the state
 * sections the real daemon puts on the state bus (in the shapes of
 * actors/*\/messages.ts and supervisor/supervisor.ts) and publishes
 * telemetry on the gateway topics, changing a little every 250 ms. Seeded,
 * so two runs tell the same story. It uses the real universe and strategy
 * catalog, so ids and symbols are the real ones.
 */
import { PM_UNIVERSE, BROAD_UNIVERSE } from '../../src/universe/index.js';
import { CATALOG } from '../../actors/strategy/catalog/index.js';
import { mulberry32 } from '../../src/random.js';
import { TIERS, tierRank, type Tier } from '../../actors/risk/tiers.js';
import { evaluateTriggers } from '../../actors/risk/triggers.js';
import { DEFAULT_RISK_CONFIG } from '../../actors/risk/config.js';
import { operatorLabel } from '../../actors/risk/reason.js';
import { OperatorViews } from '../../app/daemon/views.js';
import type { AllocatorPostureMsg } from '../../actors/allocator/messages.js';
import type { FeedFeaturesMsg } from '../../actors/feed/messages.js';
import type { RiskStateMsg, RiskTierChangedMsg } from '../../actors/risk/messages.js';

export type Publish = (topic: string, msg: unknown) => void;

interface Quote {
  price: number;
  open: number;
  vol: number;
  ts: number;
  status: 'fresh' | 'stale' | 'gap';
}

interface Child {
  id: string;
  type: 'worker' | 'supervisor';
  state: string;
  restart: string;
  incarnation: number;
  restarts: number;
  worker?: string;
  lastReport?: { context: string; reason: string; at: number };
  children?: Child[];
  strategy?: string;
}

const SHARDS = 3;

export class FakeDaemon {
  readonly startedAt = Date.now();
  private readonly rand = mulberry32(7);
  private readonly quotes = new Map<string, Quote>();
  private readonly counters = { ticks: 0, signals: 0, orders: 0, fills: 0 };
  private readonly strategies = CATALOG.map((d, i) => ({
    id: d.id,
    family: d.family,
    thesis: d.thesis,
    instruments: [...d.instruments],
    shard: i % SHARDS,
    state: 'enabled' as 'enabled' | 'disabled' | 'error',
    evaluations: 0,
    signals: 0,
    errors: 0,
    lastError: null as string | null,
    lastErrorAt: null as number | null,
    lastEvaluatedAt: null as number | null,
    lastSignalAt: null as number | null,
    disabledReason: null as string | null,
    weight: 1,
    // Attribution and learning as the allocator would report them (fixed, so the test can compare).
    pnl: Math.round((i % 2 ? -1 : 1) * (150 + i * 37.25) * 100) / 100,
    hitRate: ((i * 7) % 10) / 10,
    learnedWeight: 0.6 + ((i * 13) % 10) / 10,
    params: { ...d.params } as Record<string, unknown>,
    origin: null as null | { kind: 'runtime'; base: string; source: 'api'; by: string; at: number; note: string | null },
  }));
  /** The allocator's learning: frozen by the operator or not. */
  private learningFrozen = false;
  private tier: Tier = 'NORMAL';
  private since = Date.now();
  private floor: Tier | null = null;
  private floorReason: string | null = null;
  private readonly history: unknown[] = [];
  private readonly positions = new Map<string, { qty: number; avgPrice: number; realizedPnl: number }>();
  private readonly orders = new Map<string, Record<string, unknown>>();
  private readonly fills: Record<string, unknown>[] = [];
  private readonly reports: unknown[] = [];
  /** The audit trail, newest last: a start line, then every command with its outcome. */
  private readonly audit: Record<string, unknown>[] = [{ at: Date.now() - 86_400_000 - 5000, kind: 'daemon', level: 'info', message: 'daemon started (version 0.1.0, simulated)', by: null, subject: 'daemon' }];
  private posture: Record<string, unknown> | null = null;
  private readonly tree: Child;
  private n = 0;
  private orderSeq = 0;
  equity = 250_000;
  /** The watchdog's `cluster` as a test sets it (a ClusterSnapshot, or junk); null like a daemon without --cluster. */
  cluster: unknown = null;

  constructor(private readonly publish: Publish) {
    for (const inst of BROAD_UNIVERSE) {
      const p = 20 + this.rand() * 180;
      this.quotes.set(inst.symbol, { price: p, open: p, vol: 0.15 + this.rand() * 0.3, ts: Date.now(), status: 'fresh' });
    }
    // One instrument is stale and one has a gap, so the page shows both states.
    this.quotes.get('PALL')!.status = 'stale';
    this.quotes.get('SILJ')!.status = 'gap';
    const w = (id: string): Child => ({ id, type: 'worker', state: 'running', restart: 'permanent', incarnation: 1, restarts: 0, worker: `w-${id}` });
    this.tree = {
      id: 'qgtm',
      type: 'supervisor',
      strategy: 'rest_for_one',
      state: 'running',
      restart: 'permanent',
      incarnation: 1,
      restarts: 0,
      children: [
        w('md'),
        { id: 'feeds', type: 'supervisor', strategy: 'one_for_one', state: 'running', restart: 'permanent', incarnation: 1, restarts: 0, children: PM_UNIVERSE.slice(0, 6).map((i) => w(`feed:${i.symbol}`)) },
        { id: 'strategies', type: 'supervisor', strategy: 'one_for_one', state: 'running', restart: 'permanent', incarnation: 1, restarts: 0, children: [0, 1, 2].map((k) => w(`strategy:${k}`)) },
        w('allocator'),
        w('risk'),
        w('broker'),
      ],
    };
    this.positions.set('GLD', { qty: 40, avgPrice: this.quotes.get('GLD')!.price * 0.99, realizedPnl: 125.5 });
    this.positions.set('GDX', { qty: -120, avgPrice: this.quotes.get('GDX')!.price * 1.01, realizedPnl: -42.25 });
    this.positions.set('SLV', { qty: 200, avgPrice: this.quotes.get('SLV')!.price, realizedPnl: 0 });
  }

  /** One simulation step (the server calls it every 250 ms). */
  step(now = Date.now()): void {
    this.n++;
    const syms = PM_UNIVERSE.map((i) => i.symbol).filter((s) => this.quotes.get(s)!.status !== 'stale');
    for (let k = 0; k < 6; k++) {
      const sym = syms[Math.floor(this.rand() * syms.length)]!;
      const q = this.quotes.get(sym)!;
      q.price *= 1 + (this.rand() - 0.5) * 0.004;
      q.ts = now;
      this.counters.ticks++;
      this.publish('ticks', this.features(sym, q));
    }
    if (this.n % 4 === 0) this.second(now);
    if (this.n % 12 === 0) this.trade(now);
  }

  private features(symbol: string, q: Quote): Record<string, unknown> {
    const spread = q.price * 0.0004;
    return {
      type: 'feed.features', symbol, ts: q.ts, seq: this.counters.ticks, source: 'trade', price: q.price, bid: q.price - spread / 2, ask: q.price + spread / 2, mid: q.price,
      spreadBps: 4, ret: null, barRet: null, vol: q.vol, dayHigh: null, dayLow: null, rangeBps: null, bars: 30, status: q.status, change: q.price / q.open - 1,
    };
  }

  private second(now: number): void {
    // Signals from a few enabled strategies.
    const enabled = this.strategies.filter((s) => s.state === 'enabled');
    for (let k = 0; k < 3 && enabled.length > 0; k++) {
      const s = enabled[Math.floor(this.rand() * enabled.length)]!;
      const symbol = s.instruments[0] ?? 'GLD';
      const direction = this.rand() < 0.5 ? -1 : 1;
      s.evaluations += 5;
      s.signals++;
      s.lastEvaluatedAt = now;
      s.lastSignalAt = now;
      this.counters.signals++;
      this.publish('signals', { type: 'strategy.signal', strategyId: s.id, symbol, direction, strength: +(this.rand().toFixed(3)), confidence: +(this.rand().toFixed(3)), horizonMs: 86_400_000, ts: now, reason: `${s.family} test signal`, family: s.family, shard: s.shard, rawConfidence: 0.5 });
    }
    this.publish('health', this.health(now));
    this.publish('risk', this.riskState(now));
    if (this.n % 32 === 0) this.restart(`feed:${PM_UNIVERSE[(this.n / 32) % 6]!.symbol}`, now);
  }

  private trade(now: number): void {
    const sym = ['GLD', 'SLV', 'GDX', 'IAU'][this.orderSeq % 4]!;
    const side = this.orderSeq % 3 === 0 ? 'sell' : 'buy';
    const id = `qgtm-${(this.orderSeq++).toString(36).padStart(6, '0')}`;
    const q = this.quotes.get(sym)!;
    const qty = 10 + (this.orderSeq % 5) * 5;
    // Market, limit and stop orders, and now and then a trailing stop (a protective stop), as the broker session sends them.
    const kind = ['market', 'limit', 'stop', 'trailing_stop'][this.orderSeq % 4]!;
    const px = (bps: number): number => Math.round(q.price * (1 + (side === 'buy' ? -bps : bps) / 10_000) * 100) / 100;
    const shape = {
      orderType: kind,
      orderClass: null,
      limitPrice: kind === 'limit' ? px(5) : null,
      stopPrice: kind === 'stop' ? px(-200) : null,
      trailPercent: kind === 'trailing_stop' ? 2.5 : null,
      parentClientOrderId: null,
      replaces: null,
    };
    const base = { type: 'broker.order_update', clientOrderId: id, brokerOrderId: `b-${id}`, intentId: `i-${id}`, symbol: sym, side, qty, ...shape, filledAvgPrice: null as number | null, reason: null };
    const open = { ...base, filledQty: 0, status: 'new', submission: 'acked', event: 'new', ts: now };
    this.orders.set(id, open);
    this.counters.orders++;
    this.publish('orders', open);
    // Every other order fills at once; the rest stay open for the open-orders table.
    if (this.orderSeq % 2 === 0) {
      const filled = { ...base, filledQty: qty, filledAvgPrice: q.price, status: 'filled', submission: 'acked', event: 'fill', ts: now + 1 };
      this.orders.set(id, filled);
      const p = this.positions.get(sym) ?? { qty: 0, avgPrice: q.price, realizedPnl: 0 };
      const signed = side === 'buy' ? qty : -qty;
      if (Math.sign(p.qty) === Math.sign(signed) || p.qty === 0) p.avgPrice = (p.avgPrice * Math.abs(p.qty) + q.price * qty) / (Math.abs(p.qty) + qty);
      else p.realizedPnl += (q.price - p.avgPrice) * Math.min(qty, Math.abs(p.qty)) * Math.sign(p.qty);
      p.qty += signed;
      this.positions.set(sym, p);
      const fill = { type: 'broker.fill', executionId: `x-${id}`, clientOrderId: id, brokerOrderId: `b-${id}`, intentId: `i-${id}`, symbol: sym, side, qty, price: q.price, positionQty: p.qty, positionAvgPrice: p.avgPrice, synthetic: false, ts: now + 1 };
      this.fills.unshift(fill);
      this.fills.length = Math.min(this.fills.length, 50);
      this.counters.fills++;
      this.publish('orders', filled);
      this.publish('fills', fill);
    }
  }

  /** Restarts an actor of the tree (a supervisor report is published; the page flashes it). */
  restart(id: string, now = Date.now()): boolean {
    const find = (c: Child, parent: Child | null): [Child, Child] | null => {
      if (c.id === id && parent) return [c, parent];
      for (const k of c.children ?? []) {
        const f = find(k, c);
        if (f) return f;
      }
      return null;
    };
    const f = find(this.tree, null);
    if (!f) return false;
    const [child, sup] = f;
    child.incarnation++;
    child.restarts++;
    const report = { supervisor: sup.id, context: 'child_terminated', reason: 'crash: simulated fault', offender: { id, type: child.type, restart: child.restart, shutdown: 5000, incarnation: child.incarnation - 1, worker: child.worker }, at: now };
    child.lastReport = { context: 'child_terminated', reason: 'crash: simulated fault', at: now };
    this.reports.unshift(report);
    this.reports.length = Math.min(this.reports.length, 50);
    this.publish('supervisor', report);
    return true;
  }

  // ---- commands ----------------------------------------------------------------

  setTier(tier: Tier, reason: string, now = Date.now()): Tier {
    this.floor = tier;
    this.floorReason = reason;
    this.moveTo(tier, 'operator', `${operatorLabel('operator')} set floor ${tier}: ${reason}`, now);
    return this.tier;
  }

  clearTier(reason: string, now = Date.now()): Tier {
    this.floor = null;
    this.floorReason = null;
    if (this.tier !== 'NORMAL') this.moveTo(TIERS[tierRank(this.tier) - 1]!, 'operator', `operator cleared floor: ${reason}`, now);
    return this.tier;
  }

  private moveTo(to: Tier, cause: string, reason: string, now: number): void {
    if (to === this.tier) return;
    const msg = { type: 'risk.tier_changed', from: this.tier, to, kind: tierRank(to) > tierRank(this.tier) ? 'escalate' : 'de-escalate', cause, reason, triggers: [], at: now };
    this.tier = to;
    this.since = now;
    this.history.unshift(msg);
    this.publish('risk', msg);
  }

  /** Enables or disables a strategy; like the shards, the status shows it a moment later. */
  strategyCommand(id: string, action: 'enable' | 'disable', reason: string): { ok: boolean; message: string } {
    const s = this.strategies.find((x) => x.id === id);
    if (!s) return { ok: false, message: `unknown strategy ${id}` };
    setTimeout(() => {
      s.state = action === 'enable' ? 'enabled' : 'disabled';
      s.disabledReason = action === 'disable' ? reason : null;
    }, 300).unref();
    return { ok: true, message: `strategy ${id} ${action}d` };
  }

  /**
   * Adds or removes a runtime entry as the daemon would after validating it
   * (this stand-in checks only that the base exists and the id is free).
   */
  runtimeCommand(cmd: { type: string; strategyId?: string; spec?: Record<string, unknown>; patch?: Record<string, unknown>; by?: string; at?: number }): { ok: boolean; code?: string; message: string; entry?: unknown } {
    if (cmd.type === 'strategy.change_runtime') {
      const s = this.strategies.find((x) => x.id === cmd.strategyId && x.origin);
      if (!s) return { ok: false, code: 'QGTM_ERR_UNKNOWN_STRATEGY', message: `no runtime strategy ${String(cmd.strategyId)}` };
      const patch = cmd.patch ?? {};
      if (patch.params && typeof patch.params === 'object') s.params = { ...s.params, ...(patch.params as Record<string, unknown>) };
      if (Array.isArray(patch.instruments)) s.instruments = patch.instruments as string[];
      if (typeof patch.note === 'string') s.origin = { ...s.origin!, note: patch.note };
      return { ok: true, message: `changed ${String(cmd.strategyId)}`, entry: s };
    }
    if (cmd.type === 'strategy.remove_runtime') {
      const i = this.strategies.findIndex((x) => x.id === cmd.strategyId && x.origin);
      if (i < 0) return { ok: false, code: 'QGTM_ERR_UNKNOWN_STRATEGY', message: `no runtime strategy ${String(cmd.strategyId)}` };
      this.strategies.splice(i, 1);
      return { ok: true, message: `removed ${String(cmd.strategyId)}` };
    }
    const spec = cmd.spec ?? {};
    const id = String(spec.id ?? '');
    const baseId = String(spec.base ?? '');
    const base = CATALOG.find((d) => d.id === baseId);
    if (!base && baseId !== 'buy_and_hold' && baseId !== 'flat_control') return { ok: false, code: 'QGTM_ERR_INVALID_RUNTIME_STRATEGY', message: `unknown base ${baseId}` };
    if (this.strategies.some((x) => x.id === id)) return { ok: false, code: 'QGTM_ERR_DUPLICATE_STRATEGY', message: `runtime strategy ${id} already exists` };
    const instruments = Array.isArray(spec.instruments) ? (spec.instruments as string[]) : [...(base?.instruments ?? ['GLD'])];
    const entry = {
      id,
      family: base?.family ?? 'control',
      thesis: `variant of ${baseId}`,
      instruments,
      shard: 0,
      state: 'enabled' as 'enabled' | 'disabled' | 'error',
      evaluations: 0,
      signals: 0,
      errors: 0,
      lastError: null,
      lastErrorAt: null,
      lastEvaluatedAt: null,
      lastSignalAt: null,
      disabledReason: null,
      weight: 1,
      pnl: 0,
      hitRate: 0,
      learnedWeight: 1,
      params: { ...(base?.params ?? {}), ...((spec.params as Record<string, unknown> | undefined) ?? {}) },
      origin: { kind: 'runtime' as const, base: baseId, source: 'api' as const, by: cmd.by ?? 'operator', at: cmd.at ?? Date.now(), note: typeof spec.note === 'string' ? spec.note : null },
    };
    this.strategies.push(entry);
    return { ok: true, message: `added ${id}`, entry };
  }

  /** Freezes or unfreezes learning (the allocator answers after its record is written). */
  learningCommand(frozen: boolean): { frozen: boolean } {
    this.learningFrozen = frozen;
    return { frozen };
  }

  /** The support models as the daemon's views describe them (state trimmed to what the terminal shows). */
  supportModels(now: number): unknown[] {
    const weights = Object.fromEntries(this.strategies.map((s) => [s.id, s.learnedWeight]));
    const history = [3, 2, 1].map((k) => ({ ts: now - k * 900_000, weights: Object.fromEntries(this.strategies.map((s) => [s.id, 1 + (s.learnedWeight - 1) / k])) }));
    return [
      { id: 'regime', description: 'Classifies the gold factor bars as calm, trending or stressed; shards scale confidence by family.', state: { byShard: { '0': 'calm' } } },
      { id: 'meta', description: 'Weights each strategy by the hit rate of its own calls; the shard multiplies confidence by it.', state: { weights: {} } },
      {
        id: 'learning',
        description: 'Hedge weights learned from attributed P&L each learning period; the allocator multiplies votes by them.',
        state: { enabled: true, frozen: this.learningFrozen, settings: { rate: 0.05, share: 0.05, floor: 0.2, cap: 3, periodMs: 900_000, historyPoints: 500 }, updates: 3, weights, history },
      },
    ];
  }

  strategyState(id: string): string | undefined {
    return this.strategies.find((x) => x.id === id)?.state;
  }

  // ---- sections (what the daemon puts on the state bus) ------------------------------

  health(now = Date.now()): Record<string, unknown> {
    const workers = this.workerIds().map((id, i) => ({ worker: `w-${id}`, placement: id, heartbeatAgeMs: 20 + ((this.n * 7 + i * 13) % 80), eventLoopDelayMs: 0.5 + ((this.n + i * 3) % 10) / 4, heapUsedBytes: 12_000_000 + i * 1_000_000, actors: [id] }));
    return {
      type: 'daemon.health',
      at: now,
      trading: { mode: 'PAPER', venue: 'local paper venue' },
      startedAt: this.startedAt,
      links: { venue: { connected: true, detail: 'local paper venue' }, broker: { connected: true }, marketData: { connected: true, detail: '20 symbols' } },
      degraded: [],
      counters: { ...this.counters },
      workers,
      actors: this.workerIds().map((id, i) => ({ id, worker: `w-${id}`, mailboxDepth: (this.n * (i + 1)) % 7, mailboxCapacity: 1024, state: 'running' })),
    };
  }

  private workerIds(): string[] {
    const out: string[] = [];
    const walk = (c: Child): void => {
      if (c.type === 'worker') out.push(c.id);
      for (const k of c.children ?? []) walk(k);
    };
    walk(this.tree);
    return out;
  }

  /**
   * risk.state with the real governor's trigger readings (thresholds, ladders
   * and units from the default config) over this book; the tier itself stays
   * the simulation's, so operator commands act at once.
   */
  riskState(now = Date.now()): Record<string, unknown> {
    const exposureBySymbol: Record<string, number> = {};
    let gross = 0;
    for (const [s, p] of this.positions) {
      const v = p.qty * this.quotes.get(s)!.price;
      exposureBySymbol[s] = v;
      gross += Math.abs(v);
    }
    const triggers = evaluateTriggers(
      {
        equity: this.equity, peakEquity: this.equity / (1 - 0.0123), dayStartEquity: this.equity / (1 - 0.004), grossExposure: gross, exposureBySymbol,
        orderTimestamps: [], marketDataAgeMs: 250, brokerConnected: true, reconciliationDrift: 0.0002, heartbeatAgeMs: 120, operatorOverride: this.floor,
      },
      DEFAULT_RISK_CONFIG,
      now,
    );
    return {
      type: 'risk.state', tier: this.tier, since: this.since, floor: this.floor, floorReason: this.floorReason, latched: this.tier === 'FLATTEN', calmSince: null, coolDownRemainingMs: null,
      triggers, changes: this.history.length, rejectedInputs: 0, at: now,
    };
  }

  /** The risk section as the real daemon builds it: this state through the daemon's own OperatorViews. */
  private riskSection(now: number): unknown {
    const views = new OperatorViews('broad');
    for (const [s, q] of this.quotes) views.onFeatures(this.features(s, q) as unknown as FeedFeaturesMsg, now);
    views.onPositions({ type: 'broker.positions', ts: now, positions: [...this.positions].map(([symbol, p]) => ({ symbol, ...p })), pendingQty: {} });
    views.onAccount({ type: 'broker.account', equity: this.equity, lastEquity: this.equity, cash: this.equity, buyingPower: this.equity, status: 'ACTIVE', ts: now });
    views.onPosture(this.postureNow(now) as unknown as AllocatorPostureMsg);
    for (const h of [...this.history].reverse()) views.onRisk(h as RiskTierChangedMsg);
    views.onRisk(this.riskState(now) as unknown as RiskStateMsg);
    return views.riskSection();
  }

  /** One audit line per operator command, as the daemon's bridge writes it. */
  noteCommand(type: string, by: string, reason: string | null, refused: string | null): void {
    this.audit.push({ at: Date.now(), kind: 'command', level: refused ? 'warn' : 'info', by, subject: type, message: `${type}${reason ? ` ("${reason}")` : ''}: ${refused ? `refused: ${refused}` : 'done'}` });
  }

  section(name: string): unknown {
    const now = Date.now();
    switch (name) {
      case 'health':
        return this.health(now);
      case 'risk':
        return this.riskSection(now);
      case 'strategies':
        // One strategy.status per shard, as the shards publish them.
        return [0, 1, 2].map((k) => ({ type: 'strategy.status', shard: k, ts: now, regime: 'calm', strategies: this.strategies.filter((s) => s.shard === k).map(({ thesis: _t, shard: _s, ...e }) => e) }));
      case 'forecasts':
        return { ...(this.postureNow(now) as object), supportModels: this.supportModels(now) };
      case 'universe':
        return { instruments: Object.fromEntries(BROAD_UNIVERSE.map((i) => [i.symbol, this.features(i.symbol, this.quotes.get(i.symbol)!)])) };
      case 'positions':
        return {
          type: 'broker.positions', ts: now,
          positions: [...this.positions].map(([symbol, p]) => ({ symbol, ...p })),
          pendingQty: Object.fromEntries([...this.orders.values()].filter((o) => o.status === 'new').map((o) => [o.symbol, (o.side === 'buy' ? 1 : -1) * (o.qty as number)])),
          reconciliation: { type: 'broker.reconciled', phase: 'periodic', passed: true, magnitude: 0.0002, driftNotional: 20, items: [], corrections: 0, deferred: 0, ready: true, ts: now - 1500 },
        };
      case 'orders': {
        const all = [...this.orders.values()].reverse();
        return { open: all.filter((o) => o.status === 'new'), recent: all.filter((o) => o.status !== 'new').slice(0, 50) };
      }
      case 'fills':
        return this.fills;
      case 'watchdog':
        return { tree: this.view(this.tree, ''), reports: this.reports, cluster: this.cluster };
      case 'performance': {
        // An hour of the book at one-minute samples, two closed trades and GLD's price with its fills.
        const points = Array.from({ length: 60 }, (_x, i) => {
          const equity = this.equity - 600 + i * 10 + (i % 7 === 0 ? -150 : 0);
          return { t: now - (60 - i) * 60_000, equity, drawdown: 0, grossRatio: 0.8 + i / 600, netRatio: 0.2 };
        });
        let peak = 0;
        for (const p of points) {
          peak = Math.max(peak, p.equity);
          p.drawdown = 1 - p.equity / peak;
        }
        const gld = this.quotes.get('GLD')!.price;
        const prices = Object.fromEntries(['GLD', 'SLV', 'GDX'].map((sym) => [sym, points.map((p, i) => ({ t: p.t, price: this.quotes.get(sym)!.price * (1 + (i - 30) / 3000) }))]));
        const trades = [
          { symbol: 'SLV', side: 'long', qty: 100, entryPrice: 28.1, exitPrice: 28.55, entryAt: now - 3_000_000, exitAt: now - 1_200_000, pnl: 45, returnFrac: 45 / 2810, holdingMs: 1_800_000 },
          { symbol: 'GLD', side: 'short', qty: 10, entryPrice: gld * 0.99, exitPrice: gld, entryAt: now - 2_400_000, exitAt: now - 600_000, pnl: -gld * 0.1, returnFrac: -0.0101, holdingMs: 1_800_000 },
        ];
        return {
          equity: points[points.length - 1]!.equity,
          peak,
          drawdown: points[points.length - 1]!.drawdown,
          maxDrawdown: Math.max(...points.map((p) => p.drawdown)),
          sampleEveryMs: 60_000,
          points,
          days: [{ day: new Date(now - 86_400_000).toISOString().slice(0, 10), pnl: 1234.5, endEquity: this.equity - 700 }, { day: new Date(now).toISOString().slice(0, 10), pnl: -321.25, endEquity: points[points.length - 1]!.equity }],
          trades,
          closed: { trades: 2, wins: 1, winRate: 0.5, realizedPnl: 45 - gld * 0.1 },
          byInstrument: [{ symbol: 'SLV', trades: 1, wins: 1, winRate: 1, realizedPnl: 45, avgHoldingMs: 1_800_000 }, { symbol: 'GLD', trades: 1, wins: 0, winRate: 0, realizedPnl: -gld * 0.1, avgHoldingMs: 1_800_000 }],
          prices,
          marks: { GLD: [{ t: now - 2_400_000, side: 'sell', qty: 10, price: gld * 0.99 }, { t: now - 600_000, side: 'buy', qty: 10, price: gld }] },
          units: { equity: 'usd', drawdown: 'fraction', grossRatio: 'x_equity', netRatio: 'x_equity', pnl: 'usd', returnFrac: 'fraction', holdingMs: 'ms', t: 'epoch_ms' },
        };
      }
      case 'audit':
        return { entries: [...this.audit].reverse().slice(0, 200), kept: this.audit.length, skippedAtLoad: 0, writeErrors: 0 };
      case 'dead_letters':
      case 'dead-letters':
        // What a daemon shows after a burst: conflated feed updates (by design) and one undecodable frame.
        return {
          total: 1201,
          counts: [{ actor: 'feed.GLD', reason: 'conflated', count: 1200 }, { actor: 'risk', reason: 'decode_error', count: 1 }],
          recent: [{ actor: 'risk', reason: 'decode_error', type: '?', from: null, detail: 'frame shorter than an envelope header', at: now - 4000 }],
        };
      default:
        return null;
    }
  }

  private view(c: Child, path: string): Record<string, unknown> {
    const p = path ? `${path}/${c.id}` : c.id;
    return {
      id: c.id, path: p, strategy: c.strategy, state: c.state, intensity: { max: 10, periodMs: 60_000, recent: c.children?.reduce((a, k) => a + k.restarts, 0) ?? 0 },
      children: (c.children ?? []).map((k) =>
        k.type === 'supervisor'
          ? { id: k.id, type: 'supervisor', state: k.state, restart: k.restart, incarnation: k.incarnation, restarts: k.restarts, supervisor: this.view(k, p) }
          : { id: k.id, type: 'worker', state: k.state, restart: k.restart, incarnation: k.incarnation, restarts: k.restarts, worker: k.worker, lastReport: k.lastReport },
      ),
    };
  }

  private postureNow(now: number): Record<string, unknown> {
    if (this.posture && this.n % 8 !== 0) return this.posture;
    const entries = PM_UNIVERSE.slice(0, 10).map((i, k) => {
      const score = Math.sin(this.n / 20 + k) * 0.8;
      return {
        symbol: i.symbol, score, evidence: 0.5 + k / 10, vol: this.quotes.get(i.symbol)!.vol, weight: score * 0.1, limitedBy: k === 2 ? ['max_weight'] : [],
        contributors: this.strategies.filter((s) => s.instruments.includes(i.symbol)).slice(0, 4).map((s, j) => ({ strategyId: s.id, direction: j % 2 ? -1 : 1, strength: 0.5, confidence: 0.6, weight: 1, contribution: 0.3 - j / 10, ts: now })),
      };
    });
    const weights = Object.fromEntries(entries.map((e) => [e.symbol, e.weight]));
    const gross = entries.reduce((a, e) => a + Math.abs(e.weight), 0);
    const net = entries.reduce((a, e) => a + e.weight, 0);
    this.posture = { type: 'allocator.posture', seq: Math.floor(this.n / 8), ts: now, equity: this.equity, weights, entries, gross, net, netScale: 1, grossScale: 1 };
    return this.posture;
  }
}
