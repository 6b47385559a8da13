/**
 * `qgtm venue`: runs the local Alpaca-compatible paper venue alone until
 * SIGINT/SIGTERM. The lead hooks `runVenueCommand` into the qgtm CLI.
 */
import { ConfigError } from '../src/errors.js';
import { isFocus } from '../src/universe/index.js';
import { resolveVenueOptions, startVenue, type VenueHandle } from './index.js';
import type { VenueOptions } from './config.js';
import { runFaultCommand } from './fault-cli.js';
import { describeFillModel } from '../src/matching/fill-model.js';

export const VENUE_USAGE = `Usage: qgtm venue [options]

Runs the local Alpaca-compatible paper venue (trading REST, trade_updates,
market-data v2 stream, historical bars, FRED- and CFTC-shaped endpoints).

Options:
  --port N               TCP port (default 0: pick a free one)
  --host H               interface to bind (default 127.0.0.1)
  --seed S               market seed; the same seed gives the same market (default 42)
  --focus pm|broad       universe: 20 PM instruments (default) or 44 broad
  --ticks-per-second R   market steps per symbol per second (default 10)
  --speed X              market-time speed-up: only 1 is accepted (a daemon trades on
                         wall-clock time; busier markets come from --ticks-per-second
                         and --vol-scale)
  --vol-scale X          volatility multiplier (default 1; larger moves, more trading)
  --admin                serve the fault-injection admin routes /admin/faults
                         (loopback hosts only; see \`qgtm venue fault --help\`)
  --session MODE         always_open (default) or exchange (NYSE hours and holidays)
  --limit-fill RULE      how resting limits fill: trade_through (default: a trade
                         prints through the limit), trade_at_queue (also at the
                         limit, behind the size shown ahead) or quote_cross
  --slippage-bps X       taker fills X basis points worse than the touch (default 0)
  --fee-per-share X      fee in dollars per share filled (default 0)
  --fee-bps X            fee in basis points of each fill's value (default 0)
  --account MODE         margin (default, as an Alpaca paper account: shorting) or cash
  --account-number N     the account number reported (default PA...: paper); one
                         without PA looks live, to rehearse qgtm's paper-first refusal
  --data-dir DIR         keep the paper account (cash, positions, orders, fills) in DIR across restarts
  --fresh                with --data-dir: set the kept account aside and open a new one
  --help                 show this help

  qgtm venue fault ...   injects a fault into a running venue started with --admin

Keys: the venue accepts APCA-API-KEY-ID qgtm-local-key with
APCA-API-SECRET-KEY qgtm-local-secret.`;

export interface VenueCommandIo {
  /** Where to print (default console.log). */
  readonly log?: (line: string) => void;
  /** Stops the venue when aborted (tests); SIGINT/SIGTERM always do. */
  readonly signal?: AbortSignal;
  /** Called once the venue listens. */
  readonly onStarted?: (venue: VenueHandle) => void;
}

/** Parses the command line into venue options; throws ConfigError listing every problem. */
export function parseVenueArgs(argv: readonly string[]): { help: boolean; options: VenueOptions } {
  const violations: string[] = [];
  // The command's venue is a margin account, as Alpaca paper accounts are (the strategies short too).
  const options: Record<string, unknown> = { accountMode: 'margin' };
  let help = false;
  const numberFlag = (flag: string, value: string | undefined, key: string, integer: boolean): void => {
    const n = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      violations.push(`${flag} needs ${integer ? 'an integer' : 'a number'} (got ${value ?? 'nothing'})`);
    } else {
      options[key] = n;
    }
  };
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++k];
    switch (flag) {
      case '--help':
      case '-h':
        help = true;
        break;
      case '--port':
        numberFlag(flag, value(), 'port', true);
        break;
      case '--seed':
        numberFlag(flag, value(), 'seed', true);
        break;
      case '--ticks-per-second':
        numberFlag(flag, value(), 'ticksPerSecond', false);
        break;
      case '--speed': {
        numberFlag(flag, value(), 'speed', false);
        // A market clock faster than the wall clock stamps every tick in the daemon's future:
        // its feeds reject them (future_timestamp), see no valid data and go stale, and the
        // risk governor goes to NO_NEW. Refused here rather than left to surprise.
        const speed = options.speed;
        if (typeof speed === 'number' && speed !== 1) {
          violations.push(
            `--speed ${speed} is refused: a daemon trades on wall-clock time and would take ticks stamped ahead of it as data from the future (stale data, NO_NEW). ` +
              'Use --ticks-per-second and --vol-scale for a busier market; a faster market clock is for in-process research runs (VenueOptions.speed).',
          );
        }
        break;
      }
      case '--vol-scale':
        numberFlag(flag, value(), 'volScale', false);
        break;
      case '--admin':
        options.admin = true;
        break;
      case '--host':
        options.host = value();
        break;
      case '--focus': {
        const f = value();
        if (isFocus(f)) options.focus = f;
        else violations.push(`--focus must be pm or broad (got ${f ?? 'nothing'})`);
        break;
      }
      case '--session':
        options.session = value();
        break;
      case '--account':
        options.accountMode = value();
        break;
      case '--limit-fill':
        options.limitFill = value();
        break;
      case '--slippage-bps':
        numberFlag(flag, value(), 'slippageBps', false);
        break;
      case '--fee-per-share':
        numberFlag(flag, value(), 'feePerShare', false);
        break;
      case '--fee-bps':
        numberFlag(flag, value(), 'feeBps', false);
        break;
      case '--account-number':
        options.accountNumber = value();
        break;
      case '--data-dir':
        options.dataDir = value();
        if (!options.dataDir) violations.push('--data-dir needs a directory');
        break;
      case '--fresh':
        options.fresh = true;
        break;
      default:
        violations.push(`unknown option ${arg}`);
    }
  }
  // Range and combination rules live in resolveVenueOptions: run them now so every problem is reported at once.
  if (!help) {
    try {
      resolveVenueOptions(options as VenueOptions);
    } catch (err) {
      if (err instanceof ConfigError) violations.push(...err.violations);
      else throw err;
    }
  }
  if (violations.length > 0) throw new ConfigError(violations);
  return { help, options: options as VenueOptions };
}

/** Runs the venue until SIGINT/SIGTERM (or `io.signal`); resolves once it has stopped. */
export async function runVenueCommand(argv: string[], io: VenueCommandIo = {}): Promise<void> {
  const log = io.log ?? ((line: string) => console.log(line));
  if (argv[0] === 'fault') {
    await runFaultCommand(argv.slice(1), log);
    return;
  }
  const { help, options } = parseVenueArgs(argv);
  if (help) {
    log(VENUE_USAGE);
    return;
  }
  const venue = await startVenue(options);
  const o = venue.options;
  log(`qgtm venue listening on ${venue.url}`);
  log(`  trading REST      ${venue.url}/v2/...   (APCA-API-KEY-ID ${venue.keys.keyId}, APCA-API-SECRET-KEY ${venue.keys.secretKey})`);
  log(`  trade_updates     ${venue.wsTradingUrl}`);
  log(`  market data       ${venue.wsDataUrl}  (also /v2/sip)`);
  log(`  FRED              ${venue.url}/fred/series/observations`);
  log(`  CFTC (Socrata)    ${venue.url}/resource/72hh-3qpy.json`);
  if (venue.adminUrl) log(`  admin (faults)    ${venue.adminUrl}/faults   (loopback only; qgtm venue fault --help)`);
  log(`  seed ${o.seed}, ${o.instruments.length} instruments, ${o.ticksPerSecond} ticks/s per symbol, speed x${o.speed}, session ${o.session}, ${o.accountMode} account`);
  log(`  fill model: ${describeFillModel(venue.engine.fillModel, { perShare: o.feePerShare, bps: o.feeBps })}`);
  const a = venue.account;
  if (a.dataDir) log(a.kept ? `  paper account ${a.id}: kept from ${a.dataDir} (--fresh starts a new one)` : `  paper account ${a.id}: NEW${a.replaced ? `, the previous one set aside as ${a.replaced}` : ''} (kept in ${a.dataDir})`);
  io.onStarted?.(venue);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop);
  });
  await venue.close();
  log('qgtm venue stopped');
}
