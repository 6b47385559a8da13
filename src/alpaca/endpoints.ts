/**
 * Where the Alpaca SDK connects: the local venue by default, Alpaca paper
 * when keys and an explicit setting are given. Only the URLs (and keys)
 * differ; the code that talks to either is the same.
 */
import { ConfigError } from '../errors.js';
import type { TradingMode } from './trading-mode.js';

export interface AlpacaEndpoints {
  /** Trading REST base, no trailing slash (https://paper-api.alpaca.markets). */
  readonly restBaseUrl: string;
  /** trade_updates WebSocket (wss://paper-api.alpaca.markets/stream). */
  readonly tradingStreamUrl: string;
  /** Market-data WebSocket (wss://stream.data.alpaca.markets/v2/iex). */
  readonly dataStreamUrl: string;
  /** Market-data REST base (https://data.alpaca.markets). */
  readonly dataRestBaseUrl: string;
}

export interface AlpacaConnection extends AlpacaEndpoints {
  readonly keyId: string;
  readonly secretKey: string;
  /**
   * Which kind of venue this points at: the local paper venue, or Alpaca's
   * (paper or live: `tradingMode` says which, once the account was checked).
   */
  readonly venue: 'local' | 'alpaca';
  /** PAPER or LIVE, set once the account was checked (openVenue); absent before (treated as PAPER). */
  readonly tradingMode?: TradingMode;
  /** With LIVE: the one account number cleared for real money. */
  readonly liveAccount?: string;
  /** The account's request budget (rate-budget.ts) for the clients made from this connection; absent: its defaults. */
  readonly rateBudget?: { readonly limitPerMinute: number; readonly bulkPerMinute: number; readonly reserve: number };
}

/**
 * The key pair the local venue accepts by default. Not a secret: it lets a
 * new user with no Alpaca account run everything locally.
 */
export const LOCAL_KEY_PAIR = Object.freeze({ keyId: 'qgtm-local-key', secretKey: 'qgtm-local-secret' });

/** Alpaca's paper-trading endpoints; `feed` is iex (free) or sip. */
export function alpacaPaperEndpoints(feed: 'iex' | 'sip' = 'iex'): AlpacaEndpoints {
  return {
    restBaseUrl: 'https://paper-api.alpaca.markets',
    tradingStreamUrl: 'wss://paper-api.alpaca.markets/stream',
    dataStreamUrl: `wss://stream.data.alpaca.markets/v2/${feed}`,
    dataRestBaseUrl: 'https://data.alpaca.markets',
  };
}

/** The endpoints of a running local venue (anything with its handle's URLs). */
export function localVenueEndpoints(venue: { readonly url: string; readonly wsTradingUrl: string; readonly wsDataUrl: string }): AlpacaEndpoints {
  const base = venue.url.replace(/\/+$/, '');
  return { restBaseUrl: base, tradingStreamUrl: venue.wsTradingUrl, dataStreamUrl: venue.wsDataUrl, dataRestBaseUrl: base };
}

export interface AlpacaSettings {
  /** 'local' (default) or 'alpaca-paper' (needs keys). */
  readonly venue?: 'local' | 'alpaca-paper';
  readonly keyId?: string;
  readonly secretKey?: string;
  /** The running local venue's URLs (required for 'local'). */
  readonly local?: { readonly url: string; readonly wsTradingUrl: string; readonly wsDataUrl: string };
  /** Market-data feed on Alpaca. Default iex. */
  readonly feed?: 'iex' | 'sip';
}

/**
 * Resolves settings to a connection. Alpaca paper is used only when asked for
 * explicitly and keys are present; every problem is reported at once.
 */
export function resolveAlpacaConnection(settings: AlpacaSettings): AlpacaConnection {
  const venue = settings.venue ?? 'local';
  const violations: string[] = [];
  if (venue !== 'local' && venue !== 'alpaca-paper') violations.push(`alpaca.venue must be 'local' or 'alpaca-paper' (got ${String(venue)})`);
  if (venue === 'alpaca-paper') {
    if (!settings.keyId) violations.push('alpaca.keyId is required for alpaca-paper (set APCA_API_KEY_ID)');
    if (!settings.secretKey) violations.push('alpaca.secretKey is required for alpaca-paper (set APCA_API_SECRET_KEY)');
  } else if (!settings.local) {
    violations.push('alpaca.local (the local venue URLs) is required when alpaca.venue is local');
  }
  if (violations.length > 0) throw new ConfigError(violations);
  if (venue === 'alpaca-paper') {
    return { venue: 'alpaca', keyId: settings.keyId!, secretKey: settings.secretKey!, ...alpacaPaperEndpoints(settings.feed ?? 'iex') };
  }
  return {
    venue: 'local',
    keyId: settings.keyId ?? LOCAL_KEY_PAIR.keyId,
    secretKey: settings.secretKey ?? LOCAL_KEY_PAIR.secretKey,
    ...localVenueEndpoints(settings.local!),
  };
}
