/**
 * The Strategies view's learning parts in headless Chromium against the
 * simulated daemon behind the gateway: each strategy's P&L ($), hit rate (%)
 * and learned weight on screen match /api/v1/strategies, the support models
 * are described, the weight history is drawn, and Freeze/Unfreeze goes
 * through the token dialog and shows on screen.
 */
import { expect, it } from 'vitest';
import { describeWithTool } from '../helpers/tools.js';
import type { TerminalServer } from './servers.js';
import { browserAvailability } from './browser.js';
import { browserSuite, LIVE_MS } from './suite.js';
import { dollars, readScreen } from './units.js';

const availability = browserAvailability();

interface ApiStrategies {
  live: { strategies: { id: string; pnl: number; hitRate: number; learnedWeight: number }[] }[];
  supportModels: { id: string; state: { frozen?: boolean } | null }[];
}

async function api(server: TerminalServer): Promise<ApiStrategies> {
  return ((await (await fetch(`${server.httpUrl}/api/v1/strategies`)).json()) as { data: ApiStrategies }).data;
}

describeWithTool('terminal strategies: attribution and learning', availability.reason, () => {
  const t = browserSuite();

  it('the strategies table then P&L in dollars, hit rate in percent and learned weight as the API has them', async () => {
    const { server } = t;
    const { page, errors } = await t.open('strategies');
    const want = (await api(server)).live.flatMap((s) => s.strategies);
    expect(want.length).toBeGreaterThan(3);
    await expect.poll(async () => Object.keys((await readScreen(page, 'strategies')).rows).length, { timeout: LIVE_MS }).toBeGreaterThanOrEqual(want.length);
    const rows = (await readScreen(page, 'strategies')).rows;
    const bad: string[] = [];
    for (const s of want) {
      const r = rows[s.id];
      if (!r) {
        bad.push(`${s.id}: no row`);
        continue;
      }
      if (Math.abs(dollars(r['P&L']!) - s.pnl) > 0.005) bad.push(`${s.id} P&L: API ${s.pnl}, page ${r['P&L']}`);
      const hit = /^(\d+)%$/.exec(r['Hit rate'] ?? '');
      if (!hit || Math.abs(Number(hit[1]) / 100 - s.hitRate) > 0.005) bad.push(`${s.id} hit rate: API ${s.hitRate}, page ${r['Hit rate']}`);
      if (Math.abs(Number(r.Learned) - s.learnedWeight) > 0.005 || !/^\d+\.\d{2}$/.test(r.Learned ?? '')) bad.push(`${s.id} learned: API ${s.learnedWeight}, page ${r.Learned}`);
    }
    expect(bad).toEqual([]);
    expect(await page.locator('dd[data-model="learning"]').textContent()).toMatch(/allocator/);
    expect(await page.locator('dd[data-model]').count()).toBe(3);
    await expect.poll(() => page.locator('.view[data-view="strategies"] [data-chart="Learned weight"]').getAttribute('data-points'), { timeout: LIVE_MS }).toBe('3');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Freeze through the dialog with the token then the API and the page show learning frozen; Unfreeze then active', async () => {
    const { server } = t;
    const { page, errors } = await t.open('strategies');
    await page.locator('#token').fill(server.token);
    await page.locator('#token').press('Enter');
    const button = page.locator('button[data-action="learning"]');
    const state = () => page.locator('[data-learning="state"]').textContent();
    await expect.poll(state, { timeout: LIVE_MS }).toMatch(/learning: active/);
    await expect.poll(() => button.isDisabled(), { timeout: LIVE_MS }).toBe(false);
    await button.click();
    await page.locator('dialog input[name="reason"]').fill('browser test');
    await page.locator('dialog button[data-action="confirm"]').click();
    await expect.poll(state, { timeout: LIVE_MS }).toMatch(/learning: FROZEN/);
    expect((await api(server)).supportModels.find((m) => m.id === 'learning')?.state?.frozen).toBe(true);
    await expect.poll(() => button.textContent(), { timeout: LIVE_MS }).toBe('Unfreeze');
    await button.click();
    await page.locator('dialog input[name="reason"]').fill('done');
    await page.locator('dialog button[data-action="confirm"]').click();
    await expect.poll(state, { timeout: LIVE_MS }).toMatch(/learning: active/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
