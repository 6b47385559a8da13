/**
 * The state bus inside one process (`npm start`): daemon and gateway share it
 * directly, no Redis. Snapshots are stored as JSON text so the API side gets
 * exactly what RedisBus would give it (a copy, JSON round-tripped) and a
 * daemon that mutates an object after putting it cannot change what was put.
 */
import type {
  BusHealth,
  BusStats,
  DaemonStatus,
  HeartbeatInfo,
  HeartbeatRecord,
  SendCommandOptions,
  StateBus,
  StateEntry,
  TelemetryListener,
} from './bus.js';
import { errorAck, validateCommand, type CommandAck, type CommandHandler, type OperatorCommand } from './commands.js';
import { CommandTimeoutError, DaemonDownError, InvalidCommandError } from './errors.js';
import { TOPICS, type Section, type Topic } from './sections.js';
import { BoundedMap, newCounters, toJson } from './stats.js';

export interface InMemoryBusOptions {
  /** How long a heartbeat keeps the daemon "up". Default 5000 ms. */
  readonly heartbeatTtlMs?: number;
  /** Clock (epoch ms); injected by tests. */
  readonly now?: () => number;
  /** Acks remembered for idempotent repeats. Default 1000. */
  readonly ackMemory?: number;
}

export class InMemoryBus implements StateBus {
  readonly kind = 'memory' as const;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly state = new Map<Section, { json: string; at: number }>();
  private readonly listeners = new Map<Topic, Set<TelemetryListener>>(TOPICS.map((t) => [t, new Set()]));
  private readonly acks: BoundedMap<string, Promise<CommandAck>>;
  private readonly counters = newCounters();
  private handler: CommandHandler | null = null;
  private beat: HeartbeatRecord | null = null;

  constructor(options: InMemoryBusOptions = {}) {
    this.ttlMs = options.heartbeatTtlMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.acks = new BoundedMap(options.ackMemory ?? 1000);
  }

  // ---- daemon side ------------------------------------------------------

  putState(section: Section, value: unknown): void {
    const json = toJson(value);
    if (json === null) {
      this.counters.stateRejected++;
      return;
    }
    this.state.set(section, { json, at: this.now() });
    this.counters.statePuts++;
  }

  publish(topic: Topic, msg: unknown): void {
    const set = this.listeners.get(topic);
    if (!set) {
      this.counters.telemetryDropped++;
      return;
    }
    this.counters.telemetryPublished++;
    for (const l of set) {
      this.counters.telemetryReceived++;
      try {
        l(msg, topic);
      } catch {
        // A failing subscriber (the gateway) must not throw into the publisher (trading code).
        this.counters.subscriberErrors++;
      }
    }
  }

  heartbeat(info: HeartbeatInfo): void {
    this.beat = { ...info, degraded: [...info.degraded], at: this.now(), ttlMs: this.ttlMs, bus: this.health() };
    this.counters.heartbeats++;
  }

  onCommand(handler: CommandHandler): () => void {
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = null;
    };
  }

  degraded(): readonly string[] {
    return [];
  }

  // ---- API side ---------------------------------------------------------

  async getState(section: Section): Promise<StateEntry | null> {
    const s = this.state.get(section);
    return s ? { section, value: JSON.parse(s.json) as unknown, updatedAt: s.at, cached: false } : null;
  }

  subscribe(topic: Topic, listener: TelemetryListener): () => void {
    const set = this.listeners.get(topic);
    if (!set) throw new RangeError(`unknown topic ${String(topic)}`);
    set.add(listener);
    return () => set.delete(listener);
  }

  async sendCommand(cmd: OperatorCommand, options: SendCommandOptions): Promise<CommandAck> {
    const check = validateCommand(cmd);
    if (!check.ok) throw new InvalidCommandError(check.violations);
    const earlier = this.acks.get(cmd.id);
    if (earlier) {
      this.counters.commandsDeduplicated++;
      return earlier;
    }
    const status = await this.daemonStatus();
    if (!status.up || !this.handler) throw new DaemonDownError(this.handler ? 'heartbeat expired' : 'no command handler registered');
    this.counters.commandsSent++;
    const handler = this.handler;
    // Copy so the handler sees plain data it may keep, as it would from Redis.
    const copy = JSON.parse(JSON.stringify(cmd)) as OperatorCommand;
    const run = (async (): Promise<CommandAck> => {
      try {
        return await handler(copy);
      } catch (err) {
        return errorAck(cmd.id, (err as { code?: string }).code ?? 'QGTM_ERR_COMMAND_FAILED', (err as Error).message ?? String(err));
      } finally {
        this.counters.commandsHandled++;
      }
    })();
    this.acks.set(cmd.id, run);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.counters.commandTimeouts++;
        // In one process the handler already has it: delivered, outcome unknown.
        reject(new CommandTimeoutError(cmd.id, options.timeoutMs, true));
      }, options.timeoutMs);
    });
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async daemonStatus(): Promise<DaemonStatus> {
    const b = this.beat;
    if (!b) return { up: false, heartbeatAgeMs: null, info: null, reason: 'no_heartbeat' };
    const age = Math.max(0, this.now() - b.at);
    return age <= b.ttlMs ? { up: true, heartbeatAgeMs: age, info: b } : { up: false, heartbeatAgeMs: age, info: b, reason: 'expired' };
  }

  // ---- both -------------------------------------------------------------

  health(): BusHealth {
    return {
      kind: 'memory',
      connected: true,
      degraded: [],
      outages: 0,
      lastOutageStartedAt: null,
      lastOutageEndedAt: null,
      telemetryDropped: this.counters.telemetryDropped,
    };
  }

  stats(): BusStats {
    return { kind: 'memory', connected: true, degraded: [], ...this.counters };
  }

  async close(): Promise<void> {
    this.handler = null;
    for (const set of this.listeners.values()) set.clear();
  }
}
