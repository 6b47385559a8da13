/**
 * The Watchdog's Cluster panel in headless Chromium against the simulated
 * daemon behind the real gateway. The daemon's watchdog section carries a
 * `cluster` as app/cluster/view.ts reads it (3 nodes, 6 slots, one of them
 * unowned); the test reads what a person reads (the header figure, each
 * node's slots, each slot's owner, token, lease and backlogs with their
 * units, how old the read is) and compares it with the values put, written
 * out here by rules of its own. Also: no panel while the daemon is not in
 * cluster mode, the read error shown, the unowned warning gone once a node
 * takes the slot, a malformed section not breaking the view, and nothing
 * cut at 1280x800 or 420x900.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ClusterSnapshot, SlotRow } from '../../app/cluster/view.js';
import { describeWithTool } from '../helpers/tools.js';
import { browserAvailability, clipped, screenshot } from './browser.js';
import { browserSuite, LIVE_MS } from './suite.js';
import { expectedInUnit, readScreen } from './units.js';

const availability = browserAvailability();
const V = '.view[data-view="watchdog"]';
const PANEL = '[data-testid="cluster"]';
/** The terminal's warning colour (styles.css --warn). */
const WARN_RGB = 'rgb(251, 192, 45)';

type Backlog = readonly [number | null, number | null, number | null, number | null];

function row(slot: number, owner: string | null, token: number, leaseLeftMs: number | null, [inPending, inLag, outPending, outLag]: Backlog): SlotRow {
  return { slot, owner, token, leaseLeftMs, inPending, inLag, outPending, outLag };
}

/** 3 nodes own 5 of 6 slots; slot 4 lost its owner (its lease ran out), its streams still hold entries. */
function cluster(readAt: number): ClusterSnapshot {
  return {
    prefix: 'qgtm-test:',
    slots: [
      row(0, 'node-a', 3, 4210, [2, 0, 1, 5]),
      row(1, 'node-b', 1, 850, [0, 1, 0, 0]),
      row(2, 'node-c', 2, 61_500, [0, 0, 1204, 0]),
      row(3, 'node-a', 5, 12_300, [1, 0, 0, 0]),
      row(4, null, 7, null, [null, null, 0, 3]),
      row(5, 'node-b', 1, 999, [0, 0, 0, 1]),
    ],
    nodes: [
      { id: 'node-a', slots: [0, 3] },
      { id: 'node-b', slots: [1, 5] },
      { id: 'node-c', slots: [2] },
    ],
    unowned: [4],
    readAt,
    error: null,
  };
}

/** A backlog as an operator reads it: "1 entry", "1,204 entries", "—" while the stream does not exist. */
function entriesText(n: number | null): string {
  return n === null ? '—' : `${n.toLocaleString('en-US')} ${n === 1 ? 'entry' : 'entries'}`;
}

/** What the page should show for each slot, by slot number. */
function expectedSlots(c: ClusterSnapshot): Record<string, Record<string, string>> {
  return Object.fromEntries(
    c.slots.map((s) => [
      String(s.slot),
      {
        Slot: String(s.slot),
        Owner: s.owner ?? 'unowned',
        Token: String(s.token),
        'Lease left': s.leaseLeftMs === null ? '—' : expectedInUnit(s.leaseLeftMs, 'ms', ''),
        'In pending': entriesText(s.inPending),
        'In lag': entriesText(s.inLag),
        'Out pending': entriesText(s.outPending),
        'Out lag': entriesText(s.outLag),
      },
    ]),
  );
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

describeWithTool('terminal watchdog: the cluster panel', availability.reason, () => {
  const t = browserSuite();

  it('cluster null then no panel; a cluster section then its nodes, slots, owners, tokens, leases and backlogs as put, with units; null again then gone', async () => {
    t.server.daemon.cluster = null;
    const { page, errors } = await t.open('watchdog');
    // The section has arrived (the tree is drawn from it) and carries cluster: null.
    await expect.poll(() => page.locator(`${V} ul.tree li`).count(), { timeout: LIVE_MS }).toBeGreaterThan(1);
    expect(((await (await fetch(`${t.server.httpUrl}/api/v1/watchdog`)).json()) as { data: { cluster: unknown } }).data.cluster).toBeNull();
    expect(await page.locator(PANEL).count()).toBe(0);

    const readAt = Date.now() - 1200;
    const c = cluster(readAt);
    t.server.daemon.cluster = c;
    await page.locator(PANEL).waitFor({ timeout: LIVE_MS });
    const owned = c.slots.filter((s) => s.owner !== null).length;
    await expect.poll(() => text(page, `${PANEL} .cluster-head`), { timeout: LIVE_MS }).toBe(`3 nodes · ${owned}/6 slots owned · 1 unowned (slot 4)`);
    expect(owned).toBe(5);
    // The unowned count in the warning colour, the rest of the figure not.
    expect(await page.locator('[data-testid="cluster-unowned"]').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color)).toBe(WARN_RGB);
    expect(await page.locator('[data-testid="cluster-figure"]').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color)).not.toBe(WARN_RGB);

    const nodes = await readScreen(page, 'watchdog', 'table.cluster-nodes');
    expect(nodes.rows).toEqual({
      'node-a': { Node: 'node-a', 'Slots owned': '0, 3' },
      'node-b': { Node: 'node-b', 'Slots owned': '1, 5' },
      'node-c': { Node: 'node-c', 'Slots owned': '2' },
    });
    const slots = await readScreen(page, 'watchdog', 'table.cluster-slots');
    expect(slots.rows).toEqual(expectedSlots(c));
    // Spelled out once, so the rules above are not the only witness: 850 ms, 4.2 s, 1m 01s; 1,204 entries; 1 entry.
    expect([slots.rows['1']!['Lease left'], slots.rows['0']!['Lease left'], slots.rows['2']!['Lease left']]).toEqual(['850 ms', '4.2 s', '1m 01s']);
    expect([slots.rows['2']!['Out pending'], slots.rows['1']!['In lag'], slots.rows['4']!['In pending']]).toEqual(['1,204 entries', '1 entry', '—']);
    // Slot 4 is marked: its row highlighted, its owner a warning chip; no other row is.
    expect(await page.locator(`${PANEL} table.cluster-slots tr.unowned`).evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { key: string } }).dataset.key))).toEqual(['4']);
    expect(await page.locator(`${PANEL} table.cluster-slots tr[data-key="4"] .chip.chip-warn`).textContent()).toBe('unowned');

    // The read's age grows from the 1.2 s it had when put; never less, never more than has passed since.
    const age = async (): Promise<number> => {
      const m = /^read (\d+\.\d) s ago$/.exec(await text(page, '[data-testid="cluster-read"]'));
      return m ? Number(m[1]) : NaN;
    };
    await expect.poll(age, { timeout: LIVE_MS }).toBeGreaterThanOrEqual(1.2);
    const shown = await age();
    expect(shown).toBeLessThanOrEqual((Date.now() - readAt) / 1000 + 0.05);
    expect(await text(page, '[data-testid="cluster-prefix"]')).toBe('· Redis prefix qgtm-test:');
    await screenshot(page, 'sim-watchdog-cluster-read', true);

    // The coordinator's read fails: the error, and how old the picture still shown is.
    t.server.daemon.cluster = { ...c, error: 'connect ECONNREFUSED 127.0.0.1:6399' };
    await expect.poll(() => text(page, '[data-testid="cluster-read"]'), { timeout: LIVE_MS }).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:6399 · last good read \d+\.\d s ago$/);
    expect(await page.locator('[data-testid="cluster-read"]').getAttribute('class')).toBe('bad');

    // node-c takes slot 4 under a new token: every slot owned, no warning left.
    const taken: ClusterSnapshot = {
      ...c,
      slots: c.slots.map((s) => (s.slot === 4 ? { ...s, owner: 'node-c', token: 8, leaseLeftMs: 5000 } : s)),
      nodes: c.nodes.map((n) => (n.id === 'node-c' ? { ...n, slots: [2, 4] } : n)),
      unowned: [],
      readAt: Date.now(),
      error: null,
    };
    t.server.daemon.cluster = taken;
    await expect.poll(() => text(page, `${PANEL} .cluster-head`), { timeout: LIVE_MS }).toBe('3 nodes · 6/6 slots owned');
    expect((await readScreen(page, 'watchdog', 'table.cluster-slots')).rows).toEqual(expectedSlots(taken));
    expect((await readScreen(page, 'watchdog', 'table.cluster-nodes')).rows['node-c']).toEqual({ Node: 'node-c', 'Slots owned': '2, 4' });
    expect(await page.locator(`${PANEL} tr.unowned`).count()).toBe(0);

    t.server.daemon.cluster = null;
    await expect.poll(() => page.locator(PANEL).count(), { timeout: LIVE_MS }).toBe(0);
    expect(await page.locator(`${V} ul.tree li`).count()).toBeGreaterThan(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a malformed cluster section then the panel shows what it can and the rest of the view stands', async () => {
    t.server.daemon.cluster = { prefix: 5, slots: 'junk', nodes: [7, { id: 'node-a', slots: ['x', 2] }], unowned: { a: 1 }, readAt: 'yesterday', error: null };
    const { page, errors } = await t.open('watchdog');
    await page.locator(PANEL).waitFor({ timeout: LIVE_MS });
    await expect.poll(() => text(page, `${PANEL} .cluster-head`), { timeout: LIVE_MS }).toBe('1 node · 0/0 slots owned');
    expect((await readScreen(page, 'watchdog', 'table.cluster-nodes')).rows).toEqual({ 'node-a': { Node: 'node-a', 'Slots owned': '2' } });
    expect(await text(page, `${PANEL} table.cluster-slots tr.empty`)).toBe('no slot read yet');
    expect(await text(page, '[data-testid="cluster-read"]')).toBe('not read yet');
    expect(await text(page, '[data-testid="cluster-prefix"]')).toBe('');
    // The tree and the dead letters still render from the same and the next section.
    expect(await page.locator(`${V} ul.tree li`).count()).toBeGreaterThan(1);
    await expect.poll(() => text(page, '[data-testid="dead-letters-total"]'), { timeout: LIVE_MS }).toMatch(/dead-lettered/);
    expect(errors).toEqual([]);
    await page.close();
  });

  for (const size of [
    { width: 1280, height: 800 },
    { width: 420, height: 900 },
  ]) {
    it(`cluster panel at ${size.width}x${size.height} then nothing cut and the page does not scroll sideways`, async () => {
      t.server.daemon.cluster = cluster(Date.now());
      const { page, errors } = await t.open('watchdog', size);
      await page.locator(`${PANEL} table.cluster-slots tr[data-key="5"]`).waitFor({ timeout: LIVE_MS });
      expect(await clipped(page, 'watchdog')).toEqual([]);
      await screenshot(page, `sim-watchdog-cluster-${size.width}x${size.height}`, true);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
