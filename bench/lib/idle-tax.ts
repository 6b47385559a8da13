/**
 * The idle tax: how much slower the same small piece of the hot path runs
 * when its thread has just woken from idling, which is what every stage of a
 * paced pipeline does on each tick. The piece is the broker's first step on
 * an approval: decoding one framed `risk.intent_approved` with the shared
 * record structures (Codec.decodeBatch on a fresh Buffer, as a worker does on
 * receipt). It is timed back to back, then once after each idle gap.
 *
 * Nothing but the gap changes between the rows, so the spread is the
 * machine's (caches, branch predictors and the vCPU's own wake-up after the
 * thread slept), not the runtime's.
 */
import { buildStructures, Codec, FrameWriter, type Structure } from '../../src/runtime/codec.js';
import { Kind, type Message } from '../../src/runtime/message.js';
import { summary } from './report.js';

export interface IdleTaxRow {
  readonly idleMs: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly samples: number;
}

export async function idleTax(structures: readonly Structure[], gapsMs: readonly number[], samples: number): Promise<IdleTaxRow[]> {
  const codec = new Codec(buildStructures(structures));
  const msg = {
    type: 'risk.intent_approved',
    intent: { intentId: 'p1795549437637:GDX', symbol: 'GDX', side: 'sell', qty: 35593, type: 'market', timeInForce: 'day', refPrice: 100.97, createdAt: 1795549437627, reason: 'target weight -0.0359 vs current 0.0000', postureSeq: 1795549437637 },
    originalQty: 35593,
    resized: null,
    tier: 'NORMAL',
    at: 1795549437627,
    originNs: 1,
  } as unknown as Message;
  const w = new FrameWriter(512);
  codec.encodeFrame(w, { to: 'broker', kind: Kind.Tell, from: 'risk', cid: 0, ts: 1, msg });
  const frame = w.take().buffer as ArrayBuffer;
  let sink = 0;
  const once = (): number => {
    const t0 = performance.now();
    codec.decodeBatch(Buffer.from(frame), (f) => {
      if (f.env) sink++;
    });
    return (performance.now() - t0) * 1000;
  };
  for (let i = 0; i < 20_000; i++) once();
  const rows: IdleTaxRow[] = [];
  for (const gap of gapsMs) {
    const us: number[] = [];
    const n = gap === 0 ? samples * 20 : samples;
    for (let i = 0; i < n; i++) {
      if (gap > 0) await new Promise((r) => setTimeout(r, gap));
      us.push(once());
    }
    const s = summary(us);
    rows.push({ idleMs: gap, p50Us: s.p50, p90Us: s.p90, samples: s.n });
  }
  if (sink < 0) console.log(sink);
  return rows;
}
