/**
 * The terminal's wire-shape layer (web/src/api/normalise.ts) and telemetry
 * series (web/src/telemetry.ts) in Node: both are DOM-free. web/ is built by
 * esbuild, not by the root tsc, so the test bundles them on the fly and
 * imports the bundle.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OperatorViews } from '../../app/daemon/views.js';
import type { FeedFeaturesMsg } from '../../actors/feed/messages.js';
import type { ClusterSnapshot } from '../../app/cluster/view.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the bundle is untyped JS */
let api: any;

beforeAll(async () => {
  const out = await build({
    stdin: { contents: "export * from './web/src/api/index.ts'; export { Telemetry } from './web/src/telemetry.ts'; export { rate } from './web/src/ui/format.ts';", resolveDir: resolve('.'), loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const dir = mkdtempSync(join(tmpdir(), 'qgtm-web-'));
  const file = join(dir, 'api.mjs');
  writeFileSync(file, out.outputFiles[0]!.text);
  api = await import(pathToFileURL(file).href);
  rmSync(dir, { recursive: true, force: true });
});

const envelope = (data: unknown, up = true, updatedAt = 1000) => ({ data, updatedAt, ageMs: 5, stale: !up, cached: false, daemon: up ? { up, heartbeatAgeMs: 10 } : { up, heartbeatAgeMs: 9000, reason: 'expired' } });

describe('rates as a person reads them', () => {
  it('per second from one a second up, per minute below, per hour below that', () => {
    expect(api.rate(12.34)).toBe('12.3/s');
    expect(api.rate(8 / 60)).toBe('8.0/min');
    expect(api.rate(3 / 3600)).toBe('3.0/h');
    expect(api.rate(0)).toBe('0/s');
    expect(api.rate(null)).toBe('—');
    expect(api.rate(Number.NaN)).toBe('—');
  });
});

describe('the read envelope of every GET', () => {
  it('universe as {focus, count, instruments} then the instruments and the focus', () => {
    const u = api.unwrap(envelope({ focus: 'pm', count: 1, instruments: [{ symbol: 'GLD', name: 'SPDR Gold', assetClass: 'etf', live: { price: 245.5 } }] }));
    const vm = api.normaliseUniverse(u.value);
    expect(vm.focus).toBe('pm');
    expect(vm.instruments.map((i: { symbol: string }) => i.symbol)).toEqual(['GLD']);
  });

  it('dead letters then counts, total and the newest first; junk lines dropped', () => {
    const d = api.normaliseDeadLetters(api.unwrap(envelope({ total: 3, counts: [{ actor: 'risk', reason: 'decode_error', count: 3 }, { actor: 7 }], recent: [{ actor: 'risk', reason: 'decode_error', type: '?', from: null, at: 5 }, 'junk'] })).value);
    expect(d).toEqual({ total: 3, counts: [{ actor: 'risk', reason: 'decode_error', count: 3 }], recent: [{ actor: 'risk', reason: 'decode_error', type: '?', from: null, detail: null, at: 5 }] });
  });
});

describe('unwrap', () => {
  it('gateway envelope then the data with its stamp', () => {
    const u = api.unwrap(envelope({ tier: 'WARN' }, true, 1234));
    expect(u).toEqual({ value: { tier: 'WARN' }, updatedAt: 1234, stale: false });
  });

  it('envelope while the daemon is down then stale', () => {
    expect(api.unwrap(envelope({ tier: 'WARN' }, false)).stale).toBe(true);
  });

  it('universe envelope around a list then the list kept beside focus', () => {
    const u = api.unwrap({ focus: 'pm', count: 1, ...envelope([{ symbol: 'GLD' }]) });
    expect(u.value).toEqual({ focus: 'pm', count: 1, items: [{ symbol: 'GLD' }] });
  });

  it('strategies answer then stamp and staleness from its live part', () => {
    const u = api.unwrap({ catalog: [], live: envelope([], false, 77) });
    expect(u.updatedAt).toBe(77);
    expect(u.stale).toBe(true);
  });

  it('bare value then passed through, not stale', () => {
    expect(api.unwrap([1, 2])).toEqual({ value: [1, 2], updatedAt: null, stale: false });
  });
});

describe('health', () => {
  const rest = {
    status: 'ok',
    api: { pid: 1, version: '0.1.0', startedAt: 0, uptimeMs: 5000, bus: { kind: 'memory', connected: true, outages: 0, telemetryDropped: 0 } },
    daemon: {
      up: true,
      heartbeatAgeMs: 120,
      pid: 4242,
      version: '0.2.0',
      startedAt: 100,
      degraded: ['redis_resync'],
      status: 'trading',
      bus: { kind: 'redis', connected: false, outages: 2, telemetryDropped: 17 },
      detail: envelope({ at: 999, links: { venue: { connected: true }, marketData: false }, workers: [{ worker: 'w1', heartbeatAgeMs: 30, eventLoopDelaySeconds: 0.004 }], counters: { ticks: 10 } }),
    },
  };

  it('gateway /health then daemon fields, bus, links and workers read from their places', () => {
    const h = api.normaliseHealth(rest, null);
    expect(h.daemon).toEqual({ up: true, reason: null, heartbeatAgeMs: 120, pid: 4242, version: '0.2.0', startedAt: 100, degraded: ['redis_resync'], status: 'trading' });
    expect(h.bus).toEqual({ kind: 'redis', connected: false, outages: 2, telemetryDropped: 17 });
    expect(h.links).toEqual([
      { name: 'venue', up: true, detail: null },
      { name: 'market data', up: false, detail: null },
    ]);
    expect(h.workers).toHaveLength(1);
    expect(h.workers[0].eventLoopDelayMs).toBeCloseTo(4, 9);
    expect(h.counters).toEqual({ ticks: 10, signals: null, orders: null, fills: null });
    expect(h.at).toBe(999);
  });

  it('newer telemetry message then its section replaces the one in the REST answer', () => {
    const h = api.normaliseHealth(rest, { at: 2000, counters: { ticks: 55 } });
    expect(h.counters.ticks).toBe(55);
    expect(h.at).toBe(2000);
    expect(h.daemon.pid).toBe(4242);
  });

  it('daemon down then up false with the reason', () => {
    const h = api.normaliseHealth({ daemon: { up: false, heartbeatAgeMs: 9000, reason: 'expired' } }, null);
    expect(h.daemon.up).toBe(false);
    expect(h.daemon.reason).toBe('expired');
    expect(h.workers).toEqual([]);
  });
});

describe('strategies', () => {
  const catalog = [
    { id: 'a', family: 'trend', thesis: 't', instruments: ['GLD'] },
    { id: 'b', family: 'ratio', thesis: 'r', instruments: ['GLD', 'SLV'] },
  ];
  const entry = (id: string, state: string) => ({ id, family: 'trend', state, instruments: ['GLD'], evaluations: 3, signals: 1, errors: 0, lastError: null, lastErrorAt: null, lastEvaluatedAt: 5, lastSignalAt: 5, disabledReason: state === 'disabled' ? 'why' : null, weight: 0.8 });

  it('catalog with live shard statuses then joined by id with shard and state', () => {
    const vm = api.normaliseStrategies({ catalog, live: envelope([{ type: 'strategy.status', shard: 2, ts: 1, regime: 'stressed', strategies: [entry('a', 'disabled')] }]) });
    expect(vm.regime).toBe('stressed');
    const a = vm.strategies.find((s: any) => s.id === 'a');
    const b = vm.strategies.find((s: any) => s.id === 'b');
    expect([a.state, a.shard, a.disabledReason, a.weight, a.thesis]).toEqual(['disabled', 2, 'why', 0.8, 't']);
    // In the catalog but not on the live surface: no state, no made-up counters.
    expect([b.state, b.evaluations, b.instruments]).toEqual([null, null, ['GLD', 'SLV']]);
  });

  it('live section as a plain entry list then read as entries', () => {
    const vm = api.normaliseStrategies({ catalog, live: envelope([entry('b', 'enabled')]) });
    expect(vm.strategies.find((s: any) => s.id === 'b').state).toBe('enabled');
  });
});

describe('risk', () => {
  const trig = (trigger: string, tier: string, metric: number) => ({ trigger, tier, holdTier: tier, metric, threshold: null, reason: trigger });

  it('state with triggers only then drawdown and gross ratio from the trigger metrics', () => {
    const r = api.normaliseRisk({ state: { type: 'risk.state', tier: 'THROTTLE', since: 5, floor: null, latched: false, triggers: [trig('drawdown', 'THROTTLE', 0.07), trig('gross_exposure', 'NORMAL', 1.2)], at: 9 }, history: [{ type: 'risk.tier_changed', from: 'NORMAL', to: 'THROTTLE', cause: 'trigger', reason: 'dd', at: 5 }] });
    expect([r.tier, r.drawdown, r.grossExposureRatio, r.grossExposure]).toEqual(['THROTTLE', 0.07, 1.2, null]);
    expect(r.history).toEqual([{ from: 'NORMAL', to: 'THROTTLE', cause: 'trigger', reason: 'dd', at: 5 }]);
  });

  it('the daemon risk section then exposure in dollars and ratios as multiples, the posture weights only as the target', () => {
    const v = new OperatorViews('pm');
    v.onFeatures({ type: 'feed.features', symbol: 'GLD', price: 200, ts: 1 } as unknown as FeedFeaturesMsg, 1);
    v.onFeatures({ type: 'feed.features', symbol: 'SLV', price: 25, ts: 1 } as unknown as FeedFeaturesMsg, 1);
    v.onAccount({ type: 'broker.account', equity: 100_000, lastEquity: null, cash: 0, buyingPower: 0, status: 'ACTIVE', ts: 1 });
    v.onPositions({ type: 'broker.positions', ts: 2, pendingQty: {}, positions: [{ symbol: 'GLD', qty: 100, avgPrice: 190, realizedPnl: 0 }, { symbol: 'SLV', qty: -120, avgPrice: 30, realizedPnl: 0 }] });
    v.onPosture({ type: 'allocator.posture', seq: 1, ts: 3, equity: 100_000, weights: {}, entries: [], gross: 0.23, net: 0.11, netScale: 1, grossScale: 1 });
    const r = api.normaliseRisk(JSON.parse(JSON.stringify(v.riskSection())));
    // 100 x 200 + |-120 x 25| = 23,000 gross, 17,000 net: dollars, not the posture's 0.23 fraction.
    expect([r.equity, r.grossExposure, r.netExposure]).toEqual([100_000, 23_000, 17_000]);
    expect([r.grossExposureRatio, r.netExposureRatio, r.targetGrossRatio, r.targetNetRatio]).toEqual([0.23, 0.17, 0.23, 0.11]);
  });

  it('triggers with ladder and unit then every rung mildest first and the unit kept; an unknown unit dropped', () => {
    const r = api.normaliseRisk({ state: { tier: 'NORMAL', triggers: [
      { ...trig('drawdown', 'NORMAL', 0.01), ladder: { FLATTEN: 0.12, WARN: 0.03, NO_NEW: 0.08, THROTTLE: 0.05 }, unit: 'pct' },
      { ...trig('stale_data', 'NORMAL', 50), ladder: { WARN: 5000, NO_NEW: 'x' }, unit: 'furlongs' },
    ] } });
    expect(r.triggers[0].ladder).toEqual([{ tier: 'WARN', value: 0.03 }, { tier: 'THROTTLE', value: 0.05 }, { tier: 'NO_NEW', value: 0.08 }, { tier: 'FLATTEN', value: 0.12 }]);
    expect(r.triggers[0].unit).toBe('pct');
    expect(r.triggers[1].ladder).toEqual([{ tier: 'WARN', value: 5000 }]);
    expect(r.triggers[1].unit).toBeNull();
  });

  it('unknown tier then null, never a default tier', () => {
    expect(api.normaliseRisk({ tier: 'PANIC' }).tier).toBeNull();
  });
});

describe('orders, fills, positions, universe', () => {
  const order = (id: string, status: string, submission = 'acked') => ({ type: 'broker.order_update', clientOrderId: id, symbol: 'GLD', side: 'buy', qty: 10, filledQty: 0, filledAvgPrice: null, status, submission, event: status, ts: 1 });

  it('a flat order list then split into open and recent by status', () => {
    const vm = api.normaliseOrders([order('a', 'new'), order('b', 'filled'), order('c', 'partially_filled'), order('d', null as unknown as string, 'lost')]);
    expect(vm.open.map((o: any) => o.clientOrderId)).toEqual(['a', 'c']);
    expect(vm.recent.map((o: any) => o.clientOrderId)).toEqual(['b', 'd']);
  });

  it('fills list then each fill, entries without an execution id dropped', () => {
    const vm = api.normaliseFills([{ executionId: 'x1', symbol: 'GLD', side: 'sell', qty: 3, price: 180.5, ts: 2 }, { symbol: 'SLV' }]);
    expect(vm).toEqual([{ executionId: 'x1', clientOrderId: null, symbol: 'GLD', side: 'sell', qty: 3, price: 180.5, synthetic: false, ts: 2 }]);
  });

  it('positions with reconciliation then pending quantity per symbol and the pass', () => {
    const vm = api.normalisePositions({ type: 'broker.positions', positions: [{ symbol: 'GLD', qty: 5, avgPrice: 100, realizedPnl: 2 }], pendingQty: { GLD: -2 }, ts: 3, reconciliation: { phase: 'periodic', passed: false, magnitude: 0.02, driftNotional: 200, items: [{}, {}], corrections: 1, ready: true, ts: 4 } });
    expect(vm.positions[0]).toEqual({ symbol: 'GLD', qty: 5, avgPrice: 100, realizedPnl: 2, markPrice: null, pendingQty: -2 });
    expect(vm.reconciliation).toMatchObject({ passed: false, items: 2, corrections: 1 });
  });

  it('universe from the gateway then live data per instrument and nulls where none', () => {
    const u = api.normaliseUniverse(api.unwrap({ focus: 'pm', count: 2, ...envelope([{ symbol: 'GLD', name: 'Gold', live: { price: 181.2, vol: 0.15, status: 'gap', ts: 7, changePct: 1.5 } }, { symbol: 'SLV', name: 'Silver', live: null }]) }).value);
    expect(u.focus).toBe('pm');
    expect(u.instruments[0]).toMatchObject({ symbol: 'GLD', price: 181.2, vol: 0.15, status: 'gap', lastUpdateAt: 7 });
    expect(u.instruments[0].change).toBeCloseTo(0.015, 12);
    expect(u.instruments[1]).toMatchObject({ symbol: 'SLV', price: null, change: null, vol: null, status: null });
  });
});

describe('watchdog cluster', () => {
  const row = (slot: number, owner: string | null, token: number, leaseLeftMs: number | null, backlog: [number | null, number | null, number | null, number | null] = [0, 0, 0, 0]) => ({
    slot,
    owner,
    token,
    leaseLeftMs,
    inPending: backlog[0],
    inLag: backlog[1],
    outPending: backlog[2],
    outLag: backlog[3],
  });
  // As app/cluster/view.ts reads it: typed by its ClusterSnapshot, so a change of the wire shape fails to compile here.
  const snapshot: ClusterSnapshot = {
    prefix: 'qgtm:',
    slots: [row(0, 'node-a', 3, 4200, [2, 0, 1, 5]), row(1, 'node-b', 1, 900), row(2, null, 7, null, [null, null, null, null])],
    nodes: [
      { id: 'node-a', slots: [0] },
      { id: 'node-b', slots: [1] },
      { id: 'node-c', slots: [] },
    ],
    unowned: [2],
    readAt: 1_700_000_000_000,
    error: null,
  };
  const watchdog = (cluster: unknown) => api.normaliseWatchdog(api.unwrap(envelope({ tree: { id: 'qgtm', strategy: 'one_for_one', children: [] }, workers: [], reports: [], cluster })).value);

  it('cluster snapshot in the watchdog envelope then every slot, node and figure as sent, the tree still read', () => {
    const w = watchdog(snapshot);
    expect(w.root?.id).toBe('qgtm');
    expect(w.cluster).toEqual(snapshot);
  });

  it('cluster null, missing or not an object then no cluster and the rest of the watchdog read', () => {
    for (const c of [null, undefined, 'on', 3, [snapshot]]) {
      const w = watchdog(c);
      expect(w.cluster, JSON.stringify(c)).toBeNull();
      expect(w.root?.id).toBe('qgtm');
    }
    expect(api.normaliseWatchdog(null).cluster).toBeNull();
  });

  it('slots out of order and listed twice then ascending, the first of each kept', () => {
    const c = api.normaliseCluster({ ...snapshot, slots: [row(2, 'node-c', 9, 100), row(0, 'node-a', 3, 4200), row(2, 'node-x', 1, 1)], unowned: [] });
    expect(c.slots.map((s: { slot: number; owner: string }) => [s.slot, s.owner])).toEqual([
      [0, 'node-a'],
      [2, 'node-c'],
    ]);
  });

  it('malformed rows, nodes and fields then dropped or null, never a made-up value', () => {
    const c = api.normaliseCluster({
      prefix: 7,
      slots: [
        { slot: '1', owner: 'node-a', token: 1 },
        { slot: -1, owner: 'node-a' },
        { slot: 1.5, owner: 'node-a' },
        { slot: 3, owner: 42, token: '4', leaseLeftMs: 'soon', inPending: NaN, inLag: Infinity, outPending: null, outLag: 0 },
        'junk',
        null,
      ],
      nodes: [{ id: 'node-a', slots: [4, 'x', -2, 4, 0.5, 1] }, { id: 5, slots: [3] }, { id: '' }, { slots: [3] }, 'node-z'],
      unowned: 'all',
      readAt: '2026-12-05',
      error: { message: 'boom' },
    });
    expect(c).toEqual({
      prefix: null,
      slots: [{ slot: 3, owner: null, token: null, leaseLeftMs: null, inPending: null, inLag: null, outPending: null, outLag: 0 }],
      nodes: [{ id: 'node-a', slots: [1, 4] }],
      unowned: [3],
      readAt: null,
      error: null,
    });
  });

  it('a slot the unowned list names and another whose row has no owner then both unowned', () => {
    const c = api.normaliseCluster({ ...snapshot, slots: [row(0, 'node-a', 3, 4200), row(1, null, 2, null), row(5, 'node-b', 1, 10)], unowned: [5, 'x', 5] });
    expect(c.unowned).toEqual([1, 5]);
  });

  it('a failed read then the error and the time of the last good read', () => {
    const c = api.normaliseCluster({ ...snapshot, error: 'connect ECONNREFUSED 127.0.0.1:6379' });
    expect(c.error).toBe('connect ECONNREFUSED 127.0.0.1:6379');
    expect(c.readAt).toBe(snapshot.readAt);
    // Before the first read: no rows, every slot unowned, "not read yet".
    expect(api.normaliseCluster({ prefix: 'qgtm:', slots: [], nodes: [], unowned: [0, 1, 2], readAt: null, error: 'not read yet' })).toEqual({ prefix: 'qgtm:', slots: [], nodes: [], unowned: [0, 1, 2], readAt: null, error: 'not read yet' });
  });
});

describe('tolerance', () => {
  const junk = [null, undefined, 42, 'x', [], [null, 1, 'a'], { data: 5, updatedAt: 'never' }, { strategies: 'no' }];
  const fns = ['normaliseWatchdog', 'normaliseCluster', 'normaliseUniverse', 'normaliseTicks', 'normaliseSignals', 'normaliseStrategies', 'normaliseForecasts', 'normaliseRisk', 'normaliseOrders', 'normaliseFills', 'normalisePositions'];

  it('junk into every normaliser then no throw and nothing invented', () => {
    for (const fn of fns) {
      for (const j of junk) {
        const out = api[fn](j);
        const text = JSON.stringify(out);
        // No number can come out of input that holds none (42 and 5 are the only numbers in junk).
        for (const n of text.match(/-?\d+(\.\d+)?/g) ?? []) expect(['42', '5', '1'], `${fn}(${JSON.stringify(j)}) -> ${text}`).toContain(n);
      }
    }
    expect(() => api.normaliseHealth('x', 7)).not.toThrow();
  });
});

describe('stream frames', () => {
  it('gateway event frame then topic and data; welcome and errors ignored', () => {
    expect(api.decodeFrame({ type: 'event', topic: 'risk', seq: 3, ts: 1, data: { tier: 'WARN' } })).toEqual([{ topic: 'risk', data: { tier: 'WARN' } }]);
    expect(api.decodeFrame({ type: 'welcome', format: 'json', topics: ['risk'] })).toEqual([]);
    expect(api.decodeFrame({ type: 'error', code: 'X', message: 'y' })).toEqual([]);
    expect(api.decodeFrame([{ topic: 'ticks', data: 1 }, { topic: 'ticks', msg: 2 }])).toEqual([
      { topic: 'ticks', data: 1 },
      { topic: 'ticks', data: 2 },
    ]);
  });
});

describe('telemetry series', () => {
  const health = (at: number, ticks: number | null) => api.normaliseHealth(null, { at, counters: { ticks, signals: 0, orders: 0 }, workers: [{ worker: 'w1', eventLoopDelayMs: at / 1000 }], actors: [{ id: 'a', mailboxDepth: 3 }, { id: 'b', mailboxDepth: 5 }] });
  const counts = { health: 0, ticks: 0, signals: 0, risk: 0, orders: 0, fills: 0, supervisor: 0 };

  it('monotonic counters then rates per second between samples', () => {
    const t = new api.Telemetry();
    t.sample(health(1000, 100), counts, 1000);
    t.sample(health(3000, 300), counts, 3000);
    expect(t.ticks).toEqual([null, 100]);
    expect(t.rateSource).toBe('counters');
    expect([t.mailboxTotal.at(-1), t.mailboxMax.at(-1)]).toEqual([8, 5]);
    expect(t.eld.get('w1')).toEqual([1, 3]);
  });

  it('counter going down (daemon restarted) then no rate for that interval', () => {
    const t = new api.Telemetry();
    t.sample(health(1000, 500), counts, 1000);
    t.sample(health(2000, 10), counts, 2000);
    t.sample(health(3000, 30), counts, 3000);
    expect(t.ticks).toEqual([null, null, 20]);
  });

  it('same daemon sample twice then one point', () => {
    const t = new api.Telemetry();
    t.sample(health(1000, 1), counts, 1000);
    t.sample(health(1000, 1), counts, 1500);
    expect(t.t).toHaveLength(1);
  });

  it('gap after a reconnect then a null point in every series and rates restart', () => {
    const t = new api.Telemetry();
    t.sample(health(1000, 100), counts, 1000);
    t.sample(health(2000, 200), counts, 2000);
    t.gap();
    t.sample(health(9000, 900), counts, 9000);
    expect(t.ticks).toEqual([null, 100, null, null]);
    expect(t.eld.get('w1')).toEqual([1, 2, null, 9]);
  });
});
