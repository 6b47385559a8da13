/**
 * codec: msgpackr with the shared record structures vs JSON, encode and
 * decode, for a market tick and an order intent. Target: decode at least 2x
 * JSON.parse.
 */
import { Bench } from 'tinybench';
import { buildStructures, Codec } from '../src/runtime/codec.js';
import { printFigures, printTable, round, target } from './lib/report.js';

const TICK = { type: 'md.trade', symbol: 'GLD', price: 245.37, size: 120, id: 918_273_645, ts: 1_764_000_000_123 };
const INTENT = {
  type: 'risk.intent_approved',
  intentId: 'p000123-GLD',
  symbol: 'GLD',
  side: 'buy',
  qty: 40,
  orderType: 'limit',
  limitPrice: 245.5,
  timeInForce: 'day',
  refPrice: 245.37,
  createdAt: 1_764_000_000_456,
  reason: 'rebalance to 0.12 weight',
};

const INNER = 200;

export async function run(): Promise<Record<string, unknown>> {
  const codec = new Codec(buildStructures([Object.keys(TICK), Object.keys(INTENT)]));
  const figures: Record<string, unknown> = {};
  const rows: Record<string, string | number>[] = [];
  for (const [name, value] of [
    ['tick', TICK],
    ['intent', INTENT],
  ] as const) {
    const packed = codec.pack(value).slice();
    const json = JSON.stringify(value);
    let sink: unknown;
    // Each sample runs INNER operations, so the timer's resolution does not
    // dominate sub-microsecond operations.
    const bench = new Bench({ time: 500, warmupTime: 150 });
    bench
      .add(`${name} msgpackr encode`, () => {
        for (let i = 0; i < INNER; i++) sink = codec.pack(value);
      })
      .add(`${name} JSON.stringify`, () => {
        for (let i = 0; i < INNER; i++) sink = JSON.stringify(value);
      })
      .add(`${name} msgpackr decode`, () => {
        for (let i = 0; i < INNER; i++) sink = codec.unpack(packed);
      })
      .add(`${name} JSON.parse`, () => {
        for (let i = 0; i < INNER; i++) sink = JSON.parse(json);
      });
    await bench.run();
    void sink;
    const p50 = (task: string): number => {
      const r = bench.getTask(task)!.result;
      return r.state === 'completed' ? (r.latency.p50 * 1e6) / INNER : NaN;
    };
    const enc = p50(`${name} msgpackr encode`);
    const stringify = p50(`${name} JSON.stringify`);
    const dec = p50(`${name} msgpackr decode`);
    const parse = p50(`${name} JSON.parse`);
    rows.push(
      { case: `${name} encode`, 'msgpackr p50 ns': round(enc, 0), 'JSON p50 ns': round(stringify, 0), 'JSON/msgpackr': round(stringify / enc, 2), bytes: `${packed.length} vs ${json.length}` },
      { case: `${name} decode`, 'msgpackr p50 ns': round(dec, 0), 'JSON p50 ns': round(parse, 0), 'JSON/msgpackr': round(parse / dec, 2), bytes: '' },
    );
    figures[`${name}_encode_speedup`] = round(stringify / enc, 2);
    figures[`${name}_decode_speedup`] = target(parse / dec, '>=', 2);
    figures[`${name}_bytes`] = { msgpack: packed.length, json: json.length };
  }
  printTable('codec: msgpackr (shared structures) vs JSON, median ns per op', rows);
  printFigures('codec', figures);
  return figures;
}
