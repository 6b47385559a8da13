/**
 * When an actor's frames for other threads are posted (ActorSpec.flush), seen
 * as postMessage calls in one worker runtime driven by hand: messages are
 * delivered in one batch and each handler sends frames to an actor in another
 * thread.
 */
import { describe, expect, it } from 'vitest';
import { FrameWriter } from '../../../../src/runtime/codec.js';
import { Kind, type Message } from '../../../../src/runtime/message.js';
import type { ActorSpec } from '../../../../src/runtime/spec.js';
import { fixture } from '../../../helpers/fixtures.js';
import { handCodec as codec, handRuntime } from '../../../helpers/worker-runtime.js';

type Any = Message & Record<string, any>;

/** The frame count of each postMessage to the main thread, after `handlers` floods of `frames` frames each. */
async function postsFor(flush: ActorSpec['flush'], handlers: number, frames: number): Promise<number[]> {
  const posts: number[] = [];
  const rt = handRuntime((value) => {
    if (!(value instanceof ArrayBuffer)) return;
    let n = 0;
    codec.decodeBatch(new Uint8Array(value), (frame) => {
      if (frame.env?.to === 'x') n++;
    });
    if (n > 0) posts.push(n);
  });
  const started = await rt.startActor({ spec: { id: 'a', module: fixture('flooder'), flush }, incarnation: 1 });
  expect(started.ok).toBe(true);
  // All the messages in one batch, as they would arrive from another thread.
  const batch = new FrameWriter(256);
  for (let i = 0; i < handlers; i++) codec.encodeFrame(batch, { to: 'a', kind: Kind.Tell, from: null, cid: 0, ts: Number(process.hrtime.bigint()), msg: { type: 't.flood', to: 'x', n: frames } as Any });
  rt.onBatch(batch.take(), 'w0');
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return posts;
}

describe('flush modes', () => {
  it('turn (default) then what the turn sent goes in one post', async () => {
    expect(await postsFor(undefined, 1, 4)).toEqual([4]);
    expect(await postsFor('turn', 1, 4)).toEqual([4]);
  });

  it('message then one post per handled message, as its handler returns', async () => {
    expect(await postsFor('message', 1, 4)).toEqual([4]);
    // Two messages in one batch, handled in one turn: each handler's frames leave before the next runs.
    expect(await postsFor('message', 2, 2)).toEqual([2, 2]);
  });

  it('immediate then one post per frame', async () => {
    expect(await postsFor('immediate', 1, 4)).toEqual([1, 1, 1, 1]);
  });
});
