/**
 * The allocator actor's learning surface: the freeze command is on disk
 * before the actor moves on, a restarted allocator comes back frozen with its
 * learned weights, and fills reach the attribution.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import allocatorActor, { type AllocatorArgs } from '../../../../actors/allocator/actor.js';
import type { AllocatorLearningMsg } from '../../../../actors/allocator/messages.js';
import type { BrokerFillMsg } from '../../../../actors/broker/messages.js';
import { LocalCell } from './local-cell.js';

const T0 = 1_700_000_000_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function cell(stateDir: string): Promise<LocalCell<never, AllocatorArgs, unknown>> {
  const c = new LocalCell(allocatorActor as never, 'allocator', T0) as LocalCell<never, AllocatorArgs, unknown>;
  await c.init({ stateDir, learning: { periodMs: 60_000 } });
  return c;
}

const lastLearning = (c: LocalCell<never, AllocatorArgs, unknown>): AllocatorLearningMsg => c.published.filter((p) => p.topic === 'learning').at(-1)!.msg as AllocatorLearningMsg;
const fill = (qty: number, price: number): BrokerFillMsg => ({
  type: 'broker.fill', executionId: 'e1', clientOrderId: 'c1', brokerOrderId: null, intentId: null, symbol: 'GLD', side: qty > 0 ? 'buy' : 'sell', qty: Math.abs(qty), price, positionQty: qty, positionAvgPrice: price, synthetic: false, ts: T0,
});
const features = (price: number, ts: number) => ({ type: 'feed.features', symbol: 'GLD', price, vol: 0.2, ts }) as never;

describe('allocator actor learning', () => {
  it('at start then learning state is published, enabled and not frozen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qgtm-alloc-learning-'));
    dirs.push(dir);
    const c = await cell(dir);
    expect(lastLearning(c)).toMatchObject({ type: 'allocator.learning', enabled: true, frozen: false, settings: { periodMs: 60_000 } });
  });

  it('the freeze command then published frozen, and a restarted allocator comes back frozen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qgtm-alloc-learning-'));
    dirs.push(dir);
    const a = await cell(dir);
    a.deliver({ type: 'allocator.learning_command', frozen: true, reason: 'test', by: 'op' } as never);
    expect(lastLearning(a).frozen).toBe(true);
    // No stop(): the record was written before the command was answered (kill -9 safe).
    const b = await cell(dir);
    expect(lastLearning(b).frozen).toBe(true);
    b.deliver({ type: 'allocator.learning_command', frozen: false, reason: 'resume', by: 'op' } as never);
    const c = await cell(dir);
    expect(lastLearning(c).frozen).toBe(false);
  });

  it('a broker fill then a move of the mark then P&L in the attribution (unattributed with no posture)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qgtm-alloc-learning-'));
    dirs.push(dir);
    const a = await cell(dir);
    a.deliver(features(200, T0), fill(10, 200), features(201, T0 + 1000));
    expect(lastLearning(a).unattributed).toBe(0); // not yet published: no period ended
    a.deliver(features(202, T0 + 61_000));
    expect(lastLearning(a).unattributed).toBeCloseTo(20);
  });
});
