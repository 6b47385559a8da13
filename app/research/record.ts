/**
 * The run-record store: one JSON file per research run under a directory,
 * `<id>.json`, with a small headline beside it, `<id>.head.json`, so listing
 * runs reads a few hundred bytes per run instead of every run's fills and
 * series. Every write is atomic (a temporary file, fsync, rename): a crash
 * leaves the old record or the new one, never half of one. A headline older
 * than its record (a crash between the two renames) is ignored and the
 * record read instead. A file that does not parse is reported and skipped,
 * never fatal: one bad file must not hide every other run.
 *
 * Ids are checked before they become paths: letters, digits, `-` and `_`
 * only, so no id names a file outside the directory.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../../src/version.js';
import type { RunHeadline, RunRecord } from './types.js';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const HEAD = '.head.json';

/** True when `id` is a well-formed run id (safe as a file name). */
export function isRunId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id);
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/**
 * A run id that sorts by creation time as a string and is safe as a file
 * name: `20261204T233624123Z-00000001` (UTC, ms, then a sequence number
 * telling apart runs created in the same millisecond).
 */
export function newRunId(createdAt: number, seq: number): string {
  if (!Number.isInteger(createdAt) || createdAt < 0 || createdAt > 253_402_300_799_999) throw new RangeError(`run createdAt must be an epoch ms between 1970 and 9999; got ${createdAt}`);
  if (!Number.isInteger(seq) || seq < 0 || seq > 99_999_999) throw new RangeError(`run sequence must be an integer 0-99999999; got ${seq}`);
  const d = new Date(createdAt);
  const date = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}${pad(d.getUTCMilliseconds(), 3)}`;
  return `${date}T${time}Z-${pad(seq, 8)}`;
}

/** The headline fields of a record (what `list` shows). */
export function headlineOf(r: RunHeadline): RunHeadline {
  return { id: r.id, kind: r.kind, name: r.name, status: r.status, createdAt: r.createdAt, finishedAt: r.finishedAt, progress: r.progress, summary: r.summary, data: r.data, error: r.error };
}

/** Why `v` is not a run headline for `id`, or null. */
function headlineProblem(v: unknown, id: string): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const r = v as Record<string, unknown>;
  if (r.id !== id) return `its id ${JSON.stringify(r.id)} does not match the file name`;
  if (r.kind !== 'backtest' && r.kind !== 'sweep') return `kind ${JSON.stringify(r.kind)} is not backtest or sweep`;
  if (typeof r.status !== 'string') return 'no status';
  if (typeof r.createdAt !== 'number') return 'no createdAt';
  return null;
}

/** The history's credentials are not written to disk: the configuration supplies them again. */
function redacted(r: RunRecord): RunRecord {
  const h = r.history;
  if (h.kind !== 'venue' && h.kind !== 'alpaca') return r;
  return { ...r, history: { ...h, keyId: h.keyId ? '***' : h.keyId, secretKey: h.secretKey ? '***' : h.secretKey } };
}

export interface RunStoreOptions {
  /** Called with each corrupt or unreadable file met (the store skips it). */
  readonly onProblem?: (message: string) => void;
}

/** Saved runs under one directory. */
export class RunStore {
  readonly dir: string;
  private readonly onProblem: (message: string) => void;
  private tmpSeq = 0;

  constructor(dir: string, opts: RunStoreOptions = {}) {
    this.dir = resolve(dir);
    this.onProblem = opts.onProblem ?? (() => {});
  }

  /**
   * Writes a run (created or updated) atomically, record then headline.
   * The history's API key id and secret are written as `***`.
   */
  save(r: RunRecord): void {
    const path = this.pathOf(r.id, '.json');
    if (path === null) throw new RangeError(`invalid run id ${JSON.stringify(r.id)}: letters, digits, - and _ only`);
    mkdirSync(this.dir, { recursive: true });
    const rec = redacted(r);
    this.writeAtomic(path, JSON.stringify(rec));
    this.writeAtomic(this.pathOf(r.id, HEAD)!, JSON.stringify(headlineOf(rec)));
  }

  /** The run, or null when the id is malformed, unknown or its file is corrupt (reported). */
  read(id: string): RunRecord | null {
    const path = this.pathOf(id, '.json');
    if (path === null || !existsSync(path)) return null;
    return this.parse(path, id) as RunRecord | null;
  }

  /** Every run's headline, newest first; corrupt files skipped and reported. */
  list(): RunHeadline[] {
    return this.scan().runs;
  }

  /** `list` with the problems met, each naming its file. */
  scan(): { runs: RunHeadline[]; problems: string[] } {
    const problems: string[] = [];
    const report = (m: string): void => {
      problems.push(m);
      this.onProblem(m);
    };
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], problems };
      throw err;
    }
    const present = new Set(names);
    const runs: RunHeadline[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || name.endsWith(HEAD)) continue;
      const id = name.slice(0, -'.json'.length);
      if (!isRunId(id)) continue;
      const recPath = join(this.dir, name);
      const headPath = join(this.dir, `${id}${HEAD}`);
      let h: RunHeadline | null = null;
      if (present.has(`${id}${HEAD}`) && this.fresh(headPath, recPath)) h = this.parse(headPath, id, report) as RunHeadline | null;
      if (h === null) {
        const r = this.parse(recPath, id, report) as RunRecord | null;
        h = r === null ? null : headlineOf(r);
      }
      if (h !== null) runs.push(h);
    }
    runs.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return { runs, problems };
  }

  /** `<dir>/<id><suffix>`, or null when the id could name anything else. */
  private pathOf(id: string, suffix: string): string | null {
    if (!isRunId(id)) return null;
    const p = join(this.dir, `${id}${suffix}`);
    return dirname(p) === this.dir && basename(p) === `${id}${suffix}` ? p : null;
  }

  /** A headline is trusted only if it is no older than its record. */
  private fresh(headPath: string, recPath: string): boolean {
    try {
      return statSync(headPath).mtimeMs >= statSync(recPath).mtimeMs;
    } catch {
      return false;
    }
  }

  private parse(path: string, id: string, report: (m: string) => void = this.onProblem): unknown {
    let v: unknown;
    try {
      v = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      report(`run file ${path} is unreadable or not JSON: ${(err as Error).message}`);
      return null;
    }
    const bad = headlineProblem(v, id);
    if (bad) {
      report(`run file ${path} is not a run record: ${bad}`);
      return null;
    }
    return v;
  }

  private writeAtomic(path: string, text: string): void {
    // Dot-named so a listing never takes it for a run; pid and a counter keep two writers apart.
    const tmp = join(this.dir, `.${basename(path)}.${process.pid}.${this.tmpSeq++}.tmp`);
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        // the write error is the one to report
      }
      throw err;
    }
    closeSync(fd);
    renameSync(tmp, path);
    // The rename is durable once the directory is synced (not every platform can open one).
    try {
      const dfd = openSync(this.dir, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      // best effort
    }
  }
}

/** Reads the commit HEAD points at from a `.git` directory or worktree file, without spawning git; null when unreadable. */
export function gitCommit(root: string): string | null {
  try {
    let gitDir = join(root, '.git');
    if (statSync(gitDir).isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(gitDir, 'utf8'));
      if (!m) return null;
      gitDir = resolve(root, m[1].trim());
    }
    // A worktree's own dir holds HEAD; refs live in the common dir.
    let common = gitDir;
    const commonFile = join(gitDir, 'commondir');
    if (existsSync(commonFile)) common = resolve(gitDir, readFileSync(commonFile, 'utf8').trim());
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40,64}$/.test(head)) return head;
    const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
    if (!ref || ref.includes('..')) return null;
    for (const dir of [gitDir, common]) {
      const p = join(dir, ref);
      if (existsSync(p)) {
        const sha = readFileSync(p, 'utf8').trim();
        return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
      }
    }
    const packed = join(common, 'packed-refs');
    if (!existsSync(packed)) return null;
    for (const line of readFileSync(packed, 'utf8').split('\n')) {
      const [sha, name] = line.trim().split(/\s+/);
      if (name === ref && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
    }
    return null;
  } catch {
    return null;
  }
}

/** The package root: the nearest folder above this file holding package.json (dist/ or source). */
function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

let cached: string | null = null;

/**
 * The code that produced a run: the package version, plus `+<12 hex>` of
 * the git commit when the checkout's `.git` is readable (`0.1.0+7f185d5c12ab`).
 * Uncommitted changes are not detected (that needs git itself).
 */
export function codeVersion(root?: string): string {
  if (root === undefined && cached !== null) return cached;
  const dir = root ?? packageRoot();
  const sha = dir === null ? null : gitCommit(dir);
  const v = sha === null ? VERSION : `${VERSION}+${sha.slice(0, 12)}`;
  if (root === undefined) cached = v;
  return v;
}
