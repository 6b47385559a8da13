/**
 * What the qgtm dashboard shows, as data: one entry per row, one per panel,
 * each with its PromQL. `dashboard.ts` turns it into Grafana JSON with the
 * Foundation SDK; the observability test runs every expression here against
 * a Prometheus scraping a live all-in-one, so a renamed metric fails a test
 * instead of leaving an empty panel.
 *
 * Every metric named here exists in a quiet run of `qgtm start` (checked by
 * that test). Counters an operator alerts on are registered at 0, so their
 * panels read 0 rather than "no data"; rates use `$__rate_interval`.
 */

/**
 * The dead-letter reasons that mean lost or refused work: the runtime's
 * LOST_WORK_REASONS (src/runtime/dead-letters.ts), written out because
 * observability/ imports nothing; a test checks the two lists are the same.
 */
export const LOST_WORK: readonly string[] = ['mailbox_full', 'dropped_oldest', 'restart_buffer_full', 'decode_error', 'encode_error', 'handler_error', 'lost_with_worker', 'no_such_actor'];

/** One query of a panel. */
export interface TargetSpec {
  readonly expr: string;
  /** Grafana legend template (`{{label}}`); omitted: Grafana's default. */
  readonly legend?: string;
}

/** Grafana's value mappings for a stat: value -> text and colour. */
export type Mapping = Readonly<Record<string, { readonly text: string; readonly color: string }>>;

export interface PanelSpec {
  readonly kind: 'stat' | 'timeseries';
  readonly title: string;
  readonly description: string;
  /** Grafana unit id: currencyUSD, percentunit, s, short, ops, bytes. */
  readonly unit: string;
  readonly targets: readonly TargetSpec[];
  /** Grid width out of 24; stats default to 4, time series to 8. */
  readonly width?: number;
  readonly mappings?: Mapping;
  /** Absolute thresholds, ascending: [value, colour]; the first value is the base (null). */
  readonly thresholds?: readonly (readonly [number | null, string])[];
  readonly decimals?: number;
  /** Stat only: show the series name (e.g. a build label) instead of the value. */
  readonly showName?: boolean;
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

const TIERS: Mapping = {
  '0': { text: 'NORMAL', color: 'green' },
  '1': { text: 'WARN', color: 'yellow' },
  '2': { text: 'THROTTLE', color: 'orange' },
  '3': { text: 'NO_NEW', color: 'red' },
  '4': { text: 'FLATTEN', color: 'dark-red' },
};
const UP: Mapping = { '0': { text: 'down', color: 'red' }, '1': { text: 'up', color: 'green' } };
const RATE = '$__rate_interval';
const GREEN_RED: readonly (readonly [number | null, string])[] = [[null, 'green'], [1, 'red']];

const stat = (p: Omit<PanelSpec, 'kind'>): PanelSpec => ({ kind: 'stat', ...p });
const series = (p: Omit<PanelSpec, 'kind'>): PanelSpec => ({ kind: 'timeseries', ...p });
const q = (expr: string, legend?: string): TargetSpec => (legend === undefined ? { expr } : { expr, legend });
const p99 = (metric: string, by: string): string => `histogram_quantile(0.99, sum by (${by}le) (rate(${metric}_bucket[${RATE}])))`;
const p50 = (metric: string, by: string): string => `histogram_quantile(0.5, sum by (${by}le) (rate(${metric}_bucket[${RATE}])))`;

/** The dashboard, top to bottom. */
export const ROWS: readonly RowSpec[] = [
  {
    title: 'Health',
    panels: [
      stat({ title: 'Daemon', description: 'Whether the gateway sees the daemon (qgtm_daemon_up).', unit: 'short', targets: [q('qgtm_daemon_up')], mappings: UP }),
      stat({ title: 'Broker session', description: 'Broker session connected and ready (qgtm_broker_connected).', unit: 'short', targets: [q('qgtm_broker_connected')], mappings: UP }),
      stat({ title: 'Market data', description: 'Market-data session connected (qgtm_md_connected).', unit: 'short', targets: [q('qgtm_md_connected')], mappings: UP }),
      stat({ title: 'Daemon heartbeat age', description: 'Age of the last daemon heartbeat the gateway saw.', unit: 's', targets: [q('qgtm_daemon_heartbeat_age_seconds')], decimals: 2 }),
      stat({ title: 'Oldest worker heartbeat', description: 'The oldest heartbeat among the worker threads.', unit: 's', targets: [q('max(qgtm_worker_heartbeat_age_seconds)')], decimals: 2 }),
      stat({ title: 'Build', description: 'qgtm version and Node.js version of the running process.', unit: 'short', targets: [q('qgtm_build_info', '{{version}} on node {{node}}')], showName: true }),
      series({ title: 'Worker heartbeat age', description: 'Age of each worker thread\'s last heartbeat: a stuck event loop shows as a climbing line.', unit: 's', targets: [q('qgtm_worker_heartbeat_age_seconds', '{{worker}}')], width: 12 }),
      series({ title: 'Supervisor restarts', description: 'Restarts per supervised child in each interval (0 in a healthy run).', unit: 'short', targets: [q(`sum by (child) (increase(qgtm_supervisor_restarts_total[${RATE}]))`, '{{child}}')], width: 12 }),
    ],
  },
  {
    title: 'Risk',
    panels: [
      stat({ title: 'Risk tier', description: 'The tier the risk governor enforces.', unit: 'short', targets: [q('qgtm_risk_tier')], mappings: TIERS }),
      stat({ title: 'Drawdown', description: 'Drawdown from the equity peak, as the drawdown trigger measures it.', unit: 'percentunit', targets: [q('qgtm_risk_trigger_metric{trigger="drawdown"}')], decimals: 2 }),
      stat({ title: 'Daily loss', description: 'Loss since the session open, as the daily-loss trigger measures it.', unit: 'percentunit', targets: [q('qgtm_risk_trigger_metric{trigger="daily_loss"}')], decimals: 2 }),
      stat({ title: 'Gross exposure', description: 'Gross exposure as a multiple of equity, as the gross-exposure trigger measures it.', unit: 'percentunit', targets: [q('qgtm_risk_trigger_metric{trigger="gross_exposure"}')], decimals: 1 }),
      stat({ title: 'Triggers above NORMAL', description: 'How many risk triggers demand more than NORMAL.', unit: 'short', targets: [q('count(qgtm_risk_trigger_tier > 0) or vector(0)')], thresholds: GREEN_RED }),
      stat({ title: 'Denied intents', description: 'Intents the risk governor denied in the interval, all codes.', unit: 'short', targets: [q(`sum(increase(qgtm_risk_verdicts_total{verdict="denied"}[${RATE}]))`)], thresholds: GREEN_RED }),
      series({ title: 'Drawdown and its ladder', description: 'The drawdown against each rung of its ladder (qgtm_risk_trigger_threshold).', unit: 'percentunit', targets: [q('qgtm_risk_trigger_metric{trigger="drawdown"}', 'drawdown'), q('qgtm_risk_trigger_threshold{trigger="drawdown"}', '{{tier}}')] }),
      series({ title: 'Tier demanded per trigger', description: '0 NORMAL, 1 WARN, 2 THROTTLE, 3 NO_NEW, 4 FLATTEN; the enforced tier is the highest.', unit: 'short', targets: [q('qgtm_risk_trigger_tier', '{{trigger}}'), q('qgtm_risk_tier', 'enforced')] }),
      series({ title: 'Risk verdicts', description: 'Verdicts per second: approved, resized, and denied by code.', unit: 'ops', targets: [q(`sum by (verdict, code) (rate(qgtm_risk_verdicts_total[${RATE}]))`, '{{verdict}} {{code}}')] }),
    ],
  },
  {
    title: 'Execution',
    panels: [
      stat({ title: 'Fills', description: 'Fills per second over the interval.', unit: 'ops', targets: [q(`sum(rate(qgtm_fills_total[${RATE}]))`)], decimals: 2, width: 8 }),
      stat({ title: 'Broker errors', description: 'Failed broker REST calls in the interval, all operations (429 included).', unit: 'short', targets: [q(`sum(increase(qgtm_broker_request_errors_total[${RATE}]))`)], thresholds: GREEN_RED, width: 8 }),
      stat({ title: 'Refused intents', description: 'Approved intents the broker session refused in the interval (not ready, duplicates).', unit: 'short', targets: [q(`sum(increase(qgtm_broker_intents_refused_total[${RATE}]))`)], thresholds: GREEN_RED, width: 8 }),
      series({ title: 'Order round trip by stage (p99)', description: 'intent_to_submit, submit_to_ack (rate-limit waits included), ack_to_fill; each once per order.', unit: 's', targets: [q(p99('qgtm_order_stage_seconds', 'stage, '), '{{stage}}')], width: 12 }),
      series({ title: 'Tick to intent', description: 'From the market-data input behind a signal to the broker session receiving the approved intent.', unit: 's', targets: [q(p50('qgtm_tick_to_intent_seconds', ''), 'p50'), q(p99('qgtm_tick_to_intent_seconds', ''), 'p99')], width: 12 }),
      series({ title: 'Broker REST latency (p99)', description: 'Every REST call to the venue, by operation.', unit: 's', targets: [q(p99('qgtm_broker_request_seconds', 'op, '), '{{op}}')], width: 12 }),
      series({ title: 'Broker REST errors', description: 'Failed REST calls per second by operation and status (429: rate limited; none: no answer).', unit: 'ops', targets: [q(`sum by (op, status) (rate(qgtm_broker_request_errors_total[${RATE}]))`, '{{op}} {{status}}')], width: 12 }),
      series({ title: 'Orders by status', description: 'Order updates per second by status.', unit: 'ops', targets: [q(`sum by (status) (rate(qgtm_orders_total[${RATE}]))`, '{{status}}')] }),
      series({ title: 'Trade-updates stream', description: 'Stream transitions in each interval; each connecting after the first is a reconnect.', unit: 'short', targets: [q(`sum by (event) (increase(qgtm_broker_stream_events_total[${RATE}]))`, '{{event}}')] }),
      series({ title: 'Broker calls', description: 'REST calls per second by operation.', unit: 'ops', targets: [q(`sum by (op) (rate(qgtm_broker_request_seconds_count[${RATE}]))`, '{{op}}')] }),
    ],
  },
  {
    title: 'Reconciliation',
    panels: [
      stat({ title: 'Last pass', description: 'Whether the last reconciliation passed or found drift it could not correct.', unit: 'short', targets: [q('qgtm_reconciliation_passed')], mappings: { '0': { text: 'drift', color: 'red' }, '1': { text: 'passed', color: 'green' } }, width: 8 }),
      stat({ title: 'Since last pass', description: 'Seconds since the broker session\'s last reconciliation pass.', unit: 's', targets: [q('qgtm_reconciliation_age_seconds')], decimals: 0, width: 8 }),
      stat({ title: 'Drift', description: 'Position drift notional over equity at the last reconciliation.', unit: 'percentunit', targets: [q('qgtm_reconciliation_drift_ratio')], decimals: 2, width: 8 }),
      series({ title: 'Reconciliation age', description: 'A saw tooth: a line that keeps rising means passes stopped.', unit: 's', targets: [q('qgtm_reconciliation_age_seconds', 'age')], width: 12 }),
      series({ title: 'Passes', description: 'Reconciliation passes per second by phase and outcome.', unit: 'ops', targets: [q(`sum by (phase, passed) (rate(qgtm_broker_reconciliations_total[${RATE}]))`, '{{phase}} passed={{passed}}')], width: 12 }),
    ],
  },
  {
    title: 'Portfolio',
    panels: [
      stat({ title: 'Equity', description: 'Account equity.', unit: 'currencyUSD', targets: [q('qgtm_account_equity_dollars')] }),
      stat({ title: 'Cash', description: 'Account cash.', unit: 'currencyUSD', targets: [q('qgtm_account_cash_dollars')] }),
      stat({ title: 'Buying power', description: 'Account buying power.', unit: 'currencyUSD', targets: [q('qgtm_account_buying_power_dollars')] }),
      stat({ title: 'Day P&L', description: 'Equity change since the previous close.', unit: 'currencyUSD', targets: [q('qgtm_account_day_pnl_dollars')], thresholds: [[null, 'red'], [0, 'green']] }),
      stat({ title: 'Realized P&L', description: 'Realized P&L.', unit: 'currencyUSD', targets: [q('qgtm_pnl_realized_dollars')], thresholds: [[null, 'red'], [0, 'green']] }),
      stat({ title: 'Unrealized P&L', description: 'Unrealized P&L of the open positions.', unit: 'currencyUSD', targets: [q('qgtm_pnl_unrealized_dollars')], thresholds: [[null, 'red'], [0, 'green']] }),
      series({ title: 'P&L', description: 'Day, realized and unrealized P&L.', unit: 'currencyUSD', targets: [q('qgtm_account_day_pnl_dollars', 'day'), q('qgtm_pnl_realized_dollars', 'realized'), q('qgtm_pnl_unrealized_dollars', 'unrealized')] }),
      series({ title: 'Equity over time', description: 'Account equity.', unit: 'currencyUSD', targets: [q('qgtm_account_equity_dollars', 'equity')] }),
      series({ title: 'Exposure', description: 'Gross and net exposure as multiples of equity.', unit: 'percentunit', targets: [q('qgtm_exposure_gross_ratio', 'gross'), q('qgtm_exposure_net_ratio', 'net')] }),
      series({ title: 'Exposure (dollars)', description: 'Gross and net exposure in dollars.', unit: 'currencyUSD', targets: [q('qgtm_exposure_gross_dollars', 'gross'), q('qgtm_exposure_net_dollars', 'net')] }),
      series({ title: 'Position value by symbol', description: 'Signed market value of each open position.', unit: 'currencyUSD', targets: [q('qgtm_position_value_dollars', '{{symbol}}')] }),
      series({ title: 'Position quantity by symbol', description: 'Signed quantity of each open position (shares).', unit: 'short', targets: [q('qgtm_position_quantity', '{{symbol}}')] }),
      series({ title: 'Strategy P&L', description: 'P&L the allocator attributes to each strategy (refreshed each allocator tick, allocator.rebalanceEveryMs).', unit: 'currencyUSD', targets: [q('qgtm_strategy_pnl_dollars', '{{strategy}}')], width: 12 }),
      series({ title: 'Strategy learned weight', description: 'Self-learned weight on each strategy\'s votes (1 neutral).', unit: 'short', targets: [q('qgtm_strategy_learned_weight', '{{strategy}}'), q('qgtm_learning_frozen', 'frozen')], width: 12 }),
    ],
  },
  {
    title: 'Data',
    panels: [
      stat({ title: 'Market data age', description: 'Age of the market data, as the stale-data risk trigger measures it.', unit: 's', targets: [q('qgtm_risk_trigger_metric{trigger="stale_data"} / 1000')], decimals: 2, width: 6 }),
      stat({ title: 'Stale feeds', description: 'Instrument feeds whose data is stale.', unit: 'short', targets: [q('count(qgtm_feed_status == 2) or vector(0)')], thresholds: GREEN_RED, width: 6 }),
      stat({ title: 'Feeds with a gap', description: 'Instrument feeds with a gap in their data.', unit: 'short', targets: [q('count(qgtm_feed_status == 1) or vector(0)')], thresholds: GREEN_RED, width: 6 }),
      stat({ title: 'Feed rejections', description: 'Market-data messages the feeds rejected in the interval, all reasons.', unit: 'short', targets: [q(`sum(increase(qgtm_feed_rejected_total[${RATE}]))`)], thresholds: GREEN_RED, width: 6 }),
      series({ title: 'Feed status', description: 'Per feed: 0 fresh, 1 gap, 2 stale.', unit: 'short', targets: [q('qgtm_feed_status', '{{symbol}}')] }),
      series({ title: 'Market-data items', description: 'Items per second from the market-data session, by kind.', unit: 'ops', targets: [q(`sum by (kind) (rate(qgtm_md_items_total[${RATE}]))`, '{{kind}}')] }),
      series({ title: 'Feed ticks by symbol', description: 'Market-data messages per second each feed received.', unit: 'ops', targets: [q(`sum by (symbol) (rate(qgtm_feed_ticks_total[${RATE}]))`, '{{symbol}}')] }),
      series({ title: 'Signals by strategy', description: 'Signals per second each strategy published.', unit: 'ops', targets: [q(`sum by (strategy) (rate(qgtm_signals_total[${RATE}]))`, '{{strategy}}')], width: 12 }),
      series({ title: 'Macro sources', description: 'Macro messages published and fetch failures per second, by source.', unit: 'ops', targets: [q(`sum by (source) (rate(qgtm_macro_published_total[${RATE}]))`, '{{source}} published'), q(`sum by (source) (rate(qgtm_macro_fetch_failures_total[${RATE}]))`, '{{source}} failures')], width: 12 }),
    ],
  },
  {
    title: 'Runtime',
    panels: [
      stat({ title: 'Restarts', description: 'Supervisor restarts since the process started, all children.', unit: 'short', targets: [q('sum(qgtm_supervisor_restarts_total)')], thresholds: GREEN_RED, width: 6 }),
      stat({ title: 'Dead letters', description: 'Messages lost or refused since start (the runtime\'s LOST_WORK_REASONS: mailbox_full, dropped_oldest, restart_buffer_full, decode_error, encode_error, handler_error, lost_with_worker, no_such_actor).', unit: 'short', targets: [q(`sum(qgtm_dead_letters_total{reason=~"${LOST_WORK.join('|')}"})`)], thresholds: GREEN_RED, width: 6 }),
      stat({ title: 'Gateway 500s', description: 'HTTP requests the gateway answered with 500 since start.', unit: 'short', targets: [q('sum(qgtm_gateway_http_errors_total{status="500"})')], thresholds: GREEN_RED, width: 6 }),
      stat({ title: 'Deepest mailbox', description: 'Messages queued in the fullest actor mailbox.', unit: 'short', targets: [q('max(qgtm_actor_mailbox_depth)')], width: 6 }),
      series({ title: 'Dead letters by reason', description: 'Dead letters per second by actor and reason.', unit: 'ops', targets: [q(`sum by (actor, reason) (rate(qgtm_dead_letters_total[${RATE}]))`, '{{actor}} {{reason}}')] }),
      series({ title: 'Mailbox depth (top 10)', description: 'The ten deepest actor mailboxes.', unit: 'short', targets: [q('topk(10, qgtm_actor_mailbox_depth)', '{{actor}}')] }),
      series({ title: 'Mailbox wait (p99)', description: 'Time a message waited in an actor mailbox before its handling began, the ten longest: a mailbox that is shallow but slow to drain shows here.', unit: 's', targets: [q(`topk(10, ${p99('qgtm_actor_mailbox_wait_seconds', 'actor, ')})`, '{{actor}}')] }),
      series({ title: 'Actor handle time (p99)', description: 'Time an actor spent handling one message, the ten slowest.', unit: 's', targets: [q(`topk(10, ${p99('qgtm_actor_handle_seconds', 'actor, ')})`, '{{actor}}')] }),
      series({ title: 'Worker event-loop delay (p99)', description: 'Event-loop delay of each worker thread over its last 10-20 s.', unit: 's', targets: [q('qgtm_worker_event_loop_delay_seconds{stat="p99"}', '{{worker}}')] }),
      series({ title: 'Worker heap', description: 'Heap used by each worker thread.', unit: 'bytes', targets: [q('qgtm_worker_heap_used_bytes', '{{worker}}')] }),
      series({ title: 'Gateway HTTP', description: 'Requests per second by route and status; errors by status and reason.', unit: 'ops', targets: [q(`sum by (route, status) (rate(qgtm_gateway_http_requests_total[${RATE}]))`, '{{route}} {{status}}'), q(`sum by (status, reason) (rate(qgtm_gateway_http_errors_total[${RATE}]))`, 'error {{status}} {{reason}}')] }),
    ],
  },
];
