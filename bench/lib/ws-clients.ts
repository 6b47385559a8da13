/**
 * Worker thread hosting the benchmark's WebSocket clients (the `ws` package),
 * so the clients run on their own core and the server under test on another.
 * Clients only count frames: the figure is the server's fan-out, not parsing.
 */
import { parentPort } from 'node:worker_threads';
import WebSocket from 'ws';

let sockets: WebSocket[] = [];
let counts: number[] = [];
let total = 0;
let expected = Infinity;

parentPort!.on('message', async (cmd: { op: 'connect'; url: string; n: number; preamble: number } | { op: 'expect'; total: number } | { op: 'close' }) => {
  switch (cmd.op) {
    case 'connect': {
      sockets = [];
      counts = new Array<number>(cmd.n).fill(0);
      total = 0;
      expected = Infinity;
      let ready = 0;
      await new Promise<void>((resolve, reject) => {
        for (let i = 0; i < cmd.n; i++) {
          const ws = new WebSocket(cmd.url, undefined, { perMessageDeflate: false });
          sockets.push(ws);
          ws.once('error', ((err: Error) => reject(err)) as never);
          const markReady = (): void => {
            if (++ready === cmd.n) resolve();
          };
          if (cmd.preamble === 0) ws.once('open', markReady);
          ws.on('message', () => {
            counts[i]++;
            if (counts[i] === cmd.preamble) return markReady();
            if (counts[i] > cmd.preamble && ++total === expected) parentPort!.postMessage({ op: 'done' });
          });
        }
      });
      parentPort!.postMessage({ op: 'connected' });
      return;
    }
    case 'expect':
      expected = total + cmd.total;
      if (total >= expected) parentPort!.postMessage({ op: 'done' });
      return;
    case 'close':
      for (const ws of sockets) ws.terminate();
      sockets = [];
      parentPort!.postMessage({ op: 'closed' });
      return;
  }
});
