import { describe, expect, it } from 'vitest';
import { endpointKind, endpointViolations, LiveTradingRefusedError, tradingModeFor } from '../../../../src/alpaca/trading-mode.js';
import { loadConfig } from '../../../../app/config/load.js';
import { ConfigError } from '../../../../src/errors.js';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NO_OPT_IN = { live: false, liveAccount: null };
const KEYS = { QGTM_VENUE_MODE: 'alpaca', APCA_API_KEY_ID: 'K', APCA_API_SECRET_KEY: 'S' };

describe('paper first: endpoints', () => {
  it('hosts then classified by what they trade', () => {
    expect(endpointKind('https://paper-api.alpaca.markets')).toBe('alpaca-paper');
    expect(endpointKind('https://api.alpaca.markets/')).toBe('alpaca-live');
    expect(endpointKind('http://127.0.0.1:8787')).toBe('loopback');
    expect(endpointKind('http://[::1]:8787')).toBe('loopback');
    expect(endpointKind('https://broker.example.com')).toBe('unknown');
    expect(endpointKind('not a url')).toBe('unknown');
  });

  it('live or unknown endpoint without opt-in then refused naming live trading; paper and loopback allowed', () => {
    expect(endpointViolations('https://api.alpaca.markets', NO_OPT_IN)[0]).toMatch(/^live trading refused: .*live-money endpoint/);
    expect(endpointViolations('https://broker.example.com', NO_OPT_IN)[0]).toMatch(/^live trading refused: .*not a known paper endpoint/);
    expect(endpointViolations('https://paper-api.alpaca.markets', NO_OPT_IN)).toEqual([]);
    expect(endpointViolations('http://127.0.0.1:1', NO_OPT_IN)).toEqual([]);
  });

  it('--live without the account named then refused; --live on the paper endpoint then refused', () => {
    expect(endpointViolations('https://api.alpaca.markets', { live: true, liveAccount: null })[0]).toMatch(/needs venue.liveAccount/);
    expect(endpointViolations('https://api.alpaca.markets', { live: true, liveAccount: '123' })).toEqual([]);
    expect(endpointViolations('https://paper-api.alpaca.markets', { live: true, liveAccount: '123' })[0]).toMatch(/paper endpoint/);
  });
});

describe('paper first: accounts', () => {
  it('PA account then PAPER, with or without --live', () => {
    expect(tradingModeFor('PA1234567890', NO_OPT_IN)).toBe('PAPER');
    expect(tradingModeFor('PA1234567890', { live: true, liveAccount: 'X' })).toBe('PAPER');
  });
  it('live account without opt-in, with another account named, or no number then refused', () => {
    expect(() => tradingModeFor('123456789', NO_OPT_IN)).toThrow(LiveTradingRefusedError);
    expect(() => tradingModeFor('123456789', NO_OPT_IN)).toThrow(/live trading refused: account 123456789 is not a paper account/);
    expect(() => tradingModeFor('123456789', { live: true, liveAccount: '987654321' })).toThrow(/names account 987654321/);
    expect(() => tradingModeFor(null, NO_OPT_IN)).toThrow(/no account_number/);
  });
  it('live account named with --live then LIVE', () => {
    expect(tradingModeFor('123456789', { live: true, liveAccount: '123456789' })).toBe('LIVE');
  });
});

describe('paper first: configuration', () => {
  const load = (env: Record<string, string>, overrides: Record<string, unknown> = {}, file?: string) =>
    loadConfig({ mode: 'start', env, overrides, overrideNames: Object.fromEntries(Object.keys(overrides).map((k) => [k, '--live'])), file: file ?? null });

  it('the live endpoint in the environment then a ConfigError naming live trading', () => {
    expect(() => load({ ...KEYS, APCA_API_BASE_URL: 'https://api.alpaca.markets' })).toThrow(/live trading refused: https:\/\/api.alpaca.markets is Alpaca's live-money endpoint/);
  });
  it('a copied environment cannot opt in: QGTM_LIVE_ACCOUNT alone is not --live', () => {
    expect(() => load({ ...KEYS, APCA_API_BASE_URL: 'https://api.alpaca.markets', QGTM_LIVE_ACCOUNT: '123' })).toThrow(/live trading refused/);
    expect(load({ ...KEYS, APCA_API_BASE_URL: 'https://api.alpaca.markets', QGTM_LIVE_ACCOUNT: '123' }, { 'venue.live': true }).config.venue.live).toBe(true);
  });
  it('venue.live in a config file then refused: only the flag sets it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qgtm-live-'));
    try {
      const f = join(dir, 'c.json');
      writeFileSync(f, JSON.stringify({ venue: { live: true } }));
      expect(() => load({}, {}, f)).toThrow(/venue.live cannot be set in a config file .* only the --live flag sets it/);
    } catch (err) {
      throw err;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('--live with the local venue then refused; the default then paper', () => {
    expect(() => load({}, { 'venue.live': true })).toThrow(ConfigError);
    expect(load({}).config.venue.live).toBe(false);
  });
});
