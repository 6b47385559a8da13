/**
 * The page's state: REST snapshots (polled for the sections on screen),
 * live telemetry from /ws laid over them, and when each was received, so
 * every view can tell live data from stale data.
 *
 * The rule the page follows: data is live only while the telemetry socket is
 * open, the answer is recent, the gateway did not mark it stale and (for
 * daemon data) the daemon is up. Otherwise it is shown greyed with its age.
 * While the socket is down polling stops (the gateway is most likely down
 * too) and on reconnect every section is fetched afresh.
 */
import {
  TelemetrySocket,
  fetchSection,
  normaliseFill,
  normaliseHealth,
  normaliseOrder,
  normaliseReport,
  normaliseRisk,
  normaliseSignals,
  normaliseTicks,
  normaliseTierChange,
  type FillVM,
  type HealthVM,
  type OrderVM,
  type ReportVM,
  type RiskVM,
  type Section,
  type SignalVM,
  type SocketState,
  type TickVM,
  type TierChangeVM,
  type Topic,
  SECTIONS,
  TOPICS,
} from './api/index.js';
import { Telemetry } from './telemetry.js';

export const POLL_MS = 2000;
/** A polled section older than this is stale (three missed polls). */
export const MAX_AGE_MS = 6500;
/** A live-only value (tick, telemetry) older than this is stale. */
export const LIVE_MAX_AGE_MS = 10_000;
/** How long stream overlays outlive the snapshot that should contain them. */
const OVERLAY_KEEP_MS = 30_000;
const MIN_RENDER_MS = 100;

export type Liveness = 'live' | 'stale' | 'nodata' | 'error';

export interface Slot {
  /** The unwrapped REST value. */
  value: unknown;
  receivedAt: number | null;
  updatedAt: number | null;
  serverStale: boolean;
  error: string | null;
  /** Bumps on every change, so views can skip work. */
  version: number;
}

export interface Timed<T> {
  readonly v: T;
  readonly receivedAt: number;
}

type Listener = () => void;

/** Stream overlays kept at most (a daemon that never puts a snapshot must not grow the page without bound). */
const MAX_OVERLAY = 500;

/** Sets a key as the newest entry of a map, dropping the oldest past MAX_OVERLAY. */
function capped<T>(m: Map<string, T>, key: string, value: T): void {
  m.delete(key);
  m.set(key, value);
  if (m.size > MAX_OVERLAY) m.delete(m.keys().next().value!);
}

const newSlot = (): Slot => ({ value: null, receivedAt: null, updatedAt: null, serverStale: false, error: null, version: 0 });

export class Store {
  readonly slots: Record<Section, Slot> = Object.fromEntries(SECTIONS.map((s) => [s, newSlot()])) as Record<Section, Slot>;
  readonly socket: TelemetrySocket;
  readonly telemetry = new Telemetry();

  /** Latest `health` telemetry message. */
  healthLive: Timed<unknown> | null = null;
  readonly ticks = new Map<string, Timed<TickVM>>();
  readonly signals = new Map<string, Timed<SignalVM>>();
  /** Order updates and fills from the stream since the last REST snapshot. */
  readonly liveOrders = new Map<string, Timed<OrderVM>>();
  readonly liveFills = new Map<string, Timed<FillVM>>();
  /** Supervisor reports from the stream, newest first. */
  reports: Timed<ReportVM>[] = [];
  riskLive: Timed<RiskVM> | null = null;
  riskChanges: Timed<TierChangeVM>[] = [];
  /** Messages received per topic (for the stream-rate fallback and the footer). */
  readonly topicCounts: Record<Topic, number> = Object.fromEntries(TOPICS.map((t) => [t, 0])) as Record<Topic, number>;

  focus: 'pm' | 'broad' = 'pm';
  private active: readonly Section[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly reportListeners = new Set<(r: ReportVM) => void>();
  private readonly researchListeners = new Set<(e: unknown) => void>();
  private pending = false;
  private lastNotify = 0;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private inFlight = new Set<Section>();

  constructor() {
    this.socket = new TelemetrySocket(TOPICS, {
      onState: (s) => this.onSocketState(s),
      onMessage: (topic, data) => this.onTelemetry(topic, data),
    });
  }

  start(): void {
    this.socket.start();
    this.pollTimer = setInterval(() => this.poll(), POLL_MS);
    void this.refresh(SECTIONS);
  }

  stop(): void {
    this.socket.stop();
    if (this.pollTimer) clearInterval(this.pollTimer);
  }

  /** The sections the visible view needs; health and risk are always polled (header). */
  setActive(sections: readonly Section[]): void {
    this.active = sections;
    void this.refresh(sections);
  }

  setFocus(focus: 'pm' | 'broad'): void {
    if (focus === this.focus) return;
    this.focus = focus;
    this.slots.universe = { ...newSlot(), version: this.slots.universe.version + 1 };
    this.changed();
    void this.refresh(['universe']);
  }

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** `research` topic messages (back-test and sweep progress and status), raw. */
  onResearch(fn: (e: unknown) => void): () => void {
    this.researchListeners.add(fn);
    return () => this.researchListeners.delete(fn);
  }

  onReport(fn: (r: ReportVM) => void): () => void {
    this.reportListeners.add(fn);
    return () => this.reportListeners.delete(fn);
  }

  /**
   * Coalesces change notifications into one render per animation frame, at
   * most ten a second: a busy tick stream must not turn into 60 table
   * rebuilds a second.
   */
  changed(): void {
    if (this.pending) return;
    this.pending = true;
    const wait = Math.max(0, MIN_RENDER_MS - (Date.now() - this.lastNotify));
    setTimeout(
      () =>
        requestAnimationFrame(() => {
          this.pending = false;
          this.lastNotify = Date.now();
          for (const fn of this.listeners) fn();
        }),
      wait,
    );
  }

  get connected(): boolean {
    return this.socket.state === 'open';
  }

  health(): HealthVM | null {
    const rest = this.slots.health.value;
    if (rest === null && this.healthLive === null) return null;
    return normaliseHealth(rest, this.healthLive?.v ?? null);
  }

  /** Daemon up as the last health answer says: true, false, or null (unknown). */
  daemonUp(): boolean | null {
    return this.health()?.daemon.up ?? null;
  }

  /** Whether a section's data may be shown as live (see the file comment). */
  liveness(section: Section, now: number): Liveness {
    const s = this.slots[section];
    if (s.value === null) return s.error !== null ? 'error' : 'nodata';
    if (!this.connected || s.serverStale || s.receivedAt === null || now - s.receivedAt > MAX_AGE_MS) return 'stale';
    if (section !== 'health' && this.daemonUp() === false) return 'stale';
    return 'live';
  }

  /** Fetches the given sections now (skipping ones already in flight). */
  async refresh(sections: readonly Section[]): Promise<void> {
    await Promise.all(sections.map((s) => this.fetch(s)));
  }

  private async fetch(section: Section): Promise<void> {
    if (this.inFlight.has(section)) return;
    this.inFlight.add(section);
    const started = Date.now();
    const focus = this.focus;
    try {
      const r = await fetchSection(section, focus);
      if (section === 'universe' && focus !== this.focus) return;
      const slot = this.slots[section];
      if (r.ok) {
        slot.value = r.data.value;
        slot.updatedAt = r.data.updatedAt;
        slot.serverStale = r.data.stale;
        slot.receivedAt = Date.now();
        slot.error = null;
        this.afterSnapshot(section, started);
      } else {
        slot.error = r.error;
      }
      slot.version++;
      this.changed();
    } finally {
      this.inFlight.delete(section);
    }
  }

  /**
   * Drops stream overlays a fresh snapshot has surely caught up with. The
   * daemon may put snapshots less often than it streams, so overlays live a
   * while longer; the merge (derive.ts) prefers whichever is newer anyway.
   */
  private afterSnapshot(section: Section, requestedAt: number): void {
    const horizon = requestedAt - OVERLAY_KEEP_MS;
    const prune = <T>(m: Map<string, Timed<T>>): void => {
      for (const [k, v] of m) if (v.receivedAt < horizon) m.delete(k);
    };
    if (section === 'orders') {
      prune(this.liveOrders);
    } else if (section === 'fills') {
      prune(this.liveFills);
    } else if (section === 'risk') {
      if (this.riskLive && this.riskLive.receivedAt < horizon) this.riskLive = null;
      this.riskChanges = this.riskChanges.filter((c) => c.receivedAt >= horizon);
    } else if (section === 'health' && (this.healthLive === null || Date.now() - this.healthLive.receivedAt > 3000)) {
      // Sample from REST only when the stream carries no health (else both would double the points).
      const h = this.health();
      if (h) this.telemetry.sample(h, this.topicCounts, Date.now());
    }
  }

  private poll(): void {
    if (!this.connected) return;
    const want = new Set<Section>(['health', 'risk', ...this.active]);
    void this.refresh([...want]);
  }

  private onSocketState(s: SocketState): void {
    if (s === 'open') {
      this.telemetry.gap();
      void this.refresh(SECTIONS);
    }
    this.changed();
  }

  private onTelemetry(topic: Topic, data: unknown): void {
    const now = Date.now();
    this.topicCounts[topic]++;
    switch (topic) {
      case 'health': {
        this.healthLive = { v: data, receivedAt: now };
        const h = this.health();
        if (h) this.telemetry.sample(h, this.topicCounts, now);
        break;
      }
      case 'ticks':
        for (const t of normaliseTicks(data)) this.ticks.set(t.symbol, { v: t, receivedAt: now });
        break;
      case 'signals':
        for (const s of normaliseSignals(data)) this.signals.set(s.strategyId, { v: s, receivedAt: now });
        break;
      case 'risk': {
        const type = (data as { type?: unknown } | null)?.type;
        const change = type === 'risk.tier_changed' ? normaliseTierChange(data) : null;
        if (change) this.riskChanges = [{ v: change, receivedAt: now }, ...this.riskChanges].slice(0, 200);
        // Denials and flatten passes ride the same topic; only a state (with its tier) replaces the live one.
        else if (type === 'risk.state' || type === undefined) {
          const live = normaliseRisk(data);
          if (live.tier !== null) this.riskLive = { v: live, receivedAt: now };
        }
        break;
      }
      case 'orders': {
        const o = normaliseOrder(data);
        if (o) capped(this.liveOrders, o.clientOrderId, { v: o, receivedAt: now });
        break;
      }
      case 'fills': {
        const f = normaliseFill(data);
        if (f) capped(this.liveFills, f.executionId, { v: f, receivedAt: now });
        break;
      }
      case 'research':
        for (const fn of this.researchListeners) fn(data);
        break;
      case 'supervisor': {
        const r = normaliseReport(data);
        if (r) {
          this.reports = [{ v: r, receivedAt: now }, ...this.reports].slice(0, 100);
          for (const fn of this.reportListeners) fn(r);
          void this.refresh(['watchdog']);
        }
        break;
      }
    }
    this.changed();
  }
}
