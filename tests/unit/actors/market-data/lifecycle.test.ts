import { describe, expect, it } from 'vitest';
import { SessionLifecycle, resolveReconnect, type ReconnectOptions } from '../../../../actors/market-data/lifecycle.js';

const T = 1_000_000;

function life(o: ReconnectOptions = {}) {
  const flow = { forwarded: 0, dropped: 0 };
  const l = new SessionLifecycle('local', resolveReconnect({ initialMs: 100, maxMs: 1000, jitter: 0, ...o }).value, () => flow);
  return { l, flow };
}

function up(l: SessionLifecycle, now = T, symbols = 3) {
  l.connecting();
  l.onAuthenticated(now, true);
  return l.onSubscription(now, symbols);
}

describe('session lifecycle', () => {
  it('authenticated then subscription confirmed then one connected status with the counts', () => {
    const { l, flow } = life();
    flow.forwarded = 42;
    l.connecting();
    expect(l.onAuthenticated(T, true).publish).toEqual([]);
    const step = l.onSubscription(T + 5, 20);
    expect(step.reconnectInMs).toBeNull();
    expect(step.publish).toEqual([
      { type: 'md.status', state: 'connected', venue: 'local', ts: T + 5, attempt: 0, retryInMs: null, detail: 'subscribed to 20 symbols', subscribed: 20, connects: 1, disconnects: 0, forwarded: 42, dropped: 0 },
    ]);
    expect(l.onSubscription(T + 6, 21).publish).toEqual([]);
    expect(l.state).toBe('connected');
  });

  it('nothing to subscribe then connected on authentication', () => {
    const { l } = life();
    l.connecting();
    expect(l.onAuthenticated(T, false).publish[0]).toMatchObject({ state: 'connected', subscribed: 0 });
  });

  it('drops in a row then disconnected and reconnecting with doubling delays capped at maxMs, reset by a connection', () => {
    const { l } = life();
    up(l);
    const delays: number[] = [];
    for (let k = 0; k < 6; k++) {
      l.onError('socket hang up');
      const step = l.onDisconnected(T + k);
      expect(step.publish.map((s) => s.state)).toEqual(['disconnected', 'reconnecting']);
      expect(step.publish[1].retryInMs).toBe(step.reconnectInMs);
      delays.push(step.reconnectInMs!);
      l.connecting();
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    up(l);
    l.onError('socket hang up');
    expect(l.onDisconnected(T).reconnectInMs).toBe(100);
    // Only drops of a live connection count as disconnects.
    expect(l.counters()).toMatchObject({ connects: 2, disconnects: 2 });
  });

  it('jitter then delays spread within the bound and repeat for the same seed', () => {
    const delays = (seed: number) => {
      const { l } = life({ jitter: 0.5, seed, maxMs: 1e9 });
      const out: number[] = [];
      for (let k = 0; k < 20; k++) {
        out.push(l.onDisconnected(T).reconnectInMs!);
        l.connecting();
      }
      return out;
    };
    const a = delays(7);
    expect(delays(7)).toEqual(a);
    expect(delays(8)).not.toEqual(a);
    a.forEach((d, k) => {
      const base = 100 * 2 ** k;
      expect(d).toBeGreaterThanOrEqual(Math.round(base * 0.5));
      expect(d).toBeLessThanOrEqual(Math.round(base * 1.5));
    });
  });

  it('server says auth failed then one auth_failed status and no reconnect by default', () => {
    const { l } = life();
    l.connecting();
    l.onError('auth failed');
    const step = l.onDisconnected(T);
    expect(step.reconnectInMs).toBeNull();
    expect(step.publish).toHaveLength(1);
    expect(step.publish[0]).toMatchObject({ state: 'auth_failed', retryInMs: null, connects: 0, disconnects: 0 });
    expect(l.state).toBe('auth_failed');
  });

  it('auth failed with authRetryMs then retried slowly and reported once per failure streak', () => {
    const { l } = life({ authRetryMs: 60_000 });
    l.connecting();
    l.onError('auth failed');
    expect(l.onDisconnected(T)).toMatchObject({ reconnectInMs: 60_000, publish: [{ state: 'auth_failed', retryInMs: 60_000 }] });
    l.connecting();
    l.onError('auth failed');
    expect(l.onDisconnected(T + 60_000)).toEqual({ publish: [], reconnectInMs: 60_000 });
    expect(up(l).publish[0]).toMatchObject({ state: 'connected', connects: 1 });
  });

  it('406 connection limit before authentication then backoff like any drop, detail says why', () => {
    const { l } = life();
    l.connecting();
    l.onError('connection limit exceeded');
    const step = l.onDisconnected(T);
    expect(step.publish.map((s) => [s.state, s.detail])).toEqual([
      ['disconnected', 'connection limit exceeded'],
      ['reconnecting', 'retry 1 in 100 ms after: connection limit exceeded'],
    ]);
    expect(l.counters().disconnects).toBe(0);
  });

  it('stopped then a disconnect publishes nothing and schedules nothing', () => {
    const { l } = life();
    up(l);
    l.stop();
    expect(l.onDisconnected(T)).toEqual({ publish: [], reconnectInMs: null });
  });

  it('bad reconnect options then every violation is named', () => {
    const { violations } = resolveReconnect({ initialMs: 0, maxMs: -1, multiplier: 0.5, jitter: 1, seed: 1.5, authRetryMs: -3 });
    expect(violations).toEqual([
      'md.reconnect.initialMs must be a positive number (got 0)',
      'md.reconnect.maxMs must be a positive number (got -1)',
      'md.reconnect.multiplier must be >= 1 (got 0.5)',
      'md.reconnect.jitter must be in [0, 1) (got 1)',
      'md.reconnect.seed must be an integer (got 1.5)',
      'md.reconnect.authRetryMs must be a positive number or null (got -3)',
    ]);
    expect(resolveReconnect({ initialMs: 500, maxMs: 100 }).violations).toEqual(['md.reconnect.maxMs must be >= initialMs (got 100 < 500)']);
  });
});
