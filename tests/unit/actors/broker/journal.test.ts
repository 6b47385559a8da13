import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync, truncateSync, readFileSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Journal } from '../../../../actors/broker/journal.js';
import { JournalCorruptError } from '../../../../actors/broker/errors.js';
import { Oms, type OmsEvent } from '../../../../actors/broker/oms.js';
import { brokerOrder, intent } from './fixtures.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qgtm-journal-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const events = (n: number): OmsEvent[] =>
  Array.from({ length: n }, (_, k) => ({ kind: 'intent', ts: k, intent: intent({ intentId: `p${k}:GLD` }), clientOrderId: `c-${k}` }) as OmsEvent);

function writeAll(path: string, evs: OmsEvent[]): number[] {
  const { journal } = Journal.open(path);
  const sizes: number[] = [];
  for (const e of evs) {
    journal.append(e);
    sizes.push(journal.bytes);
  }
  journal.close();
  return sizes;
}

describe('Journal', () => {
  it('records appended then replayed in order with sequence numbers', () => {
    const path = join(dir, 'wal');
    writeAll(path, events(5));
    const { journal, replay } = Journal.open(path);
    expect(replay.records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(replay.records.map((r) => r.event)).toEqual(events(5));
    expect(replay.tornRecords).toBe(0);
    expect(journal.nextSeq).toBe(6);
    journal.close();
  });

  it('kill -9 mid-record then whole records recovered, torn tail dropped and counted', () => {
    const path = join(dir, 'wal');
    const sizes = writeAll(path, events(5));
    // Cut the last record in half, as a crash during its write would.
    const cut = sizes[3]! + Math.floor((sizes[4]! - sizes[3]!) / 2);
    truncateSync(path, cut);
    const { journal, replay } = Journal.open(path);
    expect(replay.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(replay.tornRecords).toBe(1);
    expect(replay.tornBytes).toBe(cut - sizes[3]!);
    expect(statSync(path).size).toBe(sizes[3]);
    // Appending continues cleanly after the cut.
    journal.append(events(6)[5]!);
    journal.close();
    const again = Journal.open(path);
    expect(again.replay.records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(again.replay.tornRecords).toBe(0);
    again.journal.close();
  });

  it('replay into an OMS after the crash then state of the whole records', () => {
    const path = join(dir, 'wal');
    const sizes = writeAll(path, events(3));
    truncateSync(path, sizes[2]! - 1); // drop only the last newline: record 3 is torn
    const { journal, replay } = Journal.open(path);
    const oms = new Oms();
    for (const r of replay.records) oms.apply(r.event);
    expect(oms.orders().map((o) => o.clientOrderId)).toEqual(['c-0', 'c-1']);
    journal.close();
  });

  it('corrupt record in the middle then clear error naming it', () => {
    const path = join(dir, 'wal');
    const sizes = writeAll(path, events(4));
    const buf = readFileSync(path);
    buf[sizes[0]! + 20] = buf[sizes[0]! + 20]! ^ 0x01; // flip a bit inside record 2
    writeFileSync(path, buf);
    let err: unknown;
    try {
      Journal.open(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JournalCorruptError);
    expect((err as JournalCorruptError).line).toBe(2);
    expect((err as JournalCorruptError).offset).toBe(sizes[0]);
    expect((err as Error).message).toMatch(/checksum mismatch/);
    expect(readFileSync(path).equals(buf)).toBe(true); // untouched
  });

  it('corrupt middle record with quarantine then moved aside and others replayed', () => {
    const path = join(dir, 'wal');
    const sizes = writeAll(path, events(4));
    const buf = readFileSync(path);
    buf[sizes[1]! + 15] = 0x7b;
    writeFileSync(path, buf);
    const { journal, replay } = Journal.open(path, { onCorrupt: 'quarantine' });
    expect(replay.records.map((r) => r.seq)).toEqual([1, 2, 4]);
    expect(replay.quarantined).toEqual([{ line: 3, offset: sizes[1], reason: 'checksum mismatch' }]);
    expect(existsSync(`${path}.quarantine`)).toBe(true);
    journal.append(events(5)[4]!);
    journal.close();
    expect(Journal.open(path).replay.records.map((r) => r.seq)).toEqual([1, 2, 4, 5]);
  });

  it('garbage last line then treated as torn', () => {
    const path = join(dir, 'wal');
    writeAll(path, events(2));
    appendFileSync(path, 'deadbeef\t{"seq":3,"e":{}}\n');
    const { journal, replay } = Journal.open(path);
    expect(replay.records).toHaveLength(2);
    expect(replay.tornRecords).toBe(1);
    journal.close();
  });

  it('group commit then all records durable and replayed', () => {
    const path = join(dir, 'wal');
    const { journal } = Journal.open(path);
    expect(journal.appendBatch(events(3))).toEqual([1, 2, 3]);
    journal.close();
    expect(Journal.open(path).replay.records).toHaveLength(3);
  });

  it('compacted to a snapshot then replay rebuilds the same OMS', () => {
    const path = join(dir, 'wal');
    const { journal } = Journal.open(path);
    const oms = new Oms();
    // A realistic history: each order is an intent, an ack, then three partial fills.
    for (const e of events(10)) {
      const cid = (e as Extract<OmsEvent, { kind: 'intent' }>).clientOrderId;
      const order = brokerOrder({ id: `b-${cid}`, clientOrderId: cid, status: 'accepted' });
      const life: OmsEvent[] = [e, { kind: 'ack', ts: 1, clientOrderId: cid, order }];
      for (let k = 1; k <= 3; k++) {
        const status = k === 3 ? 'filled' : 'partially_filled';
        life.push({
          kind: 'fill',
          ts: 2,
          fill: { executionId: `${cid}-x${k}`, clientOrderId: cid, brokerOrderId: order.id, symbol: 'GLD', side: 'buy', qty: 33 + (k === 3 ? 1 : 0), price: 200 + k, ts: 2, synthetic: false },
          order: { ...order, status, filledQty: k === 3 ? 100 : 33 * k },
        });
      }
      for (const ev of life) {
        journal.append(ev);
        oms.apply(ev);
      }
    }
    const before = journal.bytes;
    journal.compact({ kind: 'snapshot', ts: 99, state: oms.snapshot() });
    expect(journal.bytes).toBeLessThan(before);
    const extra = events(21)[20]!;
    journal.append(extra);
    oms.apply(extra);
    journal.close();
    const { replay } = Journal.open(path);
    expect(replay.records.map((r) => r.event.kind)).toEqual(['snapshot', 'intent']);
    const rebuilt = new Oms();
    for (const r of replay.records) rebuilt.apply(r.event);
    expect(rebuilt.snapshot()).toEqual(oms.snapshot());
  });

  it('real kill -9 of a writer then every acknowledged record replays', async () => {
    const path = join(dir, 'wal');
    const journalJs = fileURLToPath(new URL('../../../../actors/broker/journal.js', import.meta.url));
    // The child appends forever and prints each sequence number only after append (write + fsync) returned.
    const script = `
      import { Journal } from ${JSON.stringify(journalJs)};
      const { journal } = Journal.open(${JSON.stringify(path)});
      for (let k = 1; ; k++) {
        journal.append({ kind: 'cancel_requested', ts: k, clientOrderId: 'c-' + k });
        process.stdout.write(k + '\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = 0;
    let buf = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) acked = Math.max(acked, Number(l));
        if (acked >= 200 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    expect(acked).toBeGreaterThanOrEqual(200);
    const { journal, replay } = Journal.open(path);
    const seqs = replay.records.map((r) => r.seq);
    expect(seqs.length).toBeGreaterThanOrEqual(acked);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
    expect(replay.tornRecords).toBeLessThanOrEqual(1);
    journal.close();
  });
});
