/**
 * A strategy shard actor (`strategy:<k>`): `ShardCore` over its partition of
 * the catalog.
 *
 * In: `feed.features` / `feed.bar` / `feed.status` / `feed.history` and
 * `macro.*` (topics `features`, `bars`, `feed_status`, `macro`);
 * `strategy.enable` / `strategy.disable` and the daemon's
 * `strategy.add_runtime` / `strategy.remove_runtime` (asked: answered with
 * `strategy.command_result`); `strategy.query` (asked: answered with the
 * status). At start a shard reads the daemon's runtime record
 * (`<stateDir>/runtime-strategies.json`) and runs the runtime entries placed
 * on it beside its part of the catalog. Out: `strategy.signal` on `signals`, `strategy.status` on
 * `strategy_status` every `statusEveryMs` (1 s) and whenever a strategy's state
 * changes (enabled, disabled, error).
 *
 * Batching: an input only marks strategies dirty; evaluation runs on a
 * message the shard sends itself, which queues behind whatever input is
 * already waiting, so a burst of ticks costs one evaluation, while a lone tick
 * is evaluated on the same turn (a local message skips the codec).
 *
 * Each signal carries `originNs`, the monotonic stamp of the earliest input
 * behind the evaluation (its `originNs` if it has one, else its envelope's
 * send time), for tick-to-intent latency.
 */
import { pipelineHistogram } from './trace.js';
import { defineActor, Kind, monoNs, type Accepts, type ActorContext } from '../../src/runtime/index.js';
import { ConfigError } from '../../src/errors.js';
import type { FeedMsg } from '../feed/messages.js';
import type { MacroMsg } from '../macro/messages.js';
import type { StrategyCommandMsg, StrategyCommandResultMsg, StrategyRuntimeCommandMsg, StrategySignalMsg } from './messages.js';
import { runtimeForShard, runtimeRecord, type RuntimeEntry } from './runtime.js';
import { CATALOG, partition } from './registry.js';
import { ShardCore, type ShardOptions, type ShardSnapshot } from './shard-core.js';
import type { StrategyDef } from './strategy.js';
import { loadShardState, shardRecord, type ShardState, type StrategyDecision } from './durable.js';
import type { DurableRecord } from '../../src/durable/index.js';
import { TOPICS } from '../topics.js';
import { subscriptions } from '../../src/runtime/index.js';

export interface StrategyShardArgs {
  /** This shard's index, 0-based. */
  readonly shard: number;
  /** How many shards partition the catalog. */
  readonly shardCount: number;
  /** Explicit strategy ids instead of the partition (tests, research). */
  readonly strategies?: readonly string[];
  readonly paramOverrides?: ShardOptions['paramOverrides'];
  /**
   * Strategy ids that start disabled (`strategies.disabled`). Applied on a
   * cold start only, before the kept operator decisions: an operator's enable
   * outlives the configured default, and a warm restart keeps its surface.
   */
  readonly disabled?: readonly string[];
  readonly meta?: ShardOptions['meta'];
  readonly regime?: ShardOptions['regime'];
  readonly historyCapacity?: number;
  /** Periodic status (also the risk governor's heartbeat), ms. Default 1000. */
  readonly statusEveryMs?: number;
  /** Where enables, disables and meta weights are kept across restarts (see durable.ts). Unset: not kept. */
  readonly stateDir?: string;
  /** Least time between writes of moved meta weights, ms. Default 10,000. */
  readonly stateEveryMs?: number;
}

/** What the actor subscribes to; each topic's messages must be ones it accepts (checked at compile time). */
export const STRATEGY_TOPICS = subscriptions<In>()(TOPICS.features, TOPICS.bars, TOPICS.feed_status, TOPICS.macro);

/** What a shard takes from the feeds and macro sources (its topics' messages); a remote shard forwards the same. */
export const SHARD_INPUTS = {
  'feed.features': 'public',
  'feed.bar': 'public',
  'feed.status': 'public',
  'feed.history': 'public',
  'macro.series': 'public',
  'macro.cot': 'public',
} as const satisfies Accepts<FeedMsg | MacroMsg>;

type In = FeedMsg | MacroMsg | StrategyCommandMsg | StrategyRuntimeCommandMsg | { readonly type: 'strategy.evaluate' } | { readonly type: 'strategy.status_tick' } | { readonly type: 'strategy.query' };

/** The strategies a shard runs: an explicit list, or its partition of the catalog. */
export function shardStrategies(args: StrategyShardArgs, catalog: readonly StrategyDef[] = CATALOG): StrategyDef[] {
  const v: string[] = [];
  if (!Number.isInteger(args.shardCount) || args.shardCount < 1) v.push(`strategy.shardCount must be an integer >= 1 (got ${args.shardCount})`);
  if (!Number.isInteger(args.shard) || args.shard < 0 || args.shard >= args.shardCount) v.push(`strategy.shard must be an integer in [0, shardCount) (got ${args.shard})`);
  if (args.strategies) {
    const unknown = args.strategies.filter((id) => !catalog.some((s) => s.id === id));
    if (unknown.length > 0) v.push(`strategy.strategies has ids not in the catalog: ${unknown.join(', ')}`);
  }
  for (const id of Object.keys(args.paramOverrides ?? {})) {
    if (!catalog.some((s) => s.id === id)) v.push(`strategy.paramOverrides.${id} is not a strategy of the catalog`);
  }
  if (v.length > 0) throw new ConfigError(v);
  if (args.strategies) return catalog.filter((s) => args.strategies!.includes(s.id));
  return partition(catalog, args.shardCount)[args.shard];
}

/**
 * What a shard core is built from, given its args: its strategies and their
 * own parameter overrides. Research builds its shards with this too, so a
 * back-test runs the shards the daemon runs.
 */
export function shardOptionsFor(args: StrategyShardArgs, catalog: readonly StrategyDef[] = CATALOG): ShardOptions {
  const strategies = shardStrategies(args, catalog);
  // Overrides are shared by every shard; each takes those of its own strategies.
  const overrides = Object.fromEntries(Object.entries(args.paramOverrides ?? {}).filter(([id]) => strategies.some((d) => d.id === id)));
  return { shard: args.shard, strategies, paramOverrides: overrides, meta: args.meta, regime: args.regime, historyCapacity: args.historyCapacity };
}

/** A cold shard starts with the configured strategies disabled (`strategies.disabled`). */
export function disableConfigured(core: ShardCore, args: Pick<StrategyShardArgs, 'disabled'>): void {
  for (const id of args.disabled ?? []) if (core.surface.has(id)) core.surface.disable(id, 'disabled by configuration (strategies.disabled)');
}

export default defineActor<In, StrategyShardArgs, ShardSnapshot>(() => {
  let core: ShardCore;
  let evalQueued = false;
  let originNs = 0;
  let m: ReturnType<typeof metrics>;
  let store: DurableRecord<ShardState> | null = null;
  const decisions = new Map<string, StrategyDecision>();
  let stateEveryMs = 10_000;
  let lastStateWrite = 0;
  let lastMeta = '';
  let argsOf: StrategyShardArgs;

  const metrics = (ctx: ActorContext) => ({
    signals: ctx.metrics.counter('qgtm_strategy_signals_total', 'Signals published by strategy shards', ['shard']).labels({ shard: String(core.shard) }),
    evaluations: ctx.metrics.counter('qgtm_strategy_evaluations_total', 'Evaluation rounds of strategy shards', ['shard']).labels({ shard: String(core.shard) }),
    evalSeconds: ctx.metrics.histogram('qgtm_strategy_evaluate_seconds', 'Time a shard spent evaluating dirty strategies', ['shard']).labels({ shard: String(core.shard) }),
    sinceTick: pipelineHistogram(ctx, 'signals'),
    stateWrites: ctx.metrics.counter('qgtm_state_writes_total', 'Durable state records written, by record and result', ['record', 'result']),
    stateRestores: ctx.metrics.counter('qgtm_state_restores_total', 'Durable state records read at start, by record and outcome (none, restored, corrupt)', ['record', 'outcome']),
  });

  const metaKey = (): string => (core.meta ? JSON.stringify(core.meta.snapshot().records) : '');

  /** Writes this shard's record (fsync'd); a failure is logged and counted, the decision stands. */
  const persist = (ctx: ActorContext, why: string): void => {
    if (!store) return;
    const now = ctx.clock.now();
    try {
      store.write({ shard: core.shard, strategies: Object.fromEntries(decisions), meta: core.meta ? core.meta.snapshot() : null }, now);
      lastStateWrite = now;
      lastMeta = metaKey();
      m.stateWrites.inc({ record: 'strategies', result: 'ok' });
    } catch (err) {
      m.stateWrites.inc({ record: 'strategies', result: 'failed' });
      ctx.log.error('strategy state not written', { why, error: err as Error });
    }
  };

  /** Applies the decisions kept on disk, before the first input is handled. */
  const restore = (ctx: ActorContext, stateDir: string, warm: boolean): void => {
    store = shardRecord(stateDir, core.shard);
    const st = loadShardState(stateDir, core.surface.defs().map((d) => d.id), ctx.clock.now());
    for (const p of st.problems) ctx.log.error('strategy state record unusable: moved aside', { problem: p });
    m.stateRestores.inc({ record: 'strategies', outcome: st.problems.length > 0 ? 'corrupt' : st.files > 0 ? 'restored' : 'none' });
    const disabled: string[] = [];
    for (const [id, d] of st.decisions) {
      decisions.set(id, d);
      if (!d.enabled) {
        core.surface.disable(id, d.reason ?? 'disabled before a restart');
        disabled.push(id);
      } else if (core.surface.state(id) === 'disabled') core.enable(id);
    }
    // A warm restart's snapshot is newer than the periodic record for the weights.
    if (st.meta && core.meta && !warm) core.meta.restore(st.meta);
    ctx.log.info('strategy state restored', { shard: core.shard, records: st.files, decisions: st.decisions.size, disabled, meta: st.meta !== null && !warm });
    persist(ctx, 'start');
  };

  /** Each strategy's state as last published: a change (enabled, disabled, error) is published at once. */
  const lastStates = new Map<string, string | undefined>();

  const publishStatus = (ctx: ActorContext): void => {
    for (const id of lastStates.keys()) lastStates.set(id, core.surface.state(id));
    ctx.publish(TOPICS.strategy_status, core.statusReport(ctx.clock.now()));
  };

  const publishIfChanged = (ctx: ActorContext): void => {
    // No allocation on the tick path: compare states in place.
    for (const [id, st] of lastStates) {
      if (core.surface.state(id) !== st) {
        publishStatus(ctx);
        return;
      }
    }
  };

  const queueEvaluation = (ctx: ActorContext): void => {
    if (evalQueued || core.pending === 0) return;
    evalQueued = true;
    ctx.tell(ctx.self, { type: 'strategy.evaluate' });
  };

  return {
    accepts: {
      ...SHARD_INPUTS,
      'strategy.enable': 'public',
      'strategy.disable': 'public',
      'strategy.query': 'public',
      'strategy.add_runtime': 'public',
      'strategy.remove_runtime': 'public',
      'strategy.evaluate': 'internal',
      'strategy.status_tick': 'internal',
    },

    init(ctx, args, snapshot) {
      argsOf = args;
      // Runtime entries placed on this shard come from the daemon's record, so a restarted shard has them before any input.
      const runtime = args.stateDir ? runtimeEntriesOf(ctx, args.stateDir, args.shard) : [];
      const base = shardOptionsFor(args);
      const extra = runtime.flatMap((e) => {
        try {
          return [runtimeForShard(e, CATALOG, args.paramOverrides)];
        } catch (err) {
          ctx.log.error('runtime strategy not loaded', { strategy: e.id, error: err as Error });
          return [];
        }
      });
      const r = ShardCore.fromSnapshot(snapshot ?? null, {
        ...base,
        strategies: [...base.strategies, ...extra.map((x) => x.def)],
        origins: Object.fromEntries(extra.map((x) => [x.def.id, x.origin])),
      });
      core = r.core;
      for (const d of core.surface.defs()) lastStates.set(d.id, undefined);
      m = metrics(ctx);
      if (snapshot !== undefined && !r.warm) ctx.log.warn('shard started cold', { problem: r.problem });
      stateEveryMs = args.stateEveryMs ?? 10_000;
      if (!r.warm) disableConfigured(core, args);
      if (args.stateDir) restore(ctx, args.stateDir, r.warm);
      ctx.timers.start('status', args.statusEveryMs ?? 1000, { type: 'strategy.status_tick' }, { repeat: true });
      // The first status doubles as the first heartbeat the risk governor hears.
      publishStatus(ctx);
      ctx.log.info('strategy shard started', { shard: args.shard, strategies: core.surface.size, warm: r.warm });
    },

    receive(msg, ctx) {
      switch (msg.type) {
        case 'strategy.evaluate': {
          evalQueued = false;
          const t0 = performance.now();
          const signals = core.evaluate(ctx.clock.now());
          m.evalSeconds.observe((performance.now() - t0) / 1000);
          m.evaluations.inc();
          const origin = originNs;
          originNs = 0;
          if (origin > 0 && signals.length > 0) m.sinceTick.observe((monoNs() - origin) / 1e9);
          for (const s of signals) {
            const out: StrategySignalMsg = { ...s, originNs: origin };
            ctx.publish(TOPICS.signals, out);
          }
          m.signals.inc(signals.length);
          publishIfChanged(ctx);
          return;
        }
        case 'strategy.enable':
        case 'strategy.disable': {
          const result = core.handleCommand(msg, ctx.clock.now());
          if (result.ok) {
            const enabled = msg.type === 'strategy.enable';
            decisions.set(msg.strategyId, { enabled, reason: enabled ? null : `${msg.reason} (by ${msg.requestedBy})`, at: ctx.clock.now() });
            // On disk before the operator hears it was done.
            persist(ctx, msg.type);
          }
          if (ctx.envelope?.kind === Kind.Ask) ctx.reply(result);
          ctx.log.info('strategy command', { command: result.command, strategy: msg.strategyId, ok: result.ok, message: result.message });
          queueEvaluation(ctx);
          publishIfChanged(ctx);
          return;
        }
        case 'strategy.add_runtime':
        case 'strategy.remove_runtime': {
          const now = ctx.clock.now();
          const command = msg.type === 'strategy.add_runtime' ? 'add_runtime' : 'remove_runtime';
          const id = msg.type === 'strategy.add_runtime' ? msg.entry.id : msg.strategyId;
          let res: { ok: boolean; code: string | null; message: string };
          if (msg.type === 'strategy.add_runtime') {
            try {
              const x = runtimeForShard(msg.entry, CATALOG, argsOf.paramOverrides);
              res = core.addStrategy(x.def, x.def.params, x.origin);
              if (res.ok) {
                lastStates.set(id, undefined);
                // An entry that moved here (changed, rebalanced) keeps the operator's disable.
                const kept = argsOf.stateDir ? loadShardState(argsOf.stateDir, [id], now).decisions.get(id) : undefined;
                if (kept && !kept.enabled) {
                  core.surface.disable(id, kept.reason ?? 'disabled before it moved');
                  decisions.set(id, kept);
                  persist(ctx, 'runtime entry moved');
                }
              }
            } catch (err) {
              res = { ok: false, code: 'QGTM_ERR_RUNTIME_STRATEGY', message: (err as Error).message };
            }
          } else {
            const removed = core.removeStrategy(id, now);
            res = removed.result;
            // The allocator forgets it through direction-0 signals, as when a strategy goes flat.
            for (const s of removed.retract) ctx.publish(TOPICS.signals, s);
            if (res.ok) {
              lastStates.delete(id);
              if (!msg.keepDecision && decisions.delete(id)) persist(ctx, msg.type);
            }
          }
          const result: StrategyCommandResultMsg = { type: 'strategy.command_result', command, strategyId: id, shard: core.shard, ok: res.ok, code: res.code, message: res.message, ts: now };
          if (ctx.envelope?.kind === Kind.Ask) ctx.reply(result);
          ctx.log.info('strategy command', { command, strategy: id, ok: res.ok, message: res.message, by: msg.requestedBy });
          if (res.ok) publishStatus(ctx);
          queueEvaluation(ctx);
          return;
        }
        case 'strategy.status_tick':
          publishStatus(ctx);
          if (store && ctx.clock.now() - lastStateWrite >= stateEveryMs && metaKey() !== lastMeta) persist(ctx, 'meta weights');
          return;
        case 'strategy.query':
          if (ctx.envelope?.kind === Kind.Ask) ctx.reply(core.statusReport(ctx.clock.now()));
          return;
        default: {
          core.onMessage(msg);
          if (core.pending > 0) {
            const from = (msg as { originNs?: number }).originNs ?? ctx.envelope?.ts ?? 0;
            if (from > 0 && (originNs === 0 || from < originNs)) originNs = from;
            queueEvaluation(ctx);
          }
          return;
        }
      }
    },

    snapshot() {
      return core.snapshot();
    },

    inspect() {
      const bars: Record<string, number> = {};
      for (const sym of core.view.symbols()) bars[sym] = core.view.bars(sym).length;
      return { shard: core.shard, strategies: core.surface.size, pending: core.pending, regime: core.regime(), bars };
    },
  };
});

/** The runtime entries the daemon placed on `shard`; an unreadable record is logged and counted, and the shard starts without them. */
function runtimeEntriesOf(ctx: ActorContext, stateDir: string, shard: number): RuntimeEntry[] {
  const restores = ctx.metrics.counter('qgtm_state_restores_total', 'Durable state records read at start, by record and outcome (none, restored, corrupt)', ['record', 'outcome']);
  try {
    const l = runtimeRecord(stateDir).read();
    restores.inc({ record: 'runtime-strategies', outcome: l ? 'restored' : 'none' });
    return l ? l.value.entries.filter((e) => e.shard === shard) : [];
  } catch (err) {
    restores.inc({ record: 'runtime-strategies', outcome: 'corrupt' });
    ctx.log.error('runtime strategy record unusable: shard starts without runtime entries', { error: err as Error });
    return [];
  }
}
