/**
 * msgpackr record structures of the market-data messages, in creation order
 * (see router.ts and lifecycle.ts), and `MARKET_DATA_STRUCTURES`: everything
 * the market-data actors send (md.*, feed.*, macro.*) for the daemon to
 * concatenate, in this fixed order, into the list every worker agrees on.
 */
import type { Structure } from '../../src/runtime/index.js';
import { FEED_STRUCTURES } from '../feed/structures.js';

export const MD_STRUCTURES: readonly Structure[] = [
  // md.trade
  ['type', 'symbol', 'price', 'size', 'id', 'ts'],
  // md.quote
  ['type', 'symbol', 'bid', 'ask', 'bidSize', 'askSize', 'ts'],
  // md.bar
  ['type', 'symbol', 'open', 'high', 'low', 'close', 'volume', 'ts', 'trades', 'vwap'],
  // md.status
  ['type', 'state', 'venue', 'ts', 'attempt', 'retryInMs', 'detail', 'subscribed', 'connects', 'disconnects', 'forwarded', 'dropped'],
];

export const MACRO_STRUCTURES: readonly Structure[] = [
  // macro.series and its observations
  ['type', 'seriesId', 'observations', 'fetchedAt'],
  ['date', 'value'],
  // macro.cot and its rows
  ['type', 'market', 'contractCode', 'rows', 'fetchedAt'],
  ['reportDate', 'managedMoneyLong', 'managedMoneyShort', 'openInterest'],
];

/** md.*, feed.* and macro.* structures, in a fixed order. */
export const MARKET_DATA_STRUCTURES: readonly Structure[] = [...MD_STRUCTURES, ...FEED_STRUCTURES, ...MACRO_STRUCTURES];
