import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../app/config/load.js';
import { DEFAULT_CONFIG } from '../../../../app/config/schema.js';
import { TRADING_FIELDS } from '../../../../app/config/trading.js';
import { CATALOG } from '../../../../actors/strategy/registry.js';
import { settingsFromConfig, sweepableFields, sweepablePaths, sweepParamViolations, withOverrides } from '../../../../app/research/settings.js';
import { configError } from '../../../helpers/errors.js';

const base = settingsFromConfig(DEFAULT_CONFIG);
const violations = (f: () => unknown): readonly string[] => configError(f).violations;

describe('settingsFromConfig', () => {
  it('a loaded configuration then its risk, allocator and strategies sections as they are', () => {
    const { config } = loadConfig({ mode: 'start', env: { QGTM_ALLOCATOR_TARGET_VOL: '0.2' }, randomToken: () => 'x'.repeat(20) });
    const s = settingsFromConfig(config);
    expect(Object.keys(s).sort()).toEqual(['allocator', 'risk', 'strategies']);
    expect(s.allocator.sizing.targetVol).toBe(0.2);
    expect(s.risk).toBe(config.risk);
  });
});

describe('withOverrides', () => {
  it('strings and typed values by path then coerced as the configuration coerces them, the input untouched', () => {
    const before = JSON.stringify(base);
    const s = withOverrides(base, {
      'allocator.sizing.targetVol': '0.12',
      'risk.coolDownMs': 5000,
      'allocator.sizing.allowShort': 'false',
      'allocator.intents.orderType': 'limit',
      'risk.drawdown.ladder.FLATTEN': '0.3',
      'strategies.disabled': 'trend_donchian, trend_ma_cross',
      'strategies.params.trend_ma_cross.fast': '7',
      'strategies.params.trend_ma_cross.slow': 40,
    });
    expect(s.allocator.sizing.targetVol).toBe(0.12);
    expect(s.risk.coolDownMs).toBe(5000);
    expect(s.allocator.sizing.allowShort).toBe(false);
    expect(s.allocator.intents.orderType).toBe('limit');
    expect(s.risk.drawdown.ladder.FLATTEN).toBe(0.3);
    expect(s.strategies.disabled).toEqual(['trend_donchian', 'trend_ma_cross']);
    expect(s.strategies.params).toEqual({ trend_ma_cross: { fast: 7, slow: 40 } });
    expect(JSON.stringify(base)).toBe(before);
  });

  it('a parameter override over existing ones then merged per strategy', () => {
    const s0 = withOverrides(base, { 'strategies.params.trend_ma_cross.fast': 3 });
    const s1 = withOverrides(s0, { 'strategies.params.trend_ma_cross.slow': 50 });
    expect(s1.strategies.params.trend_ma_cross).toEqual({ fast: 3, slow: 50 });
  });

  it('several bad overrides then one ConfigError listing each with the configuration message', () => {
    const v = violations(() =>
      withOverrides(
        base,
        {
          'allocator.sizing.targetVol': 'high',
          'risk.drawdwn.ladder.WARN': 0.1,
          'pacing.noTradeBand': 0.1,
          'http.port': 9000,
          'strategies.params.trend_ma_cros.fast': 3,
          'strategies.params.trend_ma_cross.fsat': 3,
          'strategies.params.trend_ma_cross.slow': 0,
          'strategies.params.trend_ma_cross': 1,
          'strategies.params': 'x',
        },
        { source: '--set' },
      ),
    );
    expect(v).toEqual([
      'allocator.sizing.targetVol must be a number > 0 and <= 5; got "high" from --set',
      'unknown option risk.drawdwn.ladder.WARN (did you mean risk.drawdown.ladder.WARN?) (from --set)',
      'unknown option pacing.noTradeBand: it moved to allocator.intents.noTradeBand (from --set)',
      'http.port is not a trading setting: a research run takes risk.*, allocator.* and strategies.* options (from --set)',
      'strategies.params.trend_ma_cross is not a strategy parameter path: strategies.params.<strategy id>.<parameter> (from --set)',
      'strategies.params is set one parameter at a time: strategies.params.<strategy id>.<parameter> (from --set)',
      'unknown strategy strategies.params.trend_ma_cros (did you mean strategies.params.trend_ma_cross?) (from --set)',
      expect.stringMatching(/^unknown parameter strategies\.params\.trend_ma_cross\.fsat \(did you mean strategies\.params\.trend_ma_cross\.fast\?\); trend_ma_cross has .* \(from --set\)$/),
      'strategies.params.trend_ma_cross.slow must be an integer >= 1; got 0 (from --set)',
    ]);
  });

  it('values each valid alone but breaking a rule across fields then refused as the configuration refuses them', () => {
    const v = violations(() => withOverrides(base, { 'risk.drawdown.ladder.WARN': 0.5, 'risk.preTrade.throttledOrdersPerWindow': 1_000_000 }));
    expect(v.some((x) => x.includes('risk.drawdown') && x.endsWith('(with override)'))).toBe(true);
    expect(v.some((x) => x.startsWith('risk.preTrade.throttledOrdersPerWindow'))).toBe(true);
  });

  it('no overrides then settings equal to the input', () => {
    expect(withOverrides(base, {})).toEqual(base);
  });
});

describe('sweepable paths', () => {
  it('every numeric, boolean and enum trading option and every non-list strategy parameter then listed once', () => {
    const paths = sweepablePaths();
    expect(new Set(paths).size).toBe(paths.length);
    for (const f of TRADING_FIELDS) {
      const listed = paths.includes(f.path);
      expect(listed, f.path).toBe(['int', 'number', 'boolean', 'enum'].includes(f.type.kind));
    }
    for (const def of CATALOG) {
      for (const [k, d] of Object.entries(def.params)) expect(paths.includes(`strategies.params.${def.id}.${k}`), `${def.id}.${k}`).toBe(!Array.isArray(d));
    }
  });

  it('every listed path with its current value then accepted by withOverrides', () => {
    const fields = sweepableFields(base);
    const set = Object.fromEntries(fields.filter((f) => f.value !== null).map((f) => [f.path, f.value!]));
    expect(() => withOverrides(base, set)).not.toThrow();
    const fast = fields.find((f) => f.path === 'strategies.params.trend_ma_cross.fast')!;
    // The intraday profile's value, over the catalog's.
    expect(fast).toMatchObject({ kind: 'int', min: 1, value: 5 });
    expect(fields.find((f) => f.path === 'allocator.sizing.targetVol')).toMatchObject({ kind: 'number', min: 0, exclusiveMin: true, max: 5 });
    expect(fields.find((f) => f.path === 'risk.drawdown.ladder.WARN')).toMatchObject({ kind: 'number', nullable: true });
  });
});

describe('sweepParamViolations', () => {
  it('a grid value or random range end out of bounds then named; a rule across fields left to the task', () => {
    expect(sweepParamViolations(base, [{ path: 'allocator.sizing.targetVol', values: [0.1, 0.2] }, { path: 'strategies.params.trend_ma_cross.fast', min: 2, max: 20, int: true }])).toEqual([]);
    expect(
      sweepParamViolations(base, [
        { path: 'allocator.sizing.targetVol', values: [0.1, 9] },
        { path: 'strategies.params.trend_ma_cross.fast', min: 0, max: 20 },
        { path: 'risk.drawdwn.ladder.WARN', values: [0.1] },
      ]),
    ).toEqual([
      'allocator.sizing.targetVol must be a number > 0 and <= 5; got 9 from sweep parameter allocator.sizing.targetVol',
      'strategies.params.trend_ma_cross.fast must be an integer >= 1; got 0 (from sweep parameter strategies.params.trend_ma_cross.fast)',
      'unknown option risk.drawdwn.ladder.WARN (did you mean risk.drawdown.ladder.WARN?) (from sweep parameter risk.drawdwn.ladder.WARN)',
    ]);
    expect(sweepParamViolations(base, [{ path: 'risk.drawdown.ladder.WARN', values: [0.5] }])).toEqual([]);
  });
});
