import { describe, expect, it } from 'vitest';
import { Mailbox, type MailboxConfig } from '../../../../src/runtime/mailbox.js';
import { Kind, type Envelope } from '../../../../src/runtime/message.js';

function e(n: number, symbol?: string, type = 't.x'): Envelope {
  return { to: 'm', kind: Kind.Tell, from: null, cid: 0, ts: 0, msg: { type, n, ...(symbol ? { symbol } : {}) } as never };
}

function box(config: MailboxConfig): { mb: Mailbox; dead: [number, string][] } {
  const dead: [number, string][] = [];
  const mb = new Mailbox(config, (env, reason) => dead.push([(env.msg as never as { n: number }).n, reason]));
  return { mb, dead };
}

const drain = (mb: Mailbox): number[] => mb.drainAll().map((x) => (x.msg as never as { n: number }).n);

describe('mailbox', () => {
  it('under capacity then preserves FIFO order across ring growth', () => {
    const { mb } = box({ capacity: 5000, overflow: 'reject' });
    for (let i = 0; i < 3000; i++) mb.offer(e(i));
    for (let i = 0; i < 1000; i++) mb.shift();
    for (let i = 3000; i < 4500; i++) mb.offer(e(i));
    expect(drain(mb)).toEqual(Array.from({ length: 3500 }, (_, i) => i + 1000));
  });

  it('reject when full then refuses and reports mailbox_full', () => {
    const { mb, dead } = box({ capacity: 2, overflow: 'reject' });
    expect([mb.offer(e(1)), mb.offer(e(2)), mb.offer(e(3))]).toEqual(['queued', 'queued', 'rejected']);
    expect(dead).toEqual([[3, 'mailbox_full']]);
    expect(drain(mb)).toEqual([1, 2]);
  });

  it('drop_oldest when full then evicts the head', () => {
    const { mb, dead } = box({ capacity: 2, overflow: 'drop_oldest' });
    [1, 2, 3, 4].forEach((n) => mb.offer(e(n)));
    expect(dead).toEqual([
      [1, 'dropped_oldest'],
      [2, 'dropped_oldest'],
    ]);
    expect(drain(mb)).toEqual([3, 4]);
  });

  it('conflate with a queued key then replaces it in place; types are keyed separately', () => {
    const { mb, dead } = box({ capacity: 10, overflow: 'conflate' });
    mb.offer(e(1, 'GLD'));
    mb.offer(e(2, 'SLV'));
    mb.offer(e(3, 'GLD'));
    mb.offer(e(4, 'GLD', 't.other'));
    expect(dead).toEqual([[1, 'conflated']]);
    expect(drain(mb)).toEqual([3, 2, 4]);
  });

  it('conflate after the keyed message was taken then queues anew', () => {
    const { mb, dead } = box({ capacity: 10, overflow: 'conflate' });
    mb.offer(e(1, 'GLD'));
    mb.shift();
    mb.offer(e(2, 'GLD'));
    expect(dead).toEqual([]);
    expect(drain(mb)).toEqual([2]);
  });

  it('message without the conflation field then is queued normally', () => {
    const { mb } = box({ capacity: 10, overflow: 'conflate' });
    mb.offer(e(1));
    mb.offer(e(2));
    expect(drain(mb)).toEqual([1, 2]);
  });

  it('invalid capacity then is refused', () => {
    expect(() => new Mailbox({ capacity: 0, overflow: 'reject' }, () => undefined)).toThrow(/capacity/);
  });
});
