/**
 * feeds: venue -> market-data session (the real SDK stream, msgpack) -> 20
 * feed actors, ticks per second delivered to the feeds with nothing lost,
 * and the CPU the whole process used (venue included) in cores. Target: at
 * least 50,000 ticks/s on this 2-core machine.
 *
 * The venue runs its real-time driver at a fixed offered rate (trades,
 * quotes and bars for the 20 PM instruments). Feeds run with a strict
 * bounded `reject` mailbox (no conflation, no drop-oldest), so anything not
 * delivered would show up as a dead letter. After each window the venue's
 * data is stalled, the pipeline drains, and the run checks: every item the
 * session forwarded reached a feed, zero dead letters, zero session drops,
 * zero feed rejections.
 *
 * "delivered/s" counts what reached the feeds during the window; with a
 * backlog at the start it can exceed "offered/s", so the backlog at the end
 * (items the venue sent that no feed had yet) shows whether the pipeline
 * kept up. "pipeline cores" is the process CPU minus the venue baseline.
 *
 * Baselines in the same run: the SDK's own decode-and-callback rate on one
 * core with no network (is the SDK the bottleneck?), and the venue streaming
 * to a raw socket that only counts frames (the venue's share of the CPU).
 *
 * Run: npm run bench -- feeds   (or node dist/bench/feeds.js [seconds])
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { pack } from 'msgpackr';
import { streaming } from '@alpacahq/alpaca-trade-api';
import { resolveAlpacaConnection } from '../src/alpaca/index.js';
import { ActorSystem, type Message } from '../src/runtime/index.js';
import { PM_UNIVERSE } from '../src/universe/index.js';
import { startVenue } from '../venue/index.js';
import { MARKET_DATA_STRUCTURES } from '../actors/market-data/index.js';
import { LOSSLESS_FEED_MAILBOX, MARKET_DATA_WORKER, marketDataSpecs, type FeedPlacement } from '../app/daemon/market-data-specs.js';
import { printFigures, printTable, round, target } from './lib/report.js';

const TARGET_TICKS_PER_S = 50_000;
const SYMBOLS = PM_UNIVERSE.map((i) => i.symbol);
/** Venue steps per symbol per wall second; each step is a quote plus a trade with p=0.6, so ~32 items per step across 20 symbols. */
const OFFERED_TPS = [2500, 5000];
/**
 * Market time runs faster than wall time so that each step is exactly 1 ms
 * of market time (timestamps are ms on this path; sub-ms steps would repeat
 * timestamps and the feeds would rightly reject duplicate quotes). The
 * market starts an hour in the past so it never runs ahead of the feeds'
 * clock (their future-timestamp check) during a run.
 */
const speedFor = (tps: number): number => Math.max(1, tps / 1000);
/** Items the venue sends the session before data: connected, authenticated, subscription. */
const CONTROL_ITEMS = 3;

interface Placement {
  readonly name: string;
  readonly md: string;
  readonly feeds: FeedPlacement;
}

/** The first is the default of marketDataSpecs (MARKET_DATA_WORKER); the target is judged on it. */
const PLACEMENTS: readonly Placement[] = [
  { name: 'md + feeds (1 worker, default)', md: MARKET_DATA_WORKER, feeds: MARKET_DATA_WORKER },
  { name: 'md | feeds (2 workers)', md: 'md', feeds: 'feeds' },
  { name: 'md | 2 feed groups (3 workers)', md: 'md', feeds: 2 },
];

interface RunResult {
  placement: string;
  tps: number;
  offeredPerS: number;
  deliveredPerS: number;
  /** Items the venue had sent that had not reached a feed at the end of the window (sockets, queues). */
  backlogEnd: number;
  cpuCores: number;
  forwarded: number;
  delivered: number;
  deadLetters: number;
  mdDropped: number;
  feedRejected: number;
  lossless: boolean;
}

interface FeedDetail {
  received: { trade: number; quote: number; bar: number };
  rejected: Record<string, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

async function delivered(sys: ActorSystem): Promise<{ n: number; rejected: number }> {
  const infos = await sys.inspect();
  let n = 0;
  let rejected = 0;
  for (const info of infos) {
    if (!info.id.startsWith('feed:')) continue;
    const d = info.state_detail as FeedDetail;
    n += d.received.trade + d.received.quote + d.received.bar;
    rejected += Object.values(d.rejected).reduce((a, b) => a + b, 0);
  }
  return { n, rejected };
}

async function mdCounts(sys: ActorSystem): Promise<{ forwarded: number; dropped: number }> {
  const [info] = await sys.inspect('md');
  const d = info.state_detail as { forwarded: number; dropped: Record<string, number> };
  return { forwarded: d.forwarded, dropped: Object.values(d.dropped).reduce((a, b) => a + b, 0) };
}

async function pipeline(p: Placement, tps: number, seconds: number): Promise<RunResult> {
  const venue = await startVenue({ ticksPerSecond: tps, speed: speedFor(tps), startTime: Date.now() - 3_600_000, historyMinutes: 0 });
  const sys = await ActorSystem.start({ structures: MARKET_DATA_STRUCTURES, logLevel: 'warn' });
  try {
    let connected!: () => void;
    const up = new Promise<void>((r) => (connected = r));
    await sys.subscribe('md_status', (m: Message) => {
      if ((m as { state?: string }).state === 'connected') connected();
    });
    const specs = marketDataSpecs({
      conn: resolveAlpacaConnection({ local: venue }),
      symbols: SYMBOLS,
      placement: { md: p.md, feeds: p.feeds },
      feed: { mailbox: LOSSLESS_FEED_MAILBOX },
      macro: false,
    });
    for (const spec of specs) await sys.spawn(spec);
    await up;
    await sleep(1000); // warm-up: JIT, channel wiring
    const items0 = venue.stats.itemsSent;
    const d0 = await delivered(sys);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const d1 = await delivered(sys);
    const cpu = process.cpuUsage(cpu0);
    const dt = (performance.now() - t0) / 1000;
    const items1 = venue.stats.itemsSent;
    // Stop the data, let everything in flight land, then account for every item.
    venue.faults.stallData = true;
    await sleep(200);
    await sys.settle({ timeoutMs: 30_000 });
    const md = await mdCounts(sys);
    const end = await delivered(sys);
    const dead = await sys.deadLetters();
    const deadLetters = dead.counts.reduce((a, c) => a + c.count, 0);
    return {
      placement: p.name,
      tps,
      offeredPerS: (items1 - items0) / dt,
      deliveredPerS: (d1.n - d0.n) / dt,
      backlogEnd: items1 - CONTROL_ITEMS - d1.n,
      cpuCores: cpuSeconds(cpu) / dt,
      forwarded: md.forwarded,
      delivered: end.n,
      deadLetters,
      mdDropped: md.dropped,
      feedRejected: end.rejected,
      lossless: md.forwarded === end.n && deadLetters === 0 && md.dropped === 0,
    };
  } finally {
    await sys.shutdown();
    await venue.close();
  }
}

/** The venue streaming to a raw socket that only counts frames: the venue's own CPU at this rate. */
async function venueOnly(tps: number, seconds: number): Promise<{ offeredPerS: number; cpuCores: number }> {
  const venue = await startVenue({ ticksPerSecond: tps, speed: speedFor(tps), startTime: Date.now() - 3_600_000, historyMinutes: 0 });
  const { WebSocket } = createRequire(import.meta.url)('ws') as { WebSocket: new (url: string, o: unknown) => EventEmitter & { send(d: string): void; close(): void } };
  const ws = new WebSocket(venue.wsDataUrl, { headers: { 'Content-Type': 'application/msgpack' }, perMessageDeflate: false });
  let frames = 0;
  ws.on('message', () => frames++);
  await new Promise<void>((r) => ws.on('open', () => r()));
  await sleep(100);
  ws.send(JSON.stringify({ action: 'auth', key: venue.keys.keyId, secret: venue.keys.secretKey }));
  ws.send(JSON.stringify({ action: 'subscribe', trades: SYMBOLS, quotes: SYMBOLS, bars: SYMBOLS }));
  await sleep(1000);
  const i0 = venue.stats.itemsSent;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const dt = (performance.now() - t0) / 1000;
  const offered = (venue.stats.itemsSent - i0) / dt;
  ws.close();
  await venue.close();
  return { offeredPerS: offered, cpuCores: cpuSeconds(cpu) / dt };
}

/** The SDK alone on this thread: decode (@msgpack/msgpack) + map + one callback per item, frames fed from memory. */
function sdkCeiling(itemsPerFrame: number): number {
  let sock: EventEmitter | undefined;
  const s = new streaming.StockDataStream({
    credentials: { keyId: 'k', secret: 's' },
    url: 'ws://unused',
    reconnect: false,
    pingIntervalMs: 0,
    wsFactory: () => (sock = Object.assign(new EventEmitter(), { send() {}, close() {}, readyState: 1 })) as never,
  });
  let n = 0;
  s.onTrade(() => n++);
  s.onQuote(() => n++);
  s.connect();
  sock!.emit('open');
  sock!.emit('message', pack([{ T: 'success', msg: 'authenticated' }]));
  const frames = Array.from({ length: 20 }, (_, f) => {
    const items: Record<string, unknown>[] = [];
    for (let k = 0; k < itemsPerFrame; k++) {
      const S = SYMBOLS[k % SYMBOLS.length];
      const t = new Date(1.76e12 + f * 1e4 + k);
      if (k % 2) items.push({ T: 'q', S, bx: 'V', bp: 100.01, bs: 3, ax: 'V', ap: 100.05, as: 4, t, c: ['R'], z: 'B' });
      else items.push({ T: 't', S, i: f * itemsPerFrame + k, x: 'V', p: 100.03, s: 10, t, c: ['@'], z: 'B' });
    }
    return pack(items);
  });
  for (const f of frames) sock!.emit('message', f);
  n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) for (const f of frames) sock!.emit('message', f);
  const rate = n / ((performance.now() - t0) / 1000);
  s.disconnect();
  return rate;
}

export async function run(seconds = 5, offered: readonly number[] = OFFERED_TPS): Promise<Record<string, unknown>> {
  const sdk = sdkCeiling(800);
  const results: RunResult[] = [];
  const venueBase: Record<number, { offeredPerS: number; cpuCores: number }> = {};
  for (const tps of offered) {
    venueBase[tps] = await venueOnly(tps, Math.min(3, seconds));
    for (const p of PLACEMENTS) results.push(await pipeline(p, tps, seconds));
  }
  const rows: Record<string, string | number>[] = [{ path: 'SDK alone, 1 core, no network', 'offered/s': '-', 'delivered/s': Math.round(sdk), 'backlog at end': '-', 'CPU cores': 1, 'pipeline cores': '-', lossless: '-', 'dead letters': '-', rejected: '-' }];
  for (const tps of offered) {
    const v = venueBase[tps];
    rows.push({ path: `venue -> raw socket (baseline) @${tps}/s/sym`, 'offered/s': Math.round(v.offeredPerS), 'delivered/s': '-', 'backlog at end': '-', 'CPU cores': round(v.cpuCores, 2), 'pipeline cores': '-', lossless: '-', 'dead letters': '-', rejected: '-' });
    for (const r of results.filter((x) => x.tps === tps)) {
      rows.push({
        path: `${r.placement} @${tps}/s/sym`,
        'offered/s': Math.round(r.offeredPerS),
        'delivered/s': Math.round(r.deliveredPerS),
        'backlog at end': r.backlogEnd,
        'CPU cores': round(r.cpuCores, 2),
        'pipeline cores': round(r.cpuCores - v.cpuCores, 2),
        lossless: r.lossless ? `yes (${r.delivered})` : `NO (${r.forwarded} fwd, ${r.delivered} at feeds)`,
        'dead letters': r.deadLetters,
        rejected: r.feedRejected,
      });
    }
  }
  printTable(`feeds: venue -> md session (SDK) -> ${SYMBOLS.length} feed actors, ${seconds} s windows, ticks = trades + quotes + bars`, rows);
  // Judged on the default placement at the highest offered rate; every run must be lossless.
  const top = Math.max(...offered);
  const judged = results.find((r) => r.placement === PLACEMENTS[0].name && r.tps === top)!;
  const venueTop = venueBase[top];
  const figures = {
    placement: judged.placement,
    offered_per_s: Math.round(judged.offeredPerS),
    ticks_per_s: target(judged.lossless ? judged.deliveredPerS : 0, '>=', TARGET_TICKS_PER_S),
    backlog_end: judged.backlogEnd,
    cpu_cores: round(judged.cpuCores, 2),
    pipeline_cores: round(judged.cpuCores - venueTop.cpuCores, 2),
    all_runs_lossless: results.every((r) => r.lossless && r.feedRejected === 0),
    sdk_alone_items_per_s: Math.round(sdk),
    sdk_core_share_at_target: round(TARGET_TICKS_PER_S / sdk, 3),
    runs: results.map((r) => ({ placement: r.placement, ticks_per_symbol: r.tps, offered_per_s: Math.round(r.offeredPerS), delivered_per_s: Math.round(r.deliveredPerS), backlog_end: r.backlogEnd, cpu_cores: round(r.cpuCores, 2), lossless: r.lossless, dead_letters: r.deadLetters, rejected: r.feedRejected })),
  };
  printFigures('feeds', figures);
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rates = process.argv[3]?.split(',').map(Number);
  await run(Number(process.argv[2] ?? 5), rates?.length ? rates : OFFERED_TPS);
}
