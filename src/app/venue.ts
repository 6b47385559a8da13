/**
 * Where the daemon trades: the local paper venue (started in a thread of its
 * own, the default) or Alpaca paper (keys and `venue.mode=alpaca`). Either
 * way the result is an Alpaca connection for the real SDK.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { resolveAlpacaConnection, type AlpacaConnection } from '../alpaca/index.js';
import type { QgtmConfig } from '../config/schema.js';
import { startVenueThread, type VenueThread } from '../../venue/thread.js';

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
  if (config.venue.mode === 'alpaca') {
    const connection = resolveAlpacaConnection({ venue: 'alpaca-paper', keyId: config.venue.keyId ?? undefined, secretKey: config.venue.secretKey ?? undefined });
    const rest = config.venue.paperUrl ?? connection.restBaseUrl;
    const data = config.venue.dataUrl ?? connection.dataStreamUrl;
    return {
      connection: { ...connection, restBaseUrl: rest, tradingStreamUrl: rest.replace(/^http/, 'ws') + '/stream', dataStreamUrl: data },
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
  });
  const connection = resolveAlpacaConnection({ venue: 'local', local, keyId: local.keys.keyId, secretKey: local.keys.secretKey });
  return { connection, local, journalScope: `local-${local.account.id}`, close: () => local.close() };
}

/** Where the in-process venue keeps its account: `venue.dataDir`, else `venue` beside the journal folder. */
export function venueDataDir(config: QgtmConfig): string {
  return resolve(config.venue.dataDir ?? resolve(dirname(resolve(config.daemon.journalDir)), 'venue'));
}

/** The built web terminal, when there is one (npm run build writes it). */
export function defaultWebRoot(): string | null {
  const dir = new URL('../../web/', import.meta.url);
  return existsSync(new URL('index.html', dir)) ? dir.pathname : null;
}
