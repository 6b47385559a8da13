import { describe, expect, it } from 'vitest';
import { QgtmError } from '../../../src/errors.js';
import { HttpError } from '../../../gateway/http.js';
import { backtestRequest, sweepRequest } from '../../../gateway/research-body.js';
import { serviceError } from '../../../gateway/research.js';

const NOW = Date.UTC(2026, 5, 1, 13, 0);
const DAY = 86_400_000;
const synthetic = { kind: 'synthetic', symbols: ['GLD'], start: 0, bars: 10, intervalMs: 60_000, seed: 3 };
const alpaca = { dataUrl: 'https://data.alpaca.markets', keyId: 'AK', secretKey: 'SK', cacheDir: '/var/cache/qgtm', feed: 'iex' as const, fredUrl: 'https://fred', cftcUrl: 'https://cftc' };

function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return (err as HttpError).details;
  }
  throw new Error('expected a 400');
}

describe('research request bodies', () => {
  it('alpaca history with start and end and macro off then the process access filled in, no macro URLs', () => {
    const req = backtestRequest({ history: { kind: 'alpaca', symbols: ['GLD'], start: 1000, end: 2000 + DAY, intervalMs: 300_000, macro: false } }, { alpaca }, NOW);
    expect(req.history).toEqual({ kind: 'alpaca', dataUrl: alpaca.dataUrl, keyId: 'AK', secretKey: 'SK', symbols: ['GLD'], start: 1000, end: 2000 + DAY, intervalMs: 300_000, feed: 'iex', fredUrl: null, cftcUrl: null, cacheDir: '/var/cache/qgtm' });
  });

  it('days then a range ending at the start of today UTC, whatever the hour', () => {
    const a = backtestRequest({ history: { kind: 'venue', symbols: ['GLD'], days: 2 } }, { venue: alpaca }, NOW);
    const b = backtestRequest({ history: { kind: 'venue', symbols: ['GLD'], days: 2 } }, { venue: alpaca }, NOW + 9 * 3_600_000);
    expect(a.history).toEqual(b.history);
    expect(a.history).toMatchObject({ start: Date.UTC(2026, 4, 30), end: Date.UTC(2026, 5, 1) });
  });

  it('several mistakes then every one listed with its field path', () => {
    expect(problems(() => backtestRequest({ name: '', history: { kind: 'venue', symbols: [], days: 0, extra: 1 }, seed: -1, __proto__x: 1 }, { venue: alpaca }, NOW))).toEqual([
      'unknown field __proto__x',
      'name must not be empty',
      'unknown field history.extra',
      'history.symbols must hold 1-64 symbols, got 0',
      'history.days must be at least 1, got 0',
      'seed must be at least 0, got -1',
    ]);
  });

  it('a random sweep with a range and samples then passed on; a repeated path refused', () => {
    const req = sweepRequest({ history: synthetic, mode: 'random', samples: 20, params: [{ path: 'risk.limits.maxDrawdown', min: 0.05, max: 0.2 }, { path: 'allocator.sizing.lookback', min: 10, max: 60, int: true }], walkForward: null }, {}, NOW);
    expect(req).toMatchObject({ mode: 'random', samples: 20, walkForward: null, params: [{ path: 'risk.limits.maxDrawdown', min: 0.05, max: 0.2 }, { path: 'allocator.sizing.lookback', min: 10, max: 60, int: true }] });
    expect(problems(() => sweepRequest({ history: synthetic, params: [{ path: 'a.b', values: [1] }, { path: 'a.b', values: [2] }] }, {}, NOW))).toEqual(['params[1].path repeats a.b']);
  });

  it('service refusals then 429 for a full queue, 503 when closed, 400 for other research codes, others untouched', () => {
    const full = serviceError(new QgtmError('QGTM_ERR_RESEARCH_QUEUE_FULL', 'queue full')) as HttpError;
    expect([full.status, full.message, full.headers['retry-after']]).toEqual([429, 'queue full', '5']);
    expect((serviceError(new QgtmError('QGTM_ERR_RESEARCH_CLOSED', 'closing')) as HttpError).status).toBe(503);
    expect((serviceError(new QgtmError('QGTM_ERR_RESEARCH_BAD_HISTORY', 'no file')) as HttpError).status).toBe(400);
    const other = new Error('boom');
    expect(serviceError(other)).toBe(other);
    // Errors that crossed a thread boundary arrive as plain objects with a code.
    const plain = serviceError({ code: 'QGTM_ERR_RESEARCH_BUSY', message: 'busy' }) as HttpError;
    expect([plain.status, plain.message]).toEqual([429, 'busy']);
  });
});
