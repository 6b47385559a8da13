/**
 * `qgtm start` (what `npm start` runs) keeps the local venue's paper account
 * and the broker journal across restarts, and `--fresh` opens a new one:
 * real processes, stopped with SIGTERM as Ctrl-C or systemd would.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/fixtures.js';
import { killAll, launch, QGTM_BIN, type Proc } from '../../helpers/process.js';

const TOKEN = 'kept-account-token-0123456789abcdef';
const KEYS = { 'APCA-API-KEY-ID': 'qgtm-local-key', 'APCA-API-SECRET-KEY': 'qgtm-local-secret' };
type J = Record<string, any>;

interface Started {
  readonly proc: Proc;
  readonly accountLine: string;
  readonly accountId: string;
  readonly venueUrl: string;
  readonly apiUrl: string;
}

describe('qgtm start keeps its paper account and journal', () => {
  let dir: string;
  const procs: Proc[] = [];

  const start = async (...flags: string[]): Promise<Started> => {
    const proc = launch([QGTM_BIN, 'start', '--http-port', '0', ...flags], {
      QGTM_API_TOKEN: TOKEN,
      QGTM_JOURNAL_DIR: join(dir, 'journal'),
      QGTM_TICKS_PER_SECOND: '20',
      QGTM_LOG_LEVEL: 'warn',
      QGTM_FRESH: '',
    });
    procs.push(proc);
    const accountLine = await proc.waitLine((l) => l.startsWith('paper account '), 60_000);
    const venueUrl = (await proc.waitLine((l) => l.startsWith('local paper venue: '))).split(' ')[3]!;
    const apiUrl = /API (\S+)\/api\/v1/.exec(await proc.waitLine((l) => l.startsWith('qgtm is running')))![1]!;
    return { proc, accountLine, accountId: accountLine.split(' ')[2]!.replace(/:$/, ''), venueUrl, apiUrl };
  };
  const stop = async (s: Started): Promise<number | null> => {
    s.proc.child.kill('SIGTERM');
    return s.proc.exited;
  };
  const venue = async (s: Started, path: string): Promise<any> => (await fetch(`${s.venueUrl}${path}`, { headers: KEYS })).json();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qgtm-kept-'));
  });
  afterAll(async () => {
    await killAll(procs);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('traded, stopped with SIGTERM, started again then the same account, orders and journal; --fresh then a new account', async () => {
    const first = await start();
    expect(first.accountLine).toMatch(/: NEW/);
    await eventually(async () => ((await venue(first, '/v2/orders?status=all&limit=500')) as J[]).some((o) => Number(o.filled_qty) > 0), 90_000, 'a filled order');
    expect(await stop(first)).toBe(0);
    // What the venue saved on close is what it had.
    const kept = join(dir, 'venue', 'account.json');
    expect(existsSync(kept)).toBe(true);
    const journal = join(dir, 'journal', `local-${first.accountId}`);
    expect(existsSync(join(journal, 'broker.wal'))).toBe(true);

    const second = await start();
    expect(second.accountLine).toMatch(/: kept from /);
    expect(second.accountId).toBe(first.accountId);
    const orders = (await venue(second, '/v2/orders?status=all&limit=500')) as J[];
    expect(orders.some((o) => Number(o.filled_qty) > 0)).toBe(true);
    const account = (await venue(second, '/v2/account')) as J;
    expect(account.id).toBe(first.accountId);
    expect(Number(account.cash)).not.toBe(100_000);
    // The broker session found its journal for this account and reconciled against the kept venue.
    await eventually(async () => {
      const p = (await (await fetch(`${second.apiUrl}/api/v1/positions`)).json()) as J;
      return p.data?.reconciliation?.passed === true;
    }, 30_000, 'start-up reconciliation passed against the kept account');
    expect(readdirSync(join(dir, 'journal')).filter((d) => d.startsWith('local-'))).toEqual([`local-${first.accountId}`]);
    expect(await stop(second)).toBe(0);

    const third = await start('--fresh');
    expect(third.accountLine).toMatch(/: NEW; the previous one was set aside as .*account\.json\.replaced-\d+/);
    expect(third.accountId).not.toBe(first.accountId);
    // The allocator acts on the first signals at once (issue 12: no time throttle), so the new
    // account may already have traded by now: its starting capital, and orders none of which is
    // the kept account's (by client order id), tell it is new, not a cash balance still untouched.
    expect(Number(((await venue(third, '/v2/account')) as J).last_equity)).toBe(100_000);
    const previous = new Set(orders.map((o) => o.client_order_id));
    expect(((await venue(third, '/v2/orders?status=all&limit=500')) as J[]).filter((o) => previous.has(o.client_order_id))).toEqual([]);
    expect(await stop(third)).toBe(0);
  }, 300_000);

  it('qgtm start killed -9 while trading and FLATTEN then started again: the same account, FLATTEN latched, and reconciliation passes', async () => {
    const first = await start('--fresh');
    await eventually(async () => ((await venue(first, '/v2/orders?status=all&limit=500')) as J[]).filter((o) => Number(o.filled_qty) > 0).length >= 2, 90_000, 'filled orders');
    const r = await fetch(`${first.apiUrl}/api/v1/risk/flatten`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'kept-account test' }) });
    expect(r.status).toBe(200);
    first.proc.child.kill('SIGKILL');
    await first.proc.exited;
    const second = await start();
    expect(second.accountId).toBe(first.accountId);
    const p = await eventually(async () => {
      const x = (await (await fetch(`${second.apiUrl}/api/v1/positions`)).json()) as J;
      return x.data?.reconciliation?.passed === true ? x : null;
    }, 30_000, 'start-up reconciliation passed against the kept account', async () => ((await (await fetch(`${second.apiUrl}/api/v1/positions`)).json()) as J).data?.reconciliation);
    // The journal may lag the venue (a fill reported as the process died is taken from the venue, the
    // account of record), but the kept venue never lags the journal: it saves a fill before reporting it.
    const rec = p!.data.reconciliation as J;
    const venueBehind = (rec.items as J[]).filter((i) => i.kind === 'fill_mismatch' && Number(i.brokerFilled) < Number(i.localFilled));
    expect(venueBehind, JSON.stringify(rec)).toEqual([]);
    const risk = ((await (await fetch(`${second.apiUrl}/api/v1/risk`)).json()) as J).data?.state;
    expect(risk).toMatchObject({ tier: 'FLATTEN', latched: true, floor: 'FLATTEN' });
    // The audit trail outlived the kill: the command, who sent it and why, before this run's start line.
    const audit = await eventually(async () => {
      const x = (await (await fetch(`${second.apiUrl}/api/v1/audit`)).json()) as J;
      return (x.data?.entries as J[] | undefined)?.some((e) => e.kind === 'command') ? (x.data.entries as J[]) : null;
    }, 15_000, 'audit trail read back');
    const flatten = audit!.find((e) => e.kind === 'command' && e.subject === 'risk.flatten')!;
    expect(flatten).toMatchObject({ by: 'operator', level: 'info', message: 'risk.flatten ("kept-account test"): done' });
    const starts = audit!.filter((e) => e.kind === 'daemon' && String(e.message).startsWith('daemon started'));
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts[0].at).toBeGreaterThan(flatten.at);
    expect(await stop(second)).toBe(0);
  }, 300_000);
});
