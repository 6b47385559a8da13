/**
 * Internal messages (Actor.accepts `internal`): only the actor itself sends
 * them. Seen in one worker runtime driven by hand, with what it posts to the
 * main thread decoded; the accepts table's exhaustiveness is checked by tsc
 * (`@ts-expect-error` lines).
 */
import { describe, expect, it } from 'vitest';
import { FrameWriter } from '../../../../src/runtime/codec.js';
import { defineActor, type Accepts, type DeadLetterCount, type Envelope, type Message } from '../../../../src/runtime/index.js';
import { Kind, monoNs, SYSTEM_ID } from '../../../../src/runtime/message.js';
import type { WorkerEvent } from '../../../../src/runtime/protocol.js';
import { eventually, fixture } from '../../../helpers/fixtures.js';
import { handCodec as codec, handRuntime } from '../../../helpers/worker-runtime.js';

type Any = Message & Record<string, any>;

async function ticker() {
  const frames: Envelope<Any>[] = [];
  const dead: DeadLetterCount[] = [];
  const rt = handRuntime((value: WorkerEvent | ArrayBuffer) => {
    if (value instanceof ArrayBuffer) codec.decodeBatch(new Uint8Array(value), (f) => void (f.env && frames.push(f.env as Envelope<Any>)));
    else if (value.k === 'dead') dead.push(...value.counts);
  });
  const started = await rt.startActor({ spec: { id: 'ticker', module: fixture('ticker') }, incarnation: 1 });
  expect(started.ok).toBe(true);
  const send = (from: string | null, msg: Any): void => {
    const batch = new FrameWriter(64);
    codec.encodeFrame(batch, { to: 'ticker', kind: Kind.Tell, from, cid: 0, ts: monoNs(), msg });
    rt.onBatch(batch.take(), 'w0');
  };
  const ticked = (): number[] => frames.filter((f) => f.to === SYSTEM_ID && f.msg.type === 't.ticked').map((f) => f.msg.n as number);
  const internalDead = (): number => dead.filter((d) => d.actor === 'ticker' && d.reason === 'internal').reduce((n, d) => n + d.count, 0);
  return { rt, frames, send, ticked, internalDead };
}

describe('internal messages', () => {
  it('internal message from another actor then refused: a dead letter counted as internal, the sender told only unhandled', async () => {
    const t = await ticker();
    t.send('intruder', { type: 't.tick' });
    await eventually(() => t.internalDead() === 1, 2000, 'the internal dead letter');
    expect(t.ticked()).toEqual([]);
    const notice = t.frames.find((f) => f.to === 'intruder');
    expect(notice).toMatchObject({ kind: Kind.Undelivered, from: 'ticker', msg: { type: 'sys.undelivered', reason: 'unhandled', originalType: 't.tick' } });
    expect(t.rt.cells.get('ticker')!.handledCount).toBe(0);
  });

  it('internal message from the main thread or anonymous then refused as well', async () => {
    const t = await ticker();
    t.send(SYSTEM_ID, { type: 't.tick' });
    t.send(null, { type: 't.tick' });
    await eventually(() => t.internalDead() === 2, 2000, 'two internal dead letters');
    expect(t.ticked()).toEqual([]);
  });

  it('self-tell of an internal message then handled', async () => {
    const t = await ticker();
    t.send('anyone', { type: 't.poke' });
    await eventually(() => t.ticked().length === 1, 2000, 'the self-told tick');
    expect(t.ticked()).toEqual([1]);
    expect(t.internalDead()).toBe(0);
  });

  it('own timer of an internal message then handled, while an outside tick is still refused', async () => {
    const t = await ticker();
    t.send('anyone', { type: 't.start', everyMs: 2 });
    await eventually(() => t.ticked().length >= 3, 2000, 'three timer ticks');
    t.send('intruder', { type: 't.tick' });
    await eventually(() => t.internalDead() === 1, 2000, 'the internal dead letter');
    await t.rt.stopActor('ticker', 'test over', false);
  });
});

/** Never called: only compiled. */
export function acceptsTablesCompile(): void {
  type In = { readonly type: 'a.x' } | { readonly type: 'a.y' };
  const full: Accepts<In> = { 'a.x': 'public', 'a.y': 'internal' };
  // @ts-expect-error a type of the union left out of the table
  const missing: Accepts<In> = { 'a.x': 'public' };
  // @ts-expect-error a type the union does not have
  const extra: Accepts<In> = { 'a.x': 'public', 'a.y': 'public', 'a.z': 'public' };
  // @ts-expect-error only public or internal
  const wrong: Accepts<In> = { 'a.x': 'public', 'a.y': 'private' };
  void [full, missing, extra, wrong];
  defineActor<In>(() => ({
    // @ts-expect-error the actor's table must cover its union
    accepts: { 'a.x': 'public' },
    receive() {},
  }));
}
