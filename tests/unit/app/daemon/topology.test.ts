import { describe, expect, it } from 'vitest';
import { CATALOG, partition } from '../../../../actors/strategy/registry.js';
import { resolveAlpacaConnection } from '../../../../src/alpaca/index.js';
import { decisionWorkers, DEFAULT_HEAP, PLACEMENT_MODES, shardIds, strategyActorFor, tradingTree } from '../../../../app/daemon/index.js';
import type { ActorSpec } from '../../../../src/runtime/index.js';
import { validateSupervisorSpec, type ChildSpec, type SupervisorSpec } from '../../../../supervisor/index.js';

const connection = resolveAlpacaConnection({ local: { url: 'http://127.0.0.1:1', wsTradingUrl: 'ws://127.0.0.1:1/stream', wsDataUrl: 'ws://127.0.0.1:1/v2/iex' } });
const base = { connection, journalDir: '/tmp/qgtm-journal' };

function workers(spec: SupervisorSpec): ActorSpec[] {
  return spec.children.flatMap((c: ChildSpec) => (c.type === 'worker' ? [c.start] : workers(c.start)));
}
const sub = (spec: SupervisorSpec, id: string): SupervisorSpec => (spec.children.find((c) => c.start.id === id) as { start: SupervisorSpec }).start;

describe('tradingTree', () => {
  it('default config then a valid tree: execution (rest_for_one broker, risk, allocator) before two shards', () => {
    const tree = tradingTree(base);
    expect(validateSupervisorSpec(tree)).toEqual([]);
    expect(tree).toMatchObject({ id: 'trading', strategy: 'one_for_one' });
    expect(tree.children.map((c) => c.start.id)).toEqual(['execution', 'strategies']);
    const exec = sub(tree, 'execution');
    expect(exec.strategy).toBe('rest_for_one');
    expect(exec.children.map((c) => c.start.id)).toEqual(['broker', 'risk', 'allocator']);
    expect(sub(tree, 'strategies').children.map((c) => c.start.id)).toEqual(['strategy:0', 'strategy:1']);
    const byId = new Map(workers(tree).map((w) => [w.id, w]));
    expect(byId.get('broker')!.args).toMatchObject({ connection, journalDir: '/tmp/qgtm-journal' });
    expect(byId.get('risk')!.args).toMatchObject({ heartbeatSources: ['strategy:0', 'strategy:1'] });
    expect(byId.get('strategy:1')!.args).toMatchObject({ shard: 1, shardCount: 2 });
    expect(byId.get('risk')!.subscribe).toEqual(expect.arrayContaining(['features', 'positions', 'orders', 'reconciled', 'broker_status', 'strategy_status']));
  });

  it('default placement then risk and the broker never share a worker with strategy code', () => {
    for (const shards of [1, 2, 5]) {
      const specs = workers(tradingTree({ ...base, shards }));
      const strategyWorkers = new Set(specs.filter((w) => w.id.startsWith('strategy:')).map((w) => w.placement));
      const byId = new Map(specs.map((w) => [w.id, w]));
      expect(strategyWorkers).toEqual(new Set(['strategies']));
      expect(strategyWorkers.has(byId.get('risk')!.placement!)).toBe(false);
      expect(strategyWorkers.has(byId.get('broker')!.placement!)).toBe(false);
      expect(byId.get('broker')!.placement).toBe('broker');
      expect(specs.filter((w) => w.placement === 'broker').map((w) => w.id)).toEqual(['broker']);
      expect(byId.get('risk')!.placement).toBe(byId.get('allocator')!.placement);
    }
  });

  it('compact placement asked for then the decision path in one worker and the broker in another; split and isolated then more', () => {
    const compact = workers(tradingTree({ ...base, shards: 3, placement: 'compact' }));
    expect(new Set(compact.map((w) => w.placement))).toEqual(new Set(['broker', 'trading']));
    expect(compact.filter((w) => w.placement === 'trading').map((w) => w.id)).toEqual(['risk', 'allocator', 'strategy:0', 'strategy:1', 'strategy:2']);
    const split = workers(tradingTree({ ...base, placement: 'split' }));
    expect(new Set(split.map((w) => w.placement))).toEqual(new Set(['broker', 'trading', 'strategies']));
    const isolated = workers(tradingTree({ ...base, placement: 'isolated' }));
    expect(new Set(isolated.map((w) => w.placement)).size).toBe(isolated.length);
  });

  it('any placement then every actor of a worker carries the same heap cap, strategy workers the strategy cap', () => {
    const md: ChildSpec = { type: 'worker', start: { id: 'md', module: 'file:///x.js', placement: 'md' } };
    for (const placement of PLACEMENT_MODES) {
      const specs = workers(tradingTree({ ...base, shards: 2, placement, marketData: [md], heap: { strategyMb: 900, workerMb: 300 } }));
      const capOf = new Map<string, number>();
      for (const w of specs) {
        const cap = w.limits?.maxOldGenerationSizeMb;
        expect(cap, `${w.id} under ${placement}`).toBeGreaterThan(0);
        if (capOf.has(w.placement!)) expect(cap, `${w.id} shares ${w.placement}`).toBe(capOf.get(w.placement!));
        capOf.set(w.placement!, cap!);
        const withStrategy = specs.some((o) => o.placement === w.placement && o.id.startsWith('strategy:'));
        expect(cap).toBe(withStrategy ? 900 : 300);
      }
    }
    const defaults = new Map(workers(tradingTree(base)).map((w) => [w.id, w.limits?.maxOldGenerationSizeMb]));
    expect(defaults.get('strategy:0')).toBe(DEFAULT_HEAP.strategyMb);
    expect(defaults.get('broker')).toBe(DEFAULT_HEAP.workerMb);
  });

  it('market-data children then wrapped in a one_for_one subtree started last; a supervisor spec is used as is', () => {
    const md: ChildSpec = { type: 'worker', start: { id: 'md', module: 'file:///x.js' } };
    const t1 = tradingTree({ ...base, marketData: [md] });
    expect(t1.children.map((c) => c.start.id)).toEqual(['execution', 'strategies', 'market-data']);
    expect(validateSupervisorSpec(t1)).toEqual([]);
    const own: SupervisorSpec = { id: 'md-tree', strategy: 'rest_for_one', intensity: 1, periodMs: 1000, children: [md] };
    expect(tradingTree({ ...base, marketData: own }).children.at(-1)!.start).toBe(own);
  });

  it('strategy id then the shard actor that runs it, per the catalog partition', () => {
    const parts = partition(CATALOG, 3);
    for (let k = 0; k < 3; k++) for (const s of parts[k]!) expect(strategyActorFor(s.id, 3)).toBe(`strategy:${k}`);
    expect(strategyActorFor('no_such', 3)).toBeUndefined();
    expect(shardIds(2)).toEqual(['strategy:0', 'strategy:1']);
  });
});

describe('decisionWorkers (the opt-in hot path)', () => {
  it('each placement then exactly the workers that run shards, risk, the allocator and the broker in its tree', () => {
    for (const mode of PLACEMENT_MODES) {
      const tree = tradingTree({ ...base, placement: mode, shards: 3 });
      const onPath = workers(tree).filter((w) => ['risk', 'allocator', 'broker'].includes(w.id) || w.id.startsWith('strategy:'));
      expect(new Set(decisionWorkers(3, mode)), mode).toEqual(new Set(onPath.map((w) => w.placement)));
    }
    expect(decisionWorkers(2, 'split').sort()).toEqual(['broker', 'strategies', 'trading']);
  });
});
