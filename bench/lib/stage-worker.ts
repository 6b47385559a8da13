/**
 * One tick-to-intent stage in a worker thread, for the benchmark's
 * baselines: as a piscina task handler (the default export; each pool runs
 * one stage in one thread, so the stage's state lives in this module) and,
 * when started as a plain worker with a port, as a comlink object with one
 * method per stage.
 */
import * as Comlink from 'comlink';
import { isMainThread, workerData, type MessagePort } from 'node:worker_threads';
import type { AllocatorIntentsMsg } from '../../actors/allocator/messages.js';
import type { StrategySignalMsg } from '../../actors/strategy/messages.js';
import { nodeEndpoint } from '../../src/runtime/comlink-node.js';
import type { BrokerPositionsMsg } from '../../actors/broker/messages.js';
import { allocatorStage, BenchBroker, makeAllocator, makeRisk, makeShard, riskStage, shardStage, type Tick } from './stages.js';

const shard = makeShard();
const allocator = makeAllocator(Date.now());
const risk = makeRisk(Date.now());
const broker = new BenchBroker();

export const api = {
  shard: (tick: Tick, originNs: number) => shardStage(shard, tick, Date.now(), originNs),
  allocate: (tick: Tick, signals: readonly StrategySignalMsg[], book: BrokerPositionsMsg | null) => allocatorStage(allocator, tick, signals, Date.now(), book),
  /** Risk, then the broker's part (in the same worker): the approvals and the book after them. */
  review: (tick: Tick, intents: readonly AllocatorIntentsMsg[]) => {
    const now = Date.now();
    const approved = riskStage(risk, tick, intents, now);
    let book: BrokerPositionsMsg | null = null;
    for (const a of approved) {
      const r = broker.accept(a, now);
      risk.book.onIntentRefused(r.ack);
      risk.book.onPositions(r.book);
      book = r.book;
    }
    return { approved: approved.length, book };
  },
};

export type StageApi = typeof api;

export interface StageTask {
  readonly stage: 'shard' | 'allocate' | 'review';
  readonly tick: Tick;
  readonly originNs?: number;
  readonly signals?: readonly StrategySignalMsg[];
  readonly book?: BrokerPositionsMsg | null;
  readonly intents?: readonly AllocatorIntentsMsg[];
}

/** Piscina task handler. */
export default function run(task: StageTask): unknown {
  switch (task.stage) {
    case 'shard':
      return api.shard(task.tick, task.originNs ?? 0);
    case 'allocate':
      return api.allocate(task.tick, task.signals ?? [], task.book ?? null);
    case 'review':
      return api.review(task.tick, task.intents ?? []);
  }
}

// Started as a plain worker with { comlink: port }: serve the stages over comlink on that port.
const port = isMainThread ? undefined : (workerData as { comlink?: MessagePort } | undefined)?.comlink;
if (port) Comlink.expose(api, nodeEndpoint(port));
