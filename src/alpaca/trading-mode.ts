/**
 * Paper first: what decides whether qgtm may trade against an endpoint and an
 * account. Live money needs two things a copied environment alone cannot
 * give: the `--live` flag on the command line (no environment variable or
 * config file sets it) and `venue.liveAccount` naming the very account the
 * broker answers with. Everything else must be a paper endpoint and a paper
 * account, or qgtm refuses to start and says that live trading is why.
 */
import { QgtmError } from '../errors.js';

export type TradingMode = 'PAPER' | 'LIVE';

/** Alpaca's endpoints by what they trade. */
export const ALPACA_PAPER_HOSTS: readonly string[] = ['paper-api.alpaca.markets'];
export const ALPACA_LIVE_HOSTS: readonly string[] = ['api.alpaca.markets'];

/**
 * What a trading REST endpoint is: Alpaca paper, Alpaca live, a venue on this
 * machine (loopback: the local paper venue, or a test double; its account
 * decides), or anything else (unknown: it may be live money, so it counts as
 * live until the operator opts in).
 */
export type EndpointKind = 'alpaca-paper' | 'alpaca-live' | 'loopback' | 'unknown';

export function endpointKind(url: string): EndpointKind {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return 'unknown';
  }
  if (ALPACA_PAPER_HOSTS.includes(host)) return 'alpaca-paper';
  if (ALPACA_LIVE_HOSTS.includes(host)) return 'alpaca-live';
  if (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)) return 'loopback';
  return 'unknown';
}

/** Live trading was refused: the message names live trading and what would allow it. */
export class LiveTradingRefusedError extends QgtmError {
  constructor(message: string) {
    super('QGTM_ERR_LIVE_REFUSED', `live trading refused: ${message}`);
  }
}

export interface LiveOptIn {
  /** `--live` was given on the command line. */
  readonly live: boolean;
  /** The account number the operator says is the live one (`venue.liveAccount`). */
  readonly liveAccount: string | null;
}

const HOW = 'to trade real money start with --live and set QGTM_LIVE_ACCOUNT to the account number';

/**
 * The endpoint check, before anything connects. Returns the violations
 * (config style, every one reported together); empty when allowed.
 */
export function endpointViolations(restUrl: string, optIn: LiveOptIn): string[] {
  const kind = endpointKind(restUrl);
  const v: string[] = [];
  if (!optIn.live) {
    if (kind === 'alpaca-live') v.push(`live trading refused: ${restUrl} is Alpaca's live-money endpoint; ${HOW}`);
    else if (kind === 'unknown') v.push(`live trading refused: ${restUrl} is not a known paper endpoint (Alpaca paper is https://paper-api.alpaca.markets) and may trade real money; ${HOW}`);
  } else {
    if (optIn.liveAccount === null) v.push(`--live needs venue.liveAccount (QGTM_LIVE_ACCOUNT): the account number qgtm may trade real money on`);
    if (kind === 'alpaca-paper') v.push(`--live was given but ${restUrl} is Alpaca's paper endpoint; drop --live to paper trade`);
  }
  return v;
}

/** Alpaca paper account numbers start with PA; live ones do not. */
export function isPaperAccountNumber(accountNumber: string): boolean {
  return /^PA/i.test(accountNumber);
}

/**
 * The account check, once connected: the mode qgtm trades in, or a
 * LiveTradingRefusedError. A paper account is always allowed (as PAPER, even
 * with --live: nothing live can happen on it); a live one only with --live
 * and its own number named.
 */
export function tradingModeFor(accountNumber: string | null | undefined, optIn: LiveOptIn): TradingMode {
  if (typeof accountNumber !== 'string' || accountNumber.length === 0) {
    throw new LiveTradingRefusedError('the broker did not say which account this is (no account_number), so it cannot be shown to be a paper account');
  }
  if (isPaperAccountNumber(accountNumber)) return 'PAPER';
  if (!optIn.live) throw new LiveTradingRefusedError(`account ${accountNumber} is not a paper account (paper account numbers start with PA); ${HOW}`);
  if (optIn.liveAccount !== accountNumber) {
    throw new LiveTradingRefusedError(`account ${accountNumber} is live and venue.liveAccount (QGTM_LIVE_ACCOUNT) names ${optIn.liveAccount === null ? 'no account' : `account ${optIn.liveAccount}`}`);
  }
  return 'LIVE';
}
