import type { OrderIntent } from '../../../../actors/allocator/intent.js';
import type { BrokerOrder } from '../../../../actors/broker/alpaca-mapping.js';
import type { LocalOrder } from '../../../../actors/broker/oms.js';
import { planStops, type StopPlanInput } from '../../../../actors/broker/protective-stops.js';
import type { RiskStopsPolicyMsg } from '../../../../actors/risk/messages.js';

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

/** Our protective stop for 10 GLD at 196, acked and working, as the OMS holds it. */
export const stopOrder = (over: Partial<LocalOrder> = {}): LocalOrder => ({
  clientOrderId: 'c-1', intentId: 'pstop:GLD:1', brokerOrderId: 'b-1', symbol: 'GLD', side: 'sell', qty: 10, type: 'stop', limitPrice: null, stopPrice: 196,
  timeInForce: 'gtc', status: 'accepted', submission: 'acked', filledQty: 0, filledAvgPrice: null, liquidation: false, cancelRequested: false, reason: null,
  syntheticCredit: 0, createdAt: 1_000, updatedAt: 1_000, ...over,
});

/** The stop plan with a fixed 200 bps policy, nothing open, at t = 1000, but for `over`. */
export const planStopsWith = (over: Partial<StopPlanInput>) =>
  planStops({ policy: { enabled: true, distanceBps: 200 }, positions: [], openOrders: [], lastPrices: {}, nextSeq: () => 1, now: 1_000, ...over });

/** A `risk.stops_policy` at `at`: enabled, fixed 200 bps, not trailing, not held. */
export const stopsPolicyMsg = (at: number, over: Partial<RiskStopsPolicyMsg> = {}): RiskStopsPolicyMsg => ({
  type: 'risk.stops_policy', enabled: true, distanceBps: 200, trailing: false, distanceBpsBySymbol: {}, hold: false, tier: 'NORMAL', at, ...over,
});
