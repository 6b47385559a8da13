import type { OrderIntent } from '../../../../actors/allocator/intent.js';
import type { BrokerOrder } from '../../../../actors/broker/alpaca-mapping.js';

export const intent = (over: Partial<OrderIntent> = {}): OrderIntent => ({
  intentId: 'p1:GLD', symbol: 'GLD', side: 'buy', qty: 100, type: 'market', timeInForce: 'day',
  refPrice: 200, createdAt: 1_000, reason: 'test', postureSeq: 1, ...over,
});

/** A broker order as the domain sees it. */
export const brokerOrder = (over: Partial<BrokerOrder> = {}): BrokerOrder => ({
  id: 'b-1', clientOrderId: 'c-1', symbol: 'GLD', side: 'buy', type: 'market', timeInForce: 'day',
  qty: 100, filledQty: 0, filledAvgPrice: null, limitPrice: null, stopPrice: null, status: 'new', createdAt: 1_000, updatedAt: 1_000, ...over,
});

/** The same on the wire: snake_case, numbers as strings. */
export const wireOrder = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'b-1',
  client_order_id: 'c-1',
  symbol: 'GLD',
  side: 'buy',
  type: 'market',
  order_type: 'market',
  time_in_force: 'day',
  qty: '100',
  filled_qty: '0',
  filled_avg_price: null,
  limit_price: null,
  status: 'new',
  created_at: '2024-01-02T14:30:00Z',
  updated_at: '2024-01-02T14:30:00Z',
  ...over,
});

export const wireUpdate = (event: string, order: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  event,
  timestamp: '2024-01-02T14:30:01Z',
  order,
  ...extra,
});
