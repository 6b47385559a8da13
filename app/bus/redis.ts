/**
 * The state bus over Redis (ioredis), joining `qgtm daemon` and `qgtm api`.
 *
 * Keys, under a prefix (default `qgtm:`):
 *
 * | key | what |
 * |---|---|
 * | `state:<section>` | latest snapshot, `{"at":ms,"value":...}` |
 * | `telemetry:<topic>` | pub/sub channel, one JSON message per publish |
 * | `daemon:heartbeat` | HeartbeatRecord, SET with PX = TTL (gone = daemon down) |
 * | `daemon:last` | the same record without TTL (what the API shows once it expired) |
 * | `cmd:queue` | list of `{"cmd":...,"expiresAt":ms}`; API LPUSHes, daemon BLMOVEs |
 * | `cmd:processing` | commands the daemon has taken but not yet acknowledged |
 * | `cmd:ack:<id>` | the ack, kept an hour: a repeat of the id gets it without re-running |
 * | `cmd:acks` | pub/sub channel the acks are announced on |
 *
 * The daemon side never throws and never waits on Redis: it keeps the latest
 * value of every section and heartbeat locally, writes through when connected,
 * and re-puts everything when the connection comes back (Redis may have
 * restarted empty). Telemetry during an outage is dropped and counted; it is
 * live data and stale ticks would mislead more than help.
 *
 * Commands survive a daemon crash between BLMOVE and the ack: on every
 * (re)connect the daemon first re-handles what is left in `cmd:processing`,
 * idempotently by id. A command the API gave up on is withdrawn with LREM;
 * if the daemon already took it, it still runs unless past `expiresAt`.
 */
import { Redis, type RedisOptions } from 'ioredis';
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
import { errorAck, isCommandAck, validateCommand, type CommandAck, type CommandHandler, type OperatorCommand } from './commands.js';
import { BusUnavailableError, CommandTimeoutError, DaemonDownError, InvalidCommandError } from './errors.js';
import { isTopic, type Section, type Topic } from './sections.js';
import { BoundedMap, newCounters, toJson } from './stats.js';
import { parseJsonBounded } from '../../src/runtime/untrusted.js';

export interface RedisBusOptions {
  /** `redis://[:password@]host:port[/db]`. */
  readonly url: string;
  /** Key and channel prefix. Default `qgtm:`. */
  readonly prefix?: string;
  /** Heartbeat TTL. Default 5000 ms. */
  readonly heartbeatTtlMs?: number;
  /** How long acks are kept for idempotent repeats. Default 3600 s. */
  readonly ackTtlSec?: number;
  /** Longest a command handler may take before its ack says it timed out. Default 10 000 ms. */
  readonly handlerTimeoutMs?: number;
  /** Clock (epoch ms). */
  readonly now?: () => number;
  /** Longest wait between reconnection attempts. Default 1000 ms. */
  readonly maxRetryDelayMs?: number;
}

interface QueuedCommand {
  readonly cmd: unknown;
  readonly expiresAt: number;
}

type Waiter = (ack: CommandAck) => void;

export class RedisBus implements StateBus {
  readonly kind = 'redis' as const;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly ackTtlSec: number;
  private readonly handlerTimeoutMs: number;
  private readonly now: () => number;
  private readonly url: string;
  private readonly redisOptions: RedisOptions;
  private readonly main: Redis;
  private sub: Redis | null = null;
  private block: Redis | null = null;
  private readonly counters = newCounters();
  private closed = false;

  // daemon side
  private readonly local = new Map<Section, string>();
  private readonly records = new Map<string, string>();
  private lastInfo: HeartbeatInfo | null = null;
  private handler: CommandHandler | null = null;
  private loopRunning = false;
  private readonly doneAcks = new BoundedMap<string, CommandAck>(1000);
  private everConnected = false;
  private connected = false;
  private resyncing = false;
  private outageStartedAt: number | null = null;
  private outageEndedAt: number | null = null;

  // API side
  private readonly listeners = new Map<Topic, Set<TelemetryListener>>();
  private readonly waiters = new Map<string, Waiter[]>();
  private acksSubscribed: Promise<unknown> | null = null;
  private readonly cache = new Map<Section, StateEntry>();
  private lastSeen: HeartbeatRecord | null = null;

  constructor(options: RedisBusOptions) {
    this.prefix = options.prefix ?? 'qgtm:';
    this.ttlMs = options.heartbeatTtlMs ?? 5000;
    this.ackTtlSec = options.ackTtlSec ?? 3600;
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? 10_000;
    this.url = options.url;
    this.now = options.now ?? Date.now;
    const maxDelay = options.maxRetryDelayMs ?? 1000;
    this.redisOptions = {
      // Fail fast while disconnected instead of queueing: the daemon keeps
      // its own latest state and re-puts it, the API answers from its cache.
      enableOfflineQueue: false,
      // Commands in flight when a connection drops are sent again once it is
      // back (ioredis's default). With `false`, ioredis forgets them on a
      // reconnect at the first try without ever settling their promises: the
      // daemon's BLMOVE would wait for good and no operator command would be
      // taken again. Every command here is safe to repeat (commands carry
      // ids and are deduplicated by their acks; puts and publishes repeat).
      autoResendUnfulfilledCommands: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (times: number) => Math.min(50 * times, maxDelay),
    };
    this.main = this.connect(options.url, this.redisOptions);
    this.main.on('ready', () => this.onReady());
    this.main.on('close', () => this.onDown());
  }

  private connect(url: string, opts: RedisOptions): Redis {
    const r = new Redis(url, opts);
    // Without a listener ioredis prints every connection error; they are expected during outages.
    r.on('error', () => undefined);
    return r;
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** Resolves true once connected, false if `timeoutMs` passes first. Never rejects. */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.main.status === 'ready') return true;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.main.off('ready', ok);
        resolve(false);
      }, timeoutMs);
      const ok = (): void => {
        clearTimeout(t);
        resolve(true);
      };
      this.main.once('ready', ok);
    });
  }

  private isReady(): boolean {
    return !this.closed && this.main.status === 'ready';
  }

  private onReady(): void {
    if (this.everConnected) this.counters.reconnects++;
    this.everConnected = true;
    this.connected = true;
    if (this.outageStartedAt !== null) this.outageEndedAt = this.now();
    this.resync();
  }

  private onDown(): void {
    if (!this.connected) return;
    this.connected = false;
    this.counters.outages++;
    this.outageStartedAt = this.now();
    this.outageEndedAt = null;
  }

  /** Re-puts every section and the heartbeat after a (re)connect, in one pipeline. */
  private resync(): void {
    if (this.local.size === 0 && this.records.size === 0 && !this.lastInfo) return;
    this.resyncing = true;
    const p = this.main.pipeline();
    for (const [section, record] of this.local) p.set(this.key('state', section), record);
    for (const [name, text] of this.records) p.set(this.key('record', name), text);
    if (this.lastInfo) this.appendHeartbeat(p, this.lastInfo);
    p.exec()
      .catch(() => {
        this.counters.stateWriteErrors++;
      })
      .finally(() => {
        this.resyncing = false;
      });
  }

  // ---- daemon side ------------------------------------------------------

  putState(section: Section, value: unknown): void {
    const json = toJson(value);
    if (json === null) {
      this.counters.stateRejected++;
      return;
    }
    const record = `{"at":${this.now()},"value":${json}}`;
    this.local.set(section, record);
    this.counters.statePuts++;
    if (!this.isReady()) return;
    this.main.set(this.key('state', section), record).catch(() => {
      this.counters.stateWriteErrors++;
    });
  }

  /**
   * Puts a durable record and resolves once Redis has it (a cluster node
   * does this before it answers an operator's command: the decision must
   * outlive the node's disk). Rejects when Redis is unreachable.
   */
  async putRecord(name: string, text: string): Promise<void> {
    this.records.set(name, text);
    await this.main.set(this.key('record', name), text);
  }

  mirrorRecord(name: string, text: string): void {
    this.records.set(name, text);
    if (!this.isReady()) return;
    this.main.set(this.key('record', name), text).catch(() => {
      this.counters.stateWriteErrors++;
    });
  }

  async readRecords(timeoutMs: number): Promise<ReadonlyMap<string, string>> {
    const out = new Map<string, string>();
    const read = async (): Promise<void> => {
      const pattern = this.key('record', '*');
      let cursor = '0';
      const keys: string[] = [];
      do {
        const [next, batch] = await this.main.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0' && keys.length < 10_000);
      if (keys.length === 0) return;
      const values = await this.main.mget(...keys);
      const head = this.key('record', '');
      keys.forEach((k, i) => {
        const v = values[i];
        if (typeof v === 'string') out.set(k.slice(head.length), v);
      });
    };
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([read(), new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from Redis in ${timeoutMs} ms`)), timeoutMs)))]).finally(() => clearTimeout(timer));
    return out;
  }

  publish(topic: Topic, msg: unknown): void {
    const json = this.isReady() && isTopic(topic) ? toJson(msg) : null;
    if (json === null) {
      this.counters.telemetryDropped++;
      return;
    }
    this.counters.telemetryPublished++;
    this.main.publish(this.key('telemetry', topic), json).catch(() => {
      this.counters.telemetryDropped++;
    });
  }

  heartbeat(info: HeartbeatInfo): void {
    this.lastInfo = info;
    this.counters.heartbeats++;
    if (!this.isReady()) return;
    const p = this.main.pipeline();
    this.appendHeartbeat(p, info);
    p.exec().catch(() => {
      this.counters.stateWriteErrors++;
    });
  }

  private appendHeartbeat(p: ReturnType<Redis['pipeline']>, info: HeartbeatInfo): void {
    // Not 'redis_resync': this record goes out on the connection that carries the resync, after
    // it, so whoever reads it reads the resynced state (a heartbeat inside or just after the
    // resync pipeline would otherwise say so until the next one, long after it ended).
    const degraded = [...new Set([...info.degraded, ...this.degraded().filter((d) => d !== 'redis_resync')])];
    const record: HeartbeatRecord = { ...info, degraded, at: this.now(), ttlMs: this.ttlMs, bus: this.health() };
    const json = toJson(record) ?? '{}';
    p.set(this.key('daemon', 'heartbeat'), json, 'PX', this.ttlMs);
    p.set(this.key('daemon', 'last'), json);
  }

  onCommand(handler: CommandHandler): () => void {
    this.handler = handler;
    if (!this.loopRunning) {
      this.loopRunning = true;
      void this.commandLoop().finally(() => {
        this.loopRunning = false;
      });
    }
    return () => {
      if (this.handler === handler) this.handler = null;
    };
  }

  degraded(): readonly string[] {
    if (!this.connected) return ['redis'];
    return this.resyncing ? ['redis_resync'] : [];
  }

  /**
   * Takes commands one at a time on a dedicated connection (BLMOVE blocks it).
   * After each (re)connect it first drains `cmd:processing`: those were taken
   * by an earlier incarnation (or before an outage) and never acknowledged.
   */
  private async commandLoop(): Promise<void> {
    const block = (this.block ??= this.connect(this.url, this.redisOptions));
    const queue = this.key('cmd', 'queue');
    const processing = this.key('cmd', 'processing');
    let recovered = false;
    block.on('close', () => {
      recovered = false;
    });
    while (!this.closed && this.handler) {
      if (block.status !== 'ready') {
        await waitFor(block, 'ready');
        continue;
      }
      try {
        if (!recovered) {
          const left = await block.lrange(processing, 0, -1);
          for (const raw of left.reverse()) await this.handleRaw(raw);
          recovered = true;
        }
        const raw = await block.blmove(queue, processing, 'RIGHT', 'LEFT', 2);
        if (raw !== null) await this.handleRaw(raw);
      } catch {
        // Connection lost mid-call: the loop waits for 'ready' and recovers.
      }
    }
  }

  private async handleRaw(raw: string): Promise<void> {
    let env: QueuedCommand | null = null;
    env = (safeParse(raw, COMMAND_BOUNDS) as QueuedCommand | undefined) ?? null;
    const id = env && typeof env.cmd === 'object' && env.cmd !== null ? (env.cmd as { id?: unknown }).id : undefined;
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) {
      // No id to answer to: drop it from processing, count it.
      this.counters.commandsMalformed++;
      await this.main.lrem(this.key('cmd', 'processing'), 1, raw).catch(() => undefined);
      return;
    }
    let ack = this.doneAcks.get(id) ?? null;
    if (!ack) {
      const stored = await this.main.get(this.key('cmd', 'ack', id));
      ack = stored ? this.ackOf(stored) : null;
    }
    if (ack) {
      this.counters.commandsDeduplicated++;
    } else {
      ack = await this.execute(id, env!);
      this.doneAcks.set(id, ack);
    }
    const p = this.main.pipeline();
    p.set(this.key('cmd', 'ack', id), JSON.stringify(ack), 'EX', this.ackTtlSec);
    p.publish(this.key('cmd', 'acks'), JSON.stringify(ack));
    p.lrem(this.key('cmd', 'processing'), 1, raw);
    // If this fails the item stays in processing and the ack in doneAcks: the next recovery finishes it.
    await p.exec();
  }

  private async execute(id: string, env: QueuedCommand): Promise<CommandAck> {
    const check = validateCommand(env.cmd);
    if (!check.ok) return errorAck(id, 'QGTM_ERR_INVALID_COMMAND', check.violations.join('; '));
    if (typeof env.expiresAt === 'number' && this.now() > env.expiresAt) {
      return errorAck(id, 'QGTM_ERR_COMMAND_EXPIRED', 'the command arrived after its sender stopped waiting; not executed');
    }
    const handler = this.handler;
    if (!handler) return errorAck(id, 'QGTM_ERR_NO_HANDLER', 'the daemon has no command handler');
    this.counters.commandsHandled++;
    let timer: NodeJS.Timeout | undefined;
    try {
      const ack = await Promise.race([
        handler(check.command),
        new Promise<CommandAck>((resolve) => {
          timer = setTimeout(
            () => resolve(errorAck(id, 'QGTM_ERR_HANDLER_TIMEOUT', `the daemon did not finish the command within ${this.handlerTimeoutMs} ms`)),
            this.handlerTimeoutMs,
          );
        }),
      ]);
      if (!isCommandAck(ack) || ack.id !== id) return errorAck(id, 'QGTM_ERR_BAD_ACK', 'the command handler returned a malformed ack');
      return toJson(ack) === null ? errorAck(id, 'QGTM_ERR_BAD_ACK', 'the ack is not JSON-able') : ack;
    } catch (err) {
      return errorAck(id, (err as { code?: string }).code ?? 'QGTM_ERR_COMMAND_FAILED', (err as Error)?.message ?? String(err));
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- API side ---------------------------------------------------------

  async getState(section: Section): Promise<StateEntry | null> {
    const fromCache = (err?: unknown): StateEntry => {
      const c = this.cache.get(section);
      if (c) return { ...c, cached: true };
      throw new BusUnavailableError(`cannot read ${section} from Redis and nothing is cached`, { cause: err });
    };
    if (!this.isReady()) return fromCache();
    let raw: string | null;
    try {
      raw = await this.main.get(this.key('state', section));
    } catch (err) {
      return fromCache(err);
    }
    if (raw === null) return null;
    const rec = safeParse(raw) as { at?: unknown; value?: unknown } | null;
    if (!rec || typeof rec.at !== 'number') {
      this.counters.telemetryDecodeErrors++;
      return null;
    }
    const entry: StateEntry = { section, value: rec.value ?? null, updatedAt: rec.at, cached: false };
    this.cache.set(section, entry);
    return entry;
  }

  subscribe(topic: Topic, listener: TelemetryListener): () => void {
    if (!isTopic(topic)) throw new RangeError(`unknown topic ${String(topic)}`);
    const sub = this.subscriber();
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
      sub.subscribe(this.key('telemetry', topic)).catch(() => {
        this.counters.subscriberErrors++;
      });
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(topic) === set) {
        this.listeners.delete(topic);
        sub.unsubscribe(this.key('telemetry', topic)).catch(() => undefined);
      }
    };
  }

  private subscriber(): Redis {
    if (this.sub) return this.sub;
    // The subscriber connection queues while offline. It resubscribes after a reconnect itself, not through
    // ioredis's autoResubscribe: that one's SUBSCRIBE has no handler, so a connection that closes while it is
    // in flight (Redis gone again, or close()) makes an unhandled rejection ("Connection is closed.").
    const sub = this.connect(this.url, { ...this.redisOptions, enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: false });
    const telemetryPrefix = this.key('telemetry', '');
    const acks = this.key('cmd', 'acks');
    let connectedBefore = false;
    sub.on('ready', () => {
      // The first connect sends what was queued while connecting; every later one starts with no subscription.
      if (!connectedBefore) {
        connectedBefore = true;
        return;
      }
      const channels = [...this.listeners.keys()].map((t) => this.key('telemetry', t));
      if (this.acksSubscribed) channels.push(acks);
      if (channels.length > 0) {
        sub.subscribe(...channels).catch(() => {
          this.counters.subscriberErrors++;
        });
      }
    });
    sub.on('message', (channel: string, message: string) => {
      if (channel === acks) {
        const ack = safeParse(message);
        if (!isCommandAck(ack)) {
          this.counters.recordsMalformed++;
          return;
        }
        const ws = this.waiters.get(ack.id);
        if (!ws) return;
        this.waiters.delete(ack.id);
        for (const w of ws) w(ack);
        return;
      }
      if (!channel.startsWith(telemetryPrefix)) return;
      const topic = channel.slice(telemetryPrefix.length) as Topic;
      const set = this.listeners.get(topic);
      if (!set) return;
      const msg = safeParse(message);
      if (msg === undefined) {
        this.counters.telemetryDecodeErrors++;
        return;
      }
      for (const l of set) {
        this.counters.telemetryReceived++;
        try {
          l(msg, topic);
        } catch {
          this.counters.subscriberErrors++;
        }
      }
    });
    this.sub = sub;
    return sub;
  }

  async sendCommand(cmd: OperatorCommand, options: SendCommandOptions): Promise<CommandAck> {
    const check = validateCommand(cmd);
    if (!check.ok) throw new InvalidCommandError(check.violations);
    const status = await this.daemonStatus();
    if (status.reason === 'bus_unavailable') throw new BusUnavailableError('Redis is not connected');
    if (!status.up) throw new DaemonDownError(status.reason === 'expired' ? `heartbeat expired ${status.heartbeatAgeMs} ms ago` : 'no heartbeat seen');
    const ackKey = this.key('cmd', 'ack', cmd.id);
    try {
      const stored = await this.main.get(ackKey);
      const earlier = stored === null ? null : this.ackOf(stored);
      if (earlier) {
        this.counters.commandsDeduplicated++;
        return earlier;
      }
      // Subscribe before pushing, so an ack cannot slip past between the two.
      const sub = this.subscriber();
      this.acksSubscribed ??= sub.subscribe(this.key('cmd', 'acks')).catch((err: unknown) => {
        this.acksSubscribed = null;
        throw err;
      });
      await this.acksSubscribed;
    } catch (err) {
      throw new BusUnavailableError('Redis failed while sending a command', { cause: err });
    }
    const raw = JSON.stringify({ cmd, expiresAt: this.now() + options.timeoutMs } satisfies QueuedCommand);
    let resolveAck!: Waiter;
    const acked = new Promise<CommandAck>((r) => (resolveAck = r));
    const list = this.waiters.get(cmd.id) ?? [];
    list.push(resolveAck);
    this.waiters.set(cmd.id, list);
    const forget = (): void => {
      const ws = this.waiters.get(cmd.id)?.filter((w) => w !== resolveAck) ?? [];
      if (ws.length > 0) this.waiters.set(cmd.id, ws);
      else this.waiters.delete(cmd.id);
    };
    try {
      await this.main.lpush(this.key('cmd', 'queue'), raw);
    } catch (err) {
      forget();
      throw new BusUnavailableError('Redis failed while queueing a command', { cause: err });
    }
    this.counters.commandsSent++;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), options.timeoutMs);
    });
    const first = await Promise.race([acked, timedOut]);
    clearTimeout(timer);
    if (first !== 'timeout') return first;
    forget();
    this.counters.commandTimeouts++;
    const removed = await this.main.lrem(this.key('cmd', 'queue'), 1, raw).catch(() => 0);
    if (removed > 0) throw new CommandTimeoutError(cmd.id, options.timeoutMs, false);
    const lateText = await this.main.get(ackKey).catch(() => null);
    const late = lateText === null ? null : this.ackOf(lateText);
    if (late) return late;
    throw new CommandTimeoutError(cmd.id, options.timeoutMs, true);
  }

  async daemonStatus(): Promise<DaemonStatus> {
    const unavailable = (): DaemonStatus => ({
      up: false,
      heartbeatAgeMs: this.lastSeen ? Math.max(0, this.now() - this.lastSeen.at) : null,
      info: this.lastSeen,
      reason: 'bus_unavailable',
    });
    if (!this.isReady()) return unavailable();
    let res: [Error | null, unknown][] | null;
    try {
      res = await this.main.pipeline().get(this.key('daemon', 'heartbeat')).pttl(this.key('daemon', 'heartbeat')).get(this.key('daemon', 'last')).exec();
    } catch {
      return unavailable();
    }
    if (!res || res.some(([err]) => err)) return unavailable();
    const beat = this.heartbeatOf(res[0][1] as string | null);
    const pttl = res[1][1] as number;
    const last = this.heartbeatOf(res[2][1] as string | null);
    if (beat && pttl > 0) {
      this.lastSeen = beat;
      // Age from the TTL left, so clocks of the two processes need not agree.
      return { up: true, heartbeatAgeMs: Math.max(0, (beat.ttlMs ?? this.ttlMs) - pttl), info: beat };
    }
    const seen = last ?? this.lastSeen;
    if (!seen) return { up: false, heartbeatAgeMs: null, info: null, reason: 'no_heartbeat' };
    this.lastSeen = seen;
    return { up: false, heartbeatAgeMs: Math.max(0, this.now() - seen.at), info: seen, reason: 'expired' };
  }

  /** A stored ack, or null (counted) when what Redis holds is not one. */
  private ackOf(text: string): CommandAck | null {
    const ack = safeParse(text);
    if (isCommandAck(ack)) return ack;
    this.counters.recordsMalformed++;
    return null;
  }

  /** A heartbeat record, null when there is none, and null (counted) when what Redis holds is not one. */
  private heartbeatOf(text: string | null): HeartbeatRecord | null {
    if (text === null) return null;
    const beat = safeParse(text) as HeartbeatRecord | undefined;
    if (beat !== null && typeof beat === 'object' && typeof beat.at === 'number' && Number.isFinite(beat.at)) return beat;
    this.counters.recordsMalformed++;
    return null;
  }

  // ---- both -------------------------------------------------------------

  health(): BusHealth {
    return {
      kind: 'redis',
      connected: this.connected,
      degraded: this.degraded(),
      outages: this.counters.outages,
      lastOutageStartedAt: this.outageStartedAt,
      lastOutageEndedAt: this.outageEndedAt,
      telemetryDropped: this.counters.telemetryDropped,
    };
  }

  stats(): BusStats {
    return { kind: 'redis', connected: this.connected, degraded: this.degraded(), ...this.counters };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handler = null;
    for (const ws of this.waiters.values()) ws.length = 0;
    this.waiters.clear();
    const conns = [this.main, this.sub, this.block].filter((c): c is Redis => c !== null);
    // disconnect() rather than quit(): quit waits for a reply that never comes while Redis is down.
    for (const c of conns) c.disconnect();
  }
}

/** Redis holds what another process wrote: parsed with depth, size and prototype-key bounds; undefined when refused. */
const REDIS_BOUNDS = { maxDepth: 64, maxBytes: 16 * 1024 * 1024 };
/** Commands are flat records in a small envelope. */
const COMMAND_BOUNDS = { maxDepth: 8, maxBytes: 256 * 1024 };

function safeParse(s: string, bounds = REDIS_BOUNDS): unknown {
  try {
    return parseJsonBounded(s, bounds);
  } catch {
    return undefined;
  }
}

function waitFor(conn: Redis, event: 'ready'): Promise<void> {
  return new Promise((resolve) => {
    if (conn.status === event) return resolve();
    const done = (): void => {
      conn.off(event, done);
      conn.off('end', done);
      resolve();
    };
    conn.once(event, done);
    // 'end' means ioredis gave up (or we closed): stop waiting.
    conn.once('end', done);
  });
}
