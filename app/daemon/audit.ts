/**
 * The daemon's audit trail: every operator command with who sent it, why,
 * and what came of it, and the events an operator reads back after the fact
 * (risk tier changes, supervisor restarts and escalations, the broker link
 * going down or up, failed reconciliations, messages lost as dead letters).
 *
 * It persists: each entry is appended as one JSON line to `audit.jsonl` in
 * the journal folder (synchronously: these are rare, and an audit line must
 * not be lost to a crash right after the command it records), and the
 * newest `keep` are read back at start. The file rotates to `audit.jsonl.1`
 * past `maxBytes`. A line that does not parse is skipped and counted, never
 * fatal.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type AuditKind = 'command' | 'risk' | 'supervisor' | 'broker' | 'reconciliation' | 'dead_letter' | 'daemon';
export type AuditLevel = 'info' | 'warn' | 'error';

export interface AuditEntry {
  /** Epoch ms. */
  readonly at: number;
  readonly kind: AuditKind;
  readonly level: AuditLevel;
  /** One line a person reads: what happened. */
  readonly message: string;
  /** Who acted (commands), or null. */
  readonly by: string | null;
  /** The command's type, or the event's source (actor, supervisor). */
  readonly subject: string | null;
  /** Structured detail: the command's fields, the outcome, the error. */
  readonly detail?: Record<string, unknown>;
}

export interface AuditOptions {
  /** Folder of `audit.jsonl`; null keeps the trail in memory only. */
  readonly dir: string | null;
  /** Entries kept in memory and read back at start. Default 1000. */
  readonly keep?: number;
  /** Size past which the file rotates. Default 8 MiB. */
  readonly maxBytes?: number;
  /** Called when writing fails (the entry stays in memory). */
  readonly onWriteError?: (err: unknown) => void;
}

const KINDS: ReadonlySet<string> = new Set(['command', 'risk', 'supervisor', 'broker', 'reconciliation', 'dead_letter', 'daemon']);
const LEVELS: ReadonlySet<string> = new Set(['info', 'warn', 'error']);

function parseEntry(line: string): AuditEntry | null {
  let x: unknown;
  try {
    x = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof x !== 'object' || x === null) return null;
  const e = x as Record<string, unknown>;
  if (typeof e.at !== 'number' || !KINDS.has(e.kind as string) || !LEVELS.has(e.level as string) || typeof e.message !== 'string') return null;
  return {
    at: e.at,
    kind: e.kind as AuditKind,
    level: e.level as AuditLevel,
    message: e.message,
    by: typeof e.by === 'string' ? e.by : null,
    subject: typeof e.subject === 'string' ? e.subject : null,
    ...(typeof e.detail === 'object' && e.detail !== null ? { detail: e.detail as Record<string, unknown> } : {}),
  };
}

export class AuditLog {
  private entries: AuditEntry[] = [];
  private readonly keep: number;
  private readonly maxBytes: number;
  private readonly file: string | null;
  /** Lines of the file that did not parse when it was read back. */
  readonly skippedAtLoad: number = 0;
  /** Entries read back from the file at construction (0: a new trail). */
  readonly loadedAtStart: number = 0;
  /** Appends that failed (disk full, folder gone). */
  writeErrors = 0;
  private readonly listeners: ((e: AuditEntry) => void)[] = [];

  constructor(private readonly opts: AuditOptions) {
    this.keep = opts.keep ?? 1000;
    this.maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
    this.file = opts.dir ? join(opts.dir, 'audit.jsonl') : null;
    if (this.file) {
      let skipped = 0;
      for (const f of [`${this.file}.1`, this.file]) {
        if (!existsSync(f)) continue;
        for (const line of readFileSync(f, 'utf8').split('\n')) {
          if (line.trim() === '') continue;
          const e = parseEntry(line);
          if (e) this.entries.push(e);
          else skipped++;
        }
        if (this.entries.length > this.keep) this.entries = this.entries.slice(-this.keep);
      }
      this.skippedAtLoad = skipped;
      this.loadedAtStart = this.entries.length;
    }
  }

  /** Records one entry: in memory, then on disk. */
  record(e: Omit<AuditEntry, 'by' | 'subject'> & { by?: string | null; subject?: string | null }): AuditEntry {
    const entry: AuditEntry = { at: e.at, kind: e.kind, level: e.level, message: e.message, by: e.by ?? null, subject: e.subject ?? null, ...(e.detail ? { detail: e.detail } : {}) };
    this.entries.push(entry);
    if (this.entries.length > this.keep * 2) this.entries = this.entries.slice(-this.keep);
    if (this.file) {
      try {
        if (existsSync(this.file) && statSync(this.file).size > this.maxBytes) renameSync(this.file, `${this.file}.1`);
        appendFileSync(this.file, JSON.stringify(entry) + '\n');
      } catch (err) {
        this.writeErrors++;
        this.opts.onWriteError?.(err);
      }
    }
    for (const l of this.listeners) l(entry);
    return entry;
  }

  /** The newest `n` entries, newest first. */
  recent(n = 200): AuditEntry[] {
    return this.entries.slice(-n).reverse();
  }

  get size(): number {
    return Math.min(this.entries.length, this.keep);
  }

  onEntry(listener: (e: AuditEntry) => void): void {
    this.listeners.push(listener);
  }
}
