export { ORDER_STATUSES, isOrderStatus, isTerminal, canTransition, nextStatuses, transition, statusForEvent } from './order-state.js';
export type { OrderStatus } from './order-state.js';
export { clientOrderIdFor, isValidClientOrderId, MAX_CLIENT_ORDER_ID_LENGTH } from './client-order-id.js';
export {
  parseOrder,
  parseTradeUpdate,
  parsePosition,
  parseAccount,
  parseFillActivity,
  parseAll,
  toOrderRequest,
  toSdkOrderInput,
  toSdkPatchInput,
  withLegs,
  classifySubmitError,
} from './alpaca-mapping.js';
export type {
  Parsed,
  BrokerOrder,
  BrokerTradeUpdate,
  BrokerPosition,
  BrokerAccount,
  BrokerFill,
  OrderRequest,
  SdkOrderInput,
  SdkPatchInput,
  ReplaceChanges,
  SubmitOutcome,
} from './alpaca-mapping.js';
export { Oms, isOpenOrder } from './oms.js';
export type { LocalOrder, Fill, OmsEvent, OmsSnapshot, ApplyResult, SubmissionState } from './oms.js';
export { PositionBook } from './positions.js';
export type { LocalPosition } from './positions.js';
export { Journal } from './journal.js';
export type { JournalRecord, ReplayReport, QuarantinedRecord, JournalOptions } from './journal.js';
export { reconcile, DEFAULT_RECONCILE_OPTIONS } from './reconcile.js';
export type { BrokerSnapshot, OmsView, ReconcileOptions, DriftItem, ReconcileReport } from './reconcile.js';
export { planStops, stopPriceFor, stopIntentId, protectiveStopSeq, isProtectiveStop, isStopType, stopsPolicyErrors, stopDistanceBps, volStopDistanceBps, trailPercentFor, VOL_STOP_MIN_BPS, VOL_STOP_MAX_BPS } from './protective-stops.js';
export type { StopsPolicy, StopPosition, StopAction, StopPlanInput } from './protective-stops.js';
export { StopKeeper, policyMsgErrors, NOTABLE_DISTANCE_MOVE } from './stop-keeper.js';
export type { StopWork, PolicyVerdict } from './stop-keeper.js';
export { LimitTimeouts, LIMIT_TIMEOUT_OUTCOMES, remainderIntent, remainderIntentId } from './limit-timeouts.js';
export type { LimitTimeoutOptions, LimitTimeoutWork, LimitTimeoutCancel, LimitTimeoutSkip } from './limit-timeouts.js';
export { LimitTimeoutPass, LIMIT_TICK_MS } from './limit-timeout-pass.js';
export type { LimitTimeoutIo, LimitTimeoutTurn, LimitTimeoutTickMsg } from './limit-timeout-pass.js';
export { BrokerSessionCore, orderUpdateMsg } from './session-core.js';
export type { SessionOptions, RawBrokerState, SubmitDecision, ReplaceDecision, ReplaceRequest, Outcome } from './session-core.js';
export { InvalidOrderTransitionError, JournalCorruptError, JournalClosedError } from './errors.js';
export type { BrokerOrderUpdateMsg, BrokerFillMsg, BrokerPositionsMsg, BookPosition, BrokerReconciledMsg, BrokerMsg } from './messages.js';
export { ConnectionMonitor } from './connection.js';
export type { ConnectionOptions, StreamState } from './connection.js';
export { publishBrokerMsg, accountMsg, intentRefusedMsg } from './publish.js';
export type { BrokerAccountMsg, BrokerConnectionMsg, BrokerIntentRefusedMsg } from './messages.js';
export type { BrokerArgs, BrokerLatencyQuery, BrokerStatusQuery, BrokerSyncMsg } from './args.js';
export { BROKER_TIMER_DEFAULTS } from './args.js';
