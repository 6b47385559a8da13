/**
 * The chaos audit's own arithmetic, on made-up inputs: it must be able to
 * see a duplicate, a lost acknowledged order and a drift, or a clean run
 * proves nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFailures, chaosScenario } from './run.js';
import { duplicateIds, journalAcknowledged, positionDiff, type ChaosAudit } from './audit.js';

const rec = (seq: number, e: object): string => `00000000\t${JSON.stringify({ seq, e })}`;

describe('chaos audit', () => {
  it('a client order id twice at the venue then one duplicate', () => {
    expect(duplicateIds([{ client_order_id: 'a' }, { client_order_id: 'b' }, { client_order_id: 'a' }])).toBe(1);
    expect(duplicateIds([{ client_order_id: 'a' }, { client_order_id: 'b' }])).toBe(0);
  });

  it('a journal with acks, a compacted snapshot and a torn tail then the acknowledged ids only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qgtm-audit-'));
    try {
      writeFileSync(
        join(dir, 'broker.wal'),
        [
          rec(1, { kind: 'snapshot', state: { orders: [{ clientOrderId: 'old', submission: 'acked', intentId: 'i0' }, { clientOrderId: 'never', submission: 'pending', intentId: 'i9' }] } }),
          rec(2, { kind: 'intent', clientOrderId: 'x' }),
          rec(3, { kind: 'ack', clientOrderId: 'x' }),
          rec(4, { kind: 'intent', clientOrderId: 'y' }),
          '0000\t{"seq":5,"e":{"kind":"ack","clientOrd',
        ].join('\n'),
      );
      expect([...journalAcknowledged(dir)].sort()).toEqual(['old', 'x']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('positions that differ in one symbol, or held on one side only, then each is drift', () => {
    const venue = new Map([['GLD', 10], ['SLV', -5]]);
    expect(positionDiff(venue, new Map([['GLD', 10], ['SLV', -5]]))).toEqual([]);
    expect(positionDiff(venue, new Map([['GLD', 9], ['SLV', -5], ['GDX', 3]]))).toEqual([
      { symbol: 'GDX', venue: 0, daemon: 3 },
      { symbol: 'GLD', venue: 10, daemon: 9 },
    ]);
  });

  it('an audit with a lost order then it fails naming it; a clean one passes', () => {
    const clean = { duplicateClientOrderIds: 0, acknowledgedLost: 0, positionDriftSymbols: 0 } as ChaosAudit;
    expect(auditFailures(clean)).toEqual([]);
    expect(auditFailures({ ...clean, acknowledgedLost: 2 })).toEqual(['2 acknowledged orders lost']);
  });

  it('the same seed then the same scenario; it holds every kill, the outage and each fault', () => {
    const a = chaosScenario({ kills: 10, redisOutageSec: 30, venueFaults: true, seed: 3 });
    expect(chaosScenario({ kills: 10, redisOutageSec: 30, venueFaults: true, seed: 3 })).toEqual(a);
    expect(a.filter((s) => s.at === 'kill')).toHaveLength(10);
    expect(a.filter((s) => s.at === 'redis')).toHaveLength(1);
    expect(a.filter((s) => s.at === 'fault').flatMap((s) => (s.at === 'fault' ? [String(s.fault.kind)] : [])).sort()).toEqual(
      ['drop_streams', 'garbage_json', 'http_error', 'rate_limit', 'refuse_streams'],
    );
  });
});
