/**
 * The durable state records (`<journal>/state/*.json`: risk, strategies-<k>,
 * allocator) mirrored in Redis in split mode, so the operator's decisions
 * survive the daemon's disk as well as its process.
 *
 * - Before the trading tree starts, `takeNewer` compares each record in
 *   Redis with the file by sequence number and writes the Redis copy to disk
 *   (checked, atomically) when it is newer or the file is missing or unusable.
 *   The actors then read their files as usual.
 * - While the daemon runs, `startMirror` puts every record whose file
 *   changed into Redis (the same bytes, sequence included), checking the
 *   folder every `everyMs`. The files stay the source of truth: the actors
 *   write them before a decision takes effect; the mirror follows within
 *   `everyMs`.
 *
 * Redis unreachable at start is not fatal: the files are used, and that is
 * logged.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonSide } from '../bus/bus.js';
import { decodeRecord, DurableRecord, RECORD_NAME } from '../../src/durable/index.js';
import type { Logger } from '../../src/runtime/index.js';

const FILE = /^(.+)\.json$/;

function seqOf(name: string, text: string): number | null {
  try {
    return decodeRecord(name, text).seq;
  } catch {
    return null;
  }
}

/** Takes, per record (those `only` names), the newer of file and Redis; returns the names taken from Redis. */
export async function takeNewer(stateDir: string, bus: DaemonSide, log: Logger, timeoutMs = 3000, only: (name: string) => boolean = () => true): Promise<string[]> {
  if (!bus.readRecords) return [];
  let remote: ReadonlyMap<string, string>;
  try {
    remote = await bus.readRecords(timeoutMs);
  } catch (err) {
    log.warn('state mirror not read: using the files alone', { error: err as Error });
    return [];
  }
  const taken: string[] = [];
  for (const [name, text] of remote) {
    if (!RECORD_NAME.test(name) || !only(name)) continue;
    const r = seqOf(name, text);
    if (r === null) {
      log.warn('state mirror record unusable: ignored', { record: name });
      continue;
    }
    const rec = new DurableRecord<unknown>(stateDir, name);
    let local: number | null = null;
    try {
      local = rec.read()?.seq ?? null;
    } catch {
      local = null;
    }
    if (local !== null && local >= r) continue;
    try {
      rec.adopt(text);
      taken.push(name);
      log.warn('state record taken from the Redis mirror', { record: name, seq: r, fileSeq: local });
    } catch (err) {
      log.error('state record from the Redis mirror not written', { record: name, error: err as Error });
    }
  }
  return taken;
}

/** Mirrors changed record files (those `only` names) into Redis every `everyMs`; returns a stop function (which mirrors once more). */
export function startMirror(stateDir: string, bus: DaemonSide, everyMs = 500, only: (name: string) => boolean = () => true): () => void {
  const mirror = bus.mirrorRecord?.bind(bus);
  if (!mirror) return () => undefined;
  const seen = new Map<string, string>();
  const scan = (): void => {
    let names: string[];
    try {
      names = readdirSync(stateDir);
    } catch {
      return;
    }
    for (const file of names) {
      const m = FILE.exec(file);
      if (!m || !RECORD_NAME.test(m[1]!) || !only(m[1]!)) continue;
      try {
        const st = statSync(join(stateDir, file));
        const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
        if (seen.get(file) === stamp) continue;
        const text = readFileSync(join(stateDir, file), 'utf8');
        // Only whole records are mirrored.
        if (seqOf(m[1]!, text) === null) continue;
        seen.set(file, stamp);
        mirror(m[1]!, text);
      } catch {
        // Replaced between the listing and the read: the next scan sees it.
      }
    }
  };
  scan();
  const timer = setInterval(scan, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    scan();
  };
}
