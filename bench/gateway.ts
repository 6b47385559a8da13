/**
 * gateway: telemetry fan-out and /metrics scrape time.
 *
 * 1. 500 WebSocket clients (the `ws` package, in a worker thread) subscribed
 *    to one topic; messages delivered per second by the uWS gateway (native
 *    pub/sub, one encode per message) against a plain `ws` server doing the
 *    same fan-out (one JSON.stringify, then `send` to every client), in the
 *    same run. Target: at least 3x.
 * 2. /metrics scrape over HTTP with ~30 workers' worth of actor metrics
 *    merged into the gateway's own. Target: p50 at most 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAllInOne } from '../bin/all-in-one.js';
import { Worker } from 'node:worker_threads';
import { startGateway } from '../gateway/server.js';
import { InMemoryBus } from '../app/bus/memory.js';
import { createLogger } from '../src/runtime/logger.js';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { benchMetricSet } from './lib/metric-set.js';
import { printFigures, printTable, round, summary, target } from './lib/report.js';

const CLIENTS = 500;
const MESSAGES = 400;
const BURST = 50;
const ROUNDS = 3;
const TICK = { type: 'md.trade', symbol: 'GLD', price: 245.37, size: 120, id: 918_273_645, ts: 1_764_000_000_123 };

type Reply = { op: string };

class Clients {
  private readonly worker = new Worker(new URL('./lib/ws-clients.js', import.meta.url));
  private waiting: ((r: Reply) => void) | null = null;
  constructor() {
    this.worker.on('message', (r: Reply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(r);
    });
  }
  call(cmd: Record<string, unknown>): Promise<Reply> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.worker.postMessage(cmd);
    });
  }
  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Publishes MESSAGES in bursts (yielding so sockets drain) and returns deliveries per second. */
async function measure(clients: Clients, publish: (i: number) => void): Promise<number> {
  const done = clients.call({ op: 'expect', total: CLIENTS * MESSAGES });
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i += BURST) {
    for (let j = i; j < Math.min(MESSAGES, i + BURST); j++) publish(j);
    await new Promise((r) => setImmediate(r));
  }
  await done;
  return (CLIENTS * MESSAGES) / ((performance.now() - t0) / 1000);
}

async function fanoutUws(clients: Clients): Promise<number[]> {
  const bus = new InMemoryBus();
  const gw = await startGateway({ bus, port: 0, token: null, processMetrics: false, log: createLogger('silent'), limits: { wsMaxBackpressureBytes: 64 * 1024 * 1024, wsMaxClients: CLIENTS * 2 } });
  try {
    // welcome + subscribed precede the telemetry.
    await clients.call({ op: 'connect', url: `${gw.url.replace(/^http/, 'ws')}/ws?topics=ticks`, n: CLIENTS, preamble: 2 });
    const rates: number[] = [];
    await measure(clients, (i) => bus.publish('ticks', { ...TICK, id: i })); // warm-up
    for (let r = 0; r < ROUNDS; r++) rates.push(await measure(clients, (i) => bus.publish('ticks', { ...TICK, id: i })));
    await clients.call({ op: 'close' });
    return rates;
  } finally {
    await gw.close();
  }
}

async function fanoutWs(clients: Clients): Promise<number[]> {
  const wss = await new Promise<WebSocketServer>((resolve) => {
    const s: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false }, () => resolve(s));
  });
  let seq = 0;
  // The same envelope the gateway sends, encoded once, sent to every client.
  const publish = (i: number): void => {
    const text = JSON.stringify({ type: 'event', topic: 'ticks', seq: ++seq, ts: Date.now(), data: { ...TICK, id: i } });
    for (const c of wss.clients) c.send(text);
  };
  try {
    await clients.call({ op: 'connect', url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, n: CLIENTS, preamble: 0 });
    const rates: number[] = [];
    await measure(clients, publish);
    for (let r = 0; r < ROUNDS; r++) rates.push(await measure(clients, publish));
    await clients.call({ op: 'close' });
    return rates;
  } finally {
    await new Promise<void>((r) => wss.close(() => r()));
  }
}

interface Scrapes {
  readonly ms: number[];
  readonly bytes: number;
  readonly families: number;
}

/** Times `n` scrapes of `url`, the first `warmup` not counted, `gapMs` apart. */
async function timeScrapes(url: string, n: number, warmup: number, gapMs = 0): Promise<Scrapes> {
  const ms: number[] = [];
  let text = '';
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    text = await (await fetch(url)).text();
    if (i >= warmup) ms.push(performance.now() - t0);
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  return { ms, bytes: Buffer.byteLength(text), families: text.split('\n').filter((l) => l.startsWith('# TYPE')).length };
}

async function scrapeTimes(): Promise<Scrapes> {
  const lists = benchMetricSet(30, 3);
  const gw = await startGateway({ bus: new InMemoryBus(), port: 0, token: null, log: createLogger('silent'), metrics: async () => lists });
  try {
    return await timeScrapes(`${gw.url}/metrics`, 60, 10);
  } finally {
    await gw.close();
  }
}

/**
 * /metrics of the real default topology: `npm start`'s all-in-one (local
 * venue, every trading actor on its workers, the gateway), scraped while it
 * trades, so every worker answers the scrape through the control plane.
 */
async function defaultTopologyScrape(): Promise<Scrapes & { workers: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'qgtm-bench-'));
  const app = await startAllInOne({ overrides: { 'http.port': 0, 'daemon.journalDir': join(dir, 'journal'), 'log.level': 'error' }, print: () => undefined });
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const scrapes = await timeScrapes(`${app.httpUrl}/metrics`, 40, 5, 50);
    return { ...scrapes, workers: app.daemon.system.heartbeats().length };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<Record<string, unknown>> {
  const clients = new Clients();
  let uws: number[];
  let ws: number[];
  try {
    uws = await fanoutUws(clients);
    ws = await fanoutWs(clients);
  } finally {
    await clients.terminate();
  }
  const uwsRate = median(uws);
  const wsRate = median(ws);
  const scrape = await scrapeTimes();
  const s = summary(scrape.ms);
  const real = await defaultTopologyScrape();
  const rs = summary(real.ms);
  printTable(`fan-out: ${CLIENTS} clients, ${MESSAGES} messages per round, median of ${ROUNDS} rounds (deliveries/s)`, [
    { server: 'uWS gateway (native pub/sub)', 'deliveries/s': Math.round(uwsRate), rounds: uws.map((r) => Math.round(r)).join(' / ') },
    { server: 'ws (send loop)', 'deliveries/s': Math.round(wsRate), rounds: ws.map((r) => Math.round(r)).join(' / ') },
  ]);
  printTable(`/metrics scrape over HTTP, 30 workers x 3 actors + gateway (${scrape.families} families, ${scrape.bytes} bytes)`, [
    { p50_ms: round(s.p50, 2), p90_ms: round(s.p90, 2), p99_ms: round(s.p99, 2), n: s.n },
  ]);
  printTable(`/metrics scrape of the default topology (npm start: ${real.workers} workers, ${real.families} families, ${real.bytes} bytes)`, [
    { p50_ms: round(rs.p50, 2), p90_ms: round(rs.p90, 2), p99_ms: round(rs.p99, 2), n: rs.n },
  ]);
  const figures = {
    clients: CLIENTS,
    uws_deliveries_per_s: Math.round(uwsRate),
    ws_deliveries_per_s: Math.round(wsRate),
    fanout_ratio: target(uwsRate / wsRate, '>=', 3),
    scrape_simulated_30_workers_p50_ms: target(s.p50, '<=', 50),
    scrape_simulated_30_workers_p99_ms: round(s.p99, 2),
    scrape_default_topology_p50_ms: target(rs.p50, '<=', 50),
    scrape_default_topology_p99_ms: round(rs.p99, 2),
    scrape_bytes: scrape.bytes,
  };
  printFigures('gateway', figures);
  return figures;
}
