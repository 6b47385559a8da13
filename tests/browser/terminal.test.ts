/**
 * The operator terminal in real headless Chromium against a running server:
 * loads without console errors, every view shows live data within seconds,
 * a risk tier set through the API shows on screen, a strategy is disabled
 * and enabled through the page, and a dropped telemetry stream is shown and
 * recovered. Screenshots of every view land in test-artifacts/screenshots/.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTool } from '../helpers/tools.js';
import type { Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAllInOne } from '../../bin/all-in-one.js';
import { startTestServer } from './servers.js';
import type { TerminalServer, TestControls } from './servers.js';
import { browserAvailability, clipped, launch, openPage, screenshot, WEB_ROOT, type Browser } from './browser.js';
import { dollars, percent, forecastsMismatches, getJson, healthMismatches, positionsMismatches, openOrdersMismatches, readRiskScreen, readScreen, riskMismatches, universeMismatches, type ApiRisk } from './units.js';

const VIEWS = ['health', 'telemetry', 'watchdog', 'universe', 'strategies', 'forecasts', 'risk', 'orders', 'performance', 'log'] as const;
const TIERS = ['NORMAL', 'WARN', 'THROTTLE', 'NO_NEW', 'FLATTEN'];
const LIVE_WITHIN_MS = 8000;

const availability = browserAvailability();

/** Test controls only the test servers have (the real all-in-one is driven through its API only). */
function fake(s: TerminalServer): (TerminalServer & TestControls) | null {
  return 'daemon' in s && 'setDaemonUp' in s ? (s as TerminalServer & TestControls) : null;
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

async function gotoView(page: Page, view: string): Promise<void> {
  await page.locator(`nav.tabs a[data-tab="${view}"]`).click();
  await page.locator(`.view[data-view="${view}"]`).waitFor({ state: 'visible' });
}

async function waitLive(page: Page, view: string): Promise<void> {
  await page.locator(`.view[data-view="${view}"] .view-status[data-state="live"]`).waitFor({ timeout: LIVE_WITHIN_MS });
}

/** The view-specific evidence that real data (not placeholders) is on screen. */
async function assertViewData(page: Page, view: string): Promise<void> {
  const v = `.view[data-view="${view}"]`;
  const rows = (sel: string) => page.locator(`${v} ${sel} tbody tr:not(.empty)`).count();
  const poll = (fn: () => Promise<unknown>) => expect.poll(fn, { timeout: LIVE_WITHIN_MS, interval: 100 });
  switch (view) {
    case 'health':
      await poll(() => text(page, `${v} [data-card="daemon"] .card-value`)).toMatch(/^(UP|DEGRADED)$/);
      await poll(() => text(page, `${v} [data-card="stream"] .card-value`)).toBe('CONNECTED');
      break;
    case 'telemetry':
      await poll(() => text(page, `${v} [data-kpi="ticks"]`)).toMatch(/^[\d,.]+\/(s|min|h)$/);
      expect(await text(page, `${v} [data-kpi="orders"]`)).toMatch(/^(—|0\/s|[\d,.]+\/(s|min|h))$/);
      expect(await page.locator(`${v} .chart canvas`).count()).toBeGreaterThanOrEqual(3);
      // Every chart says its unit.
      expect((await page.locator(`${v} .chart .u-title`).allTextContents()).sort()).toEqual(['Event-loop delay per worker (ms)', 'Mailbox depth (messages)', 'Throughput (per second)']);
      break;
    case 'watchdog':
      await poll(() => page.locator(`${v} ul.tree li`).count()).toBeGreaterThan(1);
      // Neither daemon runs with --cluster: the section says cluster null, and the page has no Cluster panel.
      expect((await getJson<{ cluster?: unknown }>(`${new URL(page.url()).origin}/api/v1/watchdog`)).cluster).toBeNull();
      expect(await page.locator(`${v} [data-testid="cluster"]`).count()).toBe(0);
      break;
    case 'universe': {
      await poll(() => rows('table')).toBeGreaterThanOrEqual(20);
      // Live means moving: some price on screen changes within seconds.
      const prices = () => page.locator(`${v} td[data-price]`).evaluateAll((tds) => tds.map((td) => (td as unknown as { dataset: Record<string, string> }).dataset.price).join(','));
      const before = await prices();
      await poll(prices).not.toBe(before);
      break;
    }
    case 'strategies':
      await poll(() => page.locator(`${v} button[data-strategy]:not([disabled])`).count()).toBeGreaterThan(0);
      break;
    case 'forecasts':
      await poll(() => rows('table')).toBeGreaterThan(0);
      break;
    case 'risk':
      await poll(() => text(page, `${v} [data-testid="tier"]`)).toMatch(new RegExp(`^(${TIERS.join('|')})$`));
      break;
    case 'orders':
      await poll(() => text(page, `${v} [data-testid="reconciliation"]`)).toMatch(/^Reconciliation (PASSED|FAILED)/);
      break;
    case 'performance':
      await poll(() => text(page, `${v} [data-kpi="equity"]`)).toMatch(/^\$[\d,]+$/);
      break;
    case 'log':
      // At least the daemon's start line.
      await poll(() => rows('table')).toBeGreaterThan(0);
      break;
  }
}

async function post(server: TerminalServer, path: string, body: unknown, token = server.token): Promise<{ status: number; json: unknown }> {
  const res = await fetch(server.httpUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json().catch(() => null) };
}

async function enterToken(page: Page, token: string): Promise<void> {
  await page.locator('#token').fill(token);
  await page.locator('#token').press('Enter');
  await expect.poll(() => text(page, '[data-testid="token-state"]')).toBe('token set');
}

/** A running server the suite drives, and how it restarts an actor (for the flash test). */
interface Target {
  readonly server: TerminalServer;
  restartActor?(id: string): Promise<boolean>;
  /** Makes the risk governor dead-letter one frame (the simulated daemon reports one already). */
  deadLetter?(): Promise<void>;
}

/** The real `npm start`: local venue, daemon and gateway, with fault injection for the restart test. */
async function realAllInOne(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'qgtm-browser-'));
  const app = await startAllInOne({
    overrides: { 'http.port': 0, 'http.webRoot': WEB_ROOT, 'daemon.journalDir': join(dir, 'journal'), 'log.level': 'warn' },
    print: () => undefined,
    faults: true,
  });
  return {
    server: {
      httpUrl: app.httpUrl,
      token: app.token,
      close: async () => {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      },
    } as TerminalServer,
    restartActor: async (id) => {
      await app.daemon.system.fault(id, 'crash');
      return true;
    },
    deadLetter: () => app.daemon.system.injectFrame('risk', new Uint8Array([0x93, 0x01, 0x02, 0x03])),
  };
}

async function fakeDaemonTarget(): Promise<Target> {
  const server = await startTestServer({ webRoot: WEB_ROOT });
  const f = fake(server);
  return { server, restartActor: f ? async (id) => f.daemon.restart(id) : undefined };
}

/** Which tests a target can support: the real all-in-one cannot stop its own daemon's heartbeat or drop sockets server-side. */
interface Capabilities {
  readonly dropClients: boolean;
  readonly stopDaemon: boolean;
}

terminalSuite('against npm start (the real all-in-one)', 'real', realAllInOne, { dropClients: false, stopDaemon: false });
terminalSuite('against a simulated daemon behind the gateway', 'sim', fakeDaemonTarget, {
  dropClients: (process.env.QGTM_WEB_TEST_SERVER ?? 'gateway') === 'fake',
  stopDaemon: true,
});

function terminalSuite(title: string, tag: string, start: () => Promise<Target>, caps: Capabilities): void {
describeWithTool(`operator terminal in headless Chromium, ${title}`, availability.reason, () => {
  let target: Target;
  let server: TerminalServer;
  let browser: Browser;
  const shot = (page: Page, name: string, fullPage = false): Promise<string> => screenshot(page, `${tag}-${name}`, fullPage);

  beforeAll(async () => {
    target = await start();
    server = target.server;
    browser = await launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('load and visit every view at 1280x800 then live data in each and no console errors', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/');
    await page.locator('[data-testid="conn"][data-state="open"]').waitFor({ timeout: LIVE_WITHIN_MS });
    for (const view of VIEWS) {
      await gotoView(page, view);
      await waitLive(page, view);
      await assertViewData(page, view);
      expect(await clipped(page, view), `${view} at 1280x800`).toEqual([]);
      await shot(page, `${view}-1280x800`);
    }
    expect(await page.locator('[data-testid="disconnected-banner"]').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('narrow window 420x900 then every view fits the width and shows live data', async () => {
    const { page, errors } = await openPage(browser, { width: 420, height: 900 });
    await page.goto(server.httpUrl + '/#/health');
    for (const view of VIEWS) {
      await gotoView(page, view);
      await waitLive(page, view);
      await assertViewData(page, view);
      // Wide tables scroll inside their panel; the page itself never scrolls sideways, and nothing is cut.
      expect(await clipped(page, view), `${view} at 420x900`).toEqual([]);
      await shot(page, `${view}-420x900`, true);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('header then PAPER or LIVE as /api/v1/health says, and the stream state not called LIVE', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/health');
    await page.locator('[data-testid="conn"][data-state="open"]').waitFor({ timeout: LIVE_WITHIN_MS });
    const health = (await (await fetch(`${server.httpUrl}/api/v1/health`)).json()) as { trading: { mode: string; venue: string } };
    expect(health.trading.mode).toBe('PAPER');
    await page.locator('[data-testid="trading-mode"][data-mode="paper"]').waitFor({ timeout: LIVE_WITHIN_MS });
    expect(await text(page, '[data-testid="trading-mode"]')).toBe(health.trading.mode);
    expect(await page.locator('[data-testid="trading-mode"]').getAttribute('title')).toBe(`paper: no real money · ${health.trading.venue}`);
    expect(await text(page, '[data-testid="conn"]')).toBe('STREAMING');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('risk tier set through the API then shown on screen in its colour', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/risk');
    await waitLive(page, 'risk');
    const r = await post(server, '/api/v1/risk/tier', { tier: 'THROTTLE', reason: 'browser test' });
    expect(r.status).toBe(200);
    await page.locator('[data-testid="tier"][data-tier="THROTTLE"]').waitFor({ timeout: 5000 });
    expect(await text(page, '[data-testid="tier-badge"]')).toBe('RISK THROTTLE');
    const colour = await page.locator('[data-testid="tier"]').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
    expect(colour).toBe('rgb(251, 140, 0)');
    await expect.poll(() => page.locator('.view[data-view="risk"] table tbody tr:not(.empty)').filter({ hasText: 'THROTTLE' }).count(), { timeout: 5000 }).toBeGreaterThan(0);
    await shot(page, 'risk-throttle-1280x800');
    // The reason is composed once: "operator floor THROTTLE: browser test", never "operator operator ...".
    await expect.poll(() => page.locator('.view[data-view="risk"] .tier-panel').textContent(), { timeout: 5000 }).toContain('operator floor THROTTLE: browser test');
    expect(await page.locator('.view[data-view="risk"]').textContent()).not.toMatch(/operator\s+operator/i);
    expect(JSON.stringify(await getJson<unknown>(`${server.httpUrl}/api/v1/risk`))).not.toMatch(/operator\s+operator/i);
    const c = await post(server, '/api/v1/risk/clear', { reason: 'browser test done' });
    expect(c.status).toBe(200);
    // The operator floor goes at once; the real governor then steps down only
    // after its cool-down (de-escalation has hysteresis), the simulated one at once.
    await expect.poll(async () => ((await (await fetch(`${server.httpUrl}/api/v1/risk`)).json()) as { data: { state?: { floor?: unknown }; floor?: unknown } }).data, { timeout: 5000 }).toSatisfy(
      (d) => (d.state?.floor ?? d.floor ?? null) === null,
    );
    if (tag === 'sim') await expect.poll(() => page.locator('[data-testid="tier"]').getAttribute('data-tier'), { timeout: 5000 }).not.toBe('THROTTLE');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('risk view then exposure in dollars, ratios as multiples and every trigger threshold match /api/v1/risk', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/risk');
    await waitLive(page, 'risk');
    const url = `${server.httpUrl}/api/v1/risk`;
    await expect.poll(async () => riskMismatches(await getJson<ApiRisk>(url), await readRiskScreen(page)), { timeout: LIVE_WITHIN_MS, interval: 200 }).toEqual([]);
    const api = await getJson<ApiRisk>(url);
    // Every threshold trigger carries its ladder and unit through the API.
    expect(api.state?.triggers.filter((t) => t.trigger !== 'operator' && (!t.ladder || !t.unit)).map((t) => t.trigger)).toEqual([]);
    if (fake(server)) {
      // The simulated book holds positions: exposure is thousands of dollars, not a fraction printed as "$0".
      expect(api.exposure?.gross).toBeGreaterThan(1000);
      const screen = await readRiskScreen(page);
      expect(screen.kpis['gross exposure']).toMatch(/^\$\d{1,3}(,\d{3})+$/);
      expect(screen.kpis['gross / equity']).toMatch(/^\d+\.\d{2}×$/);
      expect(screen.rows['drawdown']?.[3]).toBe('WARN 3.00% · THROTTLE 5.00% · NO_NEW 8.00% · FLATTEN 12.00%');
      expect(screen.rows['stale_data']?.[3]).toBe('WARN 5.0 s · NO_NEW 30.0 s');
    }
    await shot(page, 'risk-units-1280x800');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('forecasts, universe, positions, open orders and health then every figure matches the API with its unit', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/');
    const cases: [string, string, (api: unknown, s: Awaited<ReturnType<typeof readScreen>>) => string[], string?][] = [
      ['forecasts', 'forecasts', forecastsMismatches],
      ['universe', 'universe', universeMismatches],
      ['orders', 'positions', positionsMismatches],
      // The simulated book always holds working orders of each type; the real all-in-one may hold none.
      ...(tag === 'sim' ? [['orders', 'orders', openOrdersMismatches, 'table.open-orders'] as [string, string, typeof openOrdersMismatches, string]] : []),
      ['health', 'health', healthMismatches],
    ];
    for (const [view, section, mismatches, table] of cases) {
      await gotoView(page, view);
      await waitLive(page, view);
      const url = `${server.httpUrl}/api/v1/${section}${section === 'universe' ? '?focus=broad' : ''}`;
      // /health is not an envelope: it is compared whole.
      const read = async (): Promise<unknown> => (section === 'health' ? (await fetch(url)).json() : getJson<unknown>(url));
      await expect.poll(async () => mismatches(await read(), await readScreen(page, view, table)), { timeout: LIVE_WITHIN_MS, interval: 200 }).toEqual([]);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('kill switch without a token then the page asks for one and sends nothing', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/risk');
    await waitLive(page, 'risk');
    const before = await page.locator('[data-testid="tier"]').getAttribute('data-tier');
    await page.locator('button[data-action="flatten"]').click();
    // FLATTEN must be typed out.
    await page.locator('dialog input[name="reason"]').fill('test');
    await page.locator('dialog button[data-action="confirm"]').click();
    expect(await text(page, 'dialog .dialog-error')).toBe('type FLATTEN to confirm');
    await page.locator('dialog input[name="confirm"]').fill('FLATTEN');
    await page.locator('dialog button[data-action="confirm"]').click();
    await page.locator('.toast.error', { hasText: 'enter the operator token' }).waitFor({ timeout: 3000 });
    // Nothing was sent: the server's risk state never saw FLATTEN.
    // (The triggers' threshold ladders name FLATTEN as a rung, so look at the tier, the floor and the history, not the raw text.)
    const risk = await getJson<{ state: { tier: string; floor: string | null } | null; history: { to: string }[] }>(`${server.httpUrl}/api/v1/risk`);
    expect(risk.state?.tier).toMatch(/^[A-Z_]+$/);
    expect(risk.state?.tier).not.toBe('FLATTEN');
    expect(risk.state?.floor ?? null).not.toBe('FLATTEN');
    expect(risk.history.map((c) => c.to)).not.toContain('FLATTEN');
    expect(before).not.toBe('FLATTEN');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('strategy disabled then enabled through the page with the token', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/strategies');
    await waitLive(page, 'strategies');
    await enterToken(page, server.token);
    const button = page.locator('button[data-strategy]:not([disabled])').first();
    const id = (await button.getAttribute('data-strategy'))!;
    const row = page.locator(`.view[data-view="strategies"] tr[data-key="${id}"]`);
    const state = () => row.locator('.chip').first().textContent();
    const act = row.locator('button[data-strategy]');
    if ((await state()) !== 'enabled') {
      await act.click();
      await page.locator('dialog button[data-action="confirm"]').click();
      await expect.poll(state, { timeout: 8000 }).toBe('enabled');
    }
    expect(await act.getAttribute('data-action')).toBe('disable');
    await act.click();
    await page.locator('dialog input[name="reason"]').fill('browser test');
    await page.locator('dialog button[data-action="confirm"]').click();
    await expect.poll(state, { timeout: 8000 }).toBe('disabled');
    await expect.poll(() => act.getAttribute('data-action'), { timeout: 3000 }).toBe('enable');
    await page.locator('.toast.ok').first().waitFor({ timeout: 3000 });
    const f = fake(server);
    if (f) expect(f.daemon.strategyState(id)).toBe('disabled');
    await shot(page, 'strategies-disabled-1280x800');
    await expect.poll(() => act.isDisabled(), { timeout: 3000 }).toBe(false);
    await act.click();
    await page.locator('dialog button[data-action="confirm"]').click();
    await expect.poll(state, { timeout: 8000 }).toBe('enabled');
    if (f) expect(f.daemon.strategyState(id)).toBe('enabled');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('wrong token then the command is refused and the page says so', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/strategies');
    await waitLive(page, 'strategies');
    await enterToken(page, 'not-the-token');
    const act = page.locator('button[data-strategy][data-action="disable"]:not([disabled])').first();
    await act.click();
    await page.locator('dialog input[name="reason"]').fill('browser test');
    await page.locator('dialog button[data-action="confirm"]').click();
    // The gateway answers 403 to a wrong token (401 to a missing one).
    await page.locator('.toast.error', { hasText: /token rejected \(40[13]\)/ }).waitFor({ timeout: 5000 });
    expect(await page.locator(`tr[data-key="${await act.getAttribute('data-strategy')}"] .chip`).first().textContent()).toBe('enabled');
    // The browser logs the refused response itself; that one is expected.
    expect(errors.filter((e) => !/status of 40[13]/.test(e))).toEqual([]);
    await page.close();
  });

  it('telemetry stream dropped then disconnect shown, numbers not live, then recovered', async () => {
    const { page } = await openPage(browser);
    let blocked = false;
    const routes: { close(): Promise<void> }[] = [];
    await page.routeWebSocket(/\/ws$/, (ws) => {
      if (blocked) {
        void ws.close({ code: 1011, reason: 'blocked by test' });
        return;
      }
      ws.connectToServer();
      routes.push(ws);
    });
    await page.goto(server.httpUrl + '/#/risk');
    await waitLive(page, 'risk');
    expect(await page.locator('[data-testid="disconnected-banner"]').isVisible()).toBe(false);
    blocked = true;
    await Promise.all(routes.splice(0).map((r) => r.close()));
    await page.locator('[data-testid="disconnected-banner"]').waitFor({ state: 'visible', timeout: 3000 });
    await page.locator('[data-testid="conn"]:not([data-state="open"])').waitFor();
    await page.locator('.view[data-view="risk"] .view-status[data-state="stale"]').waitFor({ timeout: 3000 });
    expect(await text(page, '.view[data-view="risk"] .status-label')).toBe('STALE');
    await shot(page, 'disconnected-1280x800');
    blocked = false;
    await page.locator('[data-testid="conn"][data-state="open"]').waitFor({ timeout: 10_000 });
    await waitLive(page, 'risk');
    expect(await page.locator('[data-testid="disconnected-banner"]').isVisible()).toBe(false);
    await page.close();
  });

  // Declared only where the server offers the control.
  if (caps.dropClients) it('server closes every socket then the page reconnects by itself', async () => {
    const f = fake(server)!;
    if (!f.dropClients) throw new Error('this server cannot drop sockets');
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/universe');
    await waitLive(page, 'universe');
    f.dropClients();
    await page.locator('[data-testid="conn"]:not([data-state="open"])').waitFor({ timeout: 3000 });
    await page.locator('[data-testid="conn"][data-state="open"]').waitFor({ timeout: 10_000 });
    await waitLive(page, 'universe');
    expect(errors).toEqual([]);
    await page.close();
  });

  // Declared only where the server offers the control.
  if (caps.stopDaemon) it('daemon heartbeat expires then daemon shown down and its data stale, then up again', async () => {
    const f = fake(server);
    if (!f) throw new Error('this server has no daemon to stop');
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/health');
    await waitLive(page, 'health');
    f.setDaemonUp(false);
    try {
      await page.locator('[data-testid="daemon"][data-state="down"]').waitFor({ timeout: 8000 });
      expect(await text(page, '[data-card="daemon"] .card-value')).toBe('DOWN');
      await gotoView(page, 'risk');
      await page.locator('.view[data-view="risk"] .view-status[data-state="stale"]').waitFor({ timeout: 5000 });
      expect(await text(page, '.view[data-view="risk"] .status-detail')).toMatch(/^daemon down/);
      await shot(page, 'daemon-down-1280x800');
    } finally {
      f.setDaemonUp(true);
    }
    await waitLive(page, 'risk');
    expect(await page.locator('[data-testid="daemon"]').getAttribute('data-state')).toBe('up');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('performance then the equity, drawdown, closed trades and charts as /api/v1/performance has them, with their units; sparklines in Universe', async () => {
    type Perf = { equity: number; drawdown: number; points: unknown[]; closed: { trades: number; realizedPnl: number }; trades: { symbol: string; pnl: number; qty: number }[]; prices: Record<string, { t: number; price: number }[]> };
    const api = (): Promise<Perf> => getJson<Perf>(`${server.httpUrl}/api/v1/performance`);
    // Two price samples of GLD make a sparkline (the daemon samples every 10 s).
    await expect.poll(async () => (await api())?.prices?.GLD?.length ?? 0, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(2);
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/performance');
    await waitLive(page, 'performance');
    const v = '.view[data-view="performance"]';
    const money$ = (t: string): number => dollars(t.replace(/^\+/, ''));
    // Each figure read on screen agrees with the API read beside it (the section moves every sample).
    await expect
      .poll(async () => {
        const a = await api();
        const eq = money$(await text(page, `${v} [data-kpi="equity"]`));
        const dd = percent(await text(page, `${v} [data-kpi="drawdown"]`));
        const n = Number(await text(page, `${v} [data-kpi="closed trades"]`));
        const pts = Number(await page.locator(`${v} [data-chart="Equity ($)"]`).getAttribute('data-points'));
        return Math.abs(eq - a.equity) <= 1 && Math.abs(dd - a.drawdown) <= 0.00005 && n === a.closed.trades && pts === a.points.length;
      }, { timeout: LIVE_WITHIN_MS, interval: 250 })
      .toBe(true);
    expect(await text(page, `${v} [data-kpi="drawdown"]`)).toMatch(/^\d+\.\d{2}%$/);
    expect(await page.locator(`${v} [data-chart="Equity ($)"] canvas`).count()).toBeGreaterThan(0);
    expect(await page.locator(`${v} [data-chart="Drawdown (% below peak)"] canvas`).count()).toBeGreaterThan(0);
    expect(Number(await page.locator(`${v} [data-chart="Price ($) with fills"]`).getAttribute('data-points'))).toBeGreaterThan(0);
    const a = await api();
    if (a.trades.length > 0) {
      // The newest closed trade first, its P&L in dollars with cents.
      const first = page.locator(`${v} table`).last().locator('tbody tr:not(.empty)').first();
      const cells = (await first.locator('td').allTextContents()).map((x) => x.trim());
      expect(cells[1]).toBe(a.trades[0].symbol);
      expect(cells[6]).toMatch(/^[+-]?-?\$[\d,]+\.\d{2}$/);
      expect(Math.abs(money$(cells[6]) - a.trades[0].pnl)).toBeLessThan(0.01);
    }
    await shot(page, 'performance-1280x800');
    // Universe: GLD's sparkline draws the recorded prices, its title the last one in dollars.
    await page.goto(server.httpUrl + '/#/universe');
    await waitLive(page, 'universe');
    const spark = page.locator('.view[data-view="universe"] tr', { hasText: 'GLD' }).first().locator('td:has(svg.spark)');
    await expect.poll(async () => Number((await spark.getAttribute('data-points')) ?? 0), { timeout: LIVE_WITHIN_MS }).toBeGreaterThanOrEqual(2);
    // The title's last price is the API's last recorded GLD price (both read together until they agree: the record moves).
    await expect
      .poll(async () => {
        const title = (await spark.getAttribute('title')) ?? '';
        const shown = (await api()).prices.GLD.slice(-120);
        const last = shown[shown.length - 1].price.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
        return title.includes(`to $${last} (`) && /^\S.*: \$[\d,]+\.\d{2} to \$[\d,]+\.\d{2} \([+-]?\d+\.\d{2}%\), low \$[\d,.]+, high \$[\d,.]+$/.test(title);
      }, { timeout: LIVE_WITHIN_MS, interval: 250 })
      .toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an operator command then its line on the Log view, who and why and the outcome, as /api/v1/audit has it', async () => {
    const reason = `log view ${tag} ${Date.now()}`;
    expect((await post(server, '/api/v1/strategies/no_such_strategy/enable', { reason })).status).toBe(409);
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/log');
    await waitLive(page, 'log');
    type Entry = { kind: string; level: string; message: string; by: string | null };
    let found: Entry | undefined;
    await expect.poll(async () => (found = (await getJson<{ entries: Entry[] }>(`${server.httpUrl}/api/v1/audit`)).entries.find((e) => e.message.includes(reason))) !== undefined, { timeout: LIVE_WITHIN_MS }).toBe(true);
    const entry = found!;
    expect(entry).toMatchObject({ kind: 'command', level: 'warn', by: 'operator' });
    expect(entry.message).toMatch(/refused/);
    const row = page.locator('.view[data-view="log"] tbody tr', { hasText: reason });
    await row.first().waitFor({ timeout: LIVE_WITHIN_MS });
    const cells = (await row.first().locator('td').allTextContents()).map((t) => t.trim());
    expect(cells[1]).toBe('command');
    expect(cells[2]).toBe('operator');
    expect(cells[3]).toBe(entry.message);
    expect(cells[0]).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    // Filtered to commands: only command lines remain, this one among them.
    await page.locator('[data-testid="log-kind"]').selectOption('command');
    const kinds = await page.locator('.view[data-view="log"] tbody tr:not(.empty) td:nth-child(2)').allTextContents();
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds.map((k) => k.trim()))).toEqual(new Set(['command']));
    await shot(page, 'log-1280x800');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a dead letter then its count, reason and detail on the Watchdog view as the API reports them', async () => {
    await target.deadLetter?.();
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/watchdog');
    await waitLive(page, 'watchdog');
    type Dl = { total: number; counts: { actor: string; reason: string; count: number }[] };
    const api = (): Promise<Dl> => getJson<Dl>(`${server.httpUrl}/api/v1/dead-letters`);
    await expect.poll(async () => (await api()).counts.some((c) => c.actor === 'risk' && c.reason === 'decode_error'), { timeout: LIVE_WITHIN_MS }).toBe(true);
    const total = (await api()).total;
    const panel = page.locator('[data-testid="dead-letters"]');
    await expect.poll(() => text(page, '[data-testid="dead-letters-total"]'), { timeout: LIVE_WITHIN_MS }).toBe(`${total.toLocaleString('en-US')} message${total === 1 ? '' : 's'} dead-lettered since the daemon started`);
    const row = panel.locator('tr', { hasText: 'decode error' }).filter({ hasText: 'risk' }).first();
    const n = (await api()).counts.find((c) => c.actor === 'risk' && c.reason === 'decode_error')!.count;
    expect(await row.locator('td').last().textContent()).toBe(n.toLocaleString('en-US'));
    await expect.poll(() => panel.locator('tr', { hasText: 'shorter than an envelope header' }).count(), { timeout: LIVE_WITHIN_MS }).toBeGreaterThan(0);
    await shot(page, 'watchdog-dead-letters-1280x800');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('supervisor restarts an actor then its line in the tree flashes', async () => {
    if (!target.restartActor) throw new Error('this server cannot make an actor restart');
    const { page, errors } = await openPage(browser);
    await page.goto(server.httpUrl + '/#/watchdog');
    await waitLive(page, 'watchdog');
    const id = tag === 'real' ? 'allocator' : 'broker';
    const node = page.locator(`li[data-node="${id}"]`);
    await node.waitFor({ timeout: LIVE_WITHIN_MS });
    const restarts = Number(await node.getAttribute('data-restarts'));
    expect(await target.restartActor(id)).toBe(true);
    await page.locator(`li[data-node="${id}"].flash`).waitFor({ timeout: 5000 });
    await shot(page, 'watchdog-flash-1280x800');
    await expect.poll(() => node.getAttribute('data-restarts'), { timeout: 8000 }).toBe(String(restarts + 1));
    await page.locator('.view[data-view="watchdog"] tr', { hasText: id }).first().waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});
}
