/**
 * Every trading actor declares its accepts as a table typed by its message
 * union (so it cannot drift from the union), and the messages it only sends
 * itself (timers, self-tells, results of its own async work) are internal.
 */
import { describe, expect, it } from 'vitest';
import type { ActorModule } from '../../../src/runtime/index.js';

const ACTORS: Record<string, string[]> = {
  'allocator/actor': ['allocator.rebalance_due', 'allocator.persist_due', 'allocator.tick'],
  'broker/actor': [
    'broker.stream', 'broker.trade_update', 'broker.state', 'broker.submitted', 'broker.submit_failed', 'broker.lookup_result', 'broker.cancel_result',
    'broker.account_result', 'broker.resend', 'broker.relookup', 'broker.reconnect', 'broker.reconcile_tick', 'broker.status_tick', 'broker.account_tick',
    'broker.commit_intents', 'broker.limit_tick',
  ],
  'feed/actor': ['feed.tick', 'feed.backfill_result', 'feed.backfill_retry', 'feed.sample_due'],
  'macro/actor': ['macro.fetch', 'macro.fetched'],
  'market-data/session': ['md.reconnect'],
  'risk/actor': ['risk.tick', 'risk.state_tick', 'risk.flatten_tick'],
  'strategy/actor': ['strategy.evaluate', 'strategy.status_tick'],
  'replay/tick-source': ['ticks.step'],
};

describe('actor accepts tables', () => {
  for (const [path, internal] of Object.entries(ACTORS)) {
    it(`${path} then a table whose internal types are exactly its timers and self-sent results`, async () => {
      const url = new URL(`../../../actors/${path}.js`, import.meta.url).href;
      const mod = (await import(/* @vite-ignore */ url)) as { default: ActorModule };
      const accepts = mod.default.create().accepts;
      expect(Array.isArray(accepts)).toBe(false);
      const table = Object.entries(accepts as Record<string, string>);
      expect(table.filter(([, who]) => who === 'internal').map(([type]) => type).sort()).toEqual([...internal].sort());
      expect(table.every(([, who]) => who === 'internal' || who === 'public')).toBe(true);
    });
  }
});
