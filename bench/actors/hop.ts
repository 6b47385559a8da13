/**
 * The two actors of the hop benchmark: a pinger that sends ticks to a ponger
 * in another worker, one at a time (latency) or in bursts (throughput), and a
 * ponger that measures each tick's one-way latency from its send stamp.
 *
 * The raw baseline runs in the same two worker threads: the main thread
 * hands each actor one end of a MessageChannel (`attachPort`), and the same
 * protocol is played with plain postMessage of the tick object. Same threads,
 * same scheduling: the comparison measures the runtime, not where the OS put
 * two different pairs of threads.
 */
import type { MessagePort } from 'node:worker_threads';
import { defineActor, monoNs, SYSTEM_ID, type ActorContext, type Message } from '../../src/runtime/index.js';

type M = Message & Record<string, any>;

const TICK = { type: 'hop.tick', symbol: 'GLD', price: 245.37, size: 120, id: 0, ts: 1_764_000_000_123, echo: false };

interface RawTick {
  readonly type: 'hop.tick';
  readonly id: number;
  readonly echo: boolean;
  readonly sent: number;
}

/**
 * Bursts are flow-controlled the way a sustained producer has to be: at most
 * WINDOW chunks of CHUNK messages in flight, the ponger returning a credit
 * per chunk handled. Without it the sender outruns the receiver and the
 * benchmark measures a growing backlog (and its garbage collection) instead
 * of the sustainable rate. Both paths use the same window.
 */
export const WINDOW = 16;

export const pinger = defineActor<M, { peer: string }>(() => {
  let peer = '';
  let remaining = 0;
  let raw: MessagePort | undefined;
  let rawRemaining = 0;
  let chunk = 1000;
  let burstRaw = false;
  let inFlight = 0;
  const send = (ctx: ActorContext, echo: boolean, id: number): void => {
    ctx.tell(peer, { ...TICK, id, echo } as M);
  };
  const sendRaw = (echo: boolean, id: number): void => {
    raw!.postMessage({ ...TICK, id, echo, sent: monoNs() });
  };
  /** Sends chunks while the window has room; every tell of a turn shares one postMessage per flush. */
  const pump = (ctx: ActorContext): void => {
    while (inFlight < WINDOW && remaining > 0) {
      const k = Math.min(chunk, remaining);
      // One postMessage per message on the raw path, the way a naive actor runtime would send.
      if (burstRaw) for (let i = 0; i < k; i++) sendRaw(false, remaining - i);
      else for (let i = 0; i < k; i++) send(ctx, false, remaining - i);
      remaining -= k;
      inFlight++;
    }
  };
  return {
    accepts: ['hop.latency', 'hop.ack', 'hop.burst', 'hop.credit', 'hop.raw_latency'],
    init(_ctx, args) {
      peer = args.peer;
    },
    attachPort(_name, port, ctx) {
      raw = port;
      port.on('message', (m: number | string) => {
        if (m === 'credit') {
          inFlight--;
          pump(ctx);
          return;
        }
        // Acks of the raw latency protocol.
        if (--rawRemaining > 0) sendRaw(true, rawRemaining);
        else ctx.tell(SYSTEM_ID, { type: 'hop.done' });
      });
    },
    receive(msg, ctx) {
      switch (msg.type) {
        case 'hop.latency':
          remaining = msg.n;
          send(ctx, true, remaining);
          return;
        case 'hop.ack':
          if (--remaining > 0) send(ctx, true, remaining);
          else ctx.tell(SYSTEM_ID, { type: 'hop.done' });
          return;
        case 'hop.burst':
          remaining = msg.n;
          chunk = msg.chunk;
          burstRaw = msg.raw === true;
          inFlight = 0;
          pump(ctx);
          return;
        case 'hop.credit':
          inFlight--;
          pump(ctx);
          return;
        case 'hop.raw_latency':
          rawRemaining = msg.n;
          sendRaw(true, rawRemaining);
          return;
      }
    },
  };
});

export const ponger = defineActor<M, { peer: string }>(() => {
  let peer = '';
  let lat = new Float64Array(0);
  let count = 0;
  let expect = 0;
  let chunk = 0;
  let raw: MessagePort | undefined;
  const record = (latencyNs: number, ctx: ActorContext, viaRaw: boolean): void => {
    if (count < lat.length) lat[count] = latencyNs;
    count++;
    if (chunk > 0 && count % chunk === 0) {
      if (viaRaw) raw!.postMessage('credit');
      else ctx.tell(peer, { type: 'hop.credit' });
    }
    if (count === expect) ctx.tell(SYSTEM_ID, { type: 'hop.done' });
  };
  return {
    accepts: ['hop.tick', 'hop.reset', 'hop.stats'],
    init(_ctx, args) {
      peer = args.peer;
    },
    attachPort(_name, port, ctx) {
      raw = port;
      port.on('message', (t: RawTick) => {
        record(monoNs() - t.sent, ctx, true);
        if (t.echo) raw!.postMessage(1);
      });
    },
    receive(msg, ctx) {
      switch (msg.type) {
        case 'hop.tick':
          record(monoNs() - ctx.envelope!.ts, ctx, false);
          if (msg.echo) ctx.tell(peer, { type: 'hop.ack' });
          return;
        case 'hop.reset':
          lat = new Float64Array(msg.keep);
          count = 0;
          expect = msg.expect ?? 0;
          chunk = msg.chunk ?? 0;
          ctx.reply({ type: 'hop.ok' });
          return;
        case 'hop.stats':
          ctx.reply({ type: 'hop.latencies', values: Array.from(lat.subarray(0, Math.min(count, lat.length))), count } as M);
          return;
      }
    },
  };
});
