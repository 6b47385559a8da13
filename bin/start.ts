/**
 * `qgtm start` (what `npm start` runs): the local paper venue, the daemon and
 * the gateway in one process tree, an in-memory state bus; no Redis, no keys.
 */
import { tradingLabel } from '../app/daemon/daemon.js';
import { startAllInOne } from './all-in-one.js';
import { flagsFor, flagsHelp } from '../app/config/flags.js';
import { processArgs } from './process-args.js';
import { refuseBusyPorts } from './ports.js';
import { stopSignal } from './signals.js';
import { createLogger } from '../src/runtime/index.js';

export const START_HELP = `usage: qgtm start [options]

Runs everything in one process tree on this machine: the local
Alpaca-compatible paper venue (seeded simulated market), the daemon (the
supervision tree with market data, strategies, allocator, risk governor and
broker session) and the gateway (REST /api/v1, WebSocket /ws, /metrics and
the web terminal) on http://127.0.0.1:8080 by default. No Redis, no keys.
An operator token is generated and printed unless QGTM_API_TOKEN is set.

options:
${flagsHelp(flagsFor('start'))}

environment: QGTM_HTTP_PORT, QGTM_API_TOKEN, QGTM_SEED, QGTM_UNIVERSE_FOCUS (pm|broad),
QGTM_TICKS_PER_SECOND, QGTM_JOURNAL_DIR, QGTM_PLACEMENT, QGTM_STRATEGY_HEAP_MB,
QGTM_WORKER_HEAP_MB, QGTM_LOG_LEVEL, QGTM_CONFIG; with
QGTM_VENUE_MODE=alpaca and APCA_API_KEY_ID/APCA_API_SECRET_KEY it trades on
Alpaca paper instead of the local venue (APCA_API_BASE_URL, APCA_API_DATA_URL,
QGTM_DATA_STREAM_URL move it; FRED_API_KEY, QGTM_FRED_URL, QGTM_CFTC_URL set the
macro sources). Anything but a paper endpoint and a paper account is refused
unless started with --live and QGTM_LIVE_ACCOUNT naming the account.
Risk limits, allocator caps and strategy parameters: QGTM_RISK_*,
QGTM_ALLOCATOR_*, QGTM_STRATEGIES_* or --set PATH=VALUE (every option:
gateway/README.md; \`qgtm config check\` shows the effective configuration).`;

export async function run(argv: string[]): Promise<number> {
  const loaded = processArgs(argv, 'start', START_HELP);
  if (typeof loaded === 'number') return loaded;
  // Every port this command binds is checked before anything starts.
  const busy = await refuseBusyPorts('start', loaded);
  if (busy !== null) return busy;
  const stopping = stopSignal();
  const log = createLogger(loaded.config.log.level, { proc: 'start', pid: process.pid });
  // Not a flag (refused above) but the environment or a file shared with the split services: say it is unused.
  if (loaded.config.redis.url !== null) log.warn(`redis.url (from ${loaded.sources['redis.url']}) is not used: qgtm start runs on an in-memory bus; qgtm daemon and qgtm api use Redis`);
  const app = await startAllInOne({ loaded, log });
  // The banner is for a person: stderr, so stdout carries only log records (`npm start | jq` reads every line).
  const print = (l: string): void => void process.stderr.write(`${l}\n`);
  const trading = tradingLabel(app.venue.connection);
  print(`qgtm is trading ${trading.mode} on the ${trading.venue}${trading.mode === 'LIVE' ? ': REAL MONEY' : ' (no real money)'}`);
  print(`qgtm is running: web terminal ${app.httpUrl}/  API ${app.httpUrl}/api/v1  WebSocket ${app.httpUrl.replace(/^http/, 'ws')}/ws  metrics ${app.httpUrl}/metrics`);
  if (app.venue.local) {
    const a = app.venue.local.account;
    print(`local paper venue: ${app.venue.local.url} (seed ${app.venue.local.seed}, ${app.venue.local.symbols.length} instruments)`);
    print(a.kept ? `paper account ${a.id}: kept from ${a.dataDir} (start a new one with --fresh)` : `paper account ${a.id}: NEW${a.replaced ? `; the previous one was set aside as ${a.replaced}` : ''} (kept in ${a.dataDir})`);
    print(`fill model: ${app.venue.local.fillModel}`);
  }
  print('press Ctrl-C to stop');
  const signal = await stopping;
  log.info('stopping', { signal });
  await app.close();
  return 0;
}
