/**
 * /api/v1/openapi.json against the code: every route the router holds is
 * described (and nothing else), and the real answers of every route of a
 * running all-in-one (`npm start`), success and error, validate against the
 * schemas the document gives them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAllInOne, type AllInOne } from '../../../bin/all-in-one.js';
import { apiRouter } from '../../../gateway/api.js';
import { ORDER_STATUS_NAMES, openApiDocument, undocumented } from '../../../gateway/openapi.js';
import { ORDER_STATUSES } from '../../../actors/broker/order-state.js';
import { eventually } from '../../helpers/fixtures.js';

type J = Record<string, any>;
const TOKEN = 'openapi-test-token-0123456789abcdef';

describe('the OpenAPI description and the router', () => {
  it('every route then described, and every description a route', () => {
    const routes = apiRouter().list();
    expect(undocumented(routes)).toEqual({ missing: [], extra: [] });
    expect(() => openApiDocument([...routes, { method: 'GET', pattern: '/api/v1/nowhere' }])).toThrow('undescribed route GET /api/v1/nowhere');
    expect(() => openApiDocument(routes.filter((r) => r.pattern !== '/api/v1/risk'))).toThrow('described route GET /api/v1/risk does not exist');
  });

  it('the order statuses it lists then the broker\'s own', () => {
    expect([...ORDER_STATUS_NAMES]).toEqual([...ORDER_STATUSES]);
  });
});

describe('real answers of every route against /api/v1/openapi.json', () => {
  let app: AllInOne;
  let dir: string;
  let doc: J;
  let ajv: Ajv2020;
  /** Operations answered (method path) and the statuses seen for each. */
  const seen = new Map<string, Set<number>>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qgtm-openapi-'));
    const file = join(dir, 'strategies.json');
    writeFileSync(file, JSON.stringify({ entries: [] }));
    app = await startAllInOne({
      overrides: { 'http.port': 0, 'daemon.journalDir': join(dir, 'journal'), 'log.level': 'error', 'auth.token': TOKEN, 'strategies.file': file },
      print: () => undefined,
    });
    doc = (await (await fetch(`${app.httpUrl}/api/v1/openapi.json`)).json()) as J;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc, 'qgtm-openapi');
    await eventually(async () => ((await (await fetch(`${app.httpUrl}/api/v1/health`)).json()) as J).daemon?.up === true, 20_000, 'daemon up');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Calls a route and checks the answer against the document's schema for that operation and status. */
  async function call(method: 'GET' | 'POST', template: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; json: J }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${app.httpUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as J;
    const op = doc.paths[template]?.[method.toLowerCase()];
    expect(op, `${method} ${template} is in the document`).toBeDefined();
    expect(Object.keys(op.responses), `${method} ${path} answered ${res.status}: ${JSON.stringify(json).slice(0, 300)}`).toContain(String(res.status));
    const pointer = `qgtm-openapi#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${res.status}/content/application~1json/schema`;
    const validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
    const ok = validate(json);
    expect(ok, `${method} ${path} ${res.status} against its schema: ${ajv.errorsText(validate.errors, { separator: '\n' })}\n${JSON.stringify(json).slice(0, 600)}`).toBe(true);
    const key = `${method} ${template}`;
    if (!seen.has(key)) seen.set(key, new Set());
    seen.get(key)!.add(res.status);
    return { status: res.status, json };
  }

  it('an answer that breaks its schema then fails validation, saying where', () => {
    const validate = ajv.compile({ $ref: 'qgtm-openapi#/paths/~1api~1v1~1risk/get/responses/200/content/application~1json/schema' });
    const good = { data: null, updatedAt: null, ageMs: null, stale: true, cached: false, daemon: { up: false, heartbeatAgeMs: null } };
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, stale: 'no' })).toBe(false);
    expect(ajv.errorsText(validate.errors)).toContain('/stale must be boolean');
    const state = { type: 'risk.state', tier: 'SCARED', since: 1, floor: null, floorReason: null, latched: false, calmSince: null, coolDownRemainingMs: null, triggers: [], changes: 0, rejectedInputs: 0, at: 1 };
    expect(validate({ ...good, data: { state, history: [], denied: [], exposure: null, target: null } })).toBe(false);
    expect(ajv.errorsText(validate.errors)).toContain('/data/state/tier must be equal to one of the allowed values');
  });

  it('every GET, with the daemon\'s data in, then each answer matches its schema', async () => {
    // Sections filled: trading under way, every strategy reporting.
    await eventually(async () => {
      const s = (await (await fetch(`${app.httpUrl}/api/v1/strategies`)).json()) as J;
      const p = (await (await fetch(`${app.httpUrl}/api/v1/positions`)).json()) as J;
      return s.data?.live?.length > 0 && p.data?.account ? true : null;
    }, 30_000, 'strategies and positions reported');
    for (const path of ['/api/v1/health', '/api/v1/risk', '/api/v1/strategies', '/api/v1/forecasts', '/api/v1/positions', '/api/v1/orders', '/api/v1/fills', '/api/v1/watchdog', '/api/v1/config', '/api/v1/dead-letters', '/api/v1/audit', '/api/v1/performance', '/api/v1/openapi.json', '/api/v1/research/runs']) {
      expect((await call('GET', path, path)).status).toBe(200);
    }
    expect((await call('GET', '/api/v1/universe', '/api/v1/universe?focus=broad')).json.data.count).toBe(44);
    expect((await call('GET', '/api/v1/universe', '/api/v1/universe?focus=crypto')).status).toBe(400);
    expect((await call('GET', '/api/v1/research/runs/{id}', '/api/v1/research/runs/no-such-run')).status).toBe(404);
  });

  it('every command, accepted and refused, then each answer matches its schema', async () => {
    expect((await call('POST', '/api/v1/risk/tier', '/api/v1/risk/tier', { tier: 'WARN', reason: 'openapi test' })).status).toBe(200);
    expect((await call('POST', '/api/v1/risk/tier', '/api/v1/risk/tier', { tier: 'SCARED', reason: 'x' })).status).toBe(400);
    expect((await call('POST', '/api/v1/risk/tier', '/api/v1/risk/tier', { tier: 'WARN', reason: 'x' }, null)).status).toBe(401);
    expect((await call('POST', '/api/v1/risk/tier', '/api/v1/risk/tier', { tier: 'WARN', reason: 'x' }, 'wrong-token-wrong-token')).status).toBe(403);
    expect((await call('POST', '/api/v1/risk/clear', '/api/v1/risk/clear', { reason: 'openapi test' })).status).toBe(200);
    expect((await call('POST', '/api/v1/strategies/{id}/disable', '/api/v1/strategies/trend_ma_cross/disable', { reason: 'openapi test' })).status).toBe(200);
    expect((await call('POST', '/api/v1/strategies/{id}/enable', '/api/v1/strategies/trend_ma_cross/enable', {})).status).toBe(200);
    expect((await call('POST', '/api/v1/strategies/{id}/enable', '/api/v1/strategies/no_such_strategy/enable', {})).status).toBe(409);
    expect((await call('POST', '/api/v1/strategies/learning', '/api/v1/strategies/learning', { frozen: true, reason: 'openapi test' })).status).toBe(200);
    expect((await call('POST', '/api/v1/strategies/learning', '/api/v1/strategies/learning', { frozen: false, reason: 'openapi test' })).status).toBe(200);
    expect((await call('POST', '/api/v1/strategies/runtime', '/api/v1/strategies/runtime', { id: 'oa_bh', base: 'buy_and_hold', instruments: ['GLD'] })).status).toBe(200);
    expect((await call('POST', '/api/v1/strategies/runtime', '/api/v1/strategies/runtime', { id: 'oa_bad', base: 'no_such_base' })).status).toBe(400);
    expect((await call('POST', '/api/v1/strategies/runtime/{id}', '/api/v1/strategies/runtime/oa_bh', { note: 'changed' })).status).toBe(200);
    expect((await call('POST', '/api/v1/strategies/runtime/{id}/remove', '/api/v1/strategies/runtime/oa_bh/remove', { reason: 'openapi test' })).status).toBe(200);
    expect((await call('POST', '/api/v1/strategies/runtime/{id}/remove', '/api/v1/strategies/runtime/oa_bh/remove', { reason: 'again' })).status).toBe(404);
    expect((await call('POST', '/api/v1/strategies/reload', '/api/v1/strategies/reload', { reason: 'openapi test' })).status).toBe(200);
    // A back-test on synthetic bars: 202, then the run whole, then a cancel of a finished run refused.
    const started = await call('POST', '/api/v1/research/backtests', '/api/v1/research/backtests', { name: 'openapi', history: { kind: 'synthetic', symbols: ['GLD'], start: Date.UTC(2026, 0, 5), bars: 400, intervalMs: 60_000, seed: 7 } });
    expect(started.status).toBe(202);
    const id = started.json.run.id as string;
    expect((await call('POST', '/api/v1/research/backtests', '/api/v1/research/backtests', { history: { kind: 'synthetic' }, startCash: 5 })).status).toBe(400);
    await eventually(async () => {
      const r = (await (await fetch(`${app.httpUrl}/api/v1/research/runs/${id}`)).json()) as J;
      return ['done', 'failed'].includes(r.data?.run?.status) ? true : null;
    }, 30_000, 'back-test finished');
    expect((await call('GET', '/api/v1/research/runs/{id}', `/api/v1/research/runs/${id}`)).json.data.run.status).toBe('done');
    expect((await call('POST', '/api/v1/research/runs/{id}/cancel', `/api/v1/research/runs/${id}/cancel`, {})).status).toBe(409);
    const sweep = await call('POST', '/api/v1/research/sweeps', '/api/v1/research/sweeps', { history: { kind: 'synthetic', symbols: ['GLD'], start: Date.UTC(2026, 0, 5), bars: 3000, intervalMs: 60_000, seed: 7 }, params: [{ path: 'strategies.params.trend_ma_cross.fast', values: [5, 6, 7, 8] }], objective: 'sharpe' });
    expect(sweep.status).toBe(202);
    // Cancelled while queued or running.
    expect((await call('POST', '/api/v1/research/runs/{id}/cancel', `/api/v1/research/runs/${sweep.json.run.id}/cancel`, {})).json).toMatchObject({ cancelled: true });
    // Last: the kill switch (the book is flattened; nothing after needs it).
    expect((await call('POST', '/api/v1/risk/flatten', '/api/v1/risk/flatten', { reason: 'openapi test' })).status).toBe(200);
  }, 90_000);

  it('then every operation in the document was answered at least once', () => {
    const ops = Object.entries(doc.paths as J).flatMap(([path, methods]) => Object.keys(methods as J).map((m) => `${m.toUpperCase()} ${path}`));
    expect(ops.filter((o) => !seen.has(o))).toEqual([]);
    // Every answer a command route gave is one of its documented statuses (checked per call); the accepted ones were seen.
    expect([...seen.entries()].filter(([k, s]) => k.startsWith('POST') && !s.has(200) && !s.has(202)).map(([k]) => k)).toEqual([]);
  });
});
