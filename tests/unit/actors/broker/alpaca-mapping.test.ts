import { describe, expect, it } from 'vitest';
import { streaming, trading } from '@alpacahq/alpaca-trade-api';
import {
  classifySubmitError,
  parseAccount,
  parseFillActivity,
  parseOrder,
  parsePosition,
  parseTradeUpdate,
  toOrderRequest,
  toSdkOrderInput,
  toSdkPatchInput,
  withLegs,
} from '../../../../actors/broker/alpaca-mapping.js';
import { intent, wireOrder, wireUpdate } from './fixtures.js';

describe('alpaca mapping', () => {
  it('snake_case wire order with string numbers then numbers and epoch ms', () => {
    const p = parseOrder(wireOrder({ qty: '10', filled_qty: '4', filled_avg_price: '185.23', limit_price: '186.5', type: 'limit' }));
    expect(p.ok).toBe(true);
    if (p.ok) {
      expect(p.value).toMatchObject({ id: 'b-1', clientOrderId: 'c-1', qty: 10, filledQty: 4, filledAvgPrice: 185.23, limitPrice: 186.5, type: 'limit', status: 'new' });
      expect(p.value.createdAt).toBe(Date.UTC(2024, 0, 2, 14, 30, 0));
    }
  });

  it('SDK camelCase order with Dates then same result', () => {
    const sdk = {
      id: 'b-1', clientOrderId: 'c-1', symbol: 'GLD', side: 'buy', type: 'market', timeInForce: 'day',
      qty: '100', filledQty: '0', filledAvgPrice: undefined, status: 'new', createdAt: new Date(Date.UTC(2024, 0, 2, 14, 30, 0)),
    };
    const a = parseOrder(sdk);
    const b = parseOrder(wireOrder());
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect({ ...a.value, updatedAt: null }).toEqual({ ...b.value, updatedAt: null });
  });

  it('the real SDK trade update and position mappers then same values as the wire', () => {
    const raw = wireUpdate('fill', wireOrder({ status: 'filled', filled_qty: '100', filled_avg_price: '201.25' }), { execution_id: 'e-9', price: '201.25', qty: '60', position_qty: '100' });
    const viaSdk = parseTradeUpdate(streaming.mapTradeUpdate(raw));
    const viaWire = parseTradeUpdate(raw);
    expect(viaSdk.ok && viaWire.ok).toBe(true);
    if (viaSdk.ok && viaWire.ok) {
      expect(viaSdk.value).toEqual(viaWire.value);
      expect(viaSdk.value).toMatchObject({ executionId: 'e-9', qty: 60, price: 201.25, order: { filledQty: 100, filledAvgPrice: 201.25, status: 'filled' } });
    }
    const pos = { asset_id: 'a', symbol: 'GLD', exchange: 'ARCA', asset_class: 'us_equity', avg_entry_price: '190.5', qty: '12', side: 'long', market_value: '2400', cost_basis: '2286', unrealized_pl: '114', unrealized_plpc: '0.05', unrealized_intraday_pl: '0', unrealized_intraday_plpc: '0', current_price: '200', lastday_price: '199', change_today: '0.005' };
    const p = parsePosition(trading.PositionFromJSON(pos));
    expect(p.ok && p.value).toEqual({ symbol: 'GLD', qty: 12, avgEntryPrice: 190.5, currentPrice: 200, marketValue: 2400 });
  });

  it('bad fields then rejected naming the field', () => {
    const bad = parseOrder(wireOrder({ qty: 'ten' }));
    expect(bad).toEqual({ ok: false, error: 'order: qty must be a number or numeric string (got "ten")' });
    expect(parseOrder(wireOrder({ status: 'weird' })).ok).toBe(false);
    expect(parseOrder(null).ok).toBe(false);
  });

  it('trade update fill then fill qty price and position qty parsed', () => {
    const p = parseTradeUpdate(wireUpdate('partial_fill', wireOrder({ status: 'partially_filled', filled_qty: '40' }), { execution_id: 'e-1', price: '200.5', qty: '40', position_qty: '40' }));
    expect(p.ok).toBe(true);
    if (p.ok) expect(p.value).toMatchObject({ event: 'partial_fill', executionId: 'e-1', price: 200.5, qty: 40, positionQty: 40, order: { filledQty: 40, status: 'partially_filled' } });
  });

  it('short position then negative qty', () => {
    const p = parsePosition({ symbol: 'SLV', qty: '-30', side: 'short', avg_entry_price: '24.10', current_price: '24.50', market_value: '-735' });
    expect(p.ok && p.value).toEqual({ symbol: 'SLV', qty: -30, avgEntryPrice: 24.1, currentPrice: 24.5, marketValue: -735 });
    const q = parsePosition({ symbol: 'SLV', qty: '30', side: 'short', avg_entry_price: '24.10' });
    expect(q.ok && q.value.qty).toBe(-30);
  });

  it('account and fill activity then parsed', () => {
    expect(parseAccount({ equity: '100000.5', cash: '50000', buying_power: '200000', status: 'ACTIVE', last_equity: '99000', account_number: 'PA123' })).toEqual({
      ok: true, value: { equity: 100000.5, cash: 50000, buyingPower: 200000, status: 'ACTIVE', lastEquity: 99000, accountNumber: 'PA123' },
    });
    const f = parseFillActivity({ id: '20240102::e1', activity_type: 'FILL', order_id: 'b-1', symbol: 'GLD', side: 'buy', qty: '5', price: '201', transaction_time: '2024-01-02T14:30:02Z' });
    expect(f.ok && f.value).toMatchObject({ executionId: '20240102::e1', orderId: 'b-1', qty: 5, price: 201 });
  });

  it('intent then REST body snake_case with string amounts and SDK input camelCase', () => {
    const i = intent({ type: 'limit', limitPrice: 185.23, qty: 10 });
    expect(toOrderRequest(i, 'cid')).toEqual({ symbol: 'GLD', qty: '10', side: 'buy', type: 'limit', time_in_force: 'day', limit_price: '185.23', client_order_id: 'cid' });
    expect(toSdkOrderInput(i, 'cid')).toEqual({ symbol: 'GLD', qty: '10', side: 'buy', type: 'limit', timeInForce: 'day', limitPrice: '185.23', clientOrderId: 'cid' });
    expect('limit_price' in toOrderRequest(intent(), 'cid')).toBe(false);
  });

  it('submit errors then classified', () => {
    expect(classifySubmitError({ status: 422, message: 'client_order_id must be unique' }).outcome).toBe('duplicate');
    expect(classifySubmitError({ status: 403, message: 'insufficient buying power' }).outcome).toBe('rejected');
    expect(classifySubmitError({ status: 429, message: 'rate limit' }).outcome).toBe('retryable');
    expect(classifySubmitError({ status: 503, message: 'unavailable' }).outcome).toBe('ambiguous');
    expect(classifySubmitError(new Error('The operation was aborted due to timeout')).outcome).toBe('ambiguous');
  });

  it('every order shape then its POST body and SDK input carry exactly its fields', () => {
    const b = (over: Parameters<typeof intent>[0]) => toOrderRequest(intent(over), 'c');
    expect(b({ type: 'stop_limit', stopPrice: 190, limitPrice: 189.5 })).toMatchObject({ type: 'stop_limit', stop_price: '190', limit_price: '189.5' });
    expect(b({ type: 'trailing_stop', trailPercent: 2.5 })).toMatchObject({ type: 'trailing_stop', trail_percent: '2.5' });
    expect(b({ type: 'trailing_stop', trailPrice: 3 })).toMatchObject({ trail_price: '3' });
    expect(b({ type: 'trailing_stop', trailPrice: 3 })).not.toHaveProperty('trail_percent');
    expect(b({ type: 'market', orderClass: 'bracket', takeProfit: { limitPrice: 210 }, stopLoss: { stopPrice: 190, limitPrice: 189 } })).toMatchObject({
      order_class: 'bracket', take_profit: { limit_price: '210' }, stop_loss: { stop_price: '190', limit_price: '189' },
    });
    expect(toSdkOrderInput(intent({ type: 'market', orderClass: 'oto', stopLoss: { stopPrice: 190 } }), 'c')).toEqual({
      symbol: 'GLD', qty: '100', side: 'buy', type: 'market', timeInForce: 'day', orderClass: 'oto', stopLoss: { stopPrice: '190' }, clientOrderId: 'c',
    });
    // A market order carries no price fields even if stray ones were set.
    expect(Object.keys(b({ type: 'market', limitPrice: 1, stopPrice: 2 })).sort()).toEqual(['client_order_id', 'qty', 'side', 'symbol', 'time_in_force', 'type']);
    expect(toSdkPatchInput({ qty: 5, stopPrice: 191 }, 'r')).toEqual({ qty: '5', stopPrice: '191', clientOrderId: 'r' });
  });

  it('an order with nested legs, class, and a replace chain then parsed; lifted out of a listing each leg knows its parent; a bad leg names its path', () => {
    const leg = wireOrder({ id: 'b-tp', client_order_id: 'tp', side: 'sell', type: 'limit', limit_price: '210', status: 'held', legs: null });
    const parent = parseOrder(wireOrder({ order_class: 'bracket', legs: [leg], replaces: null, replaced_by: 'b-9', trail_percent: null }));
    if (!parent.ok) throw new Error(parent.error);
    expect(parent.value).toMatchObject({ orderClass: 'bracket', replacedBy: 'b-9', legs: [{ id: 'b-tp', status: 'held', limitPrice: 210 }] });
    expect(parent.value).not.toHaveProperty('replaces');
    expect(withLegs([parent.value, parent.value]).map((o) => [o.id, o.parentId ?? null])).toEqual([['b-1', null], ['b-tp', 'b-1']]);
    expect(parseOrder(wireOrder({ order_class: '' })).ok && (parseOrder(wireOrder({ order_class: '' })) as { value: object }).value).not.toHaveProperty('orderClass');
    const bad = parseOrder(wireOrder({ order_class: 'bracket', legs: [{ ...leg, status: 'lost' }] }));
    expect(bad.ok ? '' : bad.error).toBe('order: legs[0].status "lost" is not a known order status');
    expect(parseOrder(wireOrder({ order_class: 'ladder' })).ok).toBe(false);
  });
});
