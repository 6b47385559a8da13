/**
 * What `qgtm start` writes where: stdout carries log records alone (JSON
 * lines when piped, as here, so `qgtm start | jq` reads every line, or text
 * with `--log-format text`, the same fields readable), and the banner, URLs
 * and generated token go to stderr. Workers write in the same format.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, launch, QGTM_BIN, type Proc } from '../../helpers/process.js';

const dir = mkdtempSync(join(tmpdir(), 'qgtm-log-format-'));
const procs: Proc[] = [];
afterAll(async () => {
  await killAll(procs);
  rmSync(dir, { recursive: true, force: true });
});

/** Starts qgtm, waits for its banner, stops it with SIGTERM, and returns its streams. */
async function runOnce(name: string, args: string[]): Promise<Proc> {
  // No QGTM_API_TOKEN: the token is generated and printed (to stderr).
  const env: Record<string, string> = { QGTM_LOG_LEVEL: 'info', QGTM_JOURNAL_DIR: join(dir, name) };
  const p = launch([QGTM_BIN, 'start', '--http-port', '0', ...args], env);
  procs.push(p);
  await p.waitLine((l) => l.startsWith('press Ctrl-C to stop'), 60_000);
  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
  return p;
}

const BANNER = [/^qgtm is trading PAPER/, /^qgtm is running: web terminal/, /^local paper venue: /, /^paper account /, /^fill model: /, /^press Ctrl-C to stop/, /^qgtm: operator token for this run/];

describe('qgtm start output', () => {
  it('piped then every stdout line a JSON record, the banner and the token on stderr only', async () => {
    const p = await runOnce('json', []);
    expect(p.stdout.length).toBeGreaterThan(5);
    for (const l of p.stdout) {
      const r = JSON.parse(l) as Record<string, unknown>;
      expect(r).toMatchObject({ ts: expect.any(String), level: expect.stringMatching(/^(debug|info|warn|error)$/), msg: expect.any(String) });
    }
    for (const b of BANNER) {
      expect(p.stderr.some((l) => b.test(l)), String(b)).toBe(true);
      expect(p.stdout.some((l) => b.test(l)), String(b)).toBe(false);
    }
    expect(p.stdout.some((l) => (JSON.parse(l) as { msg: string }).msg === 'daemon started')).toBe(true);
    expect(p.stderr).toContain('fill model: resting limits fill only when a trade prints through the limit; stops trigger on trades; takers take the displayed size at the touch with 0 bps slippage; fees 0/share + 0 bps');
  }, 90_000);

  it('--log-format text then every stdout line readable (time, level, message, key=value), the same records', async () => {
    const p = await runOnce('text', ['--log-format', 'text', '--set', 'venue.limitFill=trade_at_queue', '--set', 'venue.feeBps=2.5']);
    // The embedded venue takes its fill model from the configuration, and says so.
    expect(p.stderr).toContain('fill model: resting limits fill on trades through the limit, or at it once the size ahead has traded; stops trigger on trades; takers take the displayed size at the touch with 0 bps slippage; fees 0/share + 2.5 bps');
    expect(p.stdout.length).toBeGreaterThan(5);
    for (const l of p.stdout) {
      expect(l.startsWith('{'), l).toBe(false);
      expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO |WARN |ERROR) \S/);
    }
    const started = p.stdout.find((l) => / INFO  daemon started /.test(l))!;
    expect(started).toMatch(/ venue=local /);
    expect(started).toMatch(/ instruments=20 /);
    expect(started).toMatch(/ proc=start /);
    expect(p.stdout.some((l) => /^\S+ INFO  stopped in \d+ ms /.test(l))).toBe(true);
    for (const b of BANNER) expect(p.stdout.some((l) => b.test(l)), String(b)).toBe(false);
  }, 90_000);
});
