import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, FIELDS } from '../../../../app/config/schema.js';
import { loadConfig } from '../../../../app/config/load.js';
import { allocatorArgs, riskArgs, strategyOverrides } from '../../../../app/config/trading.js';
import { closest, editDistance } from '../../../../app/config/suggest.js';
import { DEFAULT_RISK_CONFIG } from '../../../../actors/risk/config.js';
import { DEFAULT_PRE_TRADE_CONFIG } from '../../../../actors/risk/pre-trade.js';
import { DEFAULT_ALLOCATOR_CONFIG } from '../../../../actors/allocator/allocator-core.js';
import { DEFAULT_LEARNING_CONFIG } from '../../../../actors/strategy/support/learning.js';
import { STRATEGY_PROFILES } from '../../../../actors/strategy/profiles.js';
import { withRateBudget } from '../../../../app/daemon/daemon.js';
import { createAlpacaClients } from '../../../../src/alpaca/client.js';
import { RateBudget } from '../../../../src/alpaca/rate-budget.js';
import { configError } from '../../../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'qgtm-trading-config-'));
const file = (name: string, content: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(content));
  return p;
};
const violations = (f: () => unknown): readonly string[] => configError(f).violations;

describe('trading settings', () => {
  it('nothing configured then the actors get exactly their own defaults (npm start trades as before)', () => {
    const { config } = loadConfig({ mode: 'start', env: {}, randomToken: () => 'x'.repeat(20) });
    expect(riskArgs(config.risk)).toEqual({ risk: DEFAULT_RISK_CONFIG, preTrade: DEFAULT_PRE_TRADE_CONFIG });
    expect(allocatorArgs(config.allocator)).toEqual({ rebalanceEveryMs: 60_000, changeThreshold: 0.05, inflightTtlMs: 10_000, learning: { enabled: true, ...DEFAULT_LEARNING_CONFIG }, config: DEFAULT_ALLOCATOR_CONFIG });
    expect(config.strategies).toEqual({ profile: 'intraday', shards: 2, params: {}, disabled: [], file: null });
    expect(strategyOverrides(config.strategies)).toEqual(STRATEGY_PROFILES.intraday);
  });

  it('a risk rung from file, then env, then --set: each layer wins over the one before, and says so', () => {
    const f = file('layers.json', { risk: { drawdown: { ladder: { FLATTEN: 0.2 } }, coolDownMs: 1000 }, allocator: { sizing: { targetVol: 0.2 } } });
    const fromFile = loadConfig({ mode: 'start', file: f, env: {} });
    expect(fromFile.config.risk.drawdown.ladder.FLATTEN).toBe(0.2);
    expect(fromFile.sources['risk.drawdown.ladder.FLATTEN']).toBe(`file ${f}`);
    const fromEnv = loadConfig({ mode: 'start', file: f, env: { QGTM_RISK_DRAWDOWN_FLATTEN: '0.15', QGTM_ALLOCATOR_TARGET_VOL: '0.12' } });
    expect(fromEnv.config.risk.drawdown.ladder.FLATTEN).toBe(0.15);
    expect(fromEnv.config.allocator.sizing.targetVol).toBe(0.12);
    expect(fromEnv.config.risk.coolDownMs).toBe(1000);
    const fromFlag = loadConfig({
      mode: 'start',
      file: f,
      env: { QGTM_RISK_DRAWDOWN_FLATTEN: '0.15' },
      overrides: { 'risk.drawdown.ladder.FLATTEN': '0.1', 'strategies.shards': '3' },
      overrideNames: { 'risk.drawdown.ladder.FLATTEN': '--set risk.drawdown.ladder.FLATTEN', 'strategies.shards': '--shards' },
    });
    expect(fromFlag.config.risk.drawdown.ladder.FLATTEN).toBe(0.1);
    expect(fromFlag.config.strategies.shards).toBe(3);
    expect(fromFlag.sources).toMatchObject({ 'risk.drawdown.ladder.FLATTEN': '--set risk.drawdown.ladder.FLATTEN', 'risk.coolDownMs': `file ${f}`, 'strategies.shards': '--shards' });
    expect(riskArgs(fromFlag.config.risk).risk.drawdown.ladder).toEqual({ WARN: 0.03, THROTTLE: 0.05, NO_NEW: 0.08, FLATTEN: 0.1 });
  });

  it('a rung set to null then that trigger never demands the tier', () => {
    const f = file('null-rung.json', { risk: { dailyLoss: { ladder: { FLATTEN: null } } } });
    expect(riskArgs(loadConfig({ mode: 'start', file: f, env: {} }).config.risk).risk.dailyLoss.ladder).toEqual({ WARN: 0.01, THROTTLE: 0.02, NO_NEW: 0.03 });
  });

  it('bad trading values then one violation each, naming its path and source', () => {
    const f = file('bad.json', { allocator: { sizing: { maxWeight: 0 }, intents: { orderType: 'stop' } }, strategies: { profile: 'hourly' } });
    const v = violations(() =>
      loadConfig({ mode: 'start', file: f, env: { QGTM_RISK_THROTTLE_FACTOR: '2', QGTM_STRATEGIES_SHARDS: '0', QGTM_STRATEGIES_DISABLED: 'trend_ma_cross,nope' } }),
    );
    expect(v).toEqual([
      'risk.preTrade.throttleFactor must be a number > 0 and <= 1; got 2 from env QGTM_RISK_THROTTLE_FACTOR',
      `allocator.sizing.maxWeight must be a number > 0 and <= 10; got 0 from file ${f}`,
      `allocator.intents.orderType must be one of market, limit; got "stop" from file ${f}`,
      `strategies.profile must be one of daily, intraday; got "hourly" from file ${f}`,
      'strategies.shards must be an integer 1-64; got 0 from env QGTM_STRATEGIES_SHARDS',
      expect.stringMatching(/^strategies\.disabled must be a list of distinct names among .*; got \["trend_ma_cross","nope"\] from env QGTM_STRATEGIES_DISABLED$/),
    ]);
  });

  it('protective stop volMultiple and trailing from env then reach the risk governor; bad ones refused naming their env', () => {
    const { config, sources } = loadConfig({ mode: 'start', env: { QGTM_RISK_PROTECTIVE_STOPS: 'true', QGTM_RISK_PROTECTIVE_STOP_VOL_MULTIPLE: '2.5', QGTM_RISK_PROTECTIVE_STOP_TRAILING: 'true' } });
    expect(riskArgs(config.risk).risk.protectiveStops).toEqual({ enabled: true, distanceBps: 200, volMultiple: 2.5, trailing: true });
    expect(sources['risk.protectiveStops.volMultiple']).toBe('env QGTM_RISK_PROTECTIVE_STOP_VOL_MULTIPLE');
    expect(riskArgs(loadConfig({ mode: 'start', env: {} }).config.risk).risk.protectiveStops).toEqual({ enabled: false, distanceBps: 200, volMultiple: 0, trailing: false });
    expect(violations(() => loadConfig({ mode: 'start', env: { QGTM_RISK_PROTECTIVE_STOP_VOL_MULTIPLE: '-1', QGTM_RISK_PROTECTIVE_STOP_TRAILING: 'maybe' } }))).toEqual([
      'risk.protectiveStops.volMultiple must be a number >= 0; got -1 from env QGTM_RISK_PROTECTIVE_STOP_VOL_MULTIPLE',
      'risk.protectiveStops.trailing must be true or false (1 or 0); got "maybe" from env QGTM_RISK_PROTECTIVE_STOP_TRAILING',
    ]);
  });

  it('bad allocator.learning values then one violation each naming its path; good ones reach the allocator', () => {
    const f = file('learning.json', { allocator: { learning: { share: 1, floor: 0, periodMs: 10, enabled: 'yes' } } });
    const v = violations(() => loadConfig({ mode: 'start', file: f, env: { QGTM_LEARNING_HISTORY_POINTS: '0' } }));
    for (const path of ['allocator.learning.share', 'allocator.learning.floor', 'allocator.learning.periodMs', 'allocator.learning.enabled', 'allocator.learning.historyPoints']) {
      expect(v.some((x) => x.startsWith(`${path} must be`))).toBe(true);
    }
    const ok = loadConfig({ mode: 'start', env: { QGTM_LEARNING_RATE: '0.2', QGTM_LEARNING_ENABLED: 'false' } }).config;
    expect(allocatorArgs(ok.allocator).learning).toMatchObject({ rate: 0.2, enabled: false });
  });

  it('limit time limit from env then it reaches the allocator; negative or fractional then refused naming path and variable', () => {
    expect(allocatorArgs(loadConfig({ mode: 'start', env: {} }).config.allocator).config?.intents?.limitTimeoutMs).toBe(60_000);
    const ok = loadConfig({ mode: 'start', env: { QGTM_ALLOCATOR_ORDER_TYPE: 'limit', QGTM_ALLOCATOR_LIMIT_TIMEOUT_MS: '15000' } }).config;
    expect(allocatorArgs(ok.allocator).config?.intents).toMatchObject({ orderType: 'limit', limitTimeoutMs: 15_000 });
    expect(violations(() => loadConfig({ mode: 'start', env: { QGTM_ALLOCATOR_LIMIT_TIMEOUT_MS: '-1' } }))).toEqual([
      expect.stringMatching(/^allocator\.intents\.limitTimeoutMs must be an integer 0-86400000; got -1 from env QGTM_ALLOCATOR_LIMIT_TIMEOUT_MS$/),
    ]);
    expect(violations(() => loadConfig({ mode: 'start', env: { QGTM_ALLOCATOR_LIMIT_TIMEOUT_MS: '1.5' } }))[0]).toMatch(/^allocator\.intents\.limitTimeoutMs must be/);
  });

  it('rungs out of order or a throttled rate above the normal one then refused across fields', () => {
    const v = violations(() => loadConfig({ mode: 'start', env: { QGTM_RISK_CONCENTRATION_THROTTLE: '0.5', QGTM_RISK_THROTTLED_ORDERS_PER_WINDOW: '500' } }));
    expect(v).toContain('risk.concentration.ladder.NO_NEW must be above the less strict rungs (got 0.35)');
    expect(v).toContain('risk.preTrade.throttledOrdersPerWindow (500) must not exceed risk.preTrade.maxOrdersPerWindow (120): THROTTLE is the stricter tier');
  });

  it('unknown keys at any depth then refused with the nearest known key; old pacing keys told where they moved', () => {
    const f = file('typos.json', {
      risk: { maxDrawdwn: 0.1, drawdwn: { ladder: { WARN: 0.01 } }, drawdown: { ladder: { FLATEN: 0.1 } } },
      alocator: {},
      pacing: { riskCoolDownMs: 1000 },
      strategies: { params: { trend_ma_cros: {}, trend_ma_cross: { fsat: 3, slow: 0 } } },
    });
    const v = violations(() => loadConfig({ mode: 'start', file: f, env: {} }));
    expect(v).toEqual([
      `unknown option risk.maxDrawdwn (in ${f})`,
      `unknown option risk.drawdwn (did you mean risk.drawdown?) (in ${f})`,
      `unknown option risk.drawdown.ladder.FLATEN (did you mean risk.drawdown.ladder.FLATTEN?) (in ${f})`,
      `unknown option alocator (did you mean allocator?) (in ${f})`,
      `unknown option pacing.riskCoolDownMs: it moved to risk.coolDownMs (in ${f})`,
      `unknown strategy strategies.params.trend_ma_cros (did you mean strategies.params.trend_ma_cross?) (from file ${f})`,
      `unknown parameter strategies.params.trend_ma_cross.fsat (did you mean strategies.params.trend_ma_cross.fast?); trend_ma_cross has fast, slow, scoreScale, horizonBars (from file ${f})`,
      `strategies.params.trend_ma_cross.slow must be an integer >= 1; got 0 (from file ${f})`,
    ]);
  });

  it('a QGTM_ variable a typo away from an option then refused with it; other QGTM_ names left alone', () => {
    expect(violations(() => loadConfig({ mode: 'start', env: { QGTM_RISK_COOLDOWN_MS: '5', QGTM_HTTP_PROT: '1', QGTM_TEST_LOG: '1', QGTM_SOMETHING_ELSE: 'x' } }))).toEqual([
      'unknown environment variable QGTM_RISK_COOLDOWN_MS (did you mean QGTM_RISK_COOL_DOWN_MS?)',
      'unknown environment variable QGTM_HTTP_PROT (did you mean QGTM_HTTP_PORT?)',
    ]);
  });

  it('strategy parameters from a file then merged over the profile, checked against the catalog bounds', () => {
    const f = file('params.json', { strategies: { profile: 'intraday', params: { trend_ma_cross: { fast: 8 }, seasonality_gold: { maxConfidence: 0.4 } } } });
    const { config } = loadConfig({ mode: 'start', file: f, env: {} });
    const o = strategyOverrides(config.strategies);
    expect(o.trend_ma_cross).toEqual({ fast: 8, slow: 30, horizonBars: 15 });
    expect(o.seasonality_gold).toEqual({ maxConfidence: 0.4 });
    const bad = file('params-bad.json', { strategies: { params: { seasonality_gold: { maxConfidence: 2, monthlyMeanPct: [1, 2] } } } });
    expect(violations(() => loadConfig({ mode: 'start', file: bad, env: {} }))).toEqual([
      `strategies.params.seasonality_gold.maxConfidence must be a number > 0 and <= 1; got 2 (from file ${bad})`,
      `strategies.params.seasonality_gold.monthlyMeanPct must be a list of 12 finite numbers; got [1,2] (from file ${bad})`,
    ]);
  });

  it('every trading option has a default of its own type and, but the parameter table, an environment variable', () => {
    const trading = FIELDS.filter((f) => /^(risk|allocator|strategies)\./.test(f.path));
    expect(trading.length).toBeGreaterThan(60);
    for (const f of trading) {
      if (f.path !== 'strategies.params') expect(f.env, f.path).toMatch(/^QGTM_/);
      expect(f.path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], DEFAULT_CONFIG), f.path).not.toBeUndefined();
    }
  });
});

describe('the account request budget', () => {
  const conn = (keyId: string) => ({ keyId, secretKey: 's', venue: 'local' as const, restBaseUrl: 'http://127.0.0.1:1', tradingStreamUrl: 'ws://127.0.0.1:1', dataStreamUrl: 'ws://127.0.0.1:1', dataRestBaseUrl: 'http://127.0.0.1:1' });

  it('nothing configured then the budget of the daemon\'s clients is the budget\'s own default', () => {
    const { config } = loadConfig({ mode: 'start', env: {}, randomToken: () => 'x'.repeat(20) });
    const b = createAlpacaClients(withRateBudget(conn('budget-default'), config.venue)).budget;
    const d = new RateBudget();
    expect([b.limitPerMinute, b.bulkPerMinute, b.reserve]).toEqual([d.limitPerMinute, d.bulkPerMinute, d.reserve]);
  });

  it('a limit and shares from the environment then the clients made from the connection count in that budget', () => {
    const { config } = loadConfig({ mode: 'start', env: { QGTM_RATE_LIMIT_PER_MINUTE: '1000', QGTM_RATE_BULK_SHARE: '0.1', QGTM_RATE_RESERVE_SHARE: '0.25' }, randomToken: () => 'x'.repeat(20) });
    const b = createAlpacaClients(withRateBudget(conn('budget-configured'), config.venue)).budget;
    expect([b.limitPerMinute, b.bulkPerMinute, b.reserve]).toEqual([1000, 100, 250]);
  });
});

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit, ignores case, and suggests only near names', () => {
    expect(editDistance('Drawdwon', 'drawdown')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(closest('maxDrawdwn', ['maxDrawdown', 'coolDownMs'])).toBe('maxDrawdown');
    expect(closest('port', ['host'])).toBeNull();
    expect(closest('x', [])).toBeNull();
  });
});
