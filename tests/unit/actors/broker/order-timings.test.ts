import { describe, expect, it } from 'vitest';
import { OrderTimings, type OrderStage } from '../../../../actors/broker/order-timings.js';

function timed(max?: number): { t: OrderTimings; seen: [OrderStage, number][] } {
  const seen: [OrderStage, number][] = [];
  return { t: new OrderTimings((s, x) => seen.push([s, x]), max), seen };
}

describe('OrderTimings', () => {
  it('approval, POST, answer and first fill then each stage once, in seconds', () => {
    const { t, seen } = timed();
    t.onApproved('c1', 1000);
    t.onSent('c1', 1004);
    t.onSent('c1', 1500); // a resend: not a second intent_to_submit
    t.onAcked('c1', 1024);
    t.onFill('c1', 61_024);
    t.onFill('c1', 62_000); // a second partial fill
    expect(seen).toEqual([['intent_to_submit', 0.004], ['submit_to_ack', 0.02], ['ack_to_fill', 60]]);
    expect(t.size).toBe(0);
  });

  it('a fill on the stream before the POST\'s answer then ack_to_fill 0 once the answer comes', () => {
    const { t, seen } = timed();
    t.onApproved('c2', 0);
    t.onSent('c2', 2);
    t.onFill('c2', 5);
    t.onAcked('c2', 9);
    expect(seen).toEqual([['intent_to_submit', 0.002], ['submit_to_ack', 0.007], ['ack_to_fill', 0]]);
    expect(t.size).toBe(0);
  });

  it('an order that ends unfilled, or one never approved here (after a restart), then nothing timed and nothing kept', () => {
    const { t, seen } = timed();
    t.onApproved('c3', 0);
    t.onSent('c3', 1);
    t.onAcked('c3', 2);
    t.forget('c3');
    t.onFill('c3', 10);
    t.onAcked('c4', 5);
    t.onFill('c4', 6);
    expect(seen.map((s) => s[0])).toEqual(['intent_to_submit', 'submit_to_ack']);
    expect(t.size).toBe(0);
  });

  it('more orders in flight than its bound then the oldest forgotten', () => {
    const { t } = timed(3);
    for (let i = 0; i < 10; i++) t.onApproved(`c${i}`, i);
    expect(t.size).toBe(3);
  });
});
