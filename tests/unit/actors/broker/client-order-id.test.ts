import { describe, expect, it } from 'vitest';
import { clientOrderIdFor, isValidClientOrderId } from '../../../../actors/broker/client-order-id.js';

describe('clientOrderIdFor', () => {
  it('same intent and salt then same id', () => {
    expect(clientOrderIdFor('p12:GLD', 'acct-1')).toBe(clientOrderIdFor('p12:GLD', 'acct-1'));
  });

  it('different intent or salt then different id', () => {
    const a = clientOrderIdFor('p12:GLD', 'acct-1');
    expect(clientOrderIdFor('p13:GLD', 'acct-1')).not.toBe(a);
    expect(clientOrderIdFor('p12:GLD', 'acct-2')).not.toBe(a);
  });

  it('intent id with colons then readable and Alpaca-safe', () => {
    const id = clientOrderIdFor('p12:GLD:close', 'acct');
    expect(id.startsWith('q-p12_GLD_close-')).toBe(true);
    expect(isValidClientOrderId(id)).toBe(true);
  });

  it('very long intent ids then at most 128 chars and still distinct', () => {
    const long1 = 'x'.repeat(500) + 'A';
    const long2 = 'x'.repeat(500) + 'B';
    const a = clientOrderIdFor(long1, 's');
    const b = clientOrderIdFor(long2, 's');
    expect(a.length).toBeLessThanOrEqual(128);
    expect(a).not.toBe(b);
    expect(isValidClientOrderId(a)).toBe(true);
  });

  it('unsafe ids then invalid', () => {
    expect(isValidClientOrderId('a b')).toBe(false);
    expect(isValidClientOrderId('x'.repeat(129))).toBe(false);
    expect(isValidClientOrderId('')).toBe(false);
  });
});
