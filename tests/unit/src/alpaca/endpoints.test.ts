import { describe, expect, it } from 'vitest';
import { trading } from '@alpacahq/alpaca-trade-api';
import { ConfigError } from '../../../../src/errors.js';
import { createAlpacaClients, resolveAlpacaConnection } from '../../../../src/alpaca/index.js';

const local = { url: 'http://127.0.0.1:4000', wsTradingUrl: 'ws://127.0.0.1:4000/stream', wsDataUrl: 'ws://127.0.0.1:4000/v2/iex' };

describe('resolveAlpacaConnection', () => {
  it('default then the local venue with the local key pair', () => {
    expect(resolveAlpacaConnection({ local })).toEqual({
      venue: 'local', keyId: 'qgtm-local-key', secretKey: 'qgtm-local-secret',
      restBaseUrl: 'http://127.0.0.1:4000', tradingStreamUrl: local.wsTradingUrl, dataStreamUrl: local.wsDataUrl, dataRestBaseUrl: 'http://127.0.0.1:4000',
    });
  });

  it('alpaca-paper with keys then Alpaca paper URLs; without keys then a ConfigError', () => {
    const c = resolveAlpacaConnection({ venue: 'alpaca-paper', keyId: 'K', secretKey: 'S' });
    expect([c.restBaseUrl, c.tradingStreamUrl, c.dataStreamUrl, c.dataRestBaseUrl]).toEqual([
      'https://paper-api.alpaca.markets', 'wss://paper-api.alpaca.markets/stream', 'wss://stream.data.alpaca.markets/v2/iex', 'https://data.alpaca.markets',
    ]);
    expect(() => resolveAlpacaConnection({ venue: 'alpaca-paper', local })).toThrow(ConfigError);
  });
});

describe('createAlpacaClients', () => {
  it('a request then goes to the configured base URL with the APCA headers', async () => {
    const seen: { url: string; headers: Headers }[] = [];
    const fetchApi: trading.FetchAPI = async (url, init) => {
      seen.push({ url, headers: new Headers(init.headers) });
      return new Response(JSON.stringify({ is_open: true, next_open: '2025-01-07T00:00:00Z', next_close: '2025-01-07T00:00:00Z', timestamp: '2025-01-06T15:00:00Z' }), { headers: { 'Content-Type': 'application/json' } });
    };
    const clients = createAlpacaClients(resolveAlpacaConnection({ local }), { fetchApi, rateLimit: false });
    const clock = await clients.clock.legacyClock();
    expect(clock.isOpen).toBe(true);
    expect(seen[0].url).toBe('http://127.0.0.1:4000/v2/clock');
    expect([seen[0].headers.get('apca-api-key-id'), seen[0].headers.get('apca-api-secret-key')]).toEqual(['qgtm-local-key', 'qgtm-local-secret']);
  });
});
