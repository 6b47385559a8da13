/**
 * The bus's counters as prom-client JSON metrics, so the daemon's and the
 * API's /metrics show them (`qgtm_bus_*`).
 */
import type { MetricJson } from '../../src/runtime/metrics.js';
import type { BusStats } from './bus.js';

type Row = readonly [name: string, type: 'counter' | 'gauge', help: string, value: (s: BusStats) => number];

const ROWS: readonly Row[] = [
  ['qgtm_bus_connected', 'gauge', 'Whether the state bus backend is connected (1) or not (0)', (s) => (s.connected ? 1 : 0)],
  ['qgtm_bus_degraded', 'gauge', 'Whether the state bus reports itself degraded (1) or not (0)', (s) => (s.degraded.length > 0 ? 1 : 0)],
  ['qgtm_bus_state_puts_total', 'counter', 'State snapshots put by the daemon', (s) => s.statePuts],
  ['qgtm_bus_state_rejected_total', 'counter', 'State snapshots rejected as not JSON-able', (s) => s.stateRejected],
  ['qgtm_bus_state_write_errors_total', 'counter', 'State or heartbeat writes that failed (re-put after reconnect)', (s) => s.stateWriteErrors],
  ['qgtm_bus_telemetry_published_total', 'counter', 'Telemetry messages published', (s) => s.telemetryPublished],
  ['qgtm_bus_telemetry_dropped_total', 'counter', 'Telemetry messages dropped (backend unreachable or not JSON-able)', (s) => s.telemetryDropped],
  ['qgtm_bus_telemetry_received_total', 'counter', 'Telemetry messages delivered to local subscribers', (s) => s.telemetryReceived],
  ['qgtm_bus_telemetry_decode_errors_total', 'counter', 'Telemetry or state records that failed to decode', (s) => s.telemetryDecodeErrors],
  ['qgtm_bus_subscriber_errors_total', 'counter', 'Exceptions thrown by telemetry subscribers', (s) => s.subscriberErrors],
  ['qgtm_bus_commands_handled_total', 'counter', 'Operator commands executed by the daemon', (s) => s.commandsHandled],
  ['qgtm_bus_commands_deduplicated_total', 'counter', 'Operator commands answered from an earlier ack (same id)', (s) => s.commandsDeduplicated],
  ['qgtm_bus_commands_malformed_total', 'counter', 'Queued commands without a usable id, discarded', (s) => s.commandsMalformed],
  ['qgtm_bus_records_malformed_total', 'counter', 'Acks and heartbeat records read from the bus and refused (undecodable or malformed)', (s) => s.recordsMalformed],
  ['qgtm_bus_commands_sent_total', 'counter', 'Operator commands sent by the API', (s) => s.commandsSent],
  ['qgtm_bus_command_timeouts_total', 'counter', 'Operator commands that were not acknowledged in time', (s) => s.commandTimeouts],
  ['qgtm_bus_heartbeats_total', 'counter', 'Daemon heartbeats given to the bus', (s) => s.heartbeats],
  ['qgtm_bus_outages_total', 'counter', 'Times the bus lost its backend connection', (s) => s.outages],
  ['qgtm_bus_reconnects_total', 'counter', 'Times the bus reconnected to its backend', (s) => s.reconnects],
];

/** `stats` as metrics, each labelled with `role` ('daemon' or 'api'; 'all' in one process). */
export function busMetricsJson(stats: BusStats, role: string): MetricJson[] {
  return ROWS.map(([name, type, help, value]) => ({
    name,
    help,
    type,
    aggregator: 'sum',
    values: [{ value: value(stats), labels: { role, backend: stats.kind } }],
  }));
}
