/**
 * The terminal's Research view in headless Chromium, against the real
 * gateway with a stand-in research service holding a finished back-test, a
 * finished 3x3 sweep and a running back-test: the figures a person reads
 * match the API's values in their units, the sweep table sorts on a header
 * click, the heatmap shows each parameter pair's score, progress moves on a
 * WebSocket event, and a back-test is started and cancelled from the page.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTool } from '../helpers/tools.js';
import type { Page } from 'playwright-core';
import { startTestGateway, TOKEN, type TestGateway } from '../helpers/gateway.js';
import { FakeResearch, FAST, P_FAST, P_SLOW, SCORES, SLOW } from '../helpers/research.js';
import { browserAvailability, launch, openPage, screenshot, WEB_ROOT, type Browser } from './browser.js';
import { readScreen } from './units.js';

const availability = browserAvailability();

const WITHIN_MS = 8000;
const VIEW = '.view[data-view="research"]';
type Json = Record<string, any>;

/** The API's figures as the page must print them, by rules written here: fractions as "12.34%", dollars "$1,234.50" / "-$1,234.50". */
const percentText = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(2)}%`);
const dollarText = (x: number): string => `${x < 0 ? '-' : ''}$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

async function texts(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
}

describeWithTool('Research view in headless Chromium', availability.reason, () => {
  let t: TestGateway;
  let svc: FakeResearch;
  let browser: Browser;
  let runs: Json[];

  beforeAll(async () => {
    svc = new FakeResearch();
    t = await startTestGateway({
      webRoot: WEB_ROOT,
      research: svc,
      researchHistory: { venue: { dataUrl: 'http://127.0.0.1:9/data', keyId: 'k', secretKey: 's', cacheDir: '/tmp/qgtm-browser-cache' } },
    });
    browser = await launch();
    runs = ((await (await fetch(`${t.url}/api/v1/research/runs`)).json()) as { data: { runs: Json[] } }).data.runs;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function open(): Promise<{ page: Page; errors: string[] }> {
    const w = await openPage(browser);
    await w.page.goto(`${t.url}/#/research`);
    await w.page.locator(`${VIEW} tr[data-key="bt-done"]`).waitFor({ timeout: WITHIN_MS });
    return w;
  }

  it('the run list then each run with its headline figures in the API values and units', async () => {
    const { page, errors } = await open();
    const s = await readScreen(page, 'research');
    for (const r of runs) {
      const row = s.rows[r.id];
      expect(row, `run ${r.id} on screen`).toBeDefined();
      expect(row!['Run']).toBe(r.name);
      expect(row!['Status']).toBe(r.status);
      expect(row!['Progress']).toBe(`${Math.round(r.progress * 100)}%`);
      expect(row!['Total return']).toBe(percentText(r.summary?.totalReturn ?? null));
      expect(row!['Sharpe']).toBe(r.summary ? r.summary.sharpe.toFixed(2) : '—');
      expect(row!['Max drawdown']).toBe(percentText(r.summary?.maxDrawdown ?? null));
      expect(row!['Trades']).toBe(r.summary ? String(r.summary.trades) : '—');
    }
    expect(s.rows['bt-done']!['Total return']).toBe('12.34%');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('select a finished back-test then its figures, charts, attribution and order/fill counts', async () => {
    const { page, errors } = await open();
    await page.locator(`${VIEW} tr[data-key="bt-done"]`).click();
    const rec = ((await (await fetch(`${t.url}/api/v1/research/runs/bt-done`)).json()) as { data: { run: Json } }).data.run;
    const sum = rec.result.summary;
    const kpi = (k: string) => page.locator(`${VIEW} [data-kpi="${k}"]`).textContent();
    await expect.poll(() => kpi('total return'), { timeout: WITHIN_MS }).toBe(percentText(sum.totalReturn));
    expect(await kpi('max drawdown')).toBe(percentText(sum.maxDrawdown));
    expect(await kpi('Sharpe')).toBe(sum.sharpe.toFixed(2));
    expect(await kpi('end equity')).toBe(dollarText(sum.endEquity));
    expect(await kpi('fees')).toBe(dollarText(sum.fees));
    expect(await kpi('max drawdown duration')).toBe(`${Math.floor(sum.maxDrawdownDurationMs / 86_400_000)}d ${String(Math.floor(sum.maxDrawdownDurationMs / 3_600_000) % 24).padStart(2, '0')}h`);
    expect(await page.locator(`${VIEW} [data-testid="order-fill-count"]`).textContent()).toBe(`${sum.orders} orders · ${sum.fills} fills`);
    for (const [table, values] of [
      ['attribution-strategy', rec.result.attribution.byStrategy],
      ['attribution-instrument', rec.result.attribution.byInstrument],
    ] as const) {
      for (const [key, pnl] of Object.entries(values as Record<string, number>)) {
        expect(await page.locator(`${VIEW} [data-testid="${table}"] tr[data-key="${key}"] td:nth-child(2)`).textContent(), `${table} ${key}`).toBe(dollarText(pnl));
      }
    }
    // uPlot draws both series, every point of the equity curve.
    for (const chart of ['Equity', 'Drawdown']) {
      await page.locator(`${VIEW} [data-chart="${chart}"] canvas`).waitFor({ timeout: WITHIN_MS });
      expect(await page.locator(`${VIEW} [data-chart="${chart}"]`).getAttribute('data-points')).toBe(String(rec.result.equity.length));
    }
    await screenshot(page, 'research-backtest-1280x800', true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('select a sweep then its rows ranked, sorted by Sharpe on a header click, and a heatmap of fast x slow', async () => {
    const { page, errors } = await open();
    await page.locator(`${VIEW} tr[data-key="sw-done"]`).click();
    const rows = `${VIEW} [data-testid="sweep-table"] tbody tr`;
    await page.locator(rows).first().waitFor({ timeout: WITHIN_MS });
    const rec = ((await (await fetch(`${t.url}/api/v1/research/runs/sw-done`)).json()) as { data: { run: Json } }).data.run;
    const apiScores: number[] = rec.sweep.rows.map((r: Json) => r.score);
    const col = async (title: string): Promise<string[]> => {
      const heads = await texts(page, `${VIEW} [data-testid="sweep-table"] thead th`);
      const i = heads.findIndex((h) => h.replace(/ [▲▼]$/, '') === title);
      expect(i, `column ${title}`).toBeGreaterThanOrEqual(0);
      return texts(page, `${rows} td:nth-child(${i + 1})`);
    };
    // As the service ranked them (best first).
    expect(await col('score (sharpe)')).toEqual(apiScores.map((x) => x.toFixed(2)));
    await page.locator(`${VIEW} [data-testid="sweep-table"] th[data-sort="sharpe"]`).click();
    const desc = [...apiScores].sort((a, b) => b - a).map((x) => x.toFixed(2));
    expect(await col('Sharpe')).toEqual(desc);
    await page.locator(`${VIEW} [data-testid="sweep-table"] th[data-sort="sharpe"]`).click();
    expect(await col('Sharpe')).toEqual([...desc].reverse());
    expect(await page.locator(`${VIEW} th[data-sort="sharpe"]`).getAttribute('aria-sort')).toBe('ascending');
    await page.locator(`${VIEW} [data-testid="sweep-table"] th[data-sort="param:${P_FAST}"]`).click();
    expect(await col('fast')).toEqual([...FAST, ...FAST, ...FAST].sort((a, b) => a - b).map(String));

    // Heatmap: columns fast, rows slow; each cell the score of that pair, readable.
    const cell = (x: number, y: number) => page.locator(`${VIEW} [data-testid="heatmap"] .hm-cell[data-x="${x}"][data-y="${y}"]`);
    expect(await page.locator(`${VIEW} [data-testid="heatmap"] .hm-cell`).count()).toBe(9);
    for (const [i, fast] of FAST.entries()) {
      for (const [j, slow] of SLOW.entries()) {
        const api = rec.sweep.rows.find((r: Json) => r.params[P_FAST] === fast && r.params[P_SLOW] === slow);
        expect(await cell(fast, slow).textContent(), `heatmap fast ${fast} slow ${slow}`).toBe(api.score.toFixed(2));
        expect(api.score).toBe(SCORES[i]![j]);
      }
    }
    // Coloured by score: the best and the worst cell differ.
    const bg = (x: number, y: number) => cell(x, y).getAttribute('style');
    expect(await bg(10, 100)).not.toBe(await bg(20, 50));
    // Swapping the axes transposes the grid.
    await page.locator(`${VIEW} [data-testid="heatmap-x"]`).selectOption(P_SLOW);
    await page.locator(`${VIEW} [data-testid="heatmap-y"]`).selectOption(P_FAST);
    expect(await cell(100, 10).textContent()).toBe('1.48');
    await screenshot(page, 'research-sweep-1280x800', true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a progress event on the research topic then the running row moves without a reload', async () => {
    const { page, errors } = await open();
    const frames: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => typeof f.payload === 'string' && f.payload.includes('research') && frames.push(f.payload)));
    await page.reload();
    const progress = () => page.locator(`${VIEW} tr[data-key="bt-running"] td[data-progress] .progress-text`).textContent();
    await expect.poll(progress, { timeout: WITHIN_MS }).toBe('25%');
    // The socket subscribes right after it opens: emit only once the gateway confirmed the topic.
    await expect.poll(() => frames.some((f) => f.includes('"subscribed"')), { timeout: WITHIN_MS }).toBe(true);
    svc.update('bt-running', { progress: 0.5 });
    await expect.poll(progress, { timeout: WITHIN_MS }).toBe('50%');
    expect(frames.some((f) => f.includes('research.progress'))).toBe(true);
    svc.update('bt-running', { progress: 0.75 });
    await expect.poll(progress, { timeout: WITHIN_MS }).toBe('75%');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a narrow window 420x900 then the view fits the width with the run list and a sweep readable', async () => {
    const { page, errors } = await openPage(browser, { width: 420, height: 900 });
    await page.goto(`${t.url}/#/research`);
    await page.locator(`${VIEW} tr[data-key="sw-done"]`).click();
    await page.locator(`${VIEW} [data-testid="heatmap"] .hm-cell`).first().waitFor({ timeout: WITHIN_MS });
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow, 'the research view overflows the narrow window').toBeLessThanOrEqual(0);
    await screenshot(page, 'research-420x900', true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a gateway without a research service then the view says research is not enabled', async () => {
    const bare = await startTestGateway({ webRoot: WEB_ROOT });
    try {
      const { page, errors } = await openPage(browser);
      await page.goto(`${bare.url}/#/research`);
      await page.locator(`${VIEW} .view-status[data-state="error"]`).waitFor({ timeout: WITHIN_MS });
      expect(await page.locator(`${VIEW} .status-detail`).textContent()).toBe('research is not enabled in this process');
      // The browser logs the 503 itself; nothing else may fail.
      expect(errors.filter((e) => !/status of 503/.test(e))).toEqual([]);
      await page.close();
    } finally {
      await bare.close();
    }
  }, 60_000);

  it('start a back-test from the form with the token then queued and listed; cancel it then cancelled', async () => {
    const { page, errors } = await open();
    const before = svc.started.length;
    await page.locator(`${VIEW} [data-testid="backtest-form"] input[name="symbols"]`).fill('gld, slv');
    await page.locator(`${VIEW} [data-testid="backtest-form"] input[name="days"]`).fill('10');
    // Without the token nothing is sent.
    await page.locator(`${VIEW} [data-action="start-backtest"]`).click();
    await expect.poll(() => page.locator(`${VIEW} [data-testid="backtest-message"]`).textContent()).toContain('token');
    expect(svc.started.length).toBe(before);
    await page.locator('#token').fill(TOKEN);
    await page.locator('#token').press('Enter');
    await page.locator(`${VIEW} [data-action="start-backtest"]`).click();
    await expect.poll(() => page.locator(`${VIEW} [data-testid="backtest-message"]`).textContent(), { timeout: WITHIN_MS }).toMatch(/^queued as /);
    expect(svc.started.length).toBe(before + 1);
    expect(svc.started.at(-1)).toMatchObject({ history: { kind: 'venue', symbols: ['GLD', 'SLV'], intervalMs: 60_000 }, startingCash: 100_000, seed: 1 });
    const id = (await page.locator(`${VIEW} [data-testid="backtest-message"]`).textContent())!.replace('queued as ', '');
    const row = page.locator(`${VIEW} tr[data-key="${id}"]`);
    await row.waitFor({ timeout: WITHIN_MS });
    await row.locator('button[data-cancel]').click();
    await page.locator('dialog [data-action="confirm"]').click();
    await expect.poll(() => row.locator('td .chip').textContent(), { timeout: WITHIN_MS }).toBe('cancelled');
    expect(svc.cancelled).toContain(id);
    expect(await row.locator('button[data-cancel]').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('start a sweep from the form then the grid sent as typed; a line that does not read then nothing sent', async () => {
    const { page, errors } = await open();
    await page.locator('#token').fill(TOKEN);
    await page.locator('#token').press('Enter');
    const form = `${VIEW} [data-testid="backtest-form"]`;
    await page.locator(`${form} select[name="kind"]`).selectOption('sweep');
    await page.locator(`${form} select[name="source"]`).selectOption('csv');
    await page.locator(`${form} input[name="file"]`).fill('/data/gold.csv');
    await page.locator(`${form} select[name="objective"]`).selectOption('sortino');
    const before = svc.started.length;
    await page.locator(`${form} textarea[name="params"]`).fill(`${P_FAST} 5 10`);
    await page.locator(`${VIEW} [data-action="start-backtest"]`).click();
    await expect.poll(() => page.locator(`${VIEW} [data-testid="backtest-message"]`).textContent()).toBe('not started: parameters line 1: write path = value, value, ...');
    expect(svc.started.length).toBe(before);
    await page.locator(`${form} textarea[name="params"]`).fill(`${P_FAST} = 5, 10\n\n${P_SLOW} = 50, 100`);
    expect(await page.locator(`${VIEW} [data-action="start-backtest"]`).textContent()).toBe('Start sweep');
    await page.locator(`${VIEW} [data-action="start-backtest"]`).click();
    await expect.poll(() => page.locator(`${VIEW} [data-testid="backtest-message"]`).textContent(), { timeout: WITHIN_MS }).toMatch(/^queued as sw-/);
    expect(svc.started.at(-1)).toEqual({
      history: { kind: 'csv', file: '/data/gold.csv', intervalMs: 60_000 },
      startingCash: 100_000,
      seed: 1,
      params: [
        { path: P_FAST, values: [5, 10] },
        { path: P_SLOW, values: [50, 100] },
      ],
      objective: 'sortino',
    });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
