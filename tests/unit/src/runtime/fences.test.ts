/**
 * Route fences in one worker runtime, driven by hand: frames a worker sent
 * through the main thread must not be overtaken by frames it then sends on the
 * direct channel once it learns the route (see src/runtime/worker/fences.ts).
 */
import { describe, expect, it } from 'vitest';
import { Kind, type Envelope, type Message } from '../../../../src/runtime/message.js';
import type { WorkerRuntime } from '../../../../src/runtime/worker/runtime.js';
import { fixture } from '../../../helpers/fixtures.js';
import { handCodec as codec, handRuntime } from '../../../helpers/worker-runtime.js';

type Any = Message & Record<string, any>;

/** A runtime whose posts to the main thread are captured, with a probe actor 'a' in it. */
async function runtimeWithProbe(): Promise<{ rt: WorkerRuntime; toMain: Envelope[]; events: Any[] }> {
  const toMain: Envelope[] = [];
  const events: Any[] = [];
  const rt = handRuntime((value) => {
    if (value instanceof ArrayBuffer) {
      codec.decodeBatch(new Uint8Array(value), (frame) => {
        if (frame.env) toMain.push(frame.env);
      });
    } else events.push(value as unknown as Any);
  });
  const started = await rt.startActor({ spec: { id: 'a', module: fixture('probe') }, incarnation: 1 });
  expect(started.ok).toBe(true);
  return { rt, toMain, events };
}

/** One turn of the event loop (the runtime drains mailboxes on setImmediate). */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Tells probe 'a' to send `i` to 'x', and lets it run. */
async function aSends(rt: WorkerRuntime, i: number): Promise<void> {
  rt.deliver({ to: 'a', kind: Kind.Tell, from: null, cid: 0, ts: 0, msg: { type: 't.forward', to: 'x', msg: { type: 't.record', i } } as Any });
  await turn();
  await turn();
}


describe('route fences', () => {
  it('frames sent through the main thread, then the route learnt then later frames wait for the fence', async () => {
    const { rt, toMain, events } = await runtimeWithProbe();
    await aSends(rt, 1);
    expect(toMain.map((e) => [e.to, e.kind, (e.msg as Any).i])).toEqual([['x', Kind.Tell, 1]]);

    rt.setRoutes([['x', 'w2']]);
    await aSends(rt, 2);
    await aSends(rt, 3);
    // The fence follows frame 1 through the main thread; 2 and 3 are kept, so no channel is asked for yet.
    const fence = toMain.find((e) => e.kind === Kind.Fence)!;
    expect(fence).toMatchObject({ to: 'x', from: 'a' });
    expect(toMain.filter((e) => e.kind === Kind.Tell).map((e) => (e.msg as Any).i)).toEqual([1]);
    expect(events.filter((e) => e.k === 'connect')).toEqual([]);
    expect(rt.counters().idle).toBe(false);

    // A stale or foreign answer opens nothing.
    rt.deliver({ to: 'a', kind: Kind.FenceAck, from: 'x', cid: fence.cid + 99, ts: 0, msg: { type: 'sys.fence' } });
    await turn();
    expect(events.filter((e) => e.k === 'connect')).toEqual([]);

    // The receiving worker answers: 2 and 3 go to w2, in order (held until its channel is wired).
    rt.deliver({ to: 'a', kind: Kind.FenceAck, from: 'x', cid: fence.cid, ts: 0, msg: { type: 'sys.fence' } });
    await turn();
    expect(events.filter((e) => e.k === 'connect')).toEqual([{ k: 'connect', peer: 'w2' }]);
    expect(toMain.filter((e) => e.kind === Kind.Tell).map((e) => (e.msg as Any).i)).toEqual([1]);
  });

  it('a route learnt with nothing sent through the main thread then no fence', async () => {
    const { rt, toMain, events } = await runtimeWithProbe();
    rt.setRoutes([['x', 'w2']]);
    await aSends(rt, 1);
    expect(toMain.filter((e) => e.kind === Kind.Fence)).toEqual([]);
    expect(events.filter((e) => e.k === 'connect')).toEqual([{ k: 'connect', peer: 'w2' }]);
  });

  it('a fence while the route goes down again then the kept frames go through the main thread, in order', async () => {
    const { rt, toMain } = await runtimeWithProbe();
    await aSends(rt, 1);
    rt.setRoutes([['x', 'w2']]);
    await aSends(rt, 2);
    rt.setRoutes([['x', null]]);
    await aSends(rt, 3);
    await turn();
    expect(toMain.filter((e) => e.kind === Kind.Tell).map((e) => (e.msg as Any).i)).toEqual([1, 2, 3]);
    expect(rt.counters().idle).toBe(true);
  });

  it('a fence open when the last actor of the worker stops then the kept frames go out at once, through the main thread', async () => {
    const { rt, toMain, events } = await runtimeWithProbe();
    await aSends(rt, 1);
    rt.setRoutes([['x', 'w2']]);
    await aSends(rt, 2);
    expect(events.filter((e) => e.k === 'connect')).toEqual([]);
    await rt.stopActor('a', 'test', false);
    // Not left waiting for an answer, nor for a channel to w2 that would die with this worker.
    expect(toMain.filter((e) => e.kind === Kind.Tell).map((e) => (e.msg as Any).i)).toEqual([1, 2]);
    expect(rt.counters().idle).toBe(true);
  });

  it('frames waiting for a channel when the last actor of the worker stops then they go through the main thread', async () => {
    const { rt, toMain, events } = await runtimeWithProbe();
    rt.setRoutes([['x', 'w2']]);
    await aSends(rt, 1);
    await aSends(rt, 2);
    // Direct from the start (nothing went through the main thread): held until w2's channel is wired.
    expect(events.filter((e) => e.k === 'connect')).toEqual([{ k: 'connect', peer: 'w2' }]);
    expect(toMain.filter((e) => e.kind === Kind.Tell)).toEqual([]);
    await rt.stopActor('a', 'test', false);
    expect(toMain.filter((e) => e.kind === Kind.Tell).map((e) => [e.to, (e.msg as Any).i])).toEqual([['x', 1], ['x', 2]]);
    expect(rt.counters().idle).toBe(true);
  });

  it('a fence to a worker answering for the actor then it acks to the sender, and is never delivered', async () => {
    const { rt, toMain } = await runtimeWithProbe();
    // 'a' lives here: a fence for it from 'z' (elsewhere) is answered, not queued in a's mailbox.
    rt.deliver({ to: 'a', kind: Kind.Fence, from: 'z', cid: 7, ts: 0, msg: { type: 'sys.fence' } });
    await turn();
    expect(toMain.map((e) => [e.to, e.kind, e.from, e.cid])).toEqual([['z', Kind.FenceAck, 'a', 7]]);
    expect(rt.deadLetters.count()).toBe(0);
  });
});
