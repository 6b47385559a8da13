/**
 * `qgtm start` as a child process, stopped with SIGTERM: the log says what
 * closed, in what order, and how long each part and the whole took.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, launch, QGTM_BIN, type Proc } from '../../helpers/process.js';

type J = Record<string, any>;

const dir = mkdtempSync(join(tmpdir(), 'qgtm-shutdown-'));
const procs: Proc[] = [];
afterAll(async () => {
  await killAll(procs);
  rmSync(dir, { recursive: true, force: true });
});

describe('qgtm start shutdown', () => {
  it('REDIS_URL set and SIGTERM then the URL said unused; each part closed in order with its time, the tree stopped in reverse start order, then the total, exit 0', async () => {
    const p = launch([QGTM_BIN, 'start', '--http-port', '0'], { QGTM_LOG_LEVEL: 'info', QGTM_JOURNAL_DIR: join(dir, 'journal'), QGTM_API_TOKEN: 'shutdown-test-token-0123456789', REDIS_URL: 'redis://127.0.0.1:1' });
    procs.push(p);
    await p.waitLine((l) => l.startsWith('press Ctrl-C to stop'), 60_000);
    const from = p.lines.length;
    // A Redis URL from the environment is not a flag to refuse, but it is said to be unused.
    expect(p.lines.some((l) => l.includes('redis.url (from env REDIS_URL) is not used: qgtm start runs on an in-memory bus'))).toBe(true);
    p.child.kill('SIGTERM');
    const code = await p.exited;
    expect(code, p.lines.slice(-15).join('\n')).toBe(0);
    const logs = p.lines
      .slice(from)
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as J);
    const msgs = logs.map((l) => l.msg as string);
    // The top-level parts, in order, each with its time.
    const closed = logs.filter((l) => l.proc === 'start' && typeof l.closed === 'string').map((l) => l.closed);
    // Research (its queue and pool) closes once the gateway no longer takes requests.
    expect(closed).toEqual(['gateway', 'research', 'heartbeat', 'bridge', 'trading tree', 'state mirror', 'actor system', 'daemon', 'state bus', 'venue']);
    for (const l of logs.filter((x) => typeof x.closed === 'string')) expect(l.msg).toMatch(new RegExp(`^closed ${l.closed} in \\d+ ms$`));
    // The supervision tree in reverse start order: market data, strategies, then execution with the broker last.
    const stopped = logs.filter((l) => l.component === 'supervisor' && typeof l.child === 'string').map((l) => l.child as string);
    const at = (id: string): number => stopped.indexOf(id);
    for (const id of ['md', 'market-data', 'strategy:0', 'strategy:1', 'strategies', 'allocator', 'risk', 'broker', 'execution']) expect(at(id), id).toBeGreaterThanOrEqual(0);
    expect(at('market-data')).toBeLessThan(at('strategy:0'));
    expect(at('strategies')).toBeLessThan(at('allocator'));
    expect(at('allocator')).toBeLessThan(at('risk'));
    expect(at('risk')).toBeLessThan(at('broker'));
    expect(stopped.at(-1)).toBe('execution');
    expect(msgs.indexOf('closed trading tree in ' + logs.find((l) => l.closed === 'trading tree')!.ms + ' ms')).toBeGreaterThan(msgs.findIndex((m) => m.startsWith('stopped broker in ')));
    // The last line: the whole, with the order.
    const last = logs.at(-1)!;
    expect(last.msg).toMatch(/^stopped in \d+ ms$/);
    expect(last.order).toEqual(['gateway', 'research', 'daemon', 'state bus', 'venue']);
    expect(msgs[0]).toBe('stopping');
  }, 90_000);
});
