/**
 * The paper account kept across restarts: `<dataDir>/account.json`, a
 * `DurableRecord` (temp file, fsync, rename, fsync of the folder; checksum and
 * sequence number) holding the matching engine's state (cash, positions,
 * every open order and the last 1,000 closed ones, fills, how many ids were
 * handed out) and what the account was opened with (seed, account mode).
 *
 * - No record: a new account, saved at once.
 * - A whole record: the same account continues (same id, cash, positions,
 *   orders), so the broker session's journal reconciles against it.
 * - `fresh`: the kept record is moved aside (`account.json.replaced-<ms>`)
 *   and a new account opens.
 * - A record that cannot be trusted: the venue refuses to start and says how
 *   to start fresh. Quietly opening a new account would strand the journal.
 *
 * The venue saves after every market batch that changed the account and
 * holds the batch's trade updates until the save is done, so a fill is
 * never reported and then lost; changes made over REST (a new or canceled
 * order) are saved within `persistEveryMs` (250 ms) and on close. A crash
 * may lose an order the venue had just acknowledged but not yet activated:
 * the broker looks such an order up by client order id and finds it gone.
 */
import { DurableRecord } from '../src/durable/index.js';
import { existsSync, renameSync } from 'node:fs';
import type { AccountMode } from '../src/matching/account.js';
import type { EngineState } from '../src/matching/engine.js';

export interface KeptAccount {
  readonly seed: number;
  readonly accountMode: AccountMode;
  readonly engine: EngineState;
}

export const ACCOUNT_RECORD = 'account';

function problem(x: unknown): string | null {
  const k = x as KeptAccount | null;
  if (!k || typeof k !== 'object' || !k.engine || typeof k.engine !== 'object') return 'no engine state';
  const e = k.engine;
  if (!e.account || typeof e.account.id !== 'string' || !Number.isFinite(e.account.cash)) return 'no account';
  if (!Array.isArray(e.account.positions) || !Array.isArray(e.account.dayStartPrices)) return 'account positions malformed';
  if (!Array.isArray(e.orders) || e.orders.some((o) => !o || typeof o.id !== 'string' || typeof o.clientOrderId !== 'string')) return 'orders malformed';
  if (!Number.isSafeInteger(e.idsDrawn) || e.idsDrawn < 0) return 'idsDrawn malformed';
  return null;
}

export function accountRecord(dataDir: string): DurableRecord<KeptAccount> {
  return new DurableRecord<KeptAccount>(dataDir, ACCOUNT_RECORD, problem);
}

export interface OpenedAccount {
  readonly record: DurableRecord<KeptAccount>;
  /** The kept account, or null for a new one. */
  readonly kept: KeptAccount | null;
  /** Where a replaced record went (`fresh`), or null. */
  readonly replaced: string | null;
}

/** Opens the kept account in `dataDir`; throws StateCorruptError when one is there but unusable. */
export function openKeptAccount(dataDir: string, fresh: boolean, now: number): OpenedAccount {
  const record = accountRecord(dataDir);
  if (fresh) {
    let replaced: string | null = null;
    if (existsSync(record.path)) {
      replaced = `${record.path}.replaced-${now}`;
      renameSync(record.path, replaced);
    }
    return { record, kept: null, replaced };
  }
  const l = record.read();
  return { record, kept: l ? l.value : null, replaced: null };
}
