/**
 * `ShardCore`: one strategy shard's logic for a thin actor shell.
 *
 *   const shard = new ShardCore({ shard: k, strategies: partition(CATALOG, n)[k] });
 *   shard.onMessage(msg);                   // feed.features / feed.bar / feed.history / macro.*
 *   for (const s of shard.evaluate(now)) publish(s);   // after each batch of messages
 *   reply(shard.handleCommand(cmd, now));   // strategy.enable / strategy.disable
 *   publish(shard.statusReport(now));       // on a timer
 *
 * `evaluate` runs only strategies whose inputs changed since the last call
 * (a closed bar of one of their instruments, a features update for
 * `features`-triggered ones, a macro update they read), so most ticks cost
 * a map lookup. A strategy that throws or returns an invalid signal is
 * marked `error` and counted; the others carry on.
 *
 * Published confidence = strategy confidence x data quality (the feed status
 * of the instrument) x meta-model weight x regime multiplier, clamped to 0..1.
 */
import { ConfigError } from '../../src/errors.js';
import type { FeedBarMsg, FeedFeaturesMsg, FeedHistoryMsg, FeedMsg, FeedStatus, FeedStatusMsg } from '../feed/messages.js';
import { StrategyError } from './errors.js';
import type { MacroMsg } from '../macro/messages.js';
import { MarketView, type MarketViewSnapshot } from './market-view.js';
import type { RuntimeOriginInfo, StrategyCommandMsg, StrategyCommandResultMsg, StrategySignalMsg, StrategyStatusMsg } from './messages.js';
import { LiveSurface, type CommandResult, type SurfaceSnapshot } from './registry.js';
import type { Signal } from './signal.js';
import { makeSignal, type Params, type StrategyDef } from './strategy.js';
import { MetaModel, type MetaConfig, type MetaSnapshot } from './support/meta.js';
import { DEFAULT_REGIME_CONFIG, classifyRegime, regimeMultiplier, type RegimeConfig, type RegimeState } from './support/regime.js';

export interface ShardOptions {
  readonly shard: number;
  readonly strategies: readonly StrategyDef[];
  /** Per strategy id, parameters that override the defaults. */
  readonly paramOverrides?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly historyCapacity?: number;
  /** Meta-model settings, or false to leave confidences unweighted. */
  readonly meta?: Partial<MetaConfig> | false;
  /** Regime-model settings, or false to leave confidences unscaled by regime. */
  readonly regime?: Partial<RegimeConfig> | false;
  /** Confidence multiplier per feed status of the signal's instrument. */
  readonly qualityByStatus?: Readonly<Record<FeedStatus, number>>;
  /** Per runtime entry among `strategies`, where it came from (reported on the surface). */
  readonly origins?: Readonly<Record<string, RuntimeOriginInfo>>;
}

export const SHARD_SNAPSHOT_VERSION = 1;

export interface ShardSnapshot {
  readonly version: typeof SHARD_SNAPSHOT_VERSION;
  readonly shard: number;
  readonly view: MarketViewSnapshot;
  readonly surface: SurfaceSnapshot;
  readonly meta: MetaSnapshot | null;
  readonly regime: RegimeState | null;
}

const DEFAULT_QUALITY: Record<FeedStatus, number> = { fresh: 1, gap: 0.7, stale: 0.4 };
const DIRECTIONS = new Set([-1, 0, 1]);

/** Merges overrides into defaults, collecting a violation per unknown key or type mismatch. */
function mergeParams(def: StrategyDef, over: Readonly<Record<string, unknown>> | undefined, violations: string[]): Params {
  if (!over) return def.params;
  const out: Record<string, unknown> = { ...def.params };
  for (const [k, v] of Object.entries(over)) {
    const d = def.params[k];
    if (d === undefined) violations.push(`strategies.${def.id}.params.${k} is not a parameter of ${def.id}`);
    else if (Array.isArray(d) !== Array.isArray(v) || typeof d !== typeof v) violations.push(`strategies.${def.id}.params.${k} must be a ${Array.isArray(d) ? 'list' : typeof d}`);
    else out[k] = v;
  }
  return out as Params;
}

export class ShardCore {
  readonly shard: number;
  readonly view: MarketView;
  readonly surface: LiveSurface;
  readonly meta: MetaModel | null;
  private readonly regimeCfg: RegimeConfig | null;
  private readonly quality: Readonly<Record<FeedStatus, number>>;
  private readonly params = new Map<string, Params>();
  /** Runtime entries' provenance, by id. */
  private readonly origins = new Map<string, RuntimeOriginInfo>();
  /** Which strategies to re-evaluate on a closed bar / features update of a symbol, or a macro input. Plain keys, so the tick path builds no strings. */
  private readonly onBarOf = new Map<string, string[]>();
  private readonly onFeaturesOf = new Map<string, string[]>();
  private readonly onMacroOf = new Map<string, string[]>();
  private readonly dirty = new Set<string>();
  /**
   * For a dirty `perInstrument` strategy whose inputs changed only on some
   * instruments: those instruments. Absent: evaluate all of them.
   */
  private readonly dirtyOnly = new Map<string, Set<string>>();
  /**
   * Per strategy, the multipliers (meta weight, regime) its last full
   * evaluation published with: a narrowed evaluation is only allowed while
   * they hold, or the other instruments' signals would keep stale ones.
   */
  private readonly lastContext = new Map<string, string>();
  private regimeState: RegimeState | null = null;
  /** Latest feed status per symbol, from features and status events. */
  private readonly feedStatus = new Map<string, FeedStatus>();

  constructor(opts: ShardOptions) {
    this.shard = opts.shard;
    this.view = new MarketView({ historyCapacity: opts.historyCapacity });
    this.surface = new LiveSurface();
    this.meta = opts.meta === false ? null : new MetaModel(opts.meta ?? {});
    this.regimeCfg = opts.regime === false ? null : { ...DEFAULT_REGIME_CONFIG, ...(opts.regime ?? {}) };
    this.quality = opts.qualityByStatus ?? DEFAULT_QUALITY;
    const violations: string[] = [];
    for (const id of Object.keys(opts.paramOverrides ?? {})) {
      if (!opts.strategies.some((s) => s.id === id)) violations.push(`strategies.${id} is not in shard ${opts.shard}`);
    }
    for (const def of opts.strategies) {
      if (this.surface.has(def.id)) violations.push(`strategies.${def.id} is listed twice`);
      else this.register(def, mergeParams(def, opts.paramOverrides?.[def.id], violations));
    }
    if (violations.length > 0) throw new ConfigError(violations);
    for (const [id, o] of Object.entries(opts.origins ?? {})) if (this.surface.has(id)) this.origins.set(id, o);
  }

  /** Adds a strategy at run time (enabled, evaluated at the next `evaluate`), with `params` (default: its own). */
  addStrategy(def: StrategyDef, params: Params = def.params, origin?: RuntimeOriginInfo): CommandResult {
    if (this.surface.has(def.id)) return this.surface.add(def);
    this.register(def, params);
    if (origin) this.origins.set(def.id, origin);
    return { ok: true, code: null, message: `strategy ${def.id} added` };
  }

  /**
   * Drops a strategy from the surface, its params, the trigger indexes and the
   * dirty sets. `retract` holds a direction-0 signal per instrument, which the
   * caller publishes so the allocator forgets the strategy's last calls.
   */
  removeStrategy(id: string, now: number): { result: CommandResult; retract: StrategySignalMsg[] } {
    const def = this.surface.def(id);
    if (!def) return { result: { ok: false, code: 'QGTM_ERR_UNKNOWN_STRATEGY', message: `strategy ${id} is not in shard ${this.shard}` }, retract: [] };
    this.surface.remove(id);
    this.params.delete(id);
    this.origins.delete(id);
    for (const index of [this.onBarOf, this.onFeaturesOf, this.onMacroOf]) {
      for (const [key, ids] of index) {
        const left = ids.filter((x) => x !== id);
        if (left.length > 0) index.set(key, left);
        else index.delete(key);
      }
    }
    this.dirty.delete(id);
    this.dirtyOnly.delete(id);
    this.lastContext.delete(id);
    const retract = def.instruments.map((sym) => this.publishable(def, makeSignal(id, sym, 0, 0, 0, 0, now, 'strategy removed')));
    return { result: { ok: true, code: null, message: `strategy ${id} removed` }, retract };
  }

  private register(def: StrategyDef, params: Params): void {
    this.surface.add(def);
    this.params.set(def.id, params);
    const watch = (index: Map<string, string[]>, key: string): void => {
      const list = index.get(key);
      if (list) list.push(def.id);
      else index.set(key, [def.id]);
    };
    for (const sym of def.instruments) watch(def.trigger === 'bar' ? this.onBarOf : this.onFeaturesOf, sym);
    for (const sym of def.inputs ?? []) if (!def.instruments.includes(sym)) watch(def.trigger === 'bar' ? this.onBarOf : this.onFeaturesOf, sym);
    for (const m of def.macro) watch(this.onMacroOf, m);
    this.markAll(def.id);
  }

  /** Every strategy listening on `key` (a macro input) is evaluated in full. */
  private touch(index: Map<string, string[]>, key: string): void {
    const ids = index.get(key);
    if (ids) for (const id of ids) this.markAll(id);
  }

  /** Strategies listening on `symbol`: a `perInstrument` one for that symbol only, the others in full. */
  private touchSymbol(index: Map<string, string[]>, symbol: string): void {
    const ids = index.get(symbol);
    if (!ids) return;
    for (const id of ids) {
      if (this.dirty.has(id) && !this.dirtyOnly.has(id)) continue; // already in full
      const def = this.surface.def(id);
      // An input's bar changes every instrument's signal; it is never one to evaluate alone.
      if (!def?.perInstrument || !def.instruments.includes(symbol)) {
        this.markAll(id);
        continue;
      }
      this.dirty.add(id);
      let only = this.dirtyOnly.get(id);
      if (!only) this.dirtyOnly.set(id, (only = new Set()));
      only.add(symbol);
    }
  }

  private markAll(id: string): void {
    this.dirty.add(id);
    this.dirtyOnly.delete(id);
  }

  /** Routes any feed or macro message; other types are ignored. */
  onMessage(msg: FeedMsg | MacroMsg): void {
    switch (msg.type) {
      case 'feed.features':
        return this.onFeatures(msg);
      case 'feed.bar':
        return this.onBar(msg);
      case 'feed.history':
        return this.onHistory(msg);
      case 'feed.status':
        return this.onFeedStatus(msg);
      case 'macro.series':
      case 'macro.cot':
        return this.onMacro(msg);
      default:
        return;
    }
  }

  onFeatures(msg: FeedFeaturesMsg): void {
    this.view.onFeatures(msg);
    this.setFeedStatus(msg.symbol, msg.status);
    this.touchSymbol(this.onFeaturesOf, msg.symbol);
  }

  /**
   * A feed went stale, gapped or recovered: strategies on that symbol are
   * re-evaluated so their signals are re-issued with the new data quality
   * (a stale feed publishes no features to carry the news).
   */
  onFeedStatus(msg: FeedStatusMsg): void {
    this.setFeedStatus(msg.symbol, msg.status);
  }

  private setFeedStatus(symbol: string, status: FeedStatus): void {
    if (this.feedStatus.get(symbol) === status) return;
    const known = this.feedStatus.has(symbol);
    this.feedStatus.set(symbol, status);
    if (known) {
      this.touchSymbol(this.onBarOf, symbol);
      this.touchSymbol(this.onFeaturesOf, symbol);
    }
  }

  onBar(msg: FeedBarMsg): void {
    if (!this.view.onBar(msg)) return;
    this.meta?.onPrice(msg.symbol, msg.close, msg.ts);
    if (this.regimeCfg && msg.symbol === this.regimeCfg.symbol) {
      this.regimeState = classifyRegime(this.view.bars(msg.symbol), this.regimeCfg) ?? this.regimeState;
    }
    this.touchSymbol(this.onBarOf, msg.symbol);
  }

  onHistory(msg: FeedHistoryMsg): void {
    this.view.onHistory(msg);
    if (this.regimeCfg && msg.symbol === this.regimeCfg.symbol) {
      this.regimeState = classifyRegime(this.view.bars(msg.symbol), this.regimeCfg) ?? this.regimeState;
    }
    this.touchSymbol(this.onBarOf, msg.symbol);
  }

  onMacro(msg: MacroMsg): void {
    if (msg.type === 'macro.series') {
      this.view.onSeries(msg);
      this.touch(this.onMacroOf, msg.seriesId);
    } else {
      this.view.onCot(msg);
      this.touch(this.onMacroOf, `cot:${msg.market}`);
    }
  }

  /** The current regime of the gold factor (null before enough bars or when disabled). */
  regime(): RegimeState | null {
    return this.regimeState;
  }

  /** Strategies waiting to be evaluated. */
  get pending(): number {
    return this.dirty.size;
  }

  /** Evaluates the strategies whose inputs changed; returns the signals to publish. */
  evaluate(now: number): StrategySignalMsg[] {
    if (this.dirty.size === 0) return [];
    const out: StrategySignalMsg[] = [];
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      const only = this.dirtyOnly.get(id);
      this.dirtyOnly.delete(id);
      if (!this.surface.isRunnable(id)) continue;
      const def = this.surface.def(id) as StrategyDef;
      const context = this.contextOf(def);
      const subset = only && this.lastContext.get(id) === context ? [...only] : undefined;
      let signals: Signal[];
      try {
        signals = def.evaluate(this.view, this.params.get(id) as Params, now, subset);
        const bad = Array.isArray(signals) ? invalidSignal(def, signals) : 'evaluate did not return an array';
        if (bad) throw new Error(`invalid signal: ${bad}`);
      } catch (err) {
        const e = new StrategyError(id, err instanceof Error ? err.message : String(err), { cause: err });
        this.surface.recordError(id, e.message, now);
        continue;
      }
      for (const s of signals) out.push(this.publishable(def, s));
      if (subset === undefined) this.lastContext.set(id, context);
      this.surface.recordEvaluation(id, now, signals.length);
    }
    return out;
  }

  /**
   * The multipliers every signal of `def` is published with, besides its
   * feed's quality: the meta weight to the percent (it moves a little with
   * every resolved outcome; a smaller move is not worth re-issuing every
   * instrument's signal for), and the regime's multiplier.
   */
  private contextOf(def: StrategyDef): string {
    const weight = this.meta ? Math.round(this.meta.weight(def.id) * 100) : 100;
    return `${weight}|${regimeMultiplier(def.family, this.regimeState?.regime ?? null)}`;
  }

  private publishable(def: StrategyDef, s: Signal): StrategySignalMsg {
    const f = this.view.features(s.symbol);
    const status = this.feedStatus.get(s.symbol);
    const quality = status ? (this.quality[status] ?? 1) : 1;
    const weight = this.meta ? this.meta.weight(def.id) : 1;
    const regime = regimeMultiplier(def.family, this.regimeState?.regime ?? null);
    const confidence = Math.min(1, Math.max(0, s.confidence * quality * weight * regime));
    if (this.meta && s.direction !== 0) {
      const bars = this.view.bars(s.symbol);
      const price = bars.length > 0 ? bars.close(bars.length - 1) : (f?.price ?? NaN);
      const at = bars.length > 0 ? bars.ts(bars.length - 1) : s.ts;
      this.meta.record(def.id, s.symbol, s.direction, price, at, s.horizonMs);
    }
    return {
      type: 'strategy.signal',
      strategyId: s.strategyId,
      symbol: s.symbol,
      direction: s.direction,
      strength: s.strength,
      confidence,
      horizonMs: s.horizonMs,
      ts: s.ts,
      reason: s.reason,
      family: def.family,
      shard: this.shard,
      rawConfidence: s.confidence,
    };
  }

  enable(id: string): CommandResult {
    const r = this.surface.enable(id);
    if (r.ok) this.markAll(id);
    return r;
  }

  disable(id: string, reason: string): CommandResult {
    return this.surface.disable(id, reason);
  }

  /** Applies an operator command and builds the reply. */
  handleCommand(cmd: StrategyCommandMsg, now: number): StrategyCommandResultMsg {
    const command = cmd.type === 'strategy.enable' ? 'enable' : 'disable';
    const r =
      cmd.type === 'strategy.enable'
        ? this.enable(cmd.strategyId)
        : this.disable(cmd.strategyId, `${cmd.reason} (by ${cmd.requestedBy})`);
    return { type: 'strategy.command_result', command, strategyId: cmd.strategyId, shard: this.shard, ok: r.ok, code: r.code, message: r.message, ts: now };
  }

  statusReport(now: number): StrategyStatusMsg {
    const meta = this.meta;
    return {
      type: 'strategy.status',
      shard: this.shard,
      ts: now,
      regime: this.regimeState?.regime ?? null,
      // The parameters each strategy runs with (catalog, profile and overrides merged): what /api/v1/strategies shows.
      strategies: this.surface.list(meta ? (id) => meta.weight(id) : undefined).map((e) => {
        const origin = this.origins.get(e.id);
        return origin ? { ...e, params: this.params.get(e.id) ?? {}, origin } : { ...e, params: this.params.get(e.id) ?? {} };
      }),
    };
  }

  snapshot(): ShardSnapshot {
    return {
      version: SHARD_SNAPSHOT_VERSION,
      shard: this.shard,
      view: this.view.snapshot(),
      surface: this.surface.snapshot(),
      meta: this.meta ? this.meta.snapshot() : null,
      regime: this.regimeState,
    };
  }

  /**
   * A shard for `opts`, warm from `snapshot` when it fits (same version and
   * shard), else cold with the reason. Strategy states are matched by id;
   * every strategy is re-evaluated on the first `evaluate`.
   */
  static fromSnapshot(snapshot: unknown, opts: ShardOptions): { core: ShardCore; warm: boolean; problem: string | null } {
    const core = new ShardCore(opts);
    const s = snapshot as Partial<ShardSnapshot> | null;
    let problem: string | null = null;
    if (!s || typeof s !== 'object') problem = 'no snapshot';
    else if (s.version !== SHARD_SNAPSHOT_VERSION) problem = `snapshot version ${String(s.version)} is not ${SHARD_SNAPSHOT_VERSION}`;
    else if (s.shard !== opts.shard) problem = `snapshot is for shard ${String(s.shard)}, not ${opts.shard}`;
    else if (!s.view || !s.surface) problem = 'snapshot is missing sections';
    if (problem !== null) return { core, warm: false, problem };
    try {
      const snap = s as ShardSnapshot;
      core.view.restore(snap.view);
      core.surface.restore(snap.surface);
      if (core.meta && snap.meta) core.meta.restore(snap.meta);
      core.regimeState = snap.regime ?? null;
      for (const sym of core.view.symbols()) {
        const f = core.view.features(sym);
        if (f) core.feedStatus.set(sym, f.status);
      }
      return { core, warm: true, problem: null };
    } catch (err) {
      return { core: new ShardCore(opts), warm: false, problem: `snapshot unreadable: ${(err as Error).message}` };
    }
  }
}

/** Why a strategy's output is unusable, or null when every signal is sound. */
function invalidSignal(def: StrategyDef, signals: readonly Signal[]): string | null {
  for (const s of signals) {
    if (!s || typeof s !== 'object') return 'not an object';
    if (s.strategyId !== def.id) return `strategyId ${String(s.strategyId)} is not ${def.id}`;
    if (!def.instruments.includes(s.symbol)) return `symbol ${String(s.symbol)} is not one of its instruments`;
    if (!DIRECTIONS.has(s.direction)) return `direction ${String(s.direction)} for ${s.symbol}`;
    if (!(s.strength >= 0 && s.strength <= 1)) return `strength ${String(s.strength)} for ${s.symbol}`;
    if (!(s.confidence >= 0 && s.confidence <= 1)) return `confidence ${String(s.confidence)} for ${s.symbol}`;
    if (!(s.horizonMs > 0) || !Number.isFinite(s.horizonMs)) return `horizonMs ${String(s.horizonMs)} for ${s.symbol}`;
    if (!Number.isFinite(s.ts)) return `ts ${String(s.ts)} for ${s.symbol}`;
  }
  return null;
}
