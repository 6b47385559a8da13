import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notify, notifyStats, startWatchdog, watchdogIntervalMs } from '../../../../app/platform/systemd.js';
import { describeWithTool } from '../../../helpers/tools.js';

/** A fake NOTIFY_SOCKET: prints each datagram as JSON and closes passed fds (releasing systemd-notify's barrier). */
const LISTENER = String.raw`
import socket, os, sys, array, json
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps({"listening": True}), flush=True)
while True:
    msg, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(64 * 4))
    fds = []
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            a = array.array('i'); a.frombytes(data[:len(data) - (len(data) % 4)]); fds.extend(a)
    for fd in fds: os.close(fd)
    print(json.dumps({"msg": msg.decode(), "fds": len(fds)}), flush=True)
`;

const missing = ['python3', 'systemd-notify'].filter((b) => spawnSync(b, ['--version']).error);
const why = missing.length > 0 ? `${missing.join(', ')} not installed (Debian packages python3, systemd)` : null;

describe('watchdogIntervalMs', () => {
  it('WATCHDOG_USEC set then half of it in ms', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 10)).toBe(15000);
  });
  it('no WATCHDOG_USEC or another WATCHDOG_PID then null', () => {
    expect(watchdogIntervalMs({}, 10)).toBeNull();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '11' }, 10)).toBeNull();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '10' }, 10)).toBe(15000);
  });
});

describe('notify without NOTIFY_SOCKET', () => {
  it('then a no-op that resolves false', async () => {
    expect(await notify('READY=1', { env: {} })).toBe(false);
  });
});

describeWithTool('notify against a fake NOTIFY_SOCKET', why, () => {
  let listener: ChildProcess;
  const received: { msg: string; fds: number }[] = [];
  let env: Record<string, string>;
  let waiters: (() => void)[] = [];

  beforeAll(async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'qgtm-notify-')), 'notify.sock');
    env = { NOTIFY_SOCKET: path, PATH: process.env.PATH ?? '/usr/bin:/bin' };
    listener = spawn('python3', ['-c', LISTENER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: listener.stdout! });
    await new Promise<void>((resolve) =>
      lines.on('line', (line) => {
        const m = JSON.parse(line) as { listening?: boolean; msg?: string; fds?: number };
        if (m.listening) resolve();
        else received.push(m as { msg: string; fds: number });
        for (const w of waiters) w();
        waiters = [];
      }),
    );
  });
  afterAll(() => {
    listener.kill();
  });
  const messages = (): string[] => received.filter((r) => r.msg !== 'BARRIER=1').map((r) => r.msg);
  const until = async (n: number): Promise<void> => {
    while (messages().length < n) await new Promise<void>((r) => waiters.push(r));
  };

  it('READY with STATUS then one datagram with both and our MAINPID', async () => {
    expect(await notify(['READY=1', 'STATUS=trading'], { env })).toBe(true);
    await until(1);
    expect(messages()[0]).toBe(`READY=1\nSTATUS=trading\nMAINPID=${process.pid}`);
    // systemd-notify waited on the barrier (a passed fd) until the listener had the message.
    while (!received.some((r) => r.msg === 'BARRIER=1')) await new Promise<void>((r) => waiters.push(r));
    expect(received.find((r) => r.msg === 'BARRIER=1')!.fds).toBe(1);
  });

  it('several notifications then they arrive in order', async () => {
    const before = messages().length;
    await Promise.all([notify('STATUS=one', { env }), notify('STATUS=two', { env }), notify('STOPPING=1', { env })]);
    await until(before + 3);
    expect(messages().slice(before)).toEqual(['STATUS=one', 'STATUS=two', 'STOPPING=1']);
  });

  it('watchdog started then WATCHDOG=1 pings while healthy and none while not', async () => {
    let healthy = true;
    const before = messages().length;
    const stop = startWatchdog({ env: { ...env, WATCHDOG_USEC: '100000' }, healthy: () => healthy });
    await until(before + 2);
    healthy = false;
    stop();
    expect(messages().slice(before, before + 2)).toEqual(['WATCHDOG=1', 'WATCHDOG=1']);
  });

  it('missing notify binary then false and counted, not thrown', async () => {
    const failed = notifyStats.failed;
    expect(await notify('READY=1', { env, binary: '/nonexistent/systemd-notify' })).toBe(false);
    expect(notifyStats.failed).toBe(failed + 1);
  });
});
