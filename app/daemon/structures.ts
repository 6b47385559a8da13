/**
 * Record structures of the trading actors' messages: the key lists, in
 * creation order, of every message shape on the tick-to-order path and the
 * execution topics. Every worker must be booted with the same list (the
 * daemon concatenates every module's list in a fixed order: runtime core,
 * market data and feeds, then this one); a shape missing here still travels,
 * just self-described and larger. tests/unit/daemon/structures.test.ts checks
 * each list against a message the code really builds, so they cannot drift.
 */
import type { Structure } from '../../src/runtime/index.js';

/** An order intent as the allocator builds it (market, then limit with its time limit, the default: allocator.intents.limitTimeoutMs). */
const INTENT_MARKET = ['intentId', 'symbol', 'side', 'qty', 'timeInForce', 'refPrice', 'createdAt', 'reason', 'postureSeq', 'type'];
const INTENT_LIMIT = [...INTENT_MARKET, 'limitPrice', 'marketAfterMs'];
/** A FLATTEN liquidation as planFlatten builds it. */
const INTENT_LIQUIDATION = ['intentId', 'symbol', 'side', 'qty', 'type', 'timeInForce', 'refPrice', 'createdAt', 'reason', 'postureSeq', 'liquidation'];

export const TRADING_STRUCTURES: readonly Structure[] = [
  // strategy.signal as the shard shell publishes it
  ['type', 'strategyId', 'symbol', 'direction', 'strength', 'confidence', 'horizonMs', 'ts', 'reason', 'family', 'shard', 'rawConfidence', 'originNs'],
  // allocator.intents and its parts
  ['type', 'seq', 'ts', 'intents', 'skipped', 'turnover', 'originNs'],
  INTENT_MARKET,
  INTENT_LIMIT,
  INTENT_LIQUIDATION,
  ['symbol', 'reason'], // skipped symbol
  // risk verdicts
  ['type', 'intent', 'originalQty', 'resized', 'tier', 'at', 'originNs'],
  ['type', 'intent', 'code', 'reason', 'tier', 'at'],
  ['type', 'clientOrderId', 'brokerOrderId', 'symbol', 'reason', 'at'], // risk.cancel_order
  // execution
  ['type', 'clientOrderId', 'brokerOrderId', 'intentId', 'symbol', 'side', 'qty', 'orderType', 'orderClass', 'limitPrice', 'stopPrice', 'trailPercent', 'parentClientOrderId', 'replaces', 'filledQty', 'filledAvgPrice', 'status', 'submission', 'event', 'reason', 'ts'],
  ['type', 'executionId', 'clientOrderId', 'brokerOrderId', 'intentId', 'symbol', 'side', 'qty', 'price', 'positionQty', 'positionAvgPrice', 'synthetic', 'ts'],
  ['type', 'positions', 'pendingQty', 'ts'],
  ['symbol', 'qty', 'avgPrice', 'realizedPnl'],
  ['type', 'equity', 'lastEquity', 'cash', 'buyingPower', 'status', 'ts'],
  ['type', 'connected', 'ready', 'stream', 'restFailures', 'reason', 'since', 'ts'],
  ['type', 'intentId', 'symbol', 'reason', 'ts'], // broker.intent_refused
];
