/**
 * Alpaca mode end to end, exactly as the real service would be reached: a
 * venue started on its own (`qgtm venue`) addressed only by URL (trading
 * REST, trade updates, the market-data stream, FRED, CFTC), and `qgtm start`
 * with QGTM_VENUE_MODE=alpaca. Also paper first: a live-looking account, a
 * live endpoint, and the explicit opt-in that allows one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/fixtures.js';
import { freePort } from '../../helpers/redis.js';
import { killAll, launch, QGTM_BIN, type Proc } from '../../helpers/process.js';

type J = Record<string, any>;
const TOKEN = 'alpaca-mode-test-token-0123456789';
const KEYS = { APCA_API_KEY_ID: 'qgtm-local-key', APCA_API_SECRET_KEY: 'qgtm-local-secret' };

describe('qgtm start in alpaca mode against a venue reached only by URL', () => {
  let dir: string;
  const procs: Proc[] = [];

  const venue = async (...extra: string[]): Promise<string> => {
    const v = launch([QGTM_BIN, 'venue', '--port', '0', '--ticks-per-second', '20', ...extra], {});
    procs.push(v);
    return (await v.waitLine((l) => l.startsWith('qgtm venue listening on'), 20_000)).split(' ').pop()!;
  };
  /** Every URL of alpaca mode pointed at `url`, as one would point them at Alpaca, FRED and CFTC. */
  const alpacaEnv = (url: string, name: string, macro: Record<string, string> = {}): Record<string, string> => ({
    ...KEYS,
    QGTM_VENUE_MODE: 'alpaca',
    APCA_API_BASE_URL: url,
    APCA_API_DATA_URL: url,
    QGTM_DATA_STREAM_URL: `${url.replace(/^http/, 'ws')}/v2/iex`,
    QGTM_FRED_URL: `${url}/fred`,
    FRED_API_KEY: 'any-key-the-venue-accepts',
    QGTM_CFTC_URL: url,
    ...macro,
    QGTM_API_TOKEN: TOKEN,
    QGTM_JOURNAL_DIR: join(dir, name),
    QGTM_LOG_LEVEL: 'info',
  });
  const start = async (env: Record<string, string>, ...flags: string[]): Promise<{ proc: Proc; url: string }> => {
    const proc = launch([QGTM_BIN, 'start', '--http-port', '0', ...flags], env);
    procs.push(proc);
    const line = await proc.waitLine((l) => l.startsWith('qgtm is running:') || l.startsWith('qgtm start:'), 60_000);
    if (line.startsWith('qgtm start:')) throw new Error(`qgtm start failed:\n${proc.lines.slice(-20).join('\n')}`);
    return { proc, url: /web terminal (\S+?)\/ /.exec(line)![1] };
  };
  const get = async (url: string, path: string): Promise<J> => (await (await fetch(`${url}${path}`)).json()) as J;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qgtm-alpaca-mode-'));
  });
  afterEach(async () => {
    await killAll(procs.splice(0));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every URL at the venue then PAPER, market data flows, orders round-trip through trade updates, macro sources healthy', async () => {
    const url = await venue();
    const { proc, url: api } = await start(alpacaEnv(url, 'paper'));
    expect(proc.lines.some((l) => l.startsWith('qgtm is trading PAPER on the Alpaca paper'))).toBe(true);
    const explain = async (): Promise<unknown> => ({ health: await get(api, '/api/v1/health'), log: proc.lines.slice(-15) });
    const health = await eventually(async () => {
      const h = await get(api, '/api/v1/health');
      return h.trading?.mode === 'PAPER' && h.daemon?.detail?.data?.links?.broker?.up === true ? h : null;
    }, 30_000, 'PAPER and the broker linked', explain);
    expect(health!.trading).toEqual({ mode: 'PAPER', venue: 'Alpaca paper' });
    expect(health!.daemon.detail.data.venue.mode).toBe('alpaca');
    // Market data through the venue's stream.
    await eventually(async () => (await get(api, '/api/v1/universe')).data?.instruments?.some((i: J) => typeof i.live?.price === 'number'), 30_000, 'prices from the data stream', explain);
    // Orders at the venue, and their fills back on the trade stream.
    const headers = { 'APCA-API-KEY-ID': KEYS.APCA_API_KEY_ID, 'APCA-API-SECRET-KEY': KEYS.APCA_API_SECRET_KEY };
    await eventually(async () => {
      const atVenue = (await (await fetch(`${url}/v2/orders?status=all&limit=50`, { headers })).json()) as J[];
      const fills = (await get(api, '/api/v1/fills')).data?.recent ?? [];
      return atVenue.length > 0 && fills.length > 0;
    }, 60_000, 'an order at the venue and its fill back through trade updates', explain);
    // Both macro sources read the URLs they were given, and nothing says they are degraded.
    const metrics = await (await fetch(`${api}/metrics`)).text();
    for (const source of ['fred', 'cftc']) {
      const m = new RegExp(`qgtm_macro_published_total\\{[^}]*source="${source}"[^}]*\\} (\\d+)`).exec(metrics);
      expect(Number(m?.[1] ?? 0), `${source} published`).toBeGreaterThan(0);
    }
    const degraded: string[] = (await get(api, '/api/v1/health')).daemon.degraded;
    expect(degraded.filter((d) => d.startsWith('macro_'))).toEqual([]);
  });

  it('FRED without a key and CFTC unreachable then trading starts anyway and both are reported degraded', async () => {
    const url = await venue();
    const closed = `http://127.0.0.1:${await freePort()}`;
    const env = alpacaEnv(url, 'degraded', { QGTM_CFTC_URL: closed });
    delete (env as Record<string, string | undefined>).FRED_API_KEY;
    delete (env as Record<string, string | undefined>).QGTM_FRED_URL;
    const { proc, url: api } = await start(env);
    const h = await eventually(async () => {
      const x = await get(api, '/api/v1/health');
      const d: string[] = x.daemon?.degraded ?? [];
      return d.includes('macro_fred_not_configured') && d.includes('macro_cftc_unreachable') ? x : null;
    }, 60_000, 'macro sources degraded', async () => ({ health: (await get(api, '/api/v1/health')).daemon, log: proc.lines.slice(-10) }));
    expect(h!.trading.mode).toBe('PAPER');
    expect(proc.child.exitCode).toBeNull();
    await eventually(async () => (await get(api, '/api/v1/universe')).data?.instruments?.some((i: J) => typeof i.live?.price === 'number'), 30_000, 'still trading data');
  });

  it('a live-looking account without --live then start refused naming live trading, exit 2, before any order', async () => {
    const url = await venue('--account-number', 'LIVE0012345');
    const proc = launch([QGTM_BIN, 'start', '--http-port', '0'], alpacaEnv(url, 'refused'));
    procs.push(proc);
    expect(await proc.exited).toBe(2);
    const err = proc.lines.join('\n');
    expect(err).toContain('live trading refused');
    expect(err).toContain('LIVE0012345');
    const orders = (await (await fetch(`${url}/v2/orders?status=all`, { headers: { 'APCA-API-KEY-ID': KEYS.APCA_API_KEY_ID, 'APCA-API-SECRET-KEY': KEYS.APCA_API_SECRET_KEY } })).json()) as J[];
    expect(orders).toEqual([]);
  });

  it("Alpaca's live endpoint from the environment alone then refused at configuration, exit 2", async () => {
    const proc = launch([QGTM_BIN, 'start', '--http-port', '0'], { ...alpacaEnv('https://api.alpaca.markets', 'live-endpoint'), QGTM_LIVE_ACCOUNT: 'LIVE0012345' });
    procs.push(proc);
    expect(await proc.exited).toBe(2);
    expect(proc.lines.join('\n')).toContain("live trading refused: https://api.alpaca.markets is Alpaca's live-money endpoint");
  });

  it('--live with QGTM_LIVE_ACCOUNT naming the account then it starts and every surface says LIVE', async () => {
    const url = await venue('--account-number', 'LIVE0012345');
    const { proc, url: api } = await start({ ...alpacaEnv(url, 'live'), QGTM_LIVE_ACCOUNT: 'LIVE0012345' }, '--live');
    expect(proc.lines.some((l) => l.startsWith('qgtm is trading LIVE on the Alpaca live: REAL MONEY'))).toBe(true);
    const h = await eventually(async () => {
      const x = await get(api, '/api/v1/health');
      return x.trading?.mode === 'LIVE' ? x : null;
    }, 30_000, 'LIVE in health');
    expect(h!.trading.venue).toBe('Alpaca live');
  });
});
