/**
 * The broker session's write-ahead journal: an append-only file of OMS events
 * that survives kill -9.
 *
 * ## Format
 * One record per line: `<crc32 as 8 hex>\t<json>\n`, where the JSON is
 * `{"seq": n, "e": <OmsEvent>}` and the CRC covers the JSON bytes. Lines keep
 * the file greppable for an operator; the CRC catches torn and corrupted
 * records that would still parse.
 *
 * ## Durability rule
 * `append()` writes the record and calls fsync before it returns. The session
 * journals an intent and waits for that fsync BEFORE the order is sent to the
 * broker, and journals a fill BEFORE applying it, so anything acknowledged
 * either way is on disk. fsync per record, not per group: order flow is capped
 * at Alpaca's 200 requests a minute, so an fsync of a few milliseconds per
 * record costs nothing that matters, and it keeps the rule trivially true.
 * `appendBatch()` is the group commit for bursts produced in one turn (several
 * fills in one stream frame, reconciliation corrections): one write, one
 * fsync, still before any of them is applied.
 *
 * ## Recovery
 * On open the file is scanned:
 * - a last line without its newline, or a last line that fails its CRC, is a
 *   torn tail from a crash mid-write: it is truncated away and counted (the
 *   record was never acknowledged, since append had not returned);
 * - a bad record with good records after it cannot come from a crash: by
 *   default `open` throws JournalCorruptError naming the record and offset;
 *   with `onCorrupt: 'quarantine'` bad records are copied to
 *   `<path>.quarantine`, the journal is rewritten without them, and the replay
 *   report lists them, so the caller can reconcile against the broker.
 *
 * ## Compaction
 * `compact(snapshot)` atomically replaces the file with one `snapshot` record
 * (write temp, fsync, rename, fsync the directory), bounding replay time.
 */

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, appendFileSync, writeSync, ftruncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from './crc32.js';
import { JournalClosedError, JournalCorruptError } from './errors.js';
import type { OmsEvent } from './oms.js';

export interface JournalRecord {
  readonly seq: number;
  readonly event: OmsEvent;
}

export interface QuarantinedRecord {
  readonly line: number;
  readonly offset: number;
  readonly reason: string;
}

export interface ReplayReport {
  readonly records: readonly JournalRecord[];
  /** Bytes cut from the end (a torn last record), 0 if the file ended cleanly. */
  readonly tornBytes: number;
  /** Records dropped as torn (0 or 1). */
  readonly tornRecords: number;
  readonly quarantined: readonly QuarantinedRecord[];
}

export interface JournalOptions {
  /** What to do with a bad record that has good records after it. Default 'throw'. */
  readonly onCorrupt?: 'throw' | 'quarantine';
}

const NL = 0x0a;

function encode(seq: number, event: OmsEvent): Buffer {
  const json = Buffer.from(JSON.stringify({ seq, e: event }), 'utf8');
  const head = Buffer.from(crc32(json).toString(16).padStart(8, '0') + '\t', 'ascii');
  return Buffer.concat([head, json, Buffer.from([NL])]);
}

type Decoded = { ok: true; record: JournalRecord } | { ok: false; reason: string };

function decode(line: Buffer): Decoded {
  if (line.length < 10 || line[8] !== 0x09) return { ok: false, reason: 'missing checksum' };
  const want = Number.parseInt(line.subarray(0, 8).toString('ascii'), 16);
  const json = line.subarray(9);
  if (!Number.isFinite(want) || crc32(json) !== want) return { ok: false, reason: 'checksum mismatch' };
  try {
    const o = JSON.parse(json.toString('utf8')) as { seq?: unknown; e?: unknown };
    if (typeof o.seq !== 'number' || o.e === null || typeof o.e !== 'object') return { ok: false, reason: 'record lacks seq or event' };
    return { ok: true, record: { seq: o.seq, event: o.e as OmsEvent } };
  } catch (err) {
    return { ok: false, reason: `bad JSON: ${(err as Error).message}` };
  }
}

function fsyncDir(path: string): void {
  const fd = openSync(dirname(path), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** What the session needs of a journal: the file one, or the memory one research runs use. */
export interface JournalStore {
  readonly nextSeq: number;
  readonly bytes: number;
  appendBatch(events: readonly OmsEvent[]): number[];
  compact(snapshot: Extract<OmsEvent, { kind: 'snapshot' }>): void;
  close(): void;
}

/**
 * A journal that keeps nothing: for a back-test, whose orders live and die
 * with the run (there is no crash to survive and no fsync to pay per bar).
 * It numbers records as the file journal does.
 */
export class MemoryJournal implements JournalStore {
  private seq = 1;
  get nextSeq(): number {
    return this.seq;
  }
  get bytes(): number {
    return 0;
  }
  appendBatch(events: readonly OmsEvent[]): number[] {
    const seqs = events.map((_, k) => this.seq + k);
    this.seq += events.length;
    return seqs;
  }
  compact(): void {
    this.seq++;
  }
  close(): void {}
}

export class Journal implements JournalStore {
  private fd: number | null;
  private seq: number;
  private sizeBytes: number;

  private constructor(readonly path: string, fd: number, nextSeq: number, size: number) {
    this.fd = fd;
    this.seq = nextSeq;
    this.sizeBytes = size;
  }

  /** Open (creating if absent), recover and replay. */
  static open(path: string, options: JournalOptions = {}): { journal: Journal; replay: ReplayReport } {
    const created = !existsSync(path);
    const fd = openSync(path, 'a+');
    try {
      if (created) fsyncDir(path);
      const data = readFileSync(path);
      const scan = Journal.scan(path, data, options.onCorrupt ?? 'throw');
      let size = data.length;
      if (scan.rewrite) {
        const tmp = `${path}.tmp`;
        Journal.writeFile(tmp, scan.records);
        renameSync(tmp, path);
        fsyncDir(path);
        closeSync(fd);
        const fd2 = openSync(path, 'a+');
        size = readFileSync(path).length;
        const last = scan.records.length ? scan.records[scan.records.length - 1]!.seq : 0;
        return { journal: new Journal(path, fd2, last + 1, size), replay: scan.report };
      }
      if (scan.validEnd < data.length) {
        ftruncateSync(fd, scan.validEnd);
        fsyncSync(fd);
        size = scan.validEnd;
      }
      const last = scan.records.length ? scan.records[scan.records.length - 1]!.seq : 0;
      return { journal: new Journal(path, fd, last + 1, size), replay: scan.report };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  private static scan(path: string, data: Buffer, onCorrupt: 'throw' | 'quarantine') {
    const records: JournalRecord[] = [];
    const bad: { line: number; offset: number; end: number; reason: string; raw: Buffer }[] = [];
    let pos = 0;
    let line = 0;
    let validEnd = 0;
    while (pos < data.length) {
      const nl = data.indexOf(NL, pos);
      if (nl < 0) break; // torn tail: no newline
      line++;
      const d = decode(data.subarray(pos, nl));
      let reason: string | null = d.ok ? null : d.reason;
      if (d.ok && records.length > 0 && d.record.seq <= records[records.length - 1]!.seq) reason = `seq ${d.record.seq} not after ${records[records.length - 1]!.seq}`;
      if (reason === null && d.ok) {
        records.push(d.record);
        validEnd = nl + 1;
      } else {
        bad.push({ line, offset: pos, end: nl + 1, reason: reason!, raw: data.subarray(pos, nl + 1) });
      }
      pos = nl + 1;
    }
    // A bad record after the last good one is the tail a crash tore; anything earlier is corruption.
    const torn = bad.filter((b) => b.offset >= validEnd);
    const middle = bad.filter((b) => b.offset < validEnd);
    const tornBytes = data.length - validEnd;
    const partial = pos < data.length ? 1 : 0;
    const tornRecords = torn.length + partial;
    if (middle.length > 0 && onCorrupt === 'throw') {
      const m = middle[0]!;
      throw new JournalCorruptError(path, m.line, m.offset, m.reason);
    }
    if (middle.length > 0) {
      for (const m of middle) appendFileSync(`${path}.quarantine`, Buffer.concat([Buffer.from(`# line ${m.line} offset ${m.offset}: ${m.reason}\n`), m.raw]));
    }
    const report: ReplayReport = {
      records,
      tornBytes,
      tornRecords,
      quarantined: middle.map((m) => ({ line: m.line, offset: m.offset, reason: m.reason })),
    };
    return { records, validEnd, rewrite: middle.length > 0, report };
  }

  private static writeFile(path: string, records: readonly JournalRecord[]): void {
    const fd = openSync(path, 'w');
    try {
      for (const r of records) writeAll(fd, encode(r.seq, r.event));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Sequence number the next record will get. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Current file size in bytes. */
  get bytes(): number {
    return this.sizeBytes;
  }

  /** Append one record and fsync; returns its sequence number once it is durable. */
  append(event: OmsEvent): number {
    return this.appendBatch([event])[0]!;
  }

  /** Group commit: append records with one write and one fsync; returns their sequence numbers. */
  appendBatch(events: readonly OmsEvent[]): number[] {
    const fd = this.requireOpen();
    if (events.length === 0) return [];
    const seqs = events.map((_, k) => this.seq + k);
    const buf = Buffer.concat(events.map((e, k) => encode(seqs[k]!, e)));
    writeAll(fd, buf);
    fsyncSync(fd);
    this.seq += events.length;
    this.sizeBytes += buf.length;
    return seqs;
  }

  /** Replace the whole file with one snapshot record, atomically. */
  compact(snapshot: Extract<OmsEvent, { kind: 'snapshot' }>): void {
    this.requireOpen();
    const tmp = `${this.path}.tmp`;
    const seq = this.seq;
    Journal.writeFile(tmp, [{ seq, event: snapshot }]);
    closeSync(this.fd!);
    this.fd = null;
    renameSync(tmp, this.path);
    fsyncDir(this.path);
    this.fd = openSync(this.path, 'a');
    this.seq = seq + 1;
    this.sizeBytes = readFileSync(this.path).length;
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  private requireOpen(): number {
    if (this.fd === null) throw new JournalClosedError(this.path);
    return this.fd;
  }
}
