/**
 * The trading settings of the configuration: the risk governor's limits,
 * the allocator's targets and caps, the strategies' profile, shards and
 * parameters. Their defaults are the actors' own defaults (one source of
 * truth: `npm start` with no configuration trades as the actors would
 * alone), and their shape is the actors' own config shape, so the daemon
 * hands each section over as it is (app/daemon/settings.ts) and a field
 * renamed in an actor is renamed here in its one FIELDS line.
 *
 * Sections, and why this cut:
 * - `risk`: RiskConfig (a ladder and hysteresis per trigger, cool-down,
 *   latch) plus `risk.preTrade` (per-order limits and order-rate caps): the
 *   governor owns both, and an operator tunes them together.
 * - `allocator`: AllocatorConfig (`combine`, `sizing`: vol target and caps,
 *   `intents`: band, hysteresis, minimum trade, turnover, order type, a
 *   limit order's time limit) plus the actor's own settings at the top
 *   level (housekeeping period, signal change threshold, in-flight TTL),
 *   and `allocator.learning`: the
 *   self-learning (Hedge) weights the allocator applies to the strategies.
 * - `strategies`: what runs (profile, parameter overrides, disabled at
 *   start) and over how many shards (`shards`): shard count partitions the
 *   catalog, so it belongs with it; which workers the shards run in is
 *   `daemon.placement`, a process matter.
 */
import type { AllocatorArgs } from '../../actors/allocator/actor.js';
import { DEFAULT_ALLOCATOR_CONFIG, type AllocatorConfig } from '../../actors/allocator/allocator-core.js';
import type { LearningOptions } from '../../actors/allocator/desk.js';
import { DEFAULT_LEARNING_CONFIG, learningConfigError } from '../../actors/strategy/support/learning.js';
import { DEFAULT_RISK_CONFIG, LADDER_KEYS, resolveRiskConfig, type EscalatedTier, type LadderKey, type RiskConfig } from '../../actors/risk/config.js';
import { DEFAULT_PRE_TRADE_CONFIG, type PreTradeConfig } from '../../actors/risk/pre-trade.js';
import { TIERS } from '../../actors/risk/tiers.js';
import { resolveAllocatorConfig } from '../../actors/allocator/allocator-core.js';
import { PROFILE_NAMES, STRATEGY_PROFILES, type ParamProfile, type ProfileName } from '../../actors/strategy/profiles.js';
import { CATALOG } from '../../actors/strategy/registry.js';
import { boundViolation, paramBounds } from '../../actors/strategy/param-bounds.js';
import { ConfigError } from '../../src/errors.js';
import type { FieldSpec } from './field-spec.js';
import { didYouMean } from './suggest.js';

/** A trigger's ladder as configured: every rung named, null where that trigger never demands the tier. */
export type LadderSettings = Readonly<Record<EscalatedTier, number | null>>;

export type RiskSettings = { readonly [K in LadderKey]: { readonly ladder: LadderSettings; readonly hysteresis: number } } & Omit<RiskConfig, LadderKey> & {
  readonly preTrade: PreTradeConfig;
};

/** The allocator actor's pacing (AllocatorArgs) at the top, its core config in `combine`/`sizing`/`intents`. */
export type AllocatorSettings = Required<Pick<AllocatorArgs, 'rebalanceEveryMs' | 'changeThreshold' | 'inflightTtlMs'>> &
  AllocatorConfig & { readonly learning: LearningSettings };

/** `allocator.learning`: whether learned weights are applied, and the learner's settings. */
export type LearningSettings = Required<LearningOptions>;

export interface StrategiesSettings {
  /** Parameter profile (actors/strategy/profiles.ts): `intraday` sizes windows for 1-minute bars, `daily` is the catalog. */
  readonly profile: ProfileName;
  /** Strategy shards the catalog is partitioned across. */
  readonly shards: number;
  /** Per strategy id, parameters over the profile's (config file only). */
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Strategy ids that start disabled (an operator's enable, kept across restarts, wins). */
  readonly disabled: readonly string[];
  /** A JSON file of runtime strategy entries (`{"entries": [spec, ...]}`), read at start and on reload (SIGHUP, POST /api/v1/strategies/reload); null for none. */
  readonly file: string | null;
}

const ESCALATED = TIERS.slice(1) as EscalatedTier[];

const snake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

function riskDefaults(): RiskSettings {
  const out: Record<string, unknown> = { ...DEFAULT_RISK_CONFIG, preTrade: { ...DEFAULT_PRE_TRADE_CONFIG } };
  for (const k of LADDER_KEYS) {
    const t = DEFAULT_RISK_CONFIG[k];
    out[k] = { ladder: Object.fromEntries(ESCALATED.map((tier) => [tier, t.ladder[tier] ?? null])), hysteresis: t.hysteresis };
  }
  return out as RiskSettings;
}

export const DEFAULT_TRADING = {
  risk: riskDefaults(),
  allocator: {
    // The allocator actor's own defaults (actors/allocator/actor.ts).
    rebalanceEveryMs: 60_000,
    changeThreshold: 0.05,
    inflightTtlMs: 10_000,
    ...DEFAULT_ALLOCATOR_CONFIG,
    learning: { enabled: true, ...DEFAULT_LEARNING_CONFIG },
  } satisfies AllocatorSettings as AllocatorSettings,
  strategies: { profile: 'intraday', shards: 2, params: {}, disabled: [], file: null } satisfies StrategiesSettings as StrategiesSettings,
};

const nonNeg = { kind: 'number', min: 0 } as const;
const positive = { kind: 'number', greaterThan: 0 } as const;
const fraction = { kind: 'number', greaterThan: 0, max: 1 } as const;
const ms = (min: number, max: number) => ({ kind: 'int', min, max }) as const;

const ladderFields: FieldSpec[] = LADDER_KEYS.flatMap((k) => [
  ...ESCALATED.map((tier): FieldSpec => ({ path: `risk.${k}.ladder.${tier}`, type: { kind: 'number', min: 0, nullable: true }, env: `QGTM_RISK_${snake(k)}_${tier}` })),
  { path: `risk.${k}.hysteresis`, type: nonNeg, env: `QGTM_RISK_${snake(k)}_HYSTERESIS` },
]);

/** The trading options; environment names are QGTM_<SECTION>_<FIELD> except the four of the old `pacing` section, kept as they were. */
export const TRADING_FIELDS: readonly FieldSpec[] = [
  ...ladderFields,
  { path: 'risk.orderRateWindowMs', type: ms(1000, 3_600_000), env: 'QGTM_RISK_ORDER_RATE_WINDOW_MS' },
  { path: 'risk.brokerDisconnectedTier', type: { kind: 'enum', values: TIERS }, env: 'QGTM_RISK_BROKER_DISCONNECTED_TIER' },
  { path: 'risk.coolDownMs', type: ms(0, 86_400_000), env: 'QGTM_RISK_COOL_DOWN_MS' },
  { path: 'risk.flattenLatch', type: { kind: 'boolean' }, env: 'QGTM_RISK_FLATTEN_LATCH' },
  { path: 'risk.historyLimit', type: { kind: 'int', min: 1, max: 1_000_000 }, env: 'QGTM_RISK_HISTORY_LIMIT' },
  { path: 'risk.protectiveStops.enabled', type: { kind: 'boolean' }, env: 'QGTM_RISK_PROTECTIVE_STOPS' },
  { path: 'risk.protectiveStops.distanceBps', type: { kind: 'number', greaterThan: 0, max: 5_000 }, env: 'QGTM_RISK_PROTECTIVE_STOP_BPS' },
  { path: 'risk.protectiveStops.volMultiple', type: nonNeg, env: 'QGTM_RISK_PROTECTIVE_STOP_VOL_MULTIPLE' },
  { path: 'risk.protectiveStops.trailing', type: { kind: 'boolean' }, env: 'QGTM_RISK_PROTECTIVE_STOP_TRAILING' },
  { path: 'risk.preTrade.maxOrderNotional', type: positive, env: 'QGTM_RISK_MAX_ORDER_NOTIONAL' },
  { path: 'risk.preTrade.collarBps', type: positive, env: 'QGTM_RISK_COLLAR_BPS' },
  { path: 'risk.preTrade.throttleFactor', type: fraction, env: 'QGTM_RISK_THROTTLE_FACTOR' },
  { path: 'risk.preTrade.rateWindowMs', type: ms(1000, 3_600_000), env: 'QGTM_RISK_RATE_WINDOW_MS' },
  { path: 'risk.preTrade.maxOrdersPerWindow', type: { kind: 'int', min: 1, max: 1_000_000 }, env: 'QGTM_RISK_MAX_ORDERS_PER_WINDOW' },
  { path: 'risk.preTrade.throttledOrdersPerWindow', type: { kind: 'int', min: 1, max: 1_000_000 }, env: 'QGTM_RISK_THROTTLED_ORDERS_PER_WINDOW' },
  { path: 'allocator.rebalanceEveryMs', type: ms(500, 3_600_000), env: 'QGTM_REBALANCE_EVERY_MS' },
  { path: 'allocator.changeThreshold', type: { kind: 'number', min: 0, max: 1 }, env: 'QGTM_ALLOCATOR_CHANGE_THRESHOLD' },
  { path: 'allocator.inflightTtlMs', type: ms(100, 600_000), env: 'QGTM_ALLOCATOR_INFLIGHT_TTL_MS' },
  { path: 'allocator.combine.flatPrior', type: nonNeg, env: 'QGTM_ALLOCATOR_FLAT_PRIOR' },
  { path: 'allocator.sizing.targetVol', type: { kind: 'number', greaterThan: 0, max: 5 }, env: 'QGTM_ALLOCATOR_TARGET_VOL' },
  { path: 'allocator.sizing.minVol', type: { kind: 'number', greaterThan: 0, max: 5 }, env: 'QGTM_ALLOCATOR_MIN_VOL' },
  { path: 'allocator.sizing.maxWeight', type: { kind: 'number', greaterThan: 0, max: 10 }, env: 'QGTM_ALLOCATOR_MAX_WEIGHT' },
  { path: 'allocator.sizing.grossCap', type: { kind: 'number', greaterThan: 0, max: 10 }, env: 'QGTM_ALLOCATOR_GROSS_CAP' },
  { path: 'allocator.sizing.netCap', type: { kind: 'number', min: 0, max: 10 }, env: 'QGTM_ALLOCATOR_NET_CAP' },
  { path: 'allocator.sizing.allowShort', type: { kind: 'boolean' }, env: 'QGTM_ALLOCATOR_ALLOW_SHORT' },
  { path: 'allocator.intents.minTradeNotional', type: nonNeg, env: 'QGTM_MIN_TRADE_NOTIONAL' },
  { path: 'allocator.intents.noTradeBand', type: { kind: 'number', min: 0, max: 1 }, env: 'QGTM_NO_TRADE_BAND' },
  { path: 'allocator.intents.hysteresis', type: { kind: 'number', min: 0, max: 1 }, env: 'QGTM_ALLOCATOR_HYSTERESIS' },
  { path: 'allocator.intents.maxTurnover', type: { kind: 'number', greaterThan: 0, max: 10 }, env: 'QGTM_ALLOCATOR_MAX_TURNOVER' },
  { path: 'allocator.intents.orderType', type: { kind: 'enum', values: ['market', 'limit'] }, env: 'QGTM_ALLOCATOR_ORDER_TYPE' },
  { path: 'allocator.intents.limitOffsetBps', type: { kind: 'number', min: 0, max: 10_000 }, env: 'QGTM_ALLOCATOR_LIMIT_OFFSET_BPS' },
  { path: 'allocator.intents.limitTimeoutMs', type: ms(0, 86_400_000), env: 'QGTM_ALLOCATOR_LIMIT_TIMEOUT_MS' },
  { path: 'allocator.intents.timeInForce', type: { kind: 'enum', values: ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'] }, env: 'QGTM_ALLOCATOR_TIME_IN_FORCE' },
  { path: 'allocator.learning.enabled', type: { kind: 'boolean' }, env: 'QGTM_LEARNING_ENABLED' },
  { path: 'allocator.learning.rate', type: { kind: 'number', min: 0, max: 10 }, env: 'QGTM_LEARNING_RATE' },
  { path: 'allocator.learning.share', type: { kind: 'number', min: 0, max: 0.99 }, env: 'QGTM_LEARNING_SHARE' },
  { path: 'allocator.learning.floor', type: fraction, env: 'QGTM_LEARNING_FLOOR' },
  { path: 'allocator.learning.cap', type: { kind: 'number', min: 1, max: 100 }, env: 'QGTM_LEARNING_CAP' },
  { path: 'allocator.learning.periodMs', type: ms(1000, 7 * 86_400_000), env: 'QGTM_LEARNING_PERIOD_MS' },
  { path: 'allocator.learning.historyPoints', type: { kind: 'int', min: 1, max: 100_000 }, env: 'QGTM_LEARNING_HISTORY_POINTS' },
  { path: 'strategies.profile', type: { kind: 'enum', values: PROFILE_NAMES }, env: 'QGTM_STRATEGIES_PROFILE' },
  { path: 'strategies.shards', type: { kind: 'int', min: 1, max: 64 }, env: 'QGTM_STRATEGIES_SHARDS' },
  { path: 'strategies.params', type: { kind: 'params' } },
  { path: 'strategies.disabled', type: { kind: 'ids', values: CATALOG.map((s) => s.id) }, env: 'QGTM_STRATEGIES_DISABLED' },
  { path: 'strategies.file', type: { kind: 'string', nullable: true, minLength: 1 }, env: 'QGTM_STRATEGIES_FILE' },
];

/** Old option paths and where they live now, so a config file of the old shape is told where to move them. */
export const MOVED: Readonly<Record<string, string>> = {
  'pacing.rebalanceEveryMs': 'allocator.rebalanceEveryMs',
  'pacing.noTradeBand': 'allocator.intents.noTradeBand',
  'pacing.minTradeNotional': 'allocator.intents.minTradeNotional',
  'pacing.riskCoolDownMs': 'risk.coolDownMs',
};

/** The risk section as the governor takes it: rungs set to null left out. */
export function riskArgs(r: RiskSettings): { risk: RiskConfig; preTrade: PreTradeConfig } {
  const { preTrade, ...rest } = r;
  const risk: Record<string, unknown> = { ...rest };
  for (const k of LADDER_KEYS) {
    const ladder = Object.fromEntries(Object.entries(r[k].ladder).filter(([, v]) => v !== null));
    risk[k] = { ladder, hysteresis: r[k].hysteresis };
  }
  return { risk: risk as unknown as RiskConfig, preTrade };
}

/** The allocator section as the actor takes it: pacing at the top, the core config under `config`. */
export function allocatorArgs(a: AllocatorSettings): AllocatorArgs {
  const { combine, sizing, intents, ...pacing } = a;
  return { ...pacing, config: { combine, sizing, intents } };
}

/** The parameters that differ from the catalog, per strategy: the profile's, then the configured ones over them. */
export function strategyOverrides(s: StrategiesSettings): ParamProfile {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, p] of Object.entries(STRATEGY_PROFILES[s.profile])) out[id] = { ...p };
  for (const [id, p] of Object.entries(s.params)) out[id] = { ...out[id], ...p };
  return out;
}

/** Violations of one strategy-parameter override table, each named by its path. */
export function paramsViolations(params: unknown): string[] {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return ['strategies.params must be an object of strategy id to parameters'];
  const v: string[] = [];
  const ids = CATALOG.map((s) => s.id);
  for (const [id, over] of Object.entries(params)) {
    const def = CATALOG.find((s) => s.id === id);
    if (!def) {
      v.push(`unknown strategy strategies.params.${id}${didYouMean(id, ids, (c) => `strategies.params.${c}`)}`);
      continue;
    }
    if (typeof over !== 'object' || over === null || Array.isArray(over)) {
      v.push(`strategies.params.${id} must be an object of parameter to value`);
      continue;
    }
    const bounds = paramBounds(def);
    for (const [k, x] of Object.entries(over)) {
      const b = bounds[k];
      if (!b) {
        v.push(`unknown parameter strategies.params.${id}.${k}${didYouMean(k, Object.keys(bounds), (c) => `strategies.params.${id}.${c}`)}; ${id} has ${Object.keys(bounds).join(', ')}`);
        continue;
      }
      const bad = boundViolation(b, x);
      if (bad) v.push(`strategies.params.${id}.${k} must be ${bad}; got ${JSON.stringify(x)}`);
    }
  }
  return v;
}

/** Rules across fields (rungs rising, caps consistent), checked once each field is valid on its own. */
export function tradingViolations(t: { risk: RiskSettings; allocator: AllocatorSettings }): string[] {
  const v: string[] = [];
  const collect = (f: () => unknown): void => {
    try {
      f();
    } catch (err) {
      if (err instanceof ConfigError) v.push(...err.violations);
      else throw err;
    }
  };
  collect(() => resolveRiskConfig(riskArgs(t.risk).risk));
  collect(() => resolveAllocatorConfig(allocatorArgs(t.allocator).config));
  const learning = learningConfigError(t.allocator.learning);
  if (learning) v.push(`allocator.learning: ${learning}`);
  if (t.risk.preTrade.throttledOrdersPerWindow > t.risk.preTrade.maxOrdersPerWindow) {
    v.push(`risk.preTrade.throttledOrdersPerWindow (${t.risk.preTrade.throttledOrdersPerWindow}) must not exceed risk.preTrade.maxOrdersPerWindow (${t.risk.preTrade.maxOrdersPerWindow}): THROTTLE is the stricter tier`);
  }
  return v;
}
