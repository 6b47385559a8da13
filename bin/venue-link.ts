/**
 * Where the daemon trades: the local paper venue (started in a thread of its
 * own, the default) or Alpaca paper (keys and `venue.mode=alpaca`). Either
 * way the result is an Alpaca connection for the real SDK.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createAlpacaClients, resolveAlpacaConnection, tradingModeFor, type AlpacaConnection, type LiveOptIn, type TradingMode } from '../src/alpaca/index.js';
import { QgtmError } from '../src/errors.js';
import type { QgtmConfig } from '../app/config/schema.js';
import { startVenueThread, type VenueThread } from '../venue/thread.js';

export interface VenueLink {
  readonly connection: AlpacaConnection;
  /** The local venue when one was started. */
  readonly local?: VenueThread;
  /**
   * Where under `daemon.journalDir` this venue's journal belongs. A venue
   * started in-process keeps its paper account in `venue.dataDir` across
   * restarts; its journal is named after the account (`local-<account id>`),
   * so the same account always finds the same journal, and a `--fresh`
   * account starts a new one (a journal must never be reconciled against
   * another account). An external venue (Alpaca, or `qgtm venue`) keeps one
   * journal.
   */
  readonly journalScope: string;
  close(): Promise<void>;
}

export async function openVenue(config: QgtmConfig): Promise<VenueLink> {
  const link = await connectVenue(config);
  try {
    // Paper first: the account the broker will trade must be a paper account, unless --live named it.
    const tradingMode = await checkAccount(link.connection, { live: config.venue.live, liveAccount: config.venue.liveAccount });
    const liveAccount = tradingMode === 'LIVE' && config.venue.liveAccount !== null ? { liveAccount: config.venue.liveAccount } : {};
    return { ...link, connection: { ...link.connection, tradingMode, ...liveAccount } };
  } catch (err) {
    await link.close();
    throw err;
  }
}

/**
 * The connection without the account check; starts the in-process venue only
 * when neither `venue.url` nor alpaca mode names one (`qgtm api` calls it only then).
 */
export async function connectVenue(config: QgtmConfig): Promise<VenueLink> {
  if (config.venue.mode === 'alpaca') {
    const connection = resolveAlpacaConnection({ venue: 'alpaca-paper', keyId: config.venue.keyId ?? undefined, secretKey: config.venue.secretKey ?? undefined });
    const rest = (config.venue.paperUrl ?? connection.restBaseUrl).replace(/\/+$/, '');
    // APCA_API_DATA_URL is the data REST base as in Alpaca's own tools; a ws(s) URL there is taken as the stream.
    const dataUrl = config.venue.dataUrl?.replace(/\/+$/, '') ?? null;
    const dataIsStream = dataUrl !== null && /^wss?:/.test(dataUrl);
    return {
      connection: {
        ...connection,
        restBaseUrl: rest,
        tradingStreamUrl: rest.replace(/^http/, 'ws') + '/stream',
        dataStreamUrl: config.venue.dataStreamUrl ?? (dataIsStream ? dataUrl : connection.dataStreamUrl),
        dataRestBaseUrl: dataUrl !== null && !dataIsStream ? dataUrl : connection.dataRestBaseUrl,
      },
      journalScope: '',
      close: async () => undefined,
    };
  }
  if (config.venue.url !== null) {
    // A venue in a process of its own (qgtm venue): connect, do not start one.
    const base = config.venue.url.replace(/\/+$/, '');
    const ws = base.replace(/^http/, 'ws');
    const connection = resolveAlpacaConnection({
      venue: 'local',
      local: { url: base, wsTradingUrl: `${ws}/stream`, wsDataUrl: `${ws}/v2/iex` },
      keyId: config.venue.keyId ?? undefined,
      secretKey: config.venue.secretKey ?? undefined,
    });
    return { connection, journalScope: '', close: async () => undefined };
  }
  const local = await startVenueThread({
    // A margin account, as an Alpaca paper account is: the strategies go short as well as long.
    accountMode: 'margin',
    port: config.venue.port ?? 0,
    seed: config.venue.seed,
    focus: config.universe.focus,
    ...(config.venue.ticksPerSecond !== null ? { ticksPerSecond: config.venue.ticksPerSecond } : {}),
    dataDir: venueDataDir(config),
    fresh: config.venue.fresh,
    limitFill: config.venue.limitFill,
    slippageBps: config.venue.slippageBps,
    feePerShare: config.venue.feePerShare,
    feeBps: config.venue.feeBps,
  });
  const connection = resolveAlpacaConnection({ venue: 'local', local, keyId: local.keys.keyId, secretKey: local.keys.secretKey });
  return { connection, local, journalScope: `local-${local.account.id}`, close: () => local.close() };
}

/** Where the in-process venue keeps its account: `venue.dataDir`, else `venue` beside the journal folder. */
export function venueDataDir(config: QgtmConfig): string {
  return resolve(config.venue.dataDir ?? resolve(dirname(resolve(config.daemon.journalDir)), 'venue'));
}

/**
 * Asks the venue which account this is (through the real SDK, as the broker
 * will) and decides PAPER or LIVE; throws LiveTradingRefusedError otherwise.
 */
export async function checkAccount(connection: AlpacaConnection, optIn: LiveOptIn, waitMs = ACCOUNT_CHECK_WAIT_MS): Promise<TradingMode> {
  const api = createAlpacaClients(connection, { retry: false }).account;
  const deadline = Date.now() + waitMs;
  let account: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      account = await api.getAccount();
      break;
    } catch (err) {
      // A venue that is starting, overloaded or failing for a moment (a daemon restarted by systemd
      // while the venue has a fault) gets time; a refusal of the keys (4xx other than 429) does not.
      const status = (err as { status?: unknown }).status;
      const permanent = typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
      if (permanent || Date.now() >= deadline) throw new VenueUnreachableError(connection.restBaseUrl, err);
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
    }
  }
  const raw = account as { account_number?: unknown; accountNumber?: unknown } | null;
  const number = raw?.account_number ?? raw?.accountNumber;
  return tradingModeFor(typeof number === 'string' ? number : null, optIn);
}

/** How long the start-up account check waits for a venue that fails or is not up yet. */
const ACCOUNT_CHECK_WAIT_MS = 30_000;

/** The venue did not answer the account check at start. */
export class VenueUnreachableError extends QgtmError {
  constructor(url: string, cause: unknown) {
    super('QGTM_ERR_VENUE_UNREACHABLE', `the venue at ${url} did not answer GET /v2/account: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** The built web terminal, when there is one (npm run build writes it). */
export function defaultWebRoot(): string | null {
  const dir = new URL('../web/', import.meta.url);
  return existsSync(new URL('index.html', dir)) ? dir.pathname : null;
}
