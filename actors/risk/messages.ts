/**
 * Messages of the risk governor. Plain data (they cross threads as msgpack).
 *
 * - `risk.tier_changed`: every tier change, with its reason and the trigger
 *   readings behind it (to broker session, allocator, gateway).
 * - `risk.intent_approved` / `risk.intent_denied`: the verdict on each order
 *   intent (approved ones go to the broker session).
 * - `risk.command`: operator sets or clears a floor tier (from the gateway).
 * - `risk.state`: the governor's state for telemetry and the terminal.
 */

import type { OrderIntent } from '../allocator/intent.js';
import type { Tier } from './tiers.js';
import type { TriggerResult } from './triggers.js';

export interface RiskTierChangedMsg {
  readonly type: 'risk.tier_changed';
  readonly from: Tier;
  readonly to: Tier;
  readonly kind: 'escalate' | 'de-escalate';
  /** What moved the tier: a trigger breaking, an operator command, or a cool-down that elapsed. */
  readonly cause: 'trigger' | 'operator' | 'cool_down';
  readonly reason: string;
  /** The readings that demanded `to` (escalation) or the full set found clear (de-escalation). */
  readonly triggers: readonly TriggerResult[];
  readonly at: number;
}

export interface RiskIntentApprovedMsg {
  readonly type: 'risk.intent_approved';
  /** The intent to send, possibly resized. */
  readonly intent: OrderIntent;
  /** Quantity before resizing. */
  readonly originalQty: number;
  /** Why it was resized, or null when it passed as is. */
  readonly resized: string | null;
  readonly tier: Tier;
  readonly at: number;
  /** Latency trace carried from the intents message (monotonic ns, 0 when unknown). */
  readonly originNs?: number;
}

/** Why the governor denies an intent; `broker_not_ready`: the broker session has not reported ready (start-up reconciliation not passed) or is gone. */
export const DENY_CODES = [
  'invalid_intent',
  'tier_flatten',
  'tier_no_new',
  'throttled_to_zero',
  'order_rate',
  'no_last_price',
  'price_collar',
  'max_notional',
  'buying_power',
  'broker_not_ready',
] as const;

export type DenyCode = (typeof DENY_CODES)[number];

export interface RiskIntentDeniedMsg {
  readonly type: 'risk.intent_denied';
  readonly intent: OrderIntent;
  readonly code: DenyCode;
  /** Human-readable detail with the numbers involved. */
  readonly reason: string;
  readonly tier: Tier;
  readonly at: number;
}

export type RiskCommandMsg =
  | {
      readonly type: 'risk.command';
      readonly action: 'set';
      readonly tier: Tier;
      readonly reason: string;
      /** Who asked (operator name or token id). */
      readonly by: string;
      readonly at: number;
    }
  | {
      readonly type: 'risk.command';
      readonly action: 'clear';
      readonly reason: string;
      readonly by: string;
      readonly at: number;
    };

export interface RiskStateMsg {
  readonly type: 'risk.state';
  readonly tier: Tier;
  /** When the current tier was entered. */
  readonly since: number;
  readonly floor: Tier | null;
  readonly floorReason: string | null;
  /** FLATTEN latched: only an operator clear lets it step down. */
  readonly latched: boolean;
  /** Start of the current calm period (all triggers clear with hysteresis), or null. */
  readonly calmSince: number | null;
  /** Time left before the next one-step de-escalation, or null when not calm. */
  readonly coolDownRemainingMs: number | null;
  readonly triggers: readonly TriggerResult[];
  readonly changes: number;
  readonly rejectedInputs: number;
  readonly at: number;
}

/** The governor's answer to a `risk.command` ask. */
export interface RiskCommandResultMsg {
  readonly type: 'risk.command_result';
  readonly ok: boolean;
  readonly error: string | null;
  /** Tier, floor and latch after the command. */
  readonly tier: Tier;
  readonly floor: Tier | null;
  readonly latched: boolean;
  readonly at: number;
}

/** FLATTEN (risk -> broker): cancel one working order. */
export interface RiskCancelOrderMsg {
  readonly type: 'risk.cancel_order';
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly symbol: string;
  readonly reason: string;
  readonly at: number;
}

/**
 * The protective-stop policy (risk -> broker), told at start, on every tier
 * change, when the broker becomes ready and with every state publication
 * (so a new volatility reaches the session within one state period).
 * `hold`: FLATTEN holds; the session places and resizes no stop (FLATTEN
 * cancels them, then liquidates). A session that has not heard one yet
 * places nothing.
 */
export interface RiskStopsPolicyMsg {
  readonly type: 'risk.stops_policy';
  readonly enabled: boolean;
  /** The fixed distance, bps: every symbol's with `volMultiple` 0, otherwise that of a symbol with no volatility known yet. */
  readonly distanceBps: number;
  /** Place trailing stops instead of fixed ones. */
  readonly trailing: boolean;
  /** Per symbol with a known volatility (and `volMultiple` above 0), its volatility distance, bps; empty for a fixed distance. */
  readonly distanceBpsBySymbol: Readonly<Record<string, number>>;
  readonly hold: boolean;
  readonly tier: Tier;
  readonly at: number;
}

/** One FLATTEN pass, published on `risk` for the terminal. */
export interface RiskFlattenMsg {
  readonly type: 'risk.flatten';
  readonly pass: number;
  readonly cancels: number;
  readonly liquidations: number;
  /** Positions whose liquidation waits for their symbol's working orders (stops included) to be confirmed gone. */
  readonly waiting: number;
  /** Positions still open when the pass was planned (0 = flat). */
  readonly openPositions: number;
  readonly at: number;
}

export type RiskMsg =
  | RiskTierChangedMsg
  | RiskIntentApprovedMsg
  | RiskIntentDeniedMsg
  | RiskCommandMsg
  | RiskStateMsg
  | RiskCommandResultMsg
  | RiskCancelOrderMsg
  | RiskStopsPolicyMsg
  | RiskFlattenMsg;
