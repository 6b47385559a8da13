import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../../app/config/schema.js';
import { loadConfig, redactConfig } from '../../../../app/config/load.js';
import { configError } from '../../../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'qgtm-config-'));
const file = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const violations = (f: () => unknown): readonly string[] => configError(f).violations;

describe('loadConfig', () => {
  it('config file nested 50000 deep or with a prototype key then refused as a violation, not a crash', () => {
    const deep = file('deep.json', `{"http":${'['.repeat(50_000)}${']'.repeat(50_000)}}`);
    expect(violations(() => loadConfig({ mode: 'start', file: deep, env: {} })).join('\n')).toMatch(/deeper than 32 levels/);
    const proto = file('proto.json', '{"__proto__":{"polluted":true},"http":{"port":9000}}');
    expect(violations(() => loadConfig({ mode: 'start', file: proto, env: {} })).join('\n')).toMatch(/forbidden key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('nothing configured for start then defaults and a generated token', () => {
    const l = loadConfig({ mode: 'start', env: {}, randomToken: () => 'generated-token-0123456789' });
    expect(l.config.http).toEqual({ host: '127.0.0.1', port: 8080, webRoot: null });
    expect(l.config.redis.url).toBeNull();
    expect(l.config.auth.token).toBe('generated-token-0123456789');
    expect(l.generatedToken).toBe('generated-token-0123456789');
    expect(l.sources['http.port']).toBe('default');
  });

  it('file then env then flags each override the one before', () => {
    const f = file('layers.json', JSON.stringify({ http: { port: 9000, host: '0.0.0.0' }, universe: { focus: 'broad' } }));
    const l = loadConfig({ mode: 'start', file: f, env: { QGTM_HTTP_PORT: '9100', QGTM_API_TOKEN: 'a-token-of-enough-length' }, overrides: { 'http.host': '127.0.0.2' }, overrideNames: { 'http.host': '--host' } });
    expect(l.config.http.port).toBe(9100);
    expect(l.config.http.host).toBe('127.0.0.2');
    expect(l.config.universe.focus).toBe('broad');
    expect(l.generatedToken).toBeNull();
    expect(l.sources).toMatchObject({ 'http.port': 'env QGTM_HTTP_PORT', 'http.host': '--host', 'universe.focus': `file ${f}` });
  });

  it('several bad values then every violation reported together with its path and source', () => {
    const f = file('bad.json', JSON.stringify({ http: { port: 70000 }, gateway: { nope: 1 }, log: 'loud' }));
    const v = violations(() => loadConfig({ mode: 'api', file: f, env: { QGTM_HEARTBEAT_TTL_MS: 'soon', QGTM_VENUE_MODE: 'alpaca' } }));
    expect(v).toEqual([
      `unknown option gateway.nope (in ${f})`,
      `log must be an object (in ${f})`,
      `http.port must be an integer 0-65535 (0 picks a free port); got 70000 from file ${f}`,
      'daemon.heartbeatTtlMs must be an integer 300-600000; got "soon" from env QGTM_HEARTBEAT_TTL_MS',
      'venue.keyId is required when venue.mode is alpaca (APCA_API_KEY_ID)',
      'venue.secretKey is required when venue.mode is alpaca (APCA_API_SECRET_KEY)',
      'redis.url is required by `qgtm api` (--redis URL or REDIS_URL)',
    ]);
  });

  it('a bad secret then the violation does not show its value', () => {
    const v = violations(() => loadConfig({ mode: 'start', env: { QGTM_API_TOKEN: 'short-secret' } }));
    expect(v).toEqual(['auth.token must be a string of at least 16 characters; got (secret value not shown) from env QGTM_API_TOKEN']);
    expect(v.join()).not.toContain('short-secret');
  });

  it('malformed config file then reported as a violation, not a crash', () => {
    const f = file('broken.json', '{ "http": ');
    expect(violations(() => loadConfig({ mode: 'start', file: f, env: {} }))[0]).toMatch(/^config file .* could not be read as JSON/);
  });

  it('QGTM_CONFIG names the file when no --config is given', () => {
    const f = file('env.json', JSON.stringify({ redis: { url: 'redis://127.0.0.1:7000' } }));
    expect(loadConfig({ mode: 'daemon', env: { QGTM_CONFIG: f } }).config.redis.url).toBe('redis://127.0.0.1:7000');
  });

  it('redact then secrets are masked and the rest kept', () => {
    const l = loadConfig({ mode: 'api', env: { REDIS_URL: 'redis://:hunter2@127.0.0.1:7000/0', QGTM_API_TOKEN: 'super-secret-token-123', APCA_API_SECRET_KEY: 'sk' } });
    const r = redactConfig(l.config);
    const text = JSON.stringify(r);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('super-secret-token-123');
    expect((r.redis as { url: string }).url).toBe('redis://:***@127.0.0.1:7000/0');
    expect((r.venue as { secretKey: string }).secretKey).toBe('***');
    expect((r.http as { port: number }).port).toBe(DEFAULT_CONFIG.http.port);
  });

  it('loaded config then frozen', () => {
    const l = loadConfig({ mode: 'start', env: {} });
    expect(Object.isFrozen(l.config.http)).toBe(true);
  });

  it('placement and heap caps then split by default, settable, and a bad mode named', () => {
    const d = loadConfig({ mode: 'start', env: {} });
    expect(d.config.daemon).toMatchObject({ placement: 'split', strategyHeapMb: 768, workerHeapMb: 512 });
    const l = loadConfig({ mode: 'start', env: { QGTM_PLACEMENT: 'compact', QGTM_WORKER_HEAP_MB: '256' } });
    expect(l.config.daemon).toMatchObject({ placement: 'compact', workerHeapMb: 256 });
    expect(violations(() => loadConfig({ mode: 'start', env: { QGTM_STRATEGY_HEAP_MB: '8' }, overrides: { 'daemon.placement': 'together' }, overrideNames: { 'daemon.placement': '--placement' } }))).toEqual([
      'daemon.placement must be one of split, compact, isolated; got "together" from --placement',
      'daemon.strategyHeapMb must be an integer 64-65536; got 8 from env QGTM_STRATEGY_HEAP_MB',
    ]);
  });

  it('feeds then a day of bars backfilled and four samples a second by default, both settable, zero backfill allowed', () => {
    expect(loadConfig({ mode: 'start', env: {} }).config.feeds).toEqual({ backfillBars: 480, sampleMs: 250, authRetryMs: 5000 });
    expect(loadConfig({ mode: 'start', env: { QGTM_BACKFILL_BARS: '0', QGTM_FEED_SAMPLE_MS: '1000' } }).config.feeds).toMatchObject({ backfillBars: 0, sampleMs: 1000 });
    expect(violations(() => loadConfig({ mode: 'start', env: { QGTM_FEED_SAMPLE_MS: '1' } }))).toEqual(['feeds.sampleMs must be an integer 10-60000; got 1 from env QGTM_FEED_SAMPLE_MS']);
  });

  it('the hot path then off by default, its spin settable by environment, and a negative spin named', () => {
    expect(loadConfig({ mode: 'start', env: {} }).config.daemon.hotPathSpinUs).toBe(0);
    expect(loadConfig({ mode: 'daemon', env: { QGTM_HOT_PATH_SPIN_US: '50', REDIS_URL: 'redis://127.0.0.1:1' } }).config.daemon.hotPathSpinUs).toBe(50);
    expect(violations(() => loadConfig({ mode: 'start', env: { QGTM_HOT_PATH_SPIN_US: '-1' } }))).toEqual([
      'daemon.hotPathSpinUs must be an integer 0-1000000; got -1 from env QGTM_HOT_PATH_SPIN_US',
    ]);
  });
});
