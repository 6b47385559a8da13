/**
 * Wire JSON -> view models. The one place that knows the daemon's and the
 * gateway's JSON shapes (actors/*\/messages.ts, supervisor/supervisor.ts and
 * the gateway's envelopes), so a shape change is a fix here only.
 *
 * Every reader is tolerant: unknown fields are ignored, missing ones become
 * null (shown as "—"), wrong types are treated as missing. Nothing here
 * invents a number. No DOM: unit-tested in Node (tests/browser/normalise.test.ts).
 */
import {
  TIERS,
  type ActorLoadVM,
  type CountersVM,
  type DeadLetterVM,
  type DeadLettersVM,
  type AuditEntryVM,
  type ClusterSlotVM,
  type ClusterVM,
  type DataStatus,
  type ForecastEntryVM,
  type ForecastsVM,
  type HealthVM,
  type InstrumentVM,
  type LinkVM,
  type ReportVM,
  type RiskVM,
  type SignalVM,
  type StrategiesVM,
  type StrategyVM,
  type RuntimeOriginVM,
  type TickVM,
  type Tier,
  type TierChangeVM,
  type TreeNodeVM,
  type TriggerVM,
  type TriggerUnit,
  type UniverseVM,
  type Unwrapped,
  type WatchdogVM,
  type WorkerVM,
} from './types.js';

export type Obj = Readonly<Record<string, unknown>>;

export function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
export function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}
export function str(x: unknown): string | null {
  return typeof x === 'string' ? x : null;
}
export function bool(x: unknown): boolean | null {
  return typeof x === 'boolean' ? x : null;
}
function arr(x: unknown): readonly unknown[] {
  return Array.isArray(x) ? x : [];
}
export function objs(x: unknown): Obj[] {
  return arr(x).filter(isObj);
}
/** The first key of `o` holding a value of the wanted kind. */
export function first<T>(o: Obj | null | undefined, keys: readonly string[], read: (x: unknown) => T | null): T | null {
  if (!o) return null;
  for (const k of keys) {
    const v = read(o[k]);
    if (v !== null) return v;
  }
  return null;
}
export function firstObj(o: Obj | null | undefined, keys: readonly string[]): Obj | null {
  return first(o, keys, (x) => (isObj(x) ? x : null));
}
export function firstArr(o: Obj | null | undefined, keys: readonly string[]): unknown[] | null {
  return first(o, keys, (x) => (Array.isArray(x) ? x : null));
}
function strings(x: unknown): string[] {
  return arr(x).filter((s): s is string => typeof s === 'string');
}
export function tier(x: unknown): Tier | null {
  return typeof x === 'string' && (TIERS as readonly string[]).includes(x) ? (x as Tier) : null;
}
function dataStatus(x: unknown): DataStatus | null {
  return x === 'fresh' || x === 'stale' || x === 'gap' ? x : null;
}
function direction(x: unknown): -1 | 0 | 1 {
  return x === 1 || x === -1 ? x : 0;
}

/** The gateway's envelope: `{data, updatedAt, ageMs, stale, cached, daemon}` (also `value` for `data`). */
function isEnvelope(x: unknown): x is Obj {
  return isObj(x) && ('data' in x || 'value' in x) && ('updatedAt' in x || 'stale' in x || 'section' in x);
}

function envelopeValue(e: Obj): unknown {
  return 'data' in e ? e.data : e.value;
}

/**
 * Removes the gateway's section envelope when there is one; a bare value
 * passes through. `/strategies` wraps only its live part (`{catalog, live:
 * envelope}`): its stamp and staleness are taken from there.
 */
export function unwrap(raw: unknown): Unwrapped {
  if (isEnvelope(raw)) {
    const stale = raw.stale === true || raw.cached === true || (isObj(raw.daemon) && raw.daemon.up === false);
    const { data: _d, value: _v, updatedAt: _u, ageMs: _a, stale: _s, cached: _c, daemon: _dm, ...rest } = raw;
    const value = envelopeValue(raw);
    // Keep siblings of the envelope (universe's focus) beside a list value.
    const merged = Object.keys(rest).length > 0 && Array.isArray(value) ? { ...rest, items: value } : value;
    return { value: merged, updatedAt: num(raw.updatedAt), stale };
  }
  if (isObj(raw)) {
    const live = isEnvelope(raw.live) ? raw.live : null;
    if (live) return { value: raw, updatedAt: num(live.updatedAt), stale: live.stale === true || live.cached === true };
    return { value: raw, updatedAt: first(raw, ['updatedAt'], num), stale: raw.stale === true };
  }
  return { value: raw, updatedAt: null, stale: false };
}

/** A value that may still be wrapped in an envelope (nested ones: `live`, `daemon.detail`). */
function inner(x: unknown): unknown {
  return isEnvelope(x) ? envelopeValue(x) : x;
}

// ---- health -----------------------------------------------------------------

function counters(o: Obj | null): CountersVM {
  return {
    ticks: first(o, ['ticks', 'ticksTotal', 'ticksPerSec'], num),
    signals: first(o, ['signals', 'signalsTotal', 'signalsPerSec'], num),
    orders: first(o, ['orders', 'ordersTotal', 'ordersPerSec'], num),
    fills: first(o, ['fills', 'fillsTotal', 'fillsPerSec'], num),
  };
}

function link(name: string, x: unknown): LinkVM | null {
  if (typeof x === 'boolean') return { name, up: x, detail: null };
  if (!isObj(x)) return null;
  const up = first(x, ['up', 'connected', 'ok'], bool);
  return { name: str(x.name) ?? name, up, detail: first(x, ['detail', 'status', 'url', 'reason'], str) };
}

const LINK_KEYS: readonly [string, string][] = [
  ['venue', 'venue'],
  ['broker', 'broker'],
  ['marketData', 'market data'],
  ['market_data', 'market data'],
  ['redis', 'redis'],
];

function links(section: Obj | null): LinkVM[] {
  if (!section) return [];
  const out: LinkVM[] = [];
  const raw = section.links ?? section.connectivity;
  if (Array.isArray(raw)) {
    for (const l of objs(raw)) {
      const v = link(str(l.name) ?? str(l.id) ?? '?', l);
      if (v) out.push(v);
    }
  } else if (isObj(raw)) {
    for (const [k, v] of Object.entries(raw)) {
      const l = link(LINK_KEYS.find(([key]) => key === k)?.[1] ?? k, v);
      if (l) out.push(l);
    }
  } else {
    for (const [k, name] of LINK_KEYS) {
      const l = link(name, section[k]);
      if (l) out.push(l);
    }
  }
  return out;
}

function worker(o: Obj): WorkerVM | null {
  const id = first(o, ['worker', 'id', 'name'], str);
  if (id === null) return null;
  const eldSeconds = first(o, ['eventLoopDelaySeconds', 'eventLoopDelayP99Seconds'], num);
  return {
    id,
    placement: str(o.placement),
    heartbeatAgeMs: first(o, ['heartbeatAgeMs', 'ageMs'], num),
    eventLoopDelayMs: first(o, ['eventLoopDelayMs', 'eventLoopDelayP99Ms', 'eventLoopDelay'], num) ?? (eldSeconds === null ? null : eldSeconds * 1000),
    heapUsedBytes: first(o, ['heapUsedBytes', 'heapUsed'], num),
    actors: strings(o.actors),
  };
}

function actorLoad(o: Obj): ActorLoadVM | null {
  const id = first(o, ['id', 'actor'], str);
  if (id === null) return null;
  return {
    id,
    worker: str(o.worker),
    mailboxDepth: first(o, ['mailboxDepth', 'depth'], num),
    mailboxCapacity: first(o, ['mailboxCapacity', 'capacity'], num),
    state: str(o.state),
  };
}

/** The daemon's own health section inside a gateway /health answer, wherever it is. */
function healthSection(rest: Obj | null): Obj | null {
  if (!rest) return null;
  const d = firstObj(rest, ['daemon']);
  for (const x of [d?.detail, d?.health, rest.state, rest.section, rest.detail]) {
    const v = inner(x);
    if (isObj(v)) return v;
  }
  // A bare daemon health section (no gateway wrapper).
  if ('workers' in rest || 'counters' in rest || 'links' in rest) return rest;
  return null;
}

/**
 * Health from the gateway's GET /api/v1/health answer (`{status, api,
 * daemon: {up, heartbeatAgeMs, reason?, pid, version, startedAt, degraded,
 * status, bus, detail: envelope(health section)}}`) and the latest `health`
 * telemetry message (the daemon's health section), newer when both exist.
 */
export function normaliseHealth(restRaw: unknown, liveRaw: unknown): HealthVM {
  const rest = isObj(restRaw) ? restRaw : null;
  const liveInner = inner(liveRaw);
  const live = isObj(liveInner) ? liveInner : null;
  const section = live ?? healthSection(rest);
  const api = firstObj(rest, ['api', 'gateway']);
  const daemon = firstObj(rest, ['daemon']);
  // Older shape: heartbeat fields under daemon.info; current: on daemon itself.
  const info = firstObj(daemon, ['info', 'heartbeat']) ?? daemon;
  const bus = firstObj(info, ['bus']) ?? firstObj(api, ['bus']) ?? firstObj(rest, ['bus']);
  const workers = objs(firstArr(section, ['workers', 'heartbeats']) ?? firstArr(rest, ['workers', 'heartbeats']))
    .map(worker)
    .filter((w): w is WorkerVM => w !== null);
  const apiUptimeS = first(api, ['uptimeSeconds'], num);
  return {
    api: {
      up: rest !== null,
      version: first(api, ['version'], str) ?? str(rest?.version),
      uptimeMs: first(api, ['uptimeMs'], num) ?? (apiUptimeS === null ? null : apiUptimeS * 1000),
    },
    daemon: {
      up: first(daemon, ['up'], bool),
      reason: first(daemon, ['reason'], str),
      heartbeatAgeMs: first(daemon, ['heartbeatAgeMs'], num),
      pid: first(info, ['pid'], num),
      version: first(info, ['version'], str),
      startedAt: first(info, ['startedAt'], num) ?? first(section, ['startedAt'], num),
      degraded: [...new Set([...strings(info?.degraded), ...strings(section?.degraded)])],
      status: first(info, ['status'], str),
    },
    bus: {
      kind: first(bus, ['kind'], str),
      connected: first(bus, ['connected'], bool),
      outages: first(bus, ['outages'], num),
      telemetryDropped: first(bus, ['telemetryDropped'], num),
    },
    links: links(section),
    workers,
    actors: objs(section?.actors)
      .map(actorLoad)
      .filter((a): a is ActorLoadVM => a !== null),
    counters: counters(firstObj(section, ['counters', 'totals'])),
    rates: counters(firstObj(section, ['rates', 'perSecond'])),
    at: first(section, ['at', 'ts'], num),
    trading: tradingOf(firstObj(rest, ['trading']) ?? firstObj(section, ['trading'])),
  };
}

function tradingOf(t: Record<string, unknown> | null): HealthVM['trading'] {
  const mode = t?.mode === 'PAPER' || t?.mode === 'LIVE' ? t.mode : null;
  return { mode, venue: str(t?.venue) };
}

// ---- watchdog ---------------------------------------------------------------

function lastReport(x: unknown): TreeNodeVM['lastReport'] {
  if (!isObj(x)) return null;
  return { context: str(x.context) ?? '?', reason: str(x.reason) ?? '', at: num(x.at) };
}

function supervisorNode(v: Obj, asChild: Obj | null): TreeNodeVM {
  const i = isObj(v.intensity) ? v.intensity : null;
  const intensity = i && num(i.max) !== null ? { max: num(i.max)!, periodMs: num(i.periodMs) ?? 0, recent: num(i.recent) ?? 0 } : null;
  return {
    id: str(v.id) ?? str(asChild?.id) ?? '?',
    kind: 'supervisor',
    state: str(v.state) ?? str(asChild?.state) ?? '?',
    strategy: str(v.strategy),
    restart: str(asChild?.restart),
    incarnation: num(asChild?.incarnation),
    restarts: num(asChild?.restarts),
    worker: null,
    intensity,
    lastReport: lastReport(asChild?.lastReport),
    children: objs(v.children).map(childNode),
  };
}

function childNode(c: Obj): TreeNodeVM {
  if (isObj(c.supervisor)) return supervisorNode(c.supervisor, c);
  return {
    id: str(c.id) ?? '?',
    kind: c.type === 'supervisor' ? 'supervisor' : 'worker',
    state: str(c.state) ?? '?',
    strategy: null,
    restart: str(c.restart),
    incarnation: num(c.incarnation),
    restarts: num(c.restarts),
    worker: str(c.worker),
    intensity: null,
    lastReport: lastReport(c.lastReport),
    children: [],
  };
}

export function normaliseReport(x: unknown): ReportVM | null {
  const r = isObj(x) && isObj(x.report) ? x.report : x;
  if (!isObj(r) || str(r.context) === null) return null;
  const off = isObj(r.offender) ? r.offender : null;
  return {
    supervisor: str(r.supervisor) ?? '?',
    context: str(r.context)!,
    reason: str(r.reason) ?? '',
    offenderId: str(off?.id) ?? '?',
    offenderType: str(off?.type),
    incarnation: num(off?.incarnation),
    at: num(r.at),
  };
}

/** A slot number: a whole number from 0. */
function slotNo(x: unknown): number | null {
  const n = num(x);
  return n !== null && Number.isInteger(n) && n >= 0 ? n : null;
}

/** Distinct slot numbers of a list, ascending; anything else in it is dropped. */
function slotList(x: unknown): number[] {
  return [...new Set(arr(x).map(slotNo).filter((n): n is number => n !== null))].sort((a, b) => a - b);
}

/**
 * The watchdog's `cluster` (app/cluster/view.ts ClusterSnapshot): null when
 * it is null or not an object (the daemon runs alone). Slot rows without a
 * slot number and nodes without an id are dropped, a slot listed twice is
 * kept once; `unowned` is the slots listed there and those whose row has no
 * owner (a slot either says nobody owns is shown unowned).
 */
export function normaliseCluster(raw: unknown): ClusterVM | null {
  if (!isObj(raw)) return null;
  const slots = new Map<number, ClusterSlotVM>();
  for (const r of objs(raw.slots)) {
    const slot = slotNo(r.slot);
    if (slot === null || slots.has(slot)) continue;
    const owner = str(r.owner);
    slots.set(slot, {
      slot,
      owner: owner === '' ? null : owner,
      token: num(r.token),
      leaseLeftMs: num(r.leaseLeftMs),
      inPending: num(r.inPending),
      inLag: num(r.inLag),
      outPending: num(r.outPending),
      outLag: num(r.outLag),
    });
  }
  const rows = [...slots.values()].sort((a, b) => a.slot - b.slot);
  const nodes = objs(raw.nodes).flatMap((n) => {
    const id = str(n.id);
    return id === null || id === '' ? [] : [{ id, slots: slotList(n.slots) }];
  });
  return {
    prefix: str(raw.prefix),
    slots: rows,
    nodes,
    unowned: slotList([...arr(raw.unowned), ...rows.filter((r) => r.owner === null).map((r) => r.slot)]),
    readAt: num(raw.readAt),
    error: str(raw.error),
  };
}

/** GET /api/v1/watchdog: a SupervisorView, or `{tree|root, heartbeats, reports, cluster}`. */
export function normaliseWatchdog(raw: unknown): WatchdogVM {
  if (!isObj(raw)) return { root: null, heartbeats: [], reports: [], cluster: null };
  const tree = firstObj(raw, ['tree', 'root', 'supervisor']) ?? ('children' in raw && 'strategy' in raw ? raw : null);
  return {
    root: tree ? supervisorNode(tree, null) : null,
    heartbeats: objs(firstArr(raw, ['heartbeats', 'workers']))
      .map(worker)
      .filter((w): w is WorkerVM => w !== null),
    reports: objs(firstArr(raw, ['reports', 'recentReports']))
      .map(normaliseReport)
      .filter((r): r is ReportVM => r !== null),
    cluster: normaliseCluster(raw.cluster),
  };
}

/** GET /api/v1/dead-letters: `{total, counts: [{actor, reason, count}], recent: [...]}` (newest first). */
export function normaliseDeadLetters(raw: unknown): DeadLettersVM {
  const o = isObj(raw) ? raw : null;
  const counts = objs(o?.counts).flatMap((c) => {
    const actor = str(c.actor);
    const reason = str(c.reason);
    const count = num(c.count);
    return actor !== null && reason !== null && count !== null ? [{ actor, reason, count }] : [];
  });
  const recent = objs(o?.recent).flatMap((d): DeadLetterVM[] => {
    const actor = str(d.actor);
    const reason = str(d.reason);
    return actor === null || reason === null ? [] : [{ actor, reason, type: str(d.type) ?? '?', from: str(d.from), detail: str(d.detail), at: num(d.at) }];
  });
  return { total: num(o?.total) ?? (o ? counts.reduce((a, c) => a + c.count, 0) : null), counts, recent };
}

/** GET /api/v1/audit: `{entries: [...]}` newest first; lines without a message are dropped. */
export function normaliseAudit(raw: unknown): AuditEntryVM[] {
  const o = isObj(raw) ? raw : null;
  return objs(Array.isArray(raw) ? raw : o?.entries).flatMap((e): AuditEntryVM[] => {
    const message = str(e.message);
    if (message === null) return [];
    const level = e.level === 'error' || e.level === 'warn' ? e.level : 'info';
    return [{ at: num(e.at), kind: str(e.kind) ?? 'daemon', level, message, by: str(e.by), subject: str(e.subject) }];
  });
}

// ---- universe and ticks -------------------------------------------------------

function changeOf(o: Obj | null): number | null {
  const frac = first(o, ['change', 'changeFrac', 'ret1d'], num);
  if (frac !== null) return frac;
  const pct = first(o, ['changePct'], num);
  return pct === null ? null : pct / 100;
}

function instrument(o: Obj, data: Obj | null): InstrumentVM | null {
  const symbol = str(o.symbol);
  if (symbol === null) return null;
  const d = data ?? firstObj(o, ['live', 'data', 'latest', 'features', 'market']) ?? o;
  return {
    symbol,
    name: str(o.name),
    assetClass: str(o.assetClass),
    metal: str(o.metal),
    price: first(d, ['price', 'last', 'lastPrice', 'mid'], num),
    change: changeOf(d),
    vol: first(d, ['vol', 'volatility'], num),
    spreadBps: first(d, ['spreadBps'], num),
    status: dataStatus(d.status) ?? dataStatus(d.dataStatus),
    lastUpdateAt: first(d, ['lastUpdateAt', 'updatedAt', 'ts'], num),
  };
}

/**
 * GET /api/v1/universe?focus=: the gateway lists the focus's instruments,
 * each with `live` (the daemon's per-instrument data, or null). Also a bare
 * list, or `{instruments: [...], data: {SYMBOL: {...}}}`.
 */
export function normaliseUniverse(raw: unknown): UniverseVM {
  const o = isObj(raw) ? raw : null;
  const list = Array.isArray(raw) ? raw : (firstArr(o, ['instruments', 'universe', 'items', 'data']) ?? []);
  // Per-symbol data beside the list: `{SYMBOL: {...}}` under data/latest/bySymbol, or the daemon's own `{instruments: {SYMBOL: ...}}`.
  const data = firstObj(o, ['data', 'latest', 'bySymbol', 'instruments']);
  const instruments: InstrumentVM[] = [];
  for (const item of objs(list)) {
    const sym = str(item.symbol);
    const d = sym !== null && data && isObj(data[sym]) ? (data[sym] as Obj) : null;
    const vm = instrument(item, d);
    if (vm) instruments.push(vm);
  }
  return { focus: first(o, ['focus'], str), instruments };
}

function tick(o: Obj): TickVM | null {
  const symbol = str(o.symbol);
  if (symbol === null) return null;
  return {
    symbol,
    price: first(o, ['price', 'last', 'mid'], num),
    vol: num(o.vol),
    spreadBps: num(o.spreadBps),
    status: dataStatus(o.status),
    ts: first(o, ['ts', 'at'], num),
    change: changeOf(o),
  };
}

/** One `ticks` telemetry message: a feed.features, a feed.status, or a batch of them. */
export function normaliseTicks(raw: unknown): TickVM[] {
  const list = Array.isArray(raw) ? raw : isObj(raw) && Array.isArray(raw.items) ? raw.items : [raw];
  return objs(list)
    .map(tick)
    .filter((t): t is TickVM => t !== null);
}

// ---- strategies and signals -----------------------------------------------------

function signal(o: Obj): SignalVM | null {
  const strategyId = str(o.strategyId);
  const symbol = str(o.symbol);
  if (strategyId === null || symbol === null) return null;
  return {
    strategyId,
    symbol,
    direction: direction(o.direction),
    strength: num(o.strength),
    confidence: num(o.confidence),
    reason: str(o.reason),
    ts: num(o.ts),
  };
}

/** One `signals` telemetry message: a strategy.signal or a batch. */
export function normaliseSignals(raw: unknown): SignalVM[] {
  const list = Array.isArray(raw) ? raw : isObj(raw) && Array.isArray(raw.items) ? raw.items : isObj(raw) && Array.isArray(raw.signals) ? raw.signals : [raw];
  return objs(list)
    .map(signal)
    .filter((s): s is SignalVM => s !== null);
}

/**
 * GET /api/v1/strategies: the catalog (`catalog: [{id, family, thesis,
 * instruments}]`) joined with the live surface (`strategies` entries, or
 * `shards`/`live` strategy.status messages) by id. A bare list is the surface.
 */
export function normaliseStrategies(raw: unknown): StrategiesVM {
  const top = isObj(raw) ? raw : null;
  const catalog = objs(firstArr(top, ['catalog']));
  // The gateway answers `{catalog, live: envelope(strategies section)}`; the section is a list of strategy.status messages or `{shards|strategies: [...]}`.
  const liveSection = top && 'live' in top ? inner(top.live) : null;
  const asShards = Array.isArray(liveSection) && liveSection.some((x) => isObj(x) && Array.isArray(x.strategies));
  const o: Obj | null = Array.isArray(liveSection) ? (asShards ? { shards: liveSection } : { strategies: liveSection }) : isObj(liveSection) ? { ...top, ...liveSection } : top;
  const live: { entry: Obj; shard: number | null }[] = [];
  let regime: string | null = first(o, ['regime'], str);
  for (const e of objs(Array.isArray(raw) ? raw : firstArr(o, ['strategies', 'surface', 'entries']))) live.push({ entry: e, shard: num(e.shard) });
  for (const s of objs(firstArr(o, ['shards', 'status']))) {
    regime ??= str(s.regime);
    for (const e of objs(s.strategies)) live.push({ entry: e, shard: num(s.shard) });
  }
  const byId = new Map<string, StrategyVM>();
  for (const c of catalog) {
    const id = str(c.id);
    if (id === null) continue;
    byId.set(id, {
      id,
      family: str(c.family),
      thesis: str(c.thesis),
      state: null,
      instruments: strings(c.instruments),
      inputs: strings(c.inputs),
      shard: num(c.shard),
      evaluations: null,
      signals: null,
      errors: null,
      lastError: null,
      lastSignalAt: null,
      disabledReason: null,
      weight: null,
      lastSignal: null,
      pnl: null,
      hitRate: null,
      learnedWeight: null,
      origin: null,
      params: isObj(c.params) ? c.params : null,
    });
  }
  for (const { entry: e, shard } of live) {
    const id = str(e.id) ?? str(e.strategyId);
    if (id === null) continue;
    const c = byId.get(id);
    const ls = isObj(e.lastSignal) ? signal({ strategyId: id, ...e.lastSignal }) : null;
    byId.set(id, {
      id,
      family: str(e.family) ?? c?.family ?? null,
      thesis: str(e.thesis) ?? c?.thesis ?? null,
      state: str(e.state) ?? (bool(e.enabled) === null ? null : e.enabled ? 'enabled' : 'disabled'),
      instruments: e.instruments !== undefined ? strings(e.instruments) : (c?.instruments ?? []),
      inputs: c?.inputs ?? [],
      shard: shard ?? c?.shard ?? null,
      evaluations: num(e.evaluations),
      signals: num(e.signals),
      errors: num(e.errors),
      lastError: str(e.lastError),
      lastSignalAt: num(e.lastSignalAt),
      disabledReason: str(e.disabledReason),
      weight: num(e.weight),
      lastSignal: ls,
      pnl: num(e.pnl),
      hitRate: num(e.hitRate),
      learnedWeight: num(e.learnedWeight),
      origin: runtimeOrigin(e.origin),
      params: isObj(e.params) ? e.params : (c?.params ?? null),
    });
  }
  const supportModels = objs(firstArr(top, ['supportModels'])).flatMap((m) => {
    const id = str(m.id);
    return id === null ? [] : [{ id, description: str(m.description) ?? '', state: isObj(m.state) ? m.state : null }];
  });
  return { regime, strategies: [...byId.values()], supportModels };
}

/** A surface line's `origin` when it is a runtime entry's (`{kind: 'runtime', base, source, by, at, note}`), else null. */
function runtimeOrigin(o: unknown): RuntimeOriginVM | null {
  if (!isObj(o) || o.kind !== 'runtime') return null;
  const base = str(o.base);
  return base === null ? null : { base, source: str(o.source) ?? '?', by: str(o.by), at: num(o.at), note: str(o.note) };
}

// ---- forecasts --------------------------------------------------------------

/** GET /api/v1/forecasts: an allocator.posture (or `{posture}`); entries per instrument. */
export function normaliseForecasts(raw: unknown): ForecastsVM {
  const o = isObj(raw) ? raw : null;
  const p = firstObj(o, ['posture']) ?? o;
  const entries: ForecastEntryVM[] = [];
  const seen = new Set<string>();
  for (const e of objs(firstArr(p, ['entries', 'forecasts', 'instruments']) ?? (Array.isArray(raw) ? raw : []))) {
    const symbol = str(e.symbol);
    if (symbol === null || seen.has(symbol)) continue;
    seen.add(symbol);
    entries.push({
      symbol,
      score: first(e, ['score', 'signal'], num),
      evidence: num(e.evidence),
      vol: num(e.vol),
      weight: first(e, ['weight', 'target', 'targetWeight'], num),
      limitedBy: strings(e.limitedBy),
      contributors: objs(e.contributors).map((c) => ({ strategyId: str(c.strategyId) ?? '?', direction: direction(c.direction), contribution: num(c.contribution) })),
    });
  }
  const weights = firstObj(p, ['weights']);
  if (weights) {
    for (const [symbol, w] of Object.entries(weights)) {
      if (seen.has(symbol) || num(w) === null) continue;
      entries.push({ symbol, score: null, evidence: null, vol: null, weight: num(w), limitedBy: [], contributors: [] });
    }
  }
  return { seq: num(p?.seq), ts: first(p, ['ts', 'at'], num), equity: num(p?.equity), gross: num(p?.gross), net: num(p?.net), entries };
}

// ---- risk -------------------------------------------------------------------

function trigger(o: Obj): TriggerVM | null {
  const name = str(o.trigger);
  const t = tier(o.tier);
  if (name === null || t === null) return null;
  const lad = isObj(o.ladder) ? o.ladder : null;
  const ladder: { tier: Tier; value: number }[] = [];
  for (const k of TIERS) {
    const v = lad ? num(lad[k]) : null;
    if (v !== null) ladder.push({ tier: k, value: v });
  }
  const u = str(o.unit);
  const unit = u !== null && (TRIGGER_UNITS as readonly string[]).includes(u) ? (u as TriggerUnit) : null;
  return { trigger: name, tier: t, metric: num(o.metric), threshold: num(o.threshold), ladder, unit, reason: str(o.reason) ?? '' };
}

const TRIGGER_UNITS: readonly TriggerUnit[] = ['pct', 'ratio', 'count', 'ms', 'flag'];

/** A risk.tier_changed message as a history line. */
export function normaliseTierChange(x: unknown): TierChangeVM | null {
  if (!isObj(x)) return null;
  const to = tier(x.to) ?? tier(x.tier);
  if (to === null) return null;
  return { from: tier(x.from), to, cause: str(x.cause), reason: str(x.reason) ?? '', at: first(x, ['at', 'ts'], num) };
}

/**
 * GET /api/v1/risk: a risk.state, or `{state, history, exposure}`; also a
 * risk.state telemetry message. Exposure and drawdown come from explicit
 * fields when the daemon sends them, else from the triggers' metrics.
 */
export function normaliseRisk(raw: unknown): RiskVM {
  const o = isObj(raw) ? raw : null;
  const s = firstObj(o, ['state', 'risk']) ?? o;
  const triggers = objs(s?.triggers)
    .map(trigger)
    .filter((t): t is TriggerVM => t !== null);
  const metric = (name: string): number | null => triggers.find((t) => t.trigger === name)?.metric ?? null;
  const history = objs(firstArr(o, ['history', 'changes', 'tierHistory']) ?? firstArr(s, ['history']))
    .map(normaliseTierChange)
    .filter((h): h is TierChangeVM => h !== null);
  const exp = firstObj(o, ['exposure']) ?? firstObj(s, ['exposure']);
  const target = firstObj(o, ['target']);
  const equity = first(exp, ['equity'], num) ?? first(o, ['equity'], num) ?? first(s, ['equity'], num);
  const gross = first(exp, ['gross', 'grossExposure'], num) ?? first(s, ['grossExposure'], num);
  const net = first(exp, ['net', 'netExposure'], num) ?? first(s, ['netExposure'], num);
  const ratio = (x: number | null): number | null => (x === null || equity === null || !(equity > 0) ? null : x / equity);
  return {
    tier: tier(s?.tier),
    since: num(s?.since),
    floor: tier(s?.floor),
    floorReason: str(s?.floorReason),
    latched: s?.latched === true,
    coolDownRemainingMs: num(s?.coolDownRemainingMs),
    triggers,
    history,
    equity,
    grossExposure: gross,
    grossExposureRatio: first(exp, ['grossRatio'], num) ?? ratio(gross) ?? metric('gross_exposure'),
    netExposure: net,
    netExposureRatio: first(exp, ['netRatio'], num) ?? ratio(net),
    targetGrossRatio: first(target, ['grossRatio', 'gross'], num),
    targetNetRatio: first(target, ['netRatio', 'net'], num),
    drawdown: first(o, ['drawdown'], num) ?? first(s, ['drawdown'], num) ?? metric('drawdown'),
    dailyLoss: first(o, ['dailyLoss'], num) ?? first(s, ['dailyLoss'], num) ?? metric('daily_loss'),
    at: num(s?.at),
  };
}
