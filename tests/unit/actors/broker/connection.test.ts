import { describe, expect, it } from 'vitest';
import { ConnectionMonitor } from '../../../../actors/broker/connection.js';

const opts = { disconnectAfterMs: 1000, restFailureLimit: 3 };

describe('ConnectionMonitor', () => {
  it('stream listening and REST fine then connected at once', () => {
    const m = new ConnectionMonitor(opts, 0);
    expect(m.evaluate(0)).toBe(false);
    expect(m.connected).toBe(false);
    m.streamListening();
    expect(m.evaluate(10)).toBe(true);
    expect(m.message(10)).toMatchObject({ type: 'broker.connection', connected: true, stream: 'listening', since: 10, ready: false, reason: 'start-up reconciliation has not passed' });
    m.setReady(true);
    expect(m.message(11).reason).toBeNull();
  });

  it('stream drops then still connected within the threshold, down after it, up again once it listens', () => {
    const m = new ConnectionMonitor(opts, 0);
    m.streamListening();
    m.evaluate(0);
    m.streamDown(100, 'stream disconnected');
    expect(m.evaluate(1_099)).toBe(false);
    expect(m.connected).toBe(true);
    expect(m.evaluate(1_100)).toBe(true);
    expect(m.connected).toBe(false);
    expect(m.reason()).toMatch(/^trade_updates stream down: stream disconnected/);
    // Repeated down events (error, then close) do not restart the clock.
    m.streamDown(1_200, 'again');
    m.streamConnecting();
    expect(m.streamState).toBe('connecting');
    m.streamListening();
    expect(m.evaluate(1_300)).toBe(true);
    expect(m.connected).toBe(true);
  });

  it('REST fails fewer times than the limit then stays connected; at the limit for the threshold then down; one success heals', () => {
    const m = new ConnectionMonitor(opts, 0);
    m.streamListening();
    m.evaluate(0);
    m.restFailed(100, '503');
    m.restFailed(200, '503');
    expect(m.evaluate(5_000)).toBe(false);
    m.restFailed(300, '503');
    expect(m.evaluate(1_050)).toBe(false);
    expect(m.evaluate(1_100)).toBe(true);
    expect(m.message(1_100)).toMatchObject({ connected: false, restFailures: 3 });
    expect(m.reason()).toMatch(/REST failing \(3 in a row\): 503/);
    m.restOk();
    expect(m.evaluate(1_200)).toBe(true);
    expect(m.connected).toBe(true);
  });
});
