/**
 * The gateway's own metrics (prom-client) and the merged `/metrics`
 * exposition: the gateway's registry plus every `MetricsSource` list (the
 * actor system's main thread and each worker, in prom-client's JSON shape)
 * go through `AggregatorRegistry.aggregate`, which sums counters and
 * histograms with equal labels and applies each gauge's declared aggregator.
 *
 * Source metrics are checked first: a family with an invalid metric or label
 * name, an unknown type, or a type that disagrees with the same name seen
 * earlier is left out and counted (`qgtm_gateway_metrics_rejected_total`), so
 * one bad worker cannot make the whole scrape unparseable.
 */
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MetricJson } from '../src/runtime/metrics.js';

/**
 * prom-client's default Node.js metrics, less the three gauges it names with a
 * `_total` suffix (`nodejs_active_{handles,requests,resources}_total`), which
 * `promtool check metrics` rejects; the labelled `nodejs_active_handles` etc.
 * carry the same numbers by type.
 */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
}

/** Metrics from elsewhere (the actor system: `() => system.metricsJson()`). One list per thread. */
export type MetricsSource = () => Promise<MetricJson[][]>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary']);
const AGGREGATORS = new Set(['sum', 'max', 'min', 'average', 'first', 'omit']);

/** Buckets for HTTP handling and scrape times (seconds). */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function checkFamily(m: MetricJson, seen: Map<string, string>): string | null {
  if (typeof m !== 'object' || m === null || typeof m.name !== 'string' || !METRIC_NAME.test(m.name)) return 'bad_name';
  if (!TYPES.has(m.type)) return 'bad_type';
  if (!Array.isArray(m.values)) return 'bad_values';
  const earlier = seen.get(m.name);
  if (earlier !== undefined && earlier !== m.type) return 'type_conflict';
  for (const v of m.values) {
    if (typeof v !== 'object' || v === null || typeof v.value !== 'number') return 'bad_values';
    if (v.metricName !== undefined && (typeof v.metricName !== 'string' || !METRIC_NAME.test(v.metricName))) return 'bad_name';
    for (const k of Object.keys(v.labels ?? {})) if (!LABEL_NAME.test(k) || k.startsWith('__')) return 'bad_label';
  }
  seen.set(m.name, m.type);
  return null;
}

/** Drops families that would break the exposition; `onReject(reason)` is called for each. */
export function sanitizeSources(lists: readonly MetricJson[][], onReject: (reason: string, name: string) => void): MetricJson[][] {
  const seen = new Map<string, string>();
  return lists.map((list) =>
    (Array.isArray(list) ? list : []).filter((m) => {
      const why = checkFamily(m, seen);
      if (why) onReject(why, typeof m?.name === 'string' ? m.name : '?');
      else if (!AGGREGATORS.has(m.aggregator)) (m as { aggregator: string }).aggregator = 'sum';
      return why === null;
    }),
  );
}

export interface GatewayMetricsOptions {
  /** Node.js process metrics (CPU, memory, event-loop lag, GC) in this registry. Default true. */
  readonly processMetrics?: boolean;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'route'>;
  readonly httpErrors: Counter<'status' | 'reason'>;
  readonly wsClients: Gauge<'format'>;
  readonly wsConnections: Counter<'format'>;
  readonly wsDisconnects: Counter<'reason'>;
  readonly wsDropped: Counter<'reason'>;
  readonly wsSent: Counter<'topic'>;
  readonly wsReceived: Counter;
  readonly wsErrors: Counter<'reason'>;
  readonly telemetry: Counter<'topic'>;
  readonly telemetryErrors: Counter<'reason'>;
  readonly commands: Counter<'type' | 'outcome'>;
  readonly scrapeDuration: Histogram;
  readonly rejected: Counter<'reason'>;
  readonly sourceErrors: Counter;
  readonly daemonUp: Gauge;
  readonly heartbeatAge: Gauge;

  constructor(options: GatewayMetricsOptions = {}) {
    const r = [this.registry];
    this.httpRequests = new Counter({ name: 'qgtm_gateway_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers: r });
    this.httpDuration = new Histogram({ name: 'qgtm_gateway_http_request_duration_seconds', help: 'Time to answer an HTTP request', labelNames: ['route'], buckets: HTTP_BUCKETS, registers: r });
    this.httpErrors = new Counter({ name: 'qgtm_gateway_http_errors_total', help: 'HTTP requests answered with an error, by status and reason', labelNames: ['status', 'reason'], registers: r });
    // Server errors, what an operator alerts on, exist at 0 from the start ("0", not "no data").
    this.httpErrors.inc({ status: '500', reason: 'handler_threw' }, 0);
    this.wsClients = new Gauge({ name: 'qgtm_gateway_ws_clients', help: 'Open WebSocket telemetry connections', labelNames: ['format'], registers: r });
    this.wsConnections = new Counter({ name: 'qgtm_gateway_ws_connections_total', help: 'WebSocket telemetry connections opened', labelNames: ['format'], registers: r });
    this.wsDisconnects = new Counter({ name: 'qgtm_gateway_ws_disconnects_total', help: 'WebSocket connections closed, by reason', labelNames: ['reason'], registers: r });
    this.wsDropped = new Counter({ name: 'qgtm_gateway_ws_dropped_clients_total', help: 'WebSocket clients the gateway disconnected (slow consumer, oversized frame, protocol errors)', labelNames: ['reason'], registers: r });
    this.wsSent = new Counter({ name: 'qgtm_gateway_ws_messages_sent_total', help: 'Telemetry messages handed to WebSocket clients (one per subscriber)', labelNames: ['topic'], registers: r });
    this.wsReceived = new Counter({ name: 'qgtm_gateway_ws_messages_received_total', help: 'Messages received from WebSocket clients', registers: r });
    this.wsErrors = new Counter({ name: 'qgtm_gateway_ws_errors_total', help: 'Malformed or refused WebSocket client messages and upgrades, by reason', labelNames: ['reason'], registers: r });
    this.telemetry = new Counter({ name: 'qgtm_gateway_telemetry_messages_total', help: 'Telemetry messages received from the state bus', labelNames: ['topic'], registers: r });
    this.telemetryErrors = new Counter({ name: 'qgtm_gateway_telemetry_errors_total', help: 'Telemetry messages that could not be encoded or published', labelNames: ['reason'], registers: r });
    this.commands = new Counter({ name: 'qgtm_gateway_commands_total', help: 'Operator commands, by type and outcome', labelNames: ['type', 'outcome'], registers: r });
    this.scrapeDuration = new Histogram({ name: 'qgtm_gateway_metrics_scrape_duration_seconds', help: 'Time to build the merged /metrics exposition', buckets: HTTP_BUCKETS, registers: r });
    this.rejected = new Counter({ name: 'qgtm_gateway_metrics_rejected_total', help: 'Source metric families left out of /metrics as invalid, by reason', labelNames: ['reason'], registers: r });
    this.sourceErrors = new Counter({ name: 'qgtm_gateway_metrics_source_errors_total', help: 'Scrapes where the metrics source (actor system) failed', registers: r });
    this.daemonUp = new Gauge({ name: 'qgtm_daemon_up', help: 'Whether the daemon heartbeat is current (1) or expired (0)', registers: r });
    this.heartbeatAge = new Gauge({ name: 'qgtm_daemon_heartbeat_age_seconds', help: 'Age of the last daemon heartbeat seen', registers: r });
    if (options.processMetrics !== false) registerProcessMetrics(this.registry);
  }

  /** The merged exposition text of this registry, `extra` (e.g. bus metrics) and the sources' lists. */
  async exposition(sources: readonly MetricJson[][], extra: readonly MetricJson[] = []): Promise<string> {
    // Check first, so this scrape's rejections are already in the gateway's own numbers.
    const clean = sanitizeSources([...sources], (reason) => this.rejected.inc({ reason }));
    const own = (await this.registry.getMetricsAsJSON()) as unknown as MetricJson[];
    return mergeExposition([own, [...extra], ...clean]);
  }
}

/** Text exposition of already-checked lists, merged with prom-client's aggregator. */
export async function mergeExposition(lists: readonly MetricJson[][]): Promise<string> {
  const registry = AggregatorRegistry.aggregate(lists as unknown as object[]);
  return registry.metrics();
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
