import { describe, expect, it } from 'vitest';
import { InMemoryBus } from '../../../../app/bus/memory.js';
import { CommandTimeoutError, DaemonDownError, InvalidCommandError } from '../../../../app/bus/errors.js';
import type { OperatorCommand } from '../../../../app/bus/commands.js';

const cmd = (id: string): OperatorCommand => ({ id, type: 'risk.flatten', reason: 'test', by: 'tester', at: 1 });
const beat = { pid: 1, startedAt: 0, version: 't', degraded: [] as string[] };

describe('InMemoryBus', () => {
  it('put state then get returns a copy the daemon can no longer change', async () => {
    const bus = new InMemoryBus({ now: () => 1000 });
    const value = { tier: 'WARN', list: [1, 2] };
    bus.putState('risk', value);
    value.list.push(3);
    const entry = await bus.getState('risk');
    expect(entry).toEqual({ section: 'risk', value: { tier: 'WARN', list: [1, 2] }, updatedAt: 1000, cached: false });
    expect(await bus.getState('orders')).toBeNull();
  });

  it('put state that is not JSON-able then rejected and counted, never thrown', async () => {
    const bus = new InMemoryBus();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => bus.putState('risk', cyclic)).not.toThrow();
    expect(bus.stats().stateRejected).toBe(1);
    expect(await bus.getState('risk')).toBeNull();
  });

  it('publish with a throwing subscriber then others still receive and the error is counted', () => {
    const bus = new InMemoryBus();
    const got: unknown[] = [];
    bus.subscribe('ticks', () => {
      throw new Error('bad subscriber');
    });
    const off = bus.subscribe('ticks', (m) => got.push(m));
    bus.publish('ticks', { p: 1 });
    off();
    bus.publish('ticks', { p: 2 });
    expect(got).toEqual([{ p: 1 }]);
    expect(bus.stats().subscriberErrors).toBe(2);
  });

  it('heartbeat older than the TTL then daemon reported down with its last info', async () => {
    let now = 0;
    const bus = new InMemoryBus({ heartbeatTtlMs: 100, now: () => now });
    expect((await bus.daemonStatus()).reason).toBe('no_heartbeat');
    bus.heartbeat(beat);
    now = 60;
    expect(await bus.daemonStatus()).toMatchObject({ up: true, heartbeatAgeMs: 60 });
    now = 161;
    const s = await bus.daemonStatus();
    expect(s).toMatchObject({ up: false, heartbeatAgeMs: 161, reason: 'expired' });
    expect(s.info?.version).toBe('t');
  });

  it('send command with a live daemon then the handler acks it once per id', async () => {
    const bus = new InMemoryBus();
    bus.heartbeat(beat);
    let runs = 0;
    bus.onCommand(async (c) => ({ id: c.id, ok: true, result: { runs: ++runs } }));
    const a = await bus.sendCommand(cmd('c1'), { timeoutMs: 500 });
    const b = await bus.sendCommand(cmd('c1'), { timeoutMs: 500 });
    expect(a).toEqual({ id: 'c1', ok: true, result: { runs: 1 } });
    expect(b).toEqual(a);
    expect(runs).toBe(1);
    expect(bus.stats().commandsDeduplicated).toBe(1);
  });

  it('send command without a heartbeat then DaemonDownError and the handler never runs', async () => {
    const bus = new InMemoryBus();
    let runs = 0;
    bus.onCommand(async (c) => ({ id: c.id, ok: true, r: ++runs }));
    await expect(bus.sendCommand(cmd('c2'), { timeoutMs: 100 })).rejects.toBeInstanceOf(DaemonDownError);
    expect(runs).toBe(0);
  });

  it('handler slower than the timeout then CommandTimeoutError marked delivered', async () => {
    const bus = new InMemoryBus();
    bus.heartbeat(beat);
    bus.onCommand((c) => new Promise((r) => setTimeout(() => r({ id: c.id, ok: true }), 300)));
    const err = await bus.sendCommand(cmd('c3'), { timeoutMs: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandTimeoutError);
    expect((err as CommandTimeoutError).delivered).toBe(true);
  });

  it('handler that throws then an error ack with its code', async () => {
    const bus = new InMemoryBus();
    bus.heartbeat(beat);
    bus.onCommand(async () => {
      throw Object.assign(new Error('no such strategy'), { code: 'QGTM_ERR_UNKNOWN_STRATEGY' });
    });
    expect(await bus.sendCommand(cmd('c4'), { timeoutMs: 200 })).toEqual({ id: 'c4', ok: false, error: { code: 'QGTM_ERR_UNKNOWN_STRATEGY', message: 'no such strategy' } });
  });

  it('malformed command then InvalidCommandError listing every violation', async () => {
    const bus = new InMemoryBus();
    bus.heartbeat(beat);
    const bad = { id: 'bad id!', type: 'risk.set_tier', tier: 'PANIC', reason: '', by: 'x', at: 1 } as unknown as OperatorCommand;
    const err = (await bus.sendCommand(bad, { timeoutMs: 100 }).catch((e: unknown) => e)) as InvalidCommandError;
    expect(err).toBeInstanceOf(InvalidCommandError);
    expect(err.violations).toHaveLength(3);
  });
});
