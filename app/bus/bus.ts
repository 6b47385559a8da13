/**
 * The state bus between the daemon (supervision tree and trading actors) and
 * the API (gateway). Two sides:
 *
 * - daemon side: `putState` snapshots (latest wins), `publish` telemetry,
 *   `heartbeat`, `onCommand`. These never throw and never block trading code;
 *   failures are counted and reported through `degraded()` and `stats()`.
 * - API side: `getState`, `subscribe`, `sendCommand`, `daemonStatus`.
 *
 * `InMemoryBus` serves both sides in one process (`npm start`); `RedisBus`
 * joins two processes (`qgtm daemon` + `qgtm api`) through Redis.
 */
import type { CommandAck, CommandHandler, OperatorCommand } from './commands.js';
import type { Section, Topic } from './sections.js';

/** What the daemon says about itself with each heartbeat. */
export interface HeartbeatInfo {
  readonly pid: number;
  /** Epoch ms the daemon started. */
  readonly startedAt: number;
  readonly version: string;
  /** Named conditions the daemon is running with (e.g. 'redis', 'broker_disconnected'); empty when healthy. */
  readonly degraded: readonly string[];
  /** Optional one-line status (the same text the daemon sends systemd as STATUS=). */
  readonly status?: string;
}

/** The bus's own view of its backend, carried in the heartbeat record. */
export interface BusHealth {
  readonly kind: 'memory' | 'redis';
  readonly connected: boolean;
  readonly degraded: readonly string[];
  readonly outages: number;
  readonly lastOutageStartedAt: number | null;
  readonly lastOutageEndedAt: number | null;
  readonly telemetryDropped: number;
}

/** A heartbeat as the API reads it. */
export interface HeartbeatRecord extends HeartbeatInfo {
  /** Epoch ms (daemon clock) the heartbeat was written. */
  readonly at: number;
  /** The TTL it was written with. */
  readonly ttlMs: number;
  readonly bus: BusHealth;
}

export interface DaemonStatus {
  /** True while the daemon's heartbeat has not expired. */
  readonly up: boolean;
  /** Age of the last heartbeat seen, or null when none was ever seen. */
  readonly heartbeatAgeMs: number | null;
  /** The last heartbeat seen (kept after it expires), or null. */
  readonly info: HeartbeatRecord | null;
  /** Why `up` is false. */
  readonly reason?: 'no_heartbeat' | 'expired' | 'bus_unavailable';
}

/** One snapshot section as the API reads it. */
export interface StateEntry {
  readonly section: Section;
  /** Exactly what the daemon put (JSON round-tripped). */
  readonly value: unknown;
  /** Epoch ms (daemon clock) it was put. */
  readonly updatedAt: number;
  /** True when served from the API's cache because the backend is unreachable. */
  readonly cached: boolean;
}

export interface SendCommandOptions {
  /** How long to wait for the acknowledgement. */
  readonly timeoutMs: number;
}

/** Counters for metrics and health; all monotonic except the booleans and lists. */
export interface BusStats {
  readonly kind: 'memory' | 'redis';
  readonly connected: boolean;
  readonly degraded: readonly string[];
  readonly statePuts: number;
  readonly stateRejected: number;
  readonly stateWriteErrors: number;
  readonly telemetryPublished: number;
  readonly telemetryDropped: number;
  readonly telemetryReceived: number;
  readonly telemetryDecodeErrors: number;
  readonly subscriberErrors: number;
  readonly commandsHandled: number;
  readonly commandsDeduplicated: number;
  readonly commandsMalformed: number;
  /** Acks and heartbeat records read from the backend and refused: undecodable, or not the shape they must have. */
  readonly recordsMalformed: number;
  readonly commandsSent: number;
  readonly commandTimeouts: number;
  readonly heartbeats: number;
  readonly outages: number;
  readonly reconnects: number;
}

export type TelemetryListener = (msg: unknown, topic: Topic) => void;

/** The daemon's half. Nothing here throws into trading code. */
export interface DaemonSide {
  /** Stores the latest snapshot of a section (JSON-able; a value that is not is rejected and counted). */
  putState(section: Section, value: unknown): void;
  /** Live telemetry; dropped (and counted) when the backend is unreachable. */
  publish(topic: Topic, msg: unknown): void;
  /** Writes the heartbeat with the bus's TTL. Call it every TTL/3 or so (see `startHeartbeat`). */
  heartbeat(info: HeartbeatInfo): void;
  /** Registers the command handler (one at a time); returns a function that unregisters it. */
  onCommand(handler: CommandHandler): () => void;
  /** Conditions the bus itself is degraded by (e.g. ['redis']); empty when healthy. */
  degraded(): readonly string[];
  /**
   * Mirrors a durable state record (its encoded text, sequence number inside)
   * so a daemon on a wiped disk can take it back. Redis only; re-put after a
   * reconnect. See app/daemon/state-mirror.ts.
   */
  mirrorRecord?(name: string, text: string): void;
  /** The mirrored records by name (Redis only). */
  readRecords?(timeoutMs: number): Promise<ReadonlyMap<string, string>>;
}

/** The API's half. */
export interface ApiSide {
  /** The latest snapshot of a section, or null when the daemon never put one. */
  getState(section: Section): Promise<StateEntry | null>;
  /** Telemetry for one topic; returns a function that unsubscribes. */
  subscribe(topic: Topic, listener: TelemetryListener): () => void;
  /**
   * Delivers a command to the daemon and waits for its ack. Rejects with
   * DaemonDownError (not sent), CommandTimeoutError (no ack in time) or
   * BusUnavailableError; an ack with ok=false resolves normally.
   */
  sendCommand(cmd: OperatorCommand, options: SendCommandOptions): Promise<CommandAck>;
  daemonStatus(): Promise<DaemonStatus>;
}

export interface StateBus extends DaemonSide, ApiSide {
  readonly kind: 'memory' | 'redis';
  stats(): BusStats;
  health(): BusHealth;
  close(): Promise<void>;
}

/** Calls `bus.heartbeat(info())` now and every `intervalMs`; returns a stop function. */
export function startHeartbeat(bus: Pick<DaemonSide, 'heartbeat'>, info: () => HeartbeatInfo, intervalMs: number): () => void {
  const beat = (): void => {
    try {
      bus.heartbeat(info());
    } catch {
      // heartbeat() never throws; info() is the caller's and a failure there must not kill the timer.
    }
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
