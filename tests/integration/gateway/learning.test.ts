import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorCommand } from '../../../app/bus/commands.js';
import { scrapeValues, startTestGateway, type TestGateway } from '../../helpers/gateway.js';

const json = async (r: Response): Promise<Record<string, any>> => (await r.json()) as Record<string, any>;

describe('gateway: strategies learning', () => {
  let t: TestGateway;
  const received: OperatorCommand[] = [];
  const supportModels = [{ id: 'learning', description: 'Hedge weights', state: { frozen: false } }];

  beforeAll(async () => {
    t = await startTestGateway({
      handler: async (cmd) => {
        received.push(cmd);
        return { id: cmd.id, ok: true, result: { frozen: cmd.type === 'strategy.learning' && cmd.frozen } };
      },
    });
    t.bus.putState('strategies', [{ shard: 0, strategies: [{ id: 'trend_a', pnl: 12.5, hitRate: 0.5, learnedWeight: 1.3, weight: 1 }] }]);
    t.bus.putState('forecasts', { posture: null, signals: {}, learning: null, supportModels });
  });
  afterAll(() => t.close());

  const post = (body: unknown, headers: Record<string, string> = t.auth): Promise<Response> =>
    fetch(`${t.url}/api/v1/strategies/learning`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('GET strategies then live entries carry pnl, hit rate and learned weight, and the support models are listed', async () => {
    const b = await json(await fetch(`${t.url}/api/v1/strategies`));
    expect(b.data.live[0].strategies[0]).toMatchObject({ pnl: 12.5, hitRate: 0.5, learnedWeight: 1.3, weight: 1 });
    expect(b.data.supportModels).toEqual(supportModels);
  });

  it('POST learning frozen with a token then the daemon gets strategy.learning and the ack says frozen', async () => {
    const r = await post({ frozen: true, reason: 'drawdown review' });
    expect(r.status).toBe(200);
    expect((await json(r)).ack.result).toEqual({ frozen: true });
    expect(received.at(-1)).toMatchObject({ type: 'strategy.learning', frozen: true, reason: 'drawdown review' });
  });

  it('POST learning without a token then 401 and nothing sent', async () => {
    const n = received.length;
    expect((await post({ frozen: true, reason: 'x' }, {})).status).toBe(401);
    expect(received.length).toBe(n);
  });

  it('POST learning with frozen not a boolean or no reason then 400 naming the field, counted', async () => {
    const a = await post({ frozen: 'yes', reason: 'x' });
    expect(a.status).toBe(400);
    expect((await json(a)).error.message).toMatch(/frozen must be true or false/);
    const b = await post({ frozen: false });
    expect(b.status).toBe(400);
    expect((await json(b)).error.message).toMatch(/reason must be a string \(missing\)/);
    const v = await scrapeValues(t.url);
    expect(v.get('qgtm_gateway_commands_total{type="strategy.learning",outcome="invalid"}')).toBe(2);
  });
});
