/**
 * msgpackr record structures of the feed's messages: the keys of each hot
 * message in the order the code creates them (FeatureEngine.features,
 * FeedCore.closeBar, StatusTracker.move, FeedCore.history). A message whose
 * key order differs still travels, just with an inline record definition, so
 * a unit test pins these lists to the real constructors.
 */
import type { Structure } from '../../src/runtime/index.js';

export const FEED_STRUCTURES: readonly Structure[] = [
  // feed.features
  ['type', 'symbol', 'ts', 'seq', 'source', 'price', 'bid', 'ask', 'mid', 'spreadBps', 'ret', 'barRet', 'vol', 'dayHigh', 'dayLow', 'rangeBps', 'bars', 'status'],
  // feed.bar
  ['type', 'symbol', 'ts', 'intervalMs', 'open', 'high', 'low', 'close', 'volume', 'vwap', 'trades', 'ret', 'vol'],
  // feed.status
  ['type', 'symbol', 'status', 'previous', 'reason', 'ts', 'lastUpdateAt', 'detail'],
  // feed.history
  ['type', 'symbol', 'intervalMs', 'ts', 'open', 'high', 'low', 'close', 'volume'],
  // feed.sample (its `features` travels under the feed.features record)
  ['type', 'symbol', 'count', 'features'],
];
