/**
 * `npm start`'s all-in-one (local venue + daemon + gateway over the
 * in-memory bus) driven through its public surfaces: REST, operator
 * commands, the WebSocket telemetry and /metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAllInOne, type AllInOne } from '../../../bin/all-in-one.js';
import { loadConfig } from '../../../app/config/load.js';
import { lintExposition, parseExposition, promtool } from '../../helpers/exposition.js';
import { toolMissing } from '../../helpers/tools.js';
import { eventually } from '../../helpers/fixtures.js';
import { connectWs } from '../../helpers/ws-client.js';
import { VERSION } from '../../../src/version.js';

const TOKEN = 'all-in-one-test-token-0123456789';
type J = Record<string, any>;

describe('qgtm start: venue, daemon and gateway in one process', () => {
  let app: AllInOne;
  let dir: string;
  const get = async (path: string): Promise<J> => (await (await fetch(`${app.httpUrl}${path}`)).json()) as J;
  const post = (path: string, body: unknown, token = TOKEN): Promise<Response> =>
    fetch(`${app.httpUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qgtm-app-'));
    // Through the real loader: a risk rung and the token from the environment, a parameter override as a file would give it.
    const loaded = loadConfig({
      mode: 'start',
      env: { QGTM_API_TOKEN: TOKEN, QGTM_RISK_DRAWDOWN_FLATTEN: '0.2', QGTM_STRATEGIES_DISABLED: 'seasonality_gold' },
      overrides: { 'http.port': 0, 'daemon.journalDir': join(dir, 'journal'), 'log.level': 'warn', 'venue.ticksPerSecond': 20, 'strategies.params': { tsmom_3_0: { minT: 0.75 } } },
    });
    app = await startAllInOne({ loaded, print: () => undefined });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('health then the daemon is up and its links and workers are reported', async () => {
    const h = await eventually(async () => {
      const x = await get('/api/v1/health');
      // The market-data link comes up before the first feed turns fresh: wait for both.
      return x.daemon?.up && x.daemon?.detail?.data?.links?.marketData?.up && x.daemon.detail.data.feeds?.fresh > 0 ? x : null;
    }, 20_000, 'daemon up with market data and a fresh feed');
    const d = h!.daemon.detail.data;
    expect(d.links.broker.up).toBe(true);
    expect(d.workers.map((w: J) => w.placement).sort()).toEqual(expect.arrayContaining(['broker', 'marketdata', 'trading', 'strategies']));
    expect(d.feeds.fresh).toBeGreaterThan(0);
  });

  it('config then the daemon\'s effective configuration: a value from the environment with its source, the token masked', async () => {
    const c = await eventually(async () => {
      const x = await get('/api/v1/config');
      return x.data ? x : null;
    }, 10_000, 'config section');
    expect(c!.data.config.risk.drawdown.ladder).toEqual({ WARN: 0.03, THROTTLE: 0.05, NO_NEW: 0.08, FLATTEN: 0.2 });
    expect(c!.data.sources['risk.drawdown.ladder.FLATTEN']).toBe('env QGTM_RISK_DRAWDOWN_FLATTEN');
    expect(c!.data.sources['risk.coolDownMs']).toBe('default');
    expect(c!.data.config.auth.token).toBe('***');
    expect(JSON.stringify(c)).not.toContain(TOKEN);
    expect(c!.data.config.strategies).toMatchObject({ profile: 'intraday', shards: 2 });
  });

  it('strategies then each catalog entry with its defaults and the parameters its shard runs (profile and overrides applied)', async () => {
    const s = await eventually(async () => {
      const x = await get('/api/v1/strategies');
      return x.data?.catalog?.every((e: J) => e.params !== null) ? x : null;
    }, 20_000, 'every strategy reporting its parameters');
    const entry = (id: string): J => s!.data.catalog.find((e: J) => e.id === id);
    // The intraday profile's windows, not the catalog's daily ones.
    expect(entry('trend_ma_cross').defaults).toEqual({ fast: 20, slow: 100, scoreScale: 1.5, horizonBars: 50 });
    expect(entry('trend_ma_cross').params).toEqual({ fast: 5, slow: 30, scoreScale: 1.5, horizonBars: 15 });
    // A configured override on top of the profile.
    expect(entry('tsmom_3_0').params).toEqual({ ...entry('tsmom_3_0').defaults, lookback: 30, skip: 0, horizonBars: 5, minT: 0.75 });
    // A strategy the profile leaves alone runs the catalog's parameters.
    expect(entry('real_yield_regime').params).toEqual(entry('real_yield_regime').defaults);
    // strategies.disabled: off from the start, saying why.
    const live = s!.data.live.flatMap((sh: J) => sh.strategies).find((e: J) => e.id === 'seasonality_gold');
    expect(live).toMatchObject({ state: 'disabled', disabledReason: 'disabled by configuration (strategies.disabled)' });
  });

  it('universe then the 20 PM instruments with live prices', async () => {
    const u = await eventually(async () => {
      const x = await get('/api/v1/universe?focus=pm');
      return x.data?.instruments?.filter((i: J) => typeof i.live?.price === 'number').length === 20 ? x : null;
    }, 20_000, 'prices for every instrument');
    expect(u!.data.instruments).toHaveLength(20);
    const gld = u!.data.instruments.find((i: J) => i.symbol === 'GLD');
    expect(gld.live.price).toBeGreaterThan(0);
    expect(['fresh', 'stale', 'gap']).toContain(gld.live.status);
    expect((await fetch(`${app.httpUrl}/api/v1/universe?focus=gold`)).status).toBe(400);
  });

  it('watchdog then the supervision tree with every subtree running', async () => {
    const w = await get('/api/v1/watchdog');
    const tree = w.data.tree;
    expect(tree.id).toBe('trading');
    expect(tree.children.map((c: J) => c.id)).toEqual(['execution', 'strategies', 'market-data']);
    const execution = tree.children[0].supervisor;
    expect(execution.children.map((c: J) => [c.id, c.state])).toEqual([
      ['broker', 'running'],
      ['risk', 'running'],
      ['allocator', 'running'],
    ]);
  });

  it('risk tier set and cleared through the API then the governor follows and acknowledges', async () => {
    const r = await post('/api/v1/risk/tier', { tier: 'NO_NEW', reason: 'all-in-one test' });
    expect(r.status).toBe(200);
    expect(((await r.json()) as J).ack).toMatchObject({ ok: true, result: { tier: 'NO_NEW' } });
    await eventually(async () => (await get('/api/v1/risk')).data?.state?.tier === 'NO_NEW', 10_000, 'risk state NO_NEW');
    const c = await post('/api/v1/risk/clear', { reason: 'done' });
    expect(c.status).toBe(200);
    expect((await post('/api/v1/risk/tier', { tier: 'WARN', reason: 'x' }, 'wrong-token-wrong-token')).status).toBe(403);
  });

  it('strategy disabled then enabled through the API then its status follows', async () => {
    const d = await post('/api/v1/strategies/trend_ma_cross/disable', { reason: 'test' });
    expect(d.status).toBe(200);
    const state = async (): Promise<string | undefined> => {
      const s = await get('/api/v1/strategies');
      const shards = (s.data?.live ?? []) as J[];
      return shards.flatMap((x) => x.strategies).find((e: J) => e.id === 'trend_ma_cross')?.state;
    };
    await eventually(async () => (await state()) === 'disabled', 10_000, 'disabled');
    expect((await post('/api/v1/strategies/trend_ma_cross/enable', {})).status).toBe(200);
    await eventually(async () => (await state()) === 'enabled', 10_000, 'enabled');
    expect((await post('/api/v1/strategies/no_such_strategy/enable', {})).status).toBe(409);
  });

  it('WebSocket subscribed to ticks then receives sampled batches of live prices', async () => {
    const c = await connectWs(`${app.httpUrl.replace(/^http/, 'ws')}/ws?topics=ticks`);
    const ev = (await c.next((m) => m.type === 'event' && m.topic === 'ticks', 10_000)) as J;
    expect(ev.data.type).toBe('ticks');
    expect(ev.data.items[0]).toMatchObject({ symbol: expect.any(String), price: expect.any(Number) });
    c.ws.close();
  });

  it('a frame the risk governor cannot decode then a dead letter on the WebSocket topic and on REST, counted the same', async () => {
    const c = await connectWs(`${app.httpUrl.replace(/^http/, 'ws')}/ws?topics=dead_letters`);
    try {
      await c.next((m) => m.type === 'subscribed');
      await app.daemon.system.injectFrame('risk', new Uint8Array([0x93, 0x01, 0x02, 0x03])); // msgpack, not an envelope
      const isOurs = (d: J): boolean => d.actor === 'risk' && d.reason === 'decode_error';
      const ev = (await c.next((m) => m.type === 'event' && m.topic === 'dead_letters' && (m.data as J).items.some(isOurs), 10_000)) as J;
      expect(ev.data.items.find(isOurs).detail).toMatch(/shorter than an envelope header/);
      const rest = await eventually(async () => {
        const x = await get('/api/v1/dead-letters');
        return x.data?.counts?.some((k: J) => k.actor === 'risk' && k.reason === 'decode_error') ? x : null;
      }, 10_000, 'dead letter in the section');
      expect(rest!.data.counts.find((k: J) => k.actor === 'risk' && k.reason === 'decode_error').count).toBe(1);
      expect(rest!.data.total).toBe(rest!.data.counts.reduce((a: number, k: J) => a + k.count, 0));
      expect(rest!.data.recent.find(isOurs)).toMatchObject({ type: '?', at: expect.any(Number) });
      // The governor lives on.
      expect(await app.daemon.system.ask<J & { type: string }>('risk', { type: 'risk.query' } as never, { timeoutMs: 3000 })).toMatchObject({ tier: expect.any(String) });
    } finally {
      c.ws.close();
    }
  });

  it('metrics then one exposition from every worker, well formed', async () => {
    const text = await (await fetch(`${app.httpUrl}/metrics`)).text();
    const families = parseExposition(text);
    expect(lintExposition(families)).toEqual([]);
    const checked = promtool(text);
    if (checked) expect(checked.output).toBe('');
    else toolMissing('promtool is not installed (Debian package prometheus)', 'only the built-in lint rules ran');
    for (const n of ['qgtm_actor_messages_handled_total', 'qgtm_actor_mailbox_depth', 'qgtm_feed_ticks_total', 'qgtm_supervisor_reports_total', 'qgtm_worker_event_loop_delay_seconds', 'qgtm_risk_tier']) {
      expect(families.has(n), n).toBe(true);
    }
    // The counters an operator alerts on exist from the start, so a panel reads a number, not "no data".
    const has = (name: string, labels: Record<string, string>): boolean =>
      (families.get(name)?.samples ?? []).some((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && s.value >= 0);
    expect(has('qgtm_supervisor_restarts_total', { child: 'risk' }), 'restarts').toBe(true);
    expect(has('qgtm_dead_letters_total', { actor: 'risk', reason: 'mailbox_full' }), 'dead letters').toBe(true);
    expect(has('qgtm_gateway_http_errors_total', { status: '500', reason: 'handler_threw' }), 'http errors').toBe(true);
    expect(has('qgtm_broker_intents_refused_total', { reason: 'not_ready' }), 'refused intents').toBe(true);
    expect(has('qgtm_risk_verdicts_total', { verdict: 'denied', code: 'tier_no_new' }), 'denied intents').toBe(true);
    expect(has('qgtm_runtime_strategy_commands_total', { command: 'strategy.add_runtime', result: 'refused' }), 'runtime commands').toBe(true);
    expect(has('qgtm_broker_request_errors_total', { op: 'submit', status: '429' }), 'rate limited').toBe(true);
    // The broker's REST calls are timed (its start-up reconciliation has run) and its stream counted.
    const reconciles = families.get('qgtm_broker_request_seconds')?.samples.find((s) => s.name === 'qgtm_broker_request_seconds_count' && s.labels.op === 'reconcile');
    expect(reconciles?.value ?? 0).toBeGreaterThan(0);
    expect(families.get('qgtm_broker_stream_events_total')?.samples.find((s) => s.labels.event === 'listening')?.value ?? 0).toBeGreaterThanOrEqual(1);
    const handled = families.get('qgtm_actor_messages_handled_total')!.samples;
    expect(handled.some((s) => s.labels.actor === 'feed:GLD' && s.value > 0)).toBe(true);
    expect(handled.some((s) => s.labels.actor === 'broker')).toBe(true);
  });

  it('the audit trail and the performance record then counted like the other durable records: read at start, each write', async () => {
    const f = parseExposition(await (await fetch(`${app.httpUrl}/metrics`)).text());
    const sample = (name: string, labels: Record<string, string>): number | undefined =>
      f.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    // A fresh journal folder: nothing to read back.
    expect(sample('qgtm_state_restores_total', { record: 'performance', outcome: 'none' })).toBe(1);
    expect(sample('qgtm_state_restores_total', { record: 'audit', outcome: 'none' })).toBe(1);
    // Commands earlier in this file, and the daemon's start line, each one audit write.
    expect(sample('qgtm_state_writes_total', { record: 'audit', result: 'ok' })).toBeGreaterThanOrEqual(3);
    expect(sample('qgtm_state_writes_total', { record: 'audit', result: 'failed' }) ?? 0).toBe(0);
  });

  it('trading metrics then the account, positions and risk triggers on /metrics as the API reports them, and the build', async () => {
    const scrape = async () => parseExposition(await (await fetch(`${app.httpUrl}/metrics`)).text());
    const value = (f: Map<string, { samples: { labels: Record<string, string>; value: number }[] }>, name: string, labels: Record<string, string> = {}) =>
      f.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    // The gauges refresh once a second from the same views the API reads: equal once both have the same broker report.
    await eventually(async () => {
      const p = ((await (await fetch(`${app.httpUrl}/api/v1/positions`)).json()) as J).data;
      const f = await scrape();
      if (!p?.account || value(f, 'qgtm_account_equity_dollars') !== p.account.equity) return false;
      expect(value(f, 'qgtm_account_cash_dollars')).toBe(p.account.cash);
      expect(value(f, 'qgtm_account_buying_power_dollars')).toBe(p.account.buyingPower);
      const held = (p.positions as J[]).filter((x) => x.qty !== 0);
      if (held.some((x) => value(f, 'qgtm_position_quantity', { symbol: x.symbol }) !== x.qty)) return false;
      expect(f.get('qgtm_position_quantity')?.samples.length ?? 0).toBe(held.length);
      return true;
    }, 20_000, 'metrics and the API agree on the account and positions');
    const f = await scrape();
    const risk = ((await (await fetch(`${app.httpUrl}/api/v1/risk`)).json()) as J).data;
    const dd = (risk.state.triggers as J[]).find((t) => t.trigger === 'drawdown')!;
    expect(value(f, 'qgtm_risk_trigger_threshold', { trigger: 'drawdown', tier: 'FLATTEN' })).toBe(dd.ladder.FLATTEN);
    expect(value(f, 'qgtm_risk_trigger_metric', { trigger: 'drawdown', unit: 'pct' })).toEqual(expect.any(Number));
    expect(f.get('qgtm_build_info')!.samples).toEqual([expect.objectContaining({ labels: { version: VERSION, node: process.versions.node }, value: 1 })]);
  });
});

describe('qgtm start run twice on one journal folder', () => {
  it('second run then trades against its own fresh venue: reconciliation passes, risk stays NORMAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qgtm-rerun-'));
    const overrides = { 'http.port': 0, 'daemon.journalDir': join(dir, 'journal'), 'log.level': 'error', 'auth.token': TOKEN };
    try {
      const first = await startAllInOne({ overrides, print: () => undefined });
      const positions = async (a: AllInOne): Promise<J> => ((await (await fetch(`${a.httpUrl}/api/v1/positions`)).json()) as J).data;
      const performance = async (a: AllInOne): Promise<J> => ((await (await fetch(`${a.httpUrl}/api/v1/performance`)).json()) as J).data;
      let firstPoint: J;
      let firstAudit: J[];
      try {
        // The first run trades, and is stopped while it does.
        await eventually(async () => (await positions(first))?.positions?.length > 0, 60_000, 'first run holds positions');
        firstPoint = (await eventually(async () => (await performance(first))?.points?.[0] ?? null, 10_000, 'first run sampled its equity'))!;
        firstAudit = ((await (await fetch(`${first.httpUrl}/api/v1/audit`)).json()) as J).data.entries as J[];
      } finally {
        await first.close();
      }
      const second = await startAllInOne({ overrides, print: () => undefined });
      try {
        const p = await eventually(async () => {
          const x = await positions(second);
          return x?.reconciliation?.ready && x.startupReconciliation ? x : null;
        }, 30_000, 'second run reconciled');
        // The venue keeps its account beside the journal folder, so the second run meets the first run's
        // journal and account: nothing may differ. An order the first run left moving at the venue (updated
        // within the grace period) is deferred, not corrected, and only then does its drift count in magnitude.
        const st = p!.startupReconciliation as J;
        expect(st).toMatchObject({ phase: 'startup', passed: true, ready: true, items: [] });
        expect(st.magnitude === 0 || st.deferred > 0, JSON.stringify(st)).toBe(true);
        expect(p?.reconciliation).toMatchObject({ passed: true });
        const risk = ((await (await fetch(`${second.httpUrl}/api/v1/risk`)).json()) as J).data;
        expect(risk.state.tier, JSON.stringify(risk.state)).toBe('NORMAL');
        // What the operator reads back carried on: the equity curve starts at the first run's first sample,
        // and the audit trail holds the first run's lines behind this run's start.
        const perf = await eventually(async () => (await performance(second)) ?? null, 10_000, 'second run performance section');
        expect(perf!.points[0]).toEqual(firstPoint!);
        const audit = ((await (await fetch(`${second.httpUrl}/api/v1/audit`)).json()) as J).data.entries as J[];
        const starts = audit.filter((e) => e.kind === 'daemon');
        expect(starts.length).toBe(2);
        for (const e of firstAudit!) expect(audit).toContainEqual(e);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
