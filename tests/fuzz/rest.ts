/** Malformed REST requests for the gateway fuzz, and a raw HTTP client that sends paths and methods untouched. */
import { request, Agent } from 'node:http';
import { Gen, WRONG_SHAPES } from './gen.js';

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** What kind of malformation (for the summary). */
  readonly kind: string;
  /** Carries the valid token: must still be refused for its body, never accepted. */
  readonly authed: boolean;
}

export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

export function send(agent: Agent | undefined, base: URL, r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ agent: agent ?? false, host: base.hostname, port: base.port, method: r.method, path: r.path, headers: r.headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`timeout on ${r.method} ${r.path}`)));
    if (r.body !== undefined) req.end(r.body);
    else req.end();
  });
}

export const COMMAND_ROUTES = ['/api/v1/risk/tier', '/api/v1/risk/clear', '/api/v1/risk/flatten', '/api/v1/strategies/gold_trend/enable', '/api/v1/strategies/gold_trend/disable', '/api/v1/research/backtests', '/api/v1/research/sweeps', '/api/v1/research/runs/bt-1/cancel'];
const READ_ROUTES = ['/api/v1/health', '/api/v1/risk', '/api/v1/universe', '/api/v1/strategies', '/api/v1/research/runs', '/metrics'];

/** One malformed request; `token` is the valid one. */
export function malformedRequest(g: Gen, token: string): RawRequest {
  const route = g.pick(COMMAND_ROUTES);
  const okBody = '{"reason":"fuzz","tier":"WARN"}';
  const json = { 'content-type': 'application/json' };
  const bearer = { authorization: `Bearer ${token}` };
  switch (g.int(0, 11)) {
    case 0: {
      // Bad, missing and malformed tokens on every command route, with a body that would otherwise be accepted.
      const auth = g.pick([
        undefined,
        '',
        'Bearer',
        'Bearer ',
        `Bearer ${token}x`,
        `Bearer ${token.slice(0, -1)}`,
        `bearer${token}`,
        `Basic ${Buffer.from(`u:${token}`).toString('base64')}`,
        `Bearer ${g.ascii(g.int(1, 300)).replace(/[^\x21-\x7e]/g, 'a')}`,
        `Bearer ${token} ${token}`,
        `Token ${token}`,
      ]);
      return { kind: 'bad_token', method: 'POST', path: route, headers: { ...json, ...(auth === undefined ? {} : { authorization: auth }) }, body: okBody, authed: false };
    }
    case 1:
      return { kind: 'bad_json', method: 'POST', path: route, headers: { ...json, ...bearer }, body: g.pick(['{', '{"reason":', '[1,', 'nul', '{"reason":"x",}', "{'reason':'x'}"]) + g.ascii(g.int(0, 20)), authed: true };
    case 2: {
      const d = g.int(10, 20_000);
      return { kind: 'deep_json', method: 'POST', path: route, headers: { ...json, ...bearer }, body: `{"reason":${'['.repeat(d)}${']'.repeat(d)}}`, authed: true };
    }
    case 3:
      return { kind: 'content_type', method: 'POST', path: route, headers: { 'content-type': g.pick(['multipart/form-data; boundary=x', 'application/octet-stream', 'image/png', 'application/xml', 'text/html']), ...bearer }, body: okBody, authed: true };
    case 4: {
      const key = g.pick(['__proto__', 'constructor', 'prototype']);
      const nested = g.float() < 0.5;
      const body = nested ? `{"reason":"x","tier":"WARN","by":"op","x":{"${key}":{"a":1}}}` : `{"${key}":{"isAdmin":true},"reason":"x","tier":"WARN"}`;
      return { kind: 'prototype_key', method: 'POST', path: route, headers: { ...json, ...bearer }, body, authed: true };
    }
    case 5:
      return { kind: 'wrong_types', method: 'POST', path: route, headers: { ...json, ...bearer }, body: JSON.stringify(wrongBody(g)), authed: true };
    case 6:
      return { kind: 'invalid_utf8', method: 'POST', path: route, headers: { ...json, ...bearer }, body: Uint8Array.from([0x7b, 0x22, 0x72, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]), authed: true };
    case 7:
      return { kind: 'oversized', method: 'POST', path: route, headers: { ...json, ...bearer }, body: `{"reason":"${'x'.repeat(64 * 1024 + g.int(1, 4096))}"}`, authed: true };
    case 8: {
      const path = g.pick([
        '/../etc/passwd',
        '/%2e%2e/secret.txt',
        '/..%2fsecret.txt',
        '/%2e%2e%2fsecret.txt',
        '/a/../../secret.txt',
        '/assets/..%5c..%5csecret.txt',
        '/%00index.html',
        '/index.html%00.js',
        '/%zz',
        '/....//secret.txt',
        '/link-out/secret.txt',
        `/${'../'.repeat(g.int(1, 20))}secret.txt`,
      ]);
      return { kind: 'traversal', method: g.pick(['GET', 'HEAD']), path, headers: {}, authed: false };
    }
    case 9:
      return { kind: 'unknown_route', method: g.pick(['GET', 'POST']), path: g.pick(['/api', '/api/v2/health', '/api/v1/nope', '/api/v1/risk/tier/x', '/api/v1/strategies//enable', '/api/v1/strategies/%zz/enable', `/api/v1/strategies/${'a'.repeat(200)}/enable`]), headers: bearer, body: g.float() < 0.5 ? okBody : undefined, authed: true };
    case 10:
      return { kind: 'wrong_method', method: g.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS']), path: g.pick([...COMMAND_ROUTES, ...READ_ROUTES]), headers: bearer, body: undefined, authed: true };
    default:
      return { kind: 'bad_query', method: 'GET', path: `/api/v1/universe?focus=${g.pick(['%zz', 'x'.repeat(3000), '%00', '__proto__', 'constructor', '[[[[[['])}`, headers: {}, authed: false };
  }
}

/** A body invalid on every command route: a wrong shape with an unknown field, or a known field of the wrong type. */
function wrongBody(g: Gen): unknown {
  if (g.float() < 0.5) return g.pick([{ reason: 5 }, { reason: null }, { reason: ['x'] }, { reason: 'x'.repeat(600) }, { reason: 'x', by: '<script>' }, { reason: 'x', by: 7 }, { tier: 1, reason: {} }]);
  const v = g.pick(WRONG_SHAPES);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v, bogus: true } : v;
}
