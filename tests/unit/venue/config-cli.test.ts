import { describe, expect, it } from 'vitest';
import { configError } from '../../helpers/errors.js';
import { ConfigError } from '../../../src/errors.js';
import { parseVenueArgs, runVenueCommand } from '../../../venue/cli.js';
import { resolveVenueOptions } from '../../../venue/config.js';
import { RealTimeDriver, type DriverClock } from '../../../venue/market/scheduler.js';
import { SimulatedMarket } from '../../../venue/market/market.js';
import { PM_UNIVERSE } from '../../../src/universe/index.js';

describe('resolveVenueOptions', () => {
  it('no options then loopback, ephemeral port, local keys, PM universe, cash account', () => {
    const o = resolveVenueOptions({ wallClock: () => 123 });
    expect([o.host, o.port, o.keys[0].keyId, o.instruments.length, o.accountMode, o.session, o.startTime]).toEqual([
      '127.0.0.1', 0, 'qgtm-local-key', 20, 'cash', 'always_open', 123,
    ]);
    expect(o.stepMs).toBe(100);
    // A working day of minute bars, so feeds can backfill at start.
    expect(o.historyMinutes).toBe(480);
  });

  it('several bad options then one ConfigError naming each', () => {
    const err = configError(() => resolveVenueOptions({ port: 70_000, ticksPerSecond: 0, symbols: ['GLD', 'XYZ'], focus: 'x' as never }));
    expect(err.violations).toEqual([
      'venue.port must be an integer 0-65535 (got 70000)',
      'venue.ticksPerSecond must be positive (got 0)',
      "venue.focus must be 'pm' or 'broad' (got x)",
      'venue.symbols has symbols outside the universe: XYZ',
    ]);
  });
});

describe('fill model options', () => {
  it('none given then trade_through limits, no slippage, no fees; bad ones then each named', () => {
    const o = resolveVenueOptions({ wallClock: () => 1 });
    expect([o.limitFill, o.slippageBps, o.feePerShare, o.feeBps]).toEqual(['trade_through', 0, 0, 0]);
    const err = configError(() => resolveVenueOptions({ limitFill: 'sometimes' as never, slippageBps: -1, feePerShare: 2, feeBps: Number.NaN }));
    expect(err.violations).toEqual([
      'venue.limitFill must be one of trade_through, trade_at_queue, quote_cross (got sometimes)',
      'venue.slippageBps must be 0-1000 (basis points) (got -1)',
      'venue.feePerShare must be 0-1 (dollars a share) (got 2)',
      'venue.feeBps must be 0-1000 (basis points) (got NaN)',
    ]);
  });

  it('flags then parsed into the options', () => {
    expect(parseVenueArgs(['--limit-fill', 'trade_at_queue', '--slippage-bps', '2.5', '--fee-per-share', '0.005', '--fee-bps', '1']).options).toMatchObject({
      limitFill: 'trade_at_queue', slippageBps: 2.5, feePerShare: 0.005, feeBps: 1,
    });
    expect(configError(() => parseVenueArgs(['--limit-fill', 'never'])).violations).toEqual(['venue.limitFill must be one of trade_through, trade_at_queue, quote_cross (got never)']);
  });
});

describe('venue CLI', () => {
  it('flags then parsed into options', () => {
    expect(parseVenueArgs(['--port', '9100', '--seed=7', '--focus', 'broad', '--ticks-per-second', '50'])).toEqual({
      help: false,
      options: { accountMode: 'margin', port: 9100, seed: 7, focus: 'broad', ticksPerSecond: 50 },
    });
    expect(parseVenueArgs(['--account', 'cash']).options.accountMode).toBe('cash');
  });

  it('bad flags then ConfigError listing them', () => {
    const err = configError(() => parseVenueArgs(['--port', 'abc', '--focus', 'gold', '--what']));
    expect(err.violations).toEqual(['--port needs an integer (got abc)', '--focus must be pm or broad (got gold)', 'unknown option --what']);
  });

  it('--help then prints usage without starting', async () => {
    const lines: string[] = [];
    await runVenueCommand(['--help'], { log: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/^Usage: qgtm venue/);
  });

  it('run then prints where it listens and stops when signalled', async () => {
    const lines: string[] = [];
    const ctl = new AbortController();
    let url = '';
    const done = runVenueCommand(['--seed', '3', '--ticks-per-second', '5'], {
      log: (l) => lines.push(l),
      signal: ctl.signal,
      onStarted: (v) => {
        url = v.url;
        ctl.abort();
      },
    });
    await done;
    expect(lines[0]).toBe(`qgtm venue listening on ${url}`);
    expect(lines.join('\n')).toContain('qgtm-local-secret');
    expect(lines).toContain('  fill model: resting limits fill only when a trade prints through the limit; stops trigger on trades; takers take the displayed size at the touch with 0 bps slippage; fees 0/share + 0 bps');
    expect(lines.at(-1)).toBe('qgtm venue stopped');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('RealTimeDriver', () => {
  it('timer fires then market time follows wall time times speed', () => {
    let wall = 1_000_000;
    let fire: (() => void) | undefined;
    const clock: DriverClock = { now: () => wall, setInterval: (fn) => ((fire = fn), 1), clearInterval: () => (fire = undefined) };
    const market = new SimulatedMarket({ seed: 1, instruments: PM_UNIVERSE, start: 0, stepMs: 100 });
    const driver = new RealTimeDriver(market, { speed: 2, clock });
    driver.start();
    wall += 500;
    fire!();
    expect(market.now).toBe(1000);
    let streamed = 0;
    market.onEvents((events) => (streamed += events.filter((e) => e.kind === 'quote').length));
    wall += 30_000; // a long stall: at most one second of steps streamed, the rest skipped silently
    fire!();
    expect(market.now).toBe(61_000);
    expect(streamed).toBe(20 * PM_UNIVERSE.length);
    expect(driver.counters.resyncs).toBe(1);
    driver.stop();
    expect(fire).toBeUndefined();
  });
});
