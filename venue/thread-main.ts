/**
 * Worker-thread entry that runs the venue in its own thread (see thread.ts),
 * so the simulated market and its sockets do not compete with the actor
 * system's or the gateway's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../src/errors.js';
import type { VenueOptions } from './config.js';
import { startVenue, type VenueHandle } from './index.js';
import { describeFillModel } from '../src/matching/fill-model.js';

const port = parentPort!;
let venue: VenueHandle | undefined;

try {
  venue = await startVenue(workerData as VenueOptions);
  port.postMessage({
    k: 'ready',
    url: venue.url,
    wsTradingUrl: venue.wsTradingUrl,
    wsDataUrl: venue.wsDataUrl,
    host: venue.host,
    port: venue.port,
    keys: venue.keys,
    seed: venue.options.seed,
    symbols: venue.options.instruments.map((i) => i.symbol),
    account: venue.account,
    fillModel: describeFillModel(venue.engine.fillModel, { perShare: venue.options.feePerShare, bps: venue.options.feeBps }),
  });
} catch (err) {
  port.postMessage({ k: 'error', error: serializeError(err) });
}

port.on('message', (m: { k: string }) => {
  if (m.k === 'stats') port.postMessage({ k: 'stats', stats: venue?.stats });
  if (m.k === 'close') {
    void (venue?.close() ?? Promise.resolve()).then(() => port.postMessage({ k: 'closed' }));
  }
});
