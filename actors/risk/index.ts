export { TIERS, isTier, tierRank, maxTier, stepDown, transitionError, assertTransition } from './tiers.js';
export type { Tier, TransitionKind } from './tiers.js';
export { DEFAULT_RISK_CONFIG, resolveRiskConfig } from './config.js';
export type { RiskConfig, RiskConfigInput, ThresholdConfig, Ladder, EscalatedTier, ProtectiveStopsConfig } from './config.js';
export {
  evaluateTriggers,
  validateRiskInputs,
  ladderTier,
  drawdownTrigger,
  dailyLossTrigger,
  grossExposureTrigger,
  concentrationTrigger,
  orderRateTrigger,
  staleDataTrigger,
  brokerTrigger,
  driftTrigger,
  heartbeatTrigger,
  operatorTrigger,
} from './triggers.js';
export type { RiskInputs, TriggerName, TriggerResult } from './triggers.js';
export { RiskGovernor } from './governor.js';
export type { EvaluateResult, CommandResult, GovernorSnapshot } from './governor.js';
export { check, validateIntent, verdictMessage, OrderRateWindow, DEFAULT_PRE_TRADE_CONFIG } from './pre-trade.js';
export type { PreTradeConfig, PreTradeState, PreTradeResult } from './pre-trade.js';
export { planFlatten } from './flatten.js';
export type { FlattenOrder, FlattenPosition, CancelAction, FlattenPlan } from './flatten.js';
export { InvalidTierTransitionError } from './errors.js';
export type {
  RiskTierChangedMsg,
  RiskIntentApprovedMsg,
  RiskIntentDeniedMsg,
  RiskCommandMsg,
  RiskStateMsg,
  RiskMsg,
  DenyCode,
} from './messages.js';
export { EquityTracker } from './equity.js';
export type { EquityMarks } from './equity.js';
export { RiskDesk, tradingDay } from './desk.js';
export type { RiskDeskOptions, RiskDeskSnapshot, ReviewResult, FlattenPassResult } from './desk.js';
export { RiskBook } from './book.js';
export type { OpenOrder, BrokerLink } from './book.js';
export type { RiskCommandResultMsg, RiskCancelOrderMsg, RiskFlattenMsg, RiskStopsPolicyMsg } from './messages.js';
export type { RiskArgs } from './actor.js';
export { riskRecord, loadRiskState, riskStateProblem, mergeRiskStart, RISK_RECORD } from './durable.js';
export type { RiskStart } from './durable.js';
