/**
 * Baseline for the hop benchmark: a worker that talks to its peer over a raw
 * MessagePort with plain postMessage of the same tick object (structured
 * clone, one postMessage per message), measured exactly as the actors are.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { monoNs } from '../../src/runtime/message.js';

const TICK = { type: 'hop.tick', symbol: 'GLD', price: 245.37, size: 120, id: 0, ts: 1_764_000_000_123, echo: false, sent: 0 };

let port: MessagePort | undefined;
let lat = new Float64Array(0);
let count = 0;
let expect = 0;
let remaining = 0;

function send(echo: boolean, id: number): void {
  port!.postMessage({ ...TICK, id, echo, sent: monoNs() });
}

parentPort!.on('message', (cmd: { op: string; port?: MessagePort; n?: number; keep?: number; expect?: number; gapMs?: number }) => {
  switch (cmd.op) {
    case 'port':
      port = cmd.port!;
      port.on('message', (m: typeof TICK | { type: 'ack' }) => {
        if (m.type === 'ack') {
          if (--remaining > 0) send(true, remaining);
          else parentPort!.postMessage({ op: 'done' });
          return;
        }
        const t = m as typeof TICK;
        if (count < lat.length) lat[count] = monoNs() - t.sent;
        count++;
        if (t.echo) port!.postMessage({ type: 'ack' });
        else if (count === expect) parentPort!.postMessage({ op: 'done' });
      });
      parentPort!.postMessage({ op: 'ready' });
      return;
    case 'reset':
      lat = new Float64Array(cmd.keep!);
      count = 0;
      expect = cmd.expect ?? 0;
      parentPort!.postMessage({ op: 'ok' });
      return;
    case 'latency':
      remaining = cmd.n!;
      send(true, remaining);
      return;
    case 'paced': {
      // One message every gapMs: the receiver is idle between them, as a pipeline stage is between ticks.
      let left = cmd.n!;
      const tick = (): void => {
        send(false, left);
        if (--left > 0) setTimeout(tick, cmd.gapMs!);
        else parentPort!.postMessage({ op: 'done' });
      };
      tick();
      return;
    }
    case 'burst':
      // One postMessage per message, the way a naive actor runtime would send.
      for (let i = 0; i < cmd.n!; i++) send(false, i);
      return;
    case 'stats':
      parentPort!.postMessage({ op: 'stats', values: Array.from(lat.subarray(0, Math.min(count, lat.length))) });
      return;
  }
});
