/**
 * Isolation of the risk governor from strategy code under the default
 * placement: a strategy shard that hangs its worker (an endless loop) stalls
 * only the shards; the risk governor keeps answering while the hang detector
 * kills the shards' worker and the strategies supervisor restarts them.
 * Under `compact` (an explicit opt-in) the same hang takes risk down with it
 * until the detector acts: the price that placement pays for a hop fewer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PlacementMode } from '../../../app/daemon/index.js';
import type { SupervisorReport } from '../../../supervisor/index.js';
import { eventually, startHarness, type Any, type Harness } from './harness.js';

const HANG_DEADLINE_MS = 1500;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface HangRun {
  readonly answered: number;
  readonly timedOut: number;
  readonly worstMs: number;
  readonly reports: readonly SupervisorReport[];
}

/**
 * Injects `fault` into strategy:0 (an endless loop, or allocation past its worker's heap cap),
 * asks risk every 50 ms (1 s timeout, below the hang deadline) until strategy:0 is restarted.
 */
async function breakShard(fault: 'hang' | 'oom', placement?: PlacementMode): Promise<HangRun> {
  const trading = { ...(placement ? { placement } : {}), heap: { strategyMb: 96 } };
  h = await startHarness({ system: { faults: true, hangDeadlineMs: HANG_DEADLINE_MS, logLevel: 'silent' }, trading });
  const reports: SupervisorReport[] = [];
  h.tree.on('report', (r: SupervisorReport) => reports.push(r));
  await h.brokerReady();
  expect((await h.ask('strategy:0', { type: 'strategy.query' } as Any)).type).toBeDefined();
  await h.sys.fault('strategy:0', fault);
  let answered = 0;
  let timedOut = 0;
  let worstMs = 0;
  const deadline = Date.now() + HANG_DEADLINE_MS * 8;
  for (;;) {
    const t0 = Date.now();
    try {
      const s = await h.ask('risk', { type: 'risk.query' } as Any, 1000);
      expect(s.tier).toBeDefined();
      answered++;
    } catch {
      timedOut++;
    }
    worstMs = Math.max(worstMs, Date.now() - t0);
    const restarted = reports.some((r) => r.context === 'started' && r.offender.id === 'strategy:0');
    if (restarted) break;
    if (Date.now() > deadline) throw new Error(`strategy:0 not restarted in ${HANG_DEADLINE_MS * 8} ms; reports: ${JSON.stringify(reports)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The restarted shard answers again.
  await eventually(async () => (await h!.ask('strategy:0', { type: 'strategy.query' } as Any, 500).catch(() => null)) !== null, 10_000, 'strategy:0 answering after its restart');
  return { answered, timedOut, worstMs, reports };
}

describe('risk isolation from strategy code', () => {
  it('default placement and a strategy shard in an endless loop then risk answers every ask while the hang detector restarts the shards', async () => {
    const run = await breakShard('hang');
    console.log(`default placement, shard hung: risk answered ${run.answered} asks, ${run.timedOut} timed out, slowest ${run.worstMs} ms`);
    expect(run.timedOut).toBe(0);
    expect(run.answered).toBeGreaterThan(5);
    const terminated = run.reports.filter((r) => r.context === 'child_terminated');
    expect(terminated.map((r) => r.offender.id)).toContain('strategy:0');
    expect(terminated.find((r) => r.offender.id === 'strategy:0')!.reason).toMatch(/hang/);
    // Nothing on the execution side ended.
    expect(terminated.filter((r) => ['risk', 'allocator', 'broker'].includes(r.offender.id))).toEqual([]);
  }, 30_000);

  it('default placement and a strategy shard allocating without end then its worker ends at the heap cap and risk answers throughout', async () => {
    const run = await breakShard('oom');
    console.log(`default placement, shard past its heap cap: risk answered ${run.answered} asks, ${run.timedOut} timed out, slowest ${run.worstMs} ms`);
    expect(run.timedOut).toBe(0);
    const terminated = run.reports.filter((r) => r.context === 'child_terminated');
    expect(terminated.find((r) => r.offender.id === 'strategy:0')?.reason).toMatch(/oom|memory/i);
    expect(terminated.filter((r) => ['risk', 'allocator', 'broker'].includes(r.offender.id))).toEqual([]);
  }, 30_000);

  it('compact placement and a strategy shard in an endless loop then risk stalls and is restarted with it', async () => {
    const run = await breakShard('hang', 'compact');
    console.log(`compact placement, shard hung: risk answered ${run.answered} asks, ${run.timedOut} timed out`);
    expect(run.timedOut).toBeGreaterThan(0);
    expect(run.reports.filter((r) => r.context === 'child_terminated').map((r) => r.offender.id)).toEqual(expect.arrayContaining(['strategy:0', 'risk']));
  }, 30_000);
});
