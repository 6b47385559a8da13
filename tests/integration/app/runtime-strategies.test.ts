/**
 * Runtime strategy entries through `npm start`'s all-in-one: added through
 * the API (token), validated against the base's bounds, trading, listed with
 * their origin, and still there after a restart on the same journal; a
 * strategies file read at start and on reload (the route and SIGHUP).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAllInOne, type AllInOne } from '../../../bin/all-in-one.js';
import { CATALOG } from '../../../actors/strategy/registry.js';
import { eventually } from '../../helpers/fixtures.js';

const TOKEN = 'runtime-strategies-test-token-0123';
type J = Record<string, any>;

describe('runtime strategy entries through the API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qgtm-runtime-app-'));
  // Every catalog entry disabled, so what trades is the runtime entry.
  const overrides = {
    'http.port': 0,
    'daemon.journalDir': join(dir, 'journal'),
    'log.level': 'error',
    'auth.token': TOKEN,
    'strategies.disabled': CATALOG.map((d) => d.id),
  };
  let app: AllInOne | undefined;
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = async (path: string): Promise<J> => (await (await fetch(`${app!.httpUrl}${path}`)).json()) as J;
  const post = (path: string, body: unknown, token = TOKEN): Promise<Response> =>
    fetch(`${app!.httpUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const runtimeLine = async (id: string): Promise<J | null> => ((await get('/api/v1/strategies')).data.runtime as J[]).find((e) => e.id === id) ?? null;
  const gldHeld = async (): Promise<boolean> => ((await get('/api/v1/positions')).data?.positions ?? []).some((p: J) => p.symbol === 'GLD' && Number(p.qty) > 0);

  it('an entry added through the API is listed with its origin and trades; a bad one is refused with the reason; it survives a restart; removed, it is gone', async () => {
    app = await startAllInOne({ overrides, print: () => undefined });
    await eventually(async () => (await get('/api/v1/health')).daemon?.up === true, 20_000, 'daemon up');

    const bad = await post('/api/v1/strategies/runtime', { id: 'rsi_wide', base: 'rsi_reversal', params: { oversold: 500, nope: 1 } });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as J;
    expect(badBody.error.message).toMatch(/param oversold must be a number > 0 and <= 100, got 500/);
    expect(badBody.error.message).toMatch(/unknown param nope for base rsi_reversal/);
    expect((await post('/api/v1/strategies/runtime', { id: 'x1', base: 'buy_and_hold' }, 'wrong-token')).status).toBe(403);

    const added = await post('/api/v1/strategies/runtime', { id: 'bh_gld', base: 'buy_and_hold', instruments: ['GLD'], params: { strength: 0.8 }, note: 'benchmark' });
    expect(added.status, await added.clone().text()).toBe(200);
    expect(((await added.json()) as J).ack.result.entry).toMatchObject({ id: 'bh_gld', base: 'buy_and_hold', instruments: ['GLD'], origin: { source: 'api' } });
    expect((await post('/api/v1/strategies/runtime', { id: 'bh_gld', base: 'buy_and_hold' })).status).toBe(409);

    const line = await eventually(() => runtimeLine('bh_gld'), 10_000, 'listed');
    expect(line).toMatchObject({ family: 'control', state: 'enabled', instruments: ['GLD'], origin: { kind: 'runtime', base: 'buy_and_hold', source: 'api', note: 'benchmark' } });
    const all = await get('/api/v1/strategies');
    expect(all.data.counts).toEqual({ catalog: CATALOG.length, runtime: 1, total: CATALOG.length + 1 });
    expect(all.data.catalog.every((c: J) => c.origin.kind === 'catalog')).toBe(true);
    // It trades: with the catalog disabled, a GLD position can only come from it.
    await eventually(gldHeld, 60_000, 'GLD bought for the runtime entry');

    await app.close();
    app = await startAllInOne({ overrides, print: () => undefined });
    const again = await eventually(async () => {
      const l = await runtimeLine('bh_gld');
      return l && (l.signals ?? 0) > 0 ? l : null;
    }, 30_000, 'listed and signalling after the restart');
    expect(again).toMatchObject({ state: 'enabled', origin: { source: 'api' }, params: { strength: 0.8 } });
    await eventually(gldHeld, 60_000, 'GLD held after the restart');

    expect((await post('/api/v1/strategies/runtime/no_such/remove', { reason: 'x' })).status).toBe(404);
    const removed = await post('/api/v1/strategies/runtime/bh_gld/remove', { reason: 'test over' });
    expect(removed.status).toBe(200);
    await eventually(async () => (await runtimeLine('bh_gld')) === null, 10_000, 'gone from the surface');
  }, 180_000);
});

describe('the strategies file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qgtm-runtime-file-'));
  const file = join(dir, 'strategies.json');
  let app: AllInOne | undefined;
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const lines = async (): Promise<J[]> => ((await (await fetch(`${app!.httpUrl}/api/v1/strategies`)).json()) as J).data.runtime as J[];
  const reload = (): Promise<Response> =>
    fetch(`${app!.httpUrl}/api/v1/strategies/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'file edited' }) });

  it('read at start; on reload its changes apply and a bad file is refused whole with the reason', async () => {
    writeFileSync(file, JSON.stringify({ entries: [{ id: 'file_tsmom', base: 'tsmom_3_0', params: { lookback: 20 }, instruments: ['SLV'] }] }));
    app = await startAllInOne({ overrides: { 'http.port': 0, 'daemon.journalDir': join(dir, 'journal'), 'log.level': 'error', 'auth.token': TOKEN, 'strategies.file': file }, print: () => undefined });
    const first = await eventually(async () => (await lines()).find((l) => l.id === 'file_tsmom') ?? null, 20_000, 'file entry listed');
    expect(first).toMatchObject({ origin: { kind: 'runtime', base: 'tsmom_3_0', source: 'file' }, params: { lookback: 20 }, instruments: ['SLV'] });

    writeFileSync(file, JSON.stringify({ entries: [{ id: 'file_tsmom', base: 'tsmom_3_0', params: { lookback: 25 }, instruments: ['SLV'] }, { id: 'file_flat', base: 'flat_control', instruments: ['GLD'] }] }));
    const ok = await reload();
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(((await ok.json()) as J).ack.result).toMatchObject({ added: ['file_flat'], changed: ['file_tsmom'], removed: [] });
    await eventually(async () => {
      const l = await lines();
      return l.find((x) => x.id === 'file_tsmom')?.params?.lookback === 25 && l.some((x) => x.id === 'file_flat');
    }, 10_000, 'reload applied');

    writeFileSync(file, '{"entries": [ {"id": "broken"');
    const bad = await reload();
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as J).error.message).toMatch(/is not JSON/);
    expect((await lines()).map((l) => l.id).sort()).toEqual(['file_flat', 'file_tsmom']);

    // SIGHUP (systemd's ExecReload) reloads it too: this test process is the daemon's process.
    writeFileSync(file, JSON.stringify({ entries: [{ id: 'file_tsmom', base: 'tsmom_3_0', params: { lookback: 30 }, instruments: ['SLV'] }] }));
    process.kill(process.pid, 'SIGHUP');
    await eventually(async () => {
      const l = await lines();
      return l.length === 1 && l[0]!.id === 'file_tsmom' && l[0]!.params?.lookback === 30;
    }, 10_000, 'SIGHUP reload applied (file_flat removed, file_tsmom changed)');
  }, 120_000);
});
