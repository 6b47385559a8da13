/**
 * The Strategies view's runtime entries in headless Chromium against the
 * simulated daemon behind the real gateway: an entry added through the Add
 * dialog (token) shows with its origin as the API reports it and is counted;
 * params that are not JSON are refused on the page with the reason and
 * nothing is sent; Change opens on what the entry runs with and sends only
 * what the operator edited (the API then reports the new parameters and
 * instruments, the page the new instruments); Remove takes it off the API
 * and the page.
 */
import { expect, it } from 'vitest';
import { describeWithTool } from '../helpers/tools.js';
import type { Page } from 'playwright-core';
import type { TestServer } from './servers.js';
import { browserAvailability } from './browser.js';
import { browserSuite, LIVE_MS } from './suite.js';
import { readScreen } from './units.js';

const availability = browserAvailability();

interface Line {
  id: string;
  instruments?: string[];
  params?: Record<string, unknown>;
  origin?: { kind: string; base: string; source: string; note?: string | null } | null;
}

async function runtimeLines(server: TestServer): Promise<Line[]> {
  const b = (await (await fetch(`${server.httpUrl}/api/v1/strategies`)).json()) as { data: { live: { strategies: Line[] }[] } };
  return b.data.live.flatMap((s) => s.strategies).filter((s) => s.origin);
}

async function fillDialog(page: Page, values: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(values)) await page.locator(`dialog input[name="${k}"]`).fill(v);
  await page.locator('dialog button[data-action="confirm"]').click();
}

describeWithTool('terminal strategies: runtime entries', availability.reason, () => {
  const t = browserSuite();

  it('Add through the dialog then the row reads its origin as the API has it and the counts follow; Remove takes it away', async () => {
    const { server } = t;
    const { page, errors } = await t.open('strategies');
    await page.locator('#token').fill(server.token);
    await page.locator('#token').press('Enter');
    const count = () => page.locator('[data-runtime="count"]').textContent();
    await expect.poll(count, { timeout: LIVE_MS }).toBe('0 runtime entries');

    // Params that are not JSON: refused on the page, nothing reaches the daemon.
    const add = page.locator('button[data-action="add-runtime"]');
    await expect.poll(() => add.isDisabled(), { timeout: LIVE_MS }).toBe(false);
    await add.click();
    await fillDialog(page, { id: 'bh_gld', base: 'buy_and_hold', params: '{strength: 0.8', instruments: 'gld' });
    await expect.poll(() => page.locator('.toast.error').first().textContent(), { timeout: LIVE_MS }).toMatch(/params is not JSON/);
    expect(await runtimeLines(server)).toEqual([]);

    await add.click();
    await fillDialog(page, { id: 'bh_gld', base: 'buy_and_hold', params: '{"strength": 0.8}', instruments: 'gld', note: 'benchmark' });
    await expect.poll(async () => (await runtimeLines(server)).map((l) => l.id), { timeout: LIVE_MS }).toEqual(['bh_gld']);
    const api = (await runtimeLines(server))[0]!;
    await expect.poll(async () => (await readScreen(page, 'strategies')).rows['bh_gld']?.Origin, { timeout: LIVE_MS }).toBe(`${api.origin!.base} · ${api.origin!.source}`);
    const row = (await readScreen(page, 'strategies')).rows['bh_gld']!;
    expect(row.Family).toBe('control');
    expect(row.Instruments).toBe('GLD');
    expect((await readScreen(page, 'strategies')).rows['trend_ma_cross']?.Origin).toBe('catalog');
    // A catalog entry that reads a symbol it does not trade says so, as the API lists it.
    const gc = ((await (await fetch(`${server.httpUrl}/api/v1/strategies`)).json()) as { data: { catalog: { id: string; instruments: string[]; inputs: string[] }[] } }).data.catalog.find((c) => c.id === 'gold_copper_ratio')!;
    expect((await readScreen(page, 'strategies')).rows['gold_copper_ratio']?.Instruments).toBe(`${gc.instruments.join(' ')} · reads ${gc.inputs.join(' ')}`);
    expect(gc.inputs).toEqual(['CPER']);
    expect((await readScreen(page, 'strategies')).rows['trend_ma_cross']?.Instruments).toBe('GLD SLV GDX PPLT');
    await expect.poll(count, { timeout: LIVE_MS }).toBe('1 runtime entry');

    // Change: the dialog opens on the running parameters and instruments; only the edited fields are sent.
    await page.locator('button[data-action="change"][data-strategy="bh_gld"]').click();
    expect(JSON.parse(await page.locator('dialog input[name="params"]').inputValue())).toEqual(api.params);
    expect(await page.locator('dialog input[name="instruments"]').inputValue()).toBe('GLD');
    await fillDialog(page, { params: JSON.stringify({ ...api.params, strength: 0.5 }), instruments: 'gld slv' });
    await expect.poll(async () => (await runtimeLines(server))[0]?.params?.strength, { timeout: LIVE_MS }).toBe(0.5);
    const changed = (await runtimeLines(server))[0]!;
    expect(changed.instruments).toEqual(['GLD', 'SLV']);
    expect(changed.origin?.note).toBe('benchmark');
    await expect.poll(async () => (await readScreen(page, 'strategies')).rows['bh_gld']?.Instruments, { timeout: LIVE_MS }).toBe('GLD SLV');

    await page.locator('button[data-action="remove"][data-strategy="bh_gld"]').click();
    await fillDialog(page, { reason: 'browser test over' });
    await expect.poll(async () => (await runtimeLines(server)).length, { timeout: LIVE_MS }).toBe(0);
    await expect.poll(async () => (await readScreen(page, 'strategies')).rows['bh_gld'], { timeout: LIVE_MS }).toBeUndefined();
    await expect.poll(count, { timeout: LIVE_MS }).toBe('0 runtime entries');
    expect(errors).toEqual([]);
    await page.close();
  });
});
