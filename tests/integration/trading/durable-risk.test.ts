/**
 * The risk governor's decisions on disk, with real workers, the broker
 * session and the venue: a trading tree stopped and started again over the
 * same state folder comes back with the tier, latch and floor it had; a state
 * record that cannot be trusted starts it at NO_NEW, never NORMAL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAST, eventually, intent, intentsMsg, mid, riskAt, riskCommand, startHarness, type Any, type Harness } from './harness.js';

let h: Harness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const stateDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'qgtm-risk-state-'));
  dirs.push(d);
  return d;
};
const withState = (dir: string) => ({ trading: { ...FAST, stateDir: dir } });

/** Tells risk a buy of GLD and waits for its verdict. */
async function verdictOnBuy(h: Harness, id: string): Promise<Any> {
  const px = mid(h.venue, 'GLD');
  h.sys.tell('risk', intentsMsg([intent(id, 'GLD', 'buy', 5, px)]));
  return h.seen.risk.waitFor((m) => (m.type === 'risk.intent_denied' && m.intent.intentId === id) || false, 5000, `verdict on ${id}`);
}

describe('risk governor state on disk', () => {
  it('FLATTEN set, tree stopped and started again then FLATTEN latched with its floor and an increasing intent denied', async () => {
    const dir = stateDir();
    h = await startHarness(withState(dir));
    await h.brokerReady();
    expect(await riskCommand(h, 'set', 'FLATTEN')).toMatchObject({ ok: true, tier: 'FLATTEN', latched: true });
    await h.close();

    h = await startHarness(withState(dir));
    const s = await eventually(async () => {
      const x = await h!.ask('risk', { type: 'risk.query' });
      return x.armed ? x : null;
    }, 8000, 'risk armed');
    expect(s).toMatchObject({ tier: 'FLATTEN', latched: true, floor: 'FLATTEN' });
    expect(s!.changes).toBeGreaterThanOrEqual(1);
    expect(await verdictOnBuy(h, 'after-restart')).toMatchObject({ code: 'tier_flatten', tier: 'FLATTEN' });
  }, 60_000);

  it('risk state file corrupt then the governor starts at NO_NEW with a floor only an operator clears', async () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'risk.json'), '{"format":1,"name":"risk","seq":3,"sha');
    h = await startHarness(withState(dir));
    await h.brokerReady();
    const s = await riskAt(h, 'NO_NEW');
    expect(s.floor).toBe('NO_NEW');
    expect(s.floorReason).toMatch(/could not be restored/);
    expect(await verdictOnBuy(h, 'while-fail-safe')).toMatchObject({ code: 'tier_no_new' });
    expect(await riskCommand(h, 'clear')).toMatchObject({ ok: true, floor: null });
    // The fail-safe start is counted.
    const restores = (await h.sys.metricsJson()).flat().find((x) => x.name === 'qgtm_state_restores_total');
    expect(restores?.values).toEqual(expect.arrayContaining([expect.objectContaining({ labels: { record: 'risk', outcome: 'corrupt' }, value: 1 })]));
  }, 60_000);
});
