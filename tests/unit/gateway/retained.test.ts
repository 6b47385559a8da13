import { describe, expect, it } from 'vitest';
import { WS_TOPICS } from '../../../gateway/ws.js';
import { Retained } from '../../../gateway/retained.js';

describe('what a new WebSocket subscriber is sent first', () => {
  it('every telemetry topic then has a rule for its latest state', () => {
    expect(WS_TOPICS.filter((t) => !Retained.covers(t))).toEqual([]);
  });

  it('orders then the last update of each of the newest 100, oldest first', () => {
    const r = new Retained();
    for (let i = 0; i < 150; i++) r.keep('orders', i + 1, i, { type: 'broker.order_update', clientOrderId: `o${i}`, status: 'new' });
    r.keep('orders', 151, 151, { type: 'broker.order_update', clientOrderId: 'o149', status: 'filled' });
    const s = r.snapshot('orders');
    expect(s.length).toBe(100);
    expect((s[0].data as { clientOrderId: string }).clientOrderId).toBe('o50');
    expect(s[s.length - 1]).toEqual({ seq: 151, ts: 151, data: { type: 'broker.order_update', clientOrderId: 'o149', status: 'filled' } });
  });

  it('positions then the last positions and the last account; health the last message only', () => {
    const r = new Retained();
    r.keep('positions', 1, 1, { type: 'broker.positions', positions: [] });
    r.keep('positions', 2, 2, { type: 'broker.account', equity: 1 });
    r.keep('positions', 3, 3, { type: 'broker.account', equity: 2 });
    expect(r.snapshot('positions').map((k) => k.data)).toEqual([{ type: 'broker.positions', positions: [] }, { type: 'broker.account', equity: 2 }]);
    r.keep('health', 1, 1, { status: 'ok' });
    r.keep('health', 2, 2, { status: 'degraded' });
    expect(r.snapshot('health')).toEqual([{ seq: 2, ts: 2, data: { status: 'degraded' } }]);
  });

  it('a topic nothing was published on, or a payload that is not an object, then nothing to replay', () => {
    const r = new Retained();
    r.keep('fills', 1, 1, 'garbage');
    r.keep('fills', 2, 2, null);
    expect(r.snapshot('fills')).toEqual([]);
    expect(r.snapshot('posture')).toEqual([]);
    expect(r.snapshot('no-such-topic')).toEqual([]);
  });
});
