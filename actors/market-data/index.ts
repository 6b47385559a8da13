export type { TradeMsg, QuoteMsg, BarMsg, MarketDataMsg, MdState, MdStatusMsg, MdSessionMsg } from './messages.js';
export { MarketDataRouter, MD_DROP_REASONS, DEFAULT_FEED_ID_PATTERN, feedIdFor, toTradeMsg, toQuoteMsg, toBarMsg } from './router.js';
export type { MdDropReason, MdKind, RouterCounts } from './router.js';
export { SessionLifecycle, resolveReconnect } from './lifecycle.js';
export type { ReconnectOptions, ResolvedReconnect, LifecycleStep, FlowCounts } from './lifecycle.js';
export { MD_STATUS_TOPIC, mdSessionArgsViolations } from './session.js';
export type { MdSessionArgs, MdChannel } from './session.js';
export { MD_STRUCTURES, MACRO_STRUCTURES, MARKET_DATA_STRUCTURES } from './structures.js';
