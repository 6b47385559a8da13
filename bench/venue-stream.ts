/**
 * Venue market-data throughput: a real-time venue streams trades and quotes
 * for the PM universe to one msgpack client (a raw `ws` socket decoding with
 * msgpackr, both in this process), and we count items received per second.
 * The `feeds` benchmark needs about 80,000 trades+quotes per second from the
 * venue; the ratio to that target is printed for each tick rate.
 *
 * Run: npm run bench -- venue-stream
 */
import { createRequire } from 'node:module';
import { unpack } from 'msgpackr';
import { startVenue } from '../venue/index.js';
import { printFigures, printTable, round, target } from './lib/report.js';

const TARGET_ITEMS_PER_SEC = 80_000;

interface Socket {
  on(event: string, fn: (data: Buffer) => void): void;
  send(data: string): void;
  close(): void;
}

async function measure(ticksPerSecond: number, seconds: number): Promise<{ itemsPerSec: number; framesPerSec: number; cpuMs: number }> {
  const venue = await startVenue({ ticksPerSecond, historyMinutes: 0 });
  const { WebSocket } = createRequire(import.meta.url)('ws') as { WebSocket: new (url: string, o: unknown) => Socket };
  const ws = new WebSocket(venue.wsDataUrl, { headers: { 'Content-Type': 'application/msgpack' }, perMessageDeflate: false });
  let items = 0;
  let frames = 0;
  let t0 = 0;
  const started = new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const batch = unpack(data) as { T: string; msg?: string }[];
      frames++;
      for (const m of batch) {
        if (m.T === 't' || m.T === 'q') items++;
        else if (m.msg === 'connected') ws.send(JSON.stringify({ action: 'auth', key: venue.keys.keyId, secret: venue.keys.secretKey }));
        else if (m.msg === 'authenticated') ws.send(JSON.stringify({ action: 'subscribe', trades: ['*'], quotes: ['*'] }));
        else if (m.T === 'subscription') {
          items = 0;
          frames = 0;
          t0 = performance.now();
          resolve();
        }
      }
    });
  });
  await started;
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const dt = (performance.now() - t0) / 1000;
  ws.close();
  await venue.close();
  return { itemsPerSec: items / dt, framesPerSec: frames / dt, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export async function run(seconds = 3): Promise<Record<string, unknown>> {
  const rows: Record<string, string | number>[] = [];
  const figures: Record<string, unknown> = {};
  for (const tps of [2500, 5000]) {
    const r = await measure(tps, seconds);
    rows.push({
      'ticks/s per symbol': tps,
      'trades+quotes/s': Math.round(r.itemsPerSec),
      'frames/s': Math.round(r.framesPerSec),
      'CPU ms/s (venue + client)': Math.round(r.cpuMs / seconds),
      'ratio to 80k target': round(r.itemsPerSec / TARGET_ITEMS_PER_SEC, 2),
    });
    figures[`items_per_s_at_${tps}`] = target(r.itemsPerSec, '>=', TARGET_ITEMS_PER_SEC);
  }
  printTable('venue-stream: venue market-data throughput to one msgpack client, 20 symbols', rows);
  printFigures('venue-stream', figures);
  return figures;
}
