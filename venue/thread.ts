/**
 * Runs the local venue in a worker thread of its own. `npm start` uses this:
 * the venue is a stand-in for a remote exchange, and keeping it off the main
 * thread keeps its market simulation out of the latencies qgtm measures.
 */
import { Worker } from 'node:worker_threads';
import { reviveError, type ErrorInfo } from '../src/errors.js';
import type { VenueOptions } from './config.js';
import type { VenueHandle } from './index.js';
import type { VenueStatsSnapshot } from './http/stats.js';

/** What `npm start` needs of a venue running in its own thread (its URLs and keys, as VenueHandle has them). */
export interface VenueThread extends Pick<VenueHandle, 'url' | 'wsTradingUrl' | 'wsDataUrl' | 'host' | 'port' | 'keys' | 'account'> {
  readonly seed: number;
  readonly symbols: readonly string[];
  /** The fill model in words, as `qgtm venue` prints it. */
  readonly fillModel: string;
  stats(): Promise<VenueStatsSnapshot | undefined>;
  close(): Promise<void>;
}

type Ready = Omit<VenueThread, 'stats' | 'close'> & { k: 'ready' };

/** Starts the venue in a worker thread; resolves once it listens. Options must be plain data. */
export function startVenueThread(options: VenueOptions = {}): Promise<VenueThread> {
  const worker = new Worker(new URL('./thread-main.js', import.meta.url), { workerData: options, name: 'qgtm:venue' });
  return new Promise<VenueThread>((resolve, reject) => {
    const onExit = (code: number): void => reject(new Error(`venue thread exited with code ${code} before it was ready`));
    worker.once('exit', onExit);
    worker.once('error', reject);
    worker.once('message', (m: Ready | { k: 'error'; error: ErrorInfo }) => {
      worker.off('exit', onExit);
      if (m.k === 'error') {
        void worker.terminate();
        reject(reviveError(m.error));
        return;
      }
      const { k: _k, ...info } = m;
      resolve({
        ...info,
        stats: () =>
          new Promise((res) => {
            const h = (msg: { k: string; stats?: VenueStatsSnapshot }): void => {
              if (msg.k !== 'stats') return;
              worker.off('message', h);
              res(msg.stats);
            };
            worker.on('message', h);
            worker.postMessage({ k: 'stats' });
          }),
        close: async () => {
          const closed = new Promise<void>((res) => {
            const h = (msg: { k: string }): void => {
              if (msg.k === 'closed') res();
            };
            worker.on('message', h);
            worker.once('exit', () => res());
          });
          worker.postMessage({ k: 'close' });
          await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))]);
          await worker.terminate();
        },
      });
    });
  });
}
