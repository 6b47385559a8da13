/**
 * `DurableRecord<T>`: one small piece of state kept in one file,
 * `<dir>/<name>.json`, that survives `kill -9` and power loss.
 *
 * ## Write
 * `write(value)` writes a temp file, fsyncs it, renames it over the record
 * and fsyncs the directory, in that order: after it returns the new value is
 * on disk, and a crash at any point leaves either the old record or the new
 * one whole, never a mix. Writes are synchronous on purpose: the owners
 * (risk governor, strategy shards, allocator) write before the decision
 * takes effect, and a record is a few KB, so one write costs about one fsync.
 *
 * ## Format
 * `{"format":1,"name":...,"seq":n,"savedAt":ms,"sha256":hex,"data":"<json>"}`.
 * `data` is the value's JSON as a string, so the checksum covers exactly the
 * bytes that are parsed back. `seq` grows by one per write: a mirror (Redis)
 * with the same record can be compared by it.
 *
 * ## Read
 * `read()` answers null when there is no record (a first start), the value
 * with its seq when the record is whole, and throws `StateCorruptError` when
 * a file is there but cannot be trusted (truncated, checksum mismatch, not
 * JSON, another record's name, or the owner's `validate` refuses it). An
 * owner must then start fail-safe, never from defaults as if nothing had
 * been decided. `quarantine()` moves the bad file aside for an operator.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { StateCorruptError, StateWriteError } from './errors.js';

const FORMAT = 1;
/** What a record may be called (also its file name and its mirror key). */
export const RECORD_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const NAME = RECORD_NAME;
/** A record larger than this is refused on read (a state file is KBs, not MBs). */
const MAX_BYTES = 16 * 1024 * 1024;

export interface Loaded<T> {
  readonly value: T;
  readonly seq: number;
  readonly savedAt: number;
}

/** Says why `x` is not a valid value, or null when it is. */
export type Validator = (x: unknown) => string | null;

interface Envelope {
  readonly format: number;
  readonly name: string;
  readonly seq: number;
  readonly savedAt: number;
  readonly sha256: string;
  readonly data: string;
}

export function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** The on-disk (and Redis) form of a value: the same bytes either place. */
export function encodeRecord(name: string, seq: number, value: unknown, savedAt: number): string {
  const data = JSON.stringify(value);
  const env: Envelope = { format: FORMAT, name, seq, savedAt, sha256: sha256(data), data };
  return JSON.stringify(env) + '\n';
}

/** Parses and checks one encoded record; throws StateCorruptError saying what is wrong. */
export function decodeRecord<T>(name: string, text: string, validate?: Validator, where = name): Loaded<T> {
  let env: Partial<Envelope>;
  try {
    env = JSON.parse(text) as Partial<Envelope>;
  } catch (err) {
    throw new StateCorruptError(where, `not JSON (${text.length} bytes; truncated?)`, { cause: err });
  }
  if (!env || typeof env !== 'object') throw new StateCorruptError(where, 'not an object');
  if (env.format !== FORMAT) throw new StateCorruptError(where, `format ${String(env.format)} is not ${FORMAT}`);
  if (env.name !== name) throw new StateCorruptError(where, `holds record ${String(env.name)}, not ${name}`);
  if (!Number.isSafeInteger(env.seq) || (env.seq as number) < 1) throw new StateCorruptError(where, 'bad sequence number');
  if (typeof env.data !== 'string' || typeof env.sha256 !== 'string') throw new StateCorruptError(where, 'missing data or checksum');
  if (sha256(env.data) !== env.sha256) throw new StateCorruptError(where, 'checksum mismatch');
  let value: unknown;
  try {
    value = JSON.parse(env.data);
  } catch (err) {
    throw new StateCorruptError(where, 'data is not JSON', { cause: err });
  }
  const bad = validate?.(value) ?? null;
  if (bad !== null) throw new StateCorruptError(where, `invalid value: ${bad}`);
  return { value: value as T, seq: env.seq as number, savedAt: typeof env.savedAt === 'number' ? env.savedAt : 0 };
}

export class DurableRecord<T> {
  readonly path: string;
  private lastSeq = 0;

  constructor(
    readonly dir: string,
    readonly name: string,
    private readonly validate?: Validator,
  ) {
    if (!NAME.test(name)) throw new StateWriteError(name, 'record names are [a-z0-9_.-], up to 64 characters');
    this.path = join(dir, `${name}.json`);
  }

  /** Sequence number of the last record read or written (0: none yet). */
  get seq(): number {
    return this.lastSeq;
  }

  /** The record, null when there is none; throws StateCorruptError when one is there but unusable. */
  read(): Loaded<T> | null {
    if (!existsSync(this.path)) return null;
    let buf: Buffer;
    try {
      buf = readFileSync(this.path);
    } catch (err) {
      throw new StateCorruptError(this.path, `unreadable: ${(err as Error).message}`, { cause: err });
    }
    if (buf.length > MAX_BYTES) throw new StateCorruptError(this.path, `${buf.length} bytes is past the ${MAX_BYTES} byte bound`);
    const loaded = decodeRecord<T>(this.name, buf.toString('utf8'), this.validate, this.path);
    this.lastSeq = Math.max(this.lastSeq, loaded.seq);
    return loaded;
  }

  /**
   * Makes `value` the record, durably, before returning its sequence number.
   * `atLeastSeq` lets an owner continue a sequence found elsewhere (a mirror).
   */
  write(value: T, savedAt = Date.now(), atLeastSeq = 0): number {
    const seq = Math.max(this.lastSeq, atLeastSeq) + 1;
    this.writeText(encodeRecord(this.name, seq, value, savedAt));
    this.lastSeq = seq;
    return seq;
  }

  /**
   * Makes an encoded record from elsewhere (a mirror) the record, after
   * checking it; returns its sequence number. Throws StateCorruptError when
   * it does not check out.
   */
  adopt(text: string): number {
    const l = decodeRecord<T>(this.name, text, this.validate, `${this.path} (mirror)`);
    this.writeText(text);
    this.lastSeq = l.seq;
    return l.seq;
  }

  private writeText(text: string): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      syncDir(this.dir);
    } catch (err) {
      throw new StateWriteError(this.path, (err as Error).message, { cause: err });
    }
  }

  /** Moves an untrusted record aside (`<name>.json.corrupt-<ms>`) and returns where it went, or null. */
  quarantine(now = Date.now()): string | null {
    if (!existsSync(this.path)) return null;
    const to = `${this.path}.corrupt-${now}`;
    renameSync(this.path, to);
    syncDir(this.dir);
    return to;
  }
}

/** fsync a directory so a rename in it is durable (a no-op where directories cannot be opened). */
export function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    closeSync(fd);
  }
}
