import { describe, expect, it } from 'vitest';
import { SocrataQueryError, applySoql } from '../../../../venue/http/soql.js';
import { Router } from '../../../../venue/http/router.js';
import { WindowRateLimiter } from '../../../../venue/http/rate-limit.js';

const rows = [
  { code: '088691', date: '2024-01-02T00:00:00.000', n: '10' },
  { code: '084691', date: '2024-01-02T00:00:00.000', n: '5' },
  { code: '088691', date: '2024-01-09T00:00:00.000', n: '12' },
  { code: '088691', date: '2024-01-16T00:00:00.000', n: '9' },
];

describe('applySoql', () => {
  it('where with AND, order desc and limit then the newest matching rows', () => {
    const q = new URLSearchParams({ $where: "code='088691' AND date >= '2024-01-09'", $order: 'date DESC', $limit: '5' });
    expect(applySoql(rows, q).map((r) => r.date.slice(0, 10))).toEqual(['2024-01-16', '2024-01-09']);
  });

  it('numeric comparison, in(), offset and select then applied', () => {
    expect(applySoql(rows, new URLSearchParams({ $where: 'n > 9' })).map((r) => r.n)).toEqual(['10', '12']);
    expect(applySoql(rows, new URLSearchParams({ $where: "code in('084691')" })).length).toBe(1);
    expect(applySoql(rows, new URLSearchParams({ $order: 'n', $offset: '1', $limit: '2', $select: 'n' }))).toEqual([{ n: '12' }, { n: '5' }]);
  });

  it('plain column filter then equality', () => {
    expect(applySoql(rows, new URLSearchParams({ code: '084691' })).map((r) => r.n)).toEqual(['5']);
  });

  it.each([["code = '088691"], ['code ~ 1'], ['nonsense'], ["(code='1'"]])('malformed where %s then SocrataQueryError', (where) => {
    expect(() => applySoql(rows, new URLSearchParams({ $where: where }))).toThrow(SocrataQueryError);
  });

  it('unsupported parameter or bad limit then SocrataQueryError', () => {
    expect(() => applySoql(rows, new URLSearchParams({ $group: 'code' }))).toThrow(SocrataQueryError);
    expect(() => applySoql(rows, new URLSearchParams({ $limit: '-1' }))).toThrow(SocrataQueryError);
  });
});

describe('Router', () => {
  const h = () => ({ status: 200 });
  const router = new Router()
    .add({ method: 'GET', pattern: '/v2/orders/:id', scope: 'trading', handler: h })
    .add({ method: 'GET', pattern: '/v2/orders:by_client_order_id', scope: 'trading', handler: h })
    .add({ method: 'DELETE', pattern: '/v2/orders/:id', scope: 'trading', handler: h })
    .add({ method: 'GET', pattern: '/v2/stocks/:symbol/bars', scope: 'data', handler: h })
    .add({ method: 'GET', pattern: '/v2/stocks/trades/latest', scope: 'data', handler: h });

  it('literal colon path then matches its own route, not a parameter', () => {
    const m = router.match('GET', '/v2/orders:by_client_order_id');
    expect(m.kind === 'found' && m.route.pattern).toBe('/v2/orders:by_client_order_id');
  });

  it('parameter then decoded into params', () => {
    const m = router.match('DELETE', '/v2/orders/a%20b');
    expect(m.kind === 'found' && m.params).toEqual({ id: 'a b' });
  });

  it('static route of the same length then wins over a parameter route', () => {
    const m = router.match('GET', '/v2/stocks/trades/latest');
    expect(m.kind === 'found' && m.route.pattern).toBe('/v2/stocks/trades/latest');
  });

  it('known path with another method then method_not_allowed; unknown path then not_found', () => {
    expect(router.match('POST', '/v2/orders/x')).toEqual({ kind: 'method_not_allowed', scope: 'trading' });
    expect(router.match('GET', '/v3/nothing')).toEqual({ kind: 'not_found' });
  });
});

describe('WindowRateLimiter', () => {
  it('limit reached then denies until the window resets, per key', () => {
    const l = new WindowRateLimiter(2, 60_000);
    const t = 1_000_000;
    expect([l.take('a', t).allowed, l.take('a', t + 1).allowed, l.take('a', t + 2).allowed]).toEqual([true, true, false]);
    expect(l.take('b', t + 3).allowed).toBe(true);
    const denied = l.take('a', t + 4);
    expect([denied.remaining, denied.resetSec]).toEqual([0, Math.ceil((t + 60_000) / 1000)]);
    expect(l.take('a', t + 60_000).allowed).toBe(true);
  });
});
