/**
 * The broker session's metrics (qgtm_broker_*, tick-to-intent and the order
 * stages): defined in one place, created by the actor at `init`.
 */
import type { ActorContext } from '../../src/runtime/index.js';
import { PIPELINE_BUCKETS, TICK_TO_INTENT_HELP } from '../strategy/trace.js';

/** Broker REST round trips, seconds: a loopback venue answers in milliseconds, Alpaca in tens to hundreds. */
const REST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Order stages, seconds: a journal fsync is milliseconds, a resting limit order's fill minutes. */
const ORDER_STAGE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export function brokerMetrics(ctx: ActorContext) {
  return {
    tickToIntent: ctx.metrics.histogram('qgtm_tick_to_intent_seconds', TICK_TO_INTENT_HELP, [], PIPELINE_BUCKETS),
    submits: ctx.metrics.counter('qgtm_broker_submits_total', 'Order POSTs by outcome', ['outcome']),
    refused: ctx.metrics.counter('qgtm_broker_intents_refused_total', 'Approved intents the session refused', ['reason']),
    wireErrors: ctx.metrics.counter('qgtm_broker_wire_errors_total', 'Trade updates and broker answers that could not be applied', ['kind']),
    reconciles: ctx.metrics.counter('qgtm_broker_reconciliations_total', 'Reconciliation passes by phase and result', ['phase', 'passed']),
    connected: ctx.metrics.gauge('qgtm_broker_connected', '1 when the broker session is connected and ready'),
    requestSeconds: ctx.metrics.histogram('qgtm_broker_request_seconds', 'Broker REST calls to the venue through the SDK, by operation (reconcile: its four GETs together), seconds to the answer or the failure', ['op'], REST_BUCKETS),
    requestErrors: ctx.metrics.counter('qgtm_broker_request_errors_total', 'Broker REST calls that failed, by operation and HTTP status (429: rate limited; none: no answer)', ['op', 'status']),
    orderStage: ctx.metrics.histogram('qgtm_order_stage_seconds', 'An order\'s round trip by stage, seconds of real time: intent_to_submit (approval received to POST sent: journal and batch), submit_to_ack (first POST to the answer that took it, a rate-limit wait included), ack_to_fill (answer to first fill)', ['stage'], ORDER_STAGE_BUCKETS),
    stream: ctx.metrics.counter('qgtm_broker_stream_events_total', 'trade_updates stream transitions: connecting (each connection attempt; after the first, a reconnect), listening, down', ['event']),
    stopPoliciesRefused: ctx.metrics.counter('qgtm_broker_stop_policies_refused_total', 'Protective-stop policies (risk.stops_policy) refused as malformed; the one held stays in force'),
  };
}

export type BrokerMetrics = ReturnType<typeof brokerMetrics>;
