import { describe, expect, it } from 'vitest';
import { ActorSystem, type Message } from '../../../src/runtime/index.js';
import { fixture } from '../../helpers/fixtures.js';
import { useSystem } from '../../helpers/system.js';

const probe = fixture('probe');
type Any = Message & Record<string, any>;

const startSystem = useSystem();

describe('control plane', () => {
  it('inspect, pause, resume and set parameters then act on the actor', async () => {
    const system = await startSystem();
    await system.spawn({ id: 'a', module: probe });
    const applied = await system.setParams('a', { threshold: 2.5 });
    expect(applied).toEqual({ threshold: 2.5 });
    await system.pause('a');
    system.tell('a', { type: 't.inc' } as Any);
    await system.settle();
    let [info] = await system.inspect('a');
    expect(info).toMatchObject({ state: 'paused', mailboxDepth: 1, params: { threshold: 2.5 } });
    await system.resume('a');
    await system.settle();
    [info] = await system.inspect('a');
    expect(info).toMatchObject({ state: 'running', mailboxDepth: 0, state_detail: { count: 1 } });
    const st = await system.ask<Any>('a', { type: 't.get' } as Any, { timeoutMs: 2000 });
    expect(st.params).toEqual({ threshold: 2.5 });
  });

  it('set parameters that are not an object then is refused with a clear error', async () => {
    const system = await startSystem();
    await system.spawn({ id: 'a', module: probe });
    await expect(system.setParams('a', [1, 2] as never)).rejects.toThrow(/params must be an object/);
  });

  it('control call to a blocked worker then times out', async () => {
    const system = await startSystem({ controlTimeoutMs: 200, hangDeadlineMs: 60_000 });
    await system.spawn({ id: 'a', module: probe });
    system.tell('a', { type: 't.block', ms: 800 } as Any);
    await new Promise((r) => setTimeout(r, 50));
    await expect(system.inspect('a')).rejects.toMatchObject({ code: 'QGTM_ERR_CONTROL_TIMEOUT' });
  });

  it('control call pending when its worker dies then is rejected at once', async () => {
    const system = await startSystem({ controlTimeoutMs: 30_000, hangDeadlineMs: 60_000, faults: true });
    system.setFailureHandler(() => undefined);
    await system.spawn({ id: 'a', module: probe });
    await system.fault('a', 'hang');
    await new Promise((r) => setTimeout(r, 50));
    const pending = system.inspect('a');
    const t0 = Date.now();
    await system.kill('a');
    await expect(pending).rejects.toMatchObject({ code: 'QGTM_ERR_WORKER_DIED' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('fault injection when not enabled then is refused', async () => {
    const system = await startSystem();
    await system.spawn({ id: 'a', module: probe });
    await expect(system.fault('a', 'crash')).rejects.toMatchObject({ code: 'QGTM_ERR_FAULTS_DISABLED' });
  });
});

describe('virtual clock', () => {
  async function scenario(): Promise<Any[]> {
    const sys = await ActorSystem.start({ logLevel: 'silent', clock: 'virtual', startTime: 1_000_000 });
    try {
      await sys.spawn({ id: 'echoer', module: probe, args: { echoAfterMs: 500 } });
      await sys.spawn({ id: 'ticker', module: probe, args: { peer: 'echoer', tickEveryMs: 1000 } });
      await sys.advance(3_600);
      const echoer = await sys.ask<Any>('echoer', { type: 't.get' } as Any, { timeoutMs: 2000 });
      const ticker = await sys.ask<Any>('ticker', { type: 't.get' } as Any, { timeoutMs: 2000 });
      expect(sys.now()).toBe(1_003_600);
      return [...echoer.seen, ...ticker.seen];
    } finally {
      await sys.shutdown();
    }
  }

  it('timer-driven actors on the virtual clock then fire at exact virtual times, the same every run', async () => {
    const first = await scenario();
    expect(first).toEqual([
      { type: 't.tick', n: 1, sentAt: 1_001_000, at: 1_001_000 },
      { type: 't.tick', n: 2, sentAt: 1_002_000, at: 1_002_000 },
      { type: 't.tick', n: 3, sentAt: 1_003_000, at: 1_003_000 },
      { type: 't.echo', n: 1, at: 1_001_500 },
      { type: 't.echo', n: 2, at: 1_002_500 },
      { type: 't.echo', n: 3, at: 1_003_500 },
    ]);
    expect(await scenario()).toEqual(first);
  });

  it('ask timeout on the virtual clock then fires only when time is advanced', async () => {
    const system = await startSystem({ clock: 'virtual' });
    await system.spawn({ id: 'silent', module: probe });
    let settled = false;
    const p = system.ask('silent', { type: 't.record' } as Any, { timeoutMs: 1000 }).finally(() => (settled = true));
    p.catch(() => undefined);
    await system.advance(999);
    expect(settled).toBe(false);
    await system.advance(1);
    await expect(p).rejects.toMatchObject({ code: 'QGTM_ERR_ASK_TIMEOUT' });
  });
});
