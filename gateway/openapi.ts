/**
 * The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`.
 *
 * It cannot drift from the code in the two ways that matter:
 * - its paths are the router's routes: `openApiDocument` walks the router
 *   and throws when a route has no description here, or a description names
 *   a route that does not exist (tested, and at every gateway start);
 * - its schemas are checked against real answers: a test validates every
 *   route's responses from a running all-in-one against them.
 *
 * Schemas are JSON Schema 2020-12 (what 3.1 uses). They pin what a client
 * may rely on (fields, types, units, enums) and leave room to grow: objects
 * accept fields beyond those listed.
 */
import { TIERS } from '../app/tiers.js';
import { VERSION } from '../src/version.js';

type Schema = Record<string, unknown>;

// ---- schema helpers -----------------------------------------------------------

const str: Schema = { type: 'string' };
const num: Schema = { type: 'number' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const nstr = nullable(str);
const nnum = nullable(num);
const arr = (items: Schema, more: Schema = {}): Schema => ({ type: 'array', items, ...more });
const map = (values: Schema): Schema => ({ type: 'object', additionalProperties: values });
/** An object whose listed fields are all required (unless named in `optional`); other fields are allowed. */
const obj = (properties: Record<string, Schema>, optional: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
});
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const described = (description: string, s: Schema): Schema => ({ description, ...s });
const epochMs = described('epoch milliseconds', num);
const nEpochMs = described('epoch milliseconds, or null when not known yet', nnum);
const usd = (what: string): Schema => described(`${what}, US dollars`, num);
const nusd = (what: string): Schema => described(`${what}, US dollars; null when not known`, nnum);
const tier: Schema = { enum: [...TIERS] };
/** The broker's order statuses (actors/broker/order-state.ts; a surface may not import the domain: a test keeps them equal). */
export const ORDER_STATUS_NAMES = ['new', 'partially_filled', 'filled', 'done_for_day', 'canceled', 'expired', 'replaced', 'pending_cancel', 'pending_replace', 'pending_new', 'accepted', 'stopped', 'rejected', 'suspended', 'calculated', 'held'] as const;

// ---- shared schemas ---------------------------------------------------------------

const SCHEMAS: Record<string, Schema> = {
  Error: obj({
    error: obj({ code: described('a stable QGTM_ERR_* code', str), status: int, message: described('what was wrong, in words', str), details: arr(str) }, ['details']),
  }),
  DaemonBrief: obj({ up: bool, heartbeatAgeMs: nnum, reason: str }, ['reason']),
  Trigger: obj(
    {
      trigger: str,
      tier,
      holdTier: tier,
      metric: described('the trigger\'s reading, in its unit', num),
      threshold: nnum,
      ladder: map(num),
      unit: { enum: ['pct', 'ratio', 'ms', 'count', 'flag'] },
      reason: str,
    },
    ['ladder', 'unit', 'threshold', 'holdTier'],
  ),
  RiskState: obj({
    type: { const: 'risk.state' },
    tier,
    since: epochMs,
    floor: nullable(tier),
    floorReason: nstr,
    latched: bool,
    calmSince: nEpochMs,
    coolDownRemainingMs: nnum,
    triggers: arr(ref('Trigger')),
    changes: int,
    rejectedInputs: int,
    at: epochMs,
  }),
  TierChange: obj({ type: { const: 'risk.tier_changed' }, from: tier, to: tier, kind: { enum: ['escalate', 'de-escalate'] }, cause: { enum: ['trigger', 'operator', 'cool_down'] }, reason: str, at: epochMs }),
  Order: obj({
    type: { const: 'broker.order_update' },
    clientOrderId: str,
    brokerOrderId: nstr,
    intentId: nstr,
    symbol: str,
    side: { enum: ['buy', 'sell'] },
    qty: described('shares', num),
    orderType: { enum: ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'] },
    orderClass: nullable({ enum: ['bracket', 'oco', 'oto', 'mleg'] }),
    limitPrice: nnum,
    stopPrice: nnum,
    trailPercent: nnum,
    parentClientOrderId: nstr,
    replaces: nstr,
    filledQty: described('shares', num),
    filledAvgPrice: nnum,
    status: nullable({ enum: [...ORDER_STATUS_NAMES] }),
    submission: { enum: ['pending', 'ambiguous', 'acked', 'rejected', 'lost'] },
    event: str,
    reason: nstr,
    ts: epochMs,
  }),
  Fill: obj({
    type: { const: 'broker.fill' },
    executionId: str,
    clientOrderId: str,
    symbol: str,
    side: { enum: ['buy', 'sell'] },
    qty: described('shares', num),
    price: usd('fill price per share'),
    positionQty: num,
    positionAvgPrice: num,
    synthetic: bool,
    ts: epochMs,
  }),
  Account: obj({ type: { const: 'broker.account' }, equity: usd('equity'), lastEquity: nusd('equity at the previous close'), cash: usd('cash'), buyingPower: usd('buying power'), status: str, ts: epochMs }),
  Reconciliation: obj({ type: { const: 'broker.reconciled' }, phase: { enum: ['startup', 'periodic'] }, passed: bool, magnitude: described('drift notional over equity', num), driftNotional: usd('drift notional'), items: arr({ type: 'object' }), ready: bool, ts: epochMs }),
  StrategyLine: obj(
    {
      id: str,
      family: str,
      state: { enum: ['enabled', 'disabled', 'error', 'warming'] },
      instruments: arr(str),
      evaluations: int,
      signals: int,
      errors: int,
      weight: described('meta model weight (1 neutral)', num),
      params: { type: 'object' },
      origin: obj({ kind: { const: 'runtime' }, base: str, source: { enum: ['api', 'file'] } }, []),
    },
    ['params', 'origin'],
  ),
  CatalogEntry: obj({ id: str, family: str, thesis: str, instruments: arr(str), inputs: arr(str), origin: obj({ kind: { const: 'catalog' } }), params: nullable({ type: 'object' }), defaults: { type: 'object' } }, ['inputs']),
  Instrument: obj({
    symbol: str,
    name: str,
    assetClass: str,
    live: nullable(obj({ symbol: str, price: nnum, bid: nnum, ask: nnum, spreadBps: nnum, change: described('fraction since the first price seen (0.01 = 1 %)', nnum), vol: nnum, status: { enum: ['fresh', 'stale', 'gap'] }, ts: nEpochMs, ageMs: nnum })),
  }),
  DeadLetter: obj({ actor: str, reason: str, type: described('message type, or ? when it could not be decoded', str), from: nstr, detail: str, at: epochMs }, ['detail']),
  RunHeadline: obj({ id: str, kind: { enum: ['backtest', 'sweep'] }, name: str, status: { enum: ['queued', 'running', 'done', 'failed', 'cancelled'] }, createdAt: epochMs, progress: described('0..1', num) }),
  CommandAck: obj({ ack: obj({ id: str, ok: { const: true } }), command: obj({ id: str, type: str, by: str, at: epochMs }) }),
};

/** The read envelope of every GET (except the /health probe and this document). */
function envelope(data: Schema, description: string): Schema {
  return {
    description,
    ...obj({
      data,
      updatedAt: described('when the daemon (or this process) made the data, epoch ms; null when it has not yet', nnum),
      ageMs: nnum,
      stale: described('true when the daemon is down or the value came from the cache while Redis is away', bool),
      cached: bool,
      daemon: described('the daemon\'s heartbeat; null for what this process answers itself (research)', nullable(ref('DaemonBrief'))),
    }),
  };
}

const section = (s: Schema): Schema => nullable(s);

// ---- the routes ------------------------------------------------------------------

interface RouteDoc {
  readonly summary: string;
  readonly tag: string;
  /** The 200 answer. */
  readonly ok: Schema;
  /** The request body of a POST. */
  readonly body?: Schema;
  readonly query?: readonly { readonly name: string; readonly schema: Schema; readonly description: string }[];
  /** Error statuses the route answers besides 500. */
  readonly errors?: readonly number[];
}

const reason = (required: boolean): Schema => obj({ reason: { type: 'string', minLength: 1, maxLength: 500 }, by: described('who is acting (default "operator")', str) }, required ? ['by'] : ['by', 'reason']);
const COMMAND_ERRORS = [400, 401, 403, 409, 413, 415, 503, 504];

const ROUTES: Readonly<Record<string, RouteDoc>> = {
  'GET /api/v1/health': {
    tag: 'status',
    summary: 'Liveness and readiness: the daemon, the bus, this process, the trading mode (a probe: not in the read envelope)',
    ok: obj({
      status: { enum: ['ok', 'degraded', 'down'] },
      at: epochMs,
      trading: nullable(obj({ mode: { enum: ['PAPER', 'LIVE'] }, venue: str })),
      api: obj({ pid: int, version: str, startedAt: epochMs, uptimeMs: num, bus: { type: 'object' }, wsClients: int, commands: bool }),
      daemon: obj({ up: bool, heartbeatAgeMs: nnum, detail: nullable({ type: 'object' }) }),
    }),
  },
  'GET /api/v1/risk': {
    tag: 'risk',
    summary: 'The risk tier, its triggers with thresholds and units, the tier history, denials, and exposure in dollars and multiples of equity',
    ok: envelope(
      section(
        obj({
          state: nullable(ref('RiskState')),
          history: arr(ref('TierChange')),
          denied: arr({ type: 'object' }),
          exposure: nullable(obj({ equity: nusd('equity'), gross: nusd('gross exposure'), net: nusd('net exposure'), grossRatio: described('gross over equity (multiple)', nnum), netRatio: described('net over equity (multiple)', nnum), at: nEpochMs, units: map(str) })),
          target: nullable(obj({ grossRatio: num, netRatio: num, at: epochMs })),
        }),
      ),
      'the daemon\'s risk section',
    ),
  },
  'GET /api/v1/strategies': {
    tag: 'strategies',
    summary: 'The catalog (defaults and the parameters each entry runs), the runtime entries, the live surface per shard, and the support models',
    ok: envelope(
      obj({
        counts: obj({ catalog: int, runtime: int, total: int }),
        catalog: arr(ref('CatalogEntry')),
        runtime: arr(ref('StrategyLine')),
        live: nullable(arr(obj({ type: { const: 'strategy.status' }, shard: int, ts: epochMs, regime: nstr, strategies: arr(ref('StrategyLine')) }))),
        supportModels: arr(obj({ id: str, description: str, state: nullable({ type: 'object' }) })),
      }),
      'the catalog beside the strategies section (`live`: each shard\'s latest status, null before the first)',
    ),
  },
  'GET /api/v1/forecasts': {
    tag: 'strategies',
    summary: 'The allocator\'s posture and the latest signal of each strategy per instrument',
    ok: envelope(section(obj({ posture: nullable({ type: 'object' }), signals: map(arr({ type: 'object' })), learning: nullable({ type: 'object' }), supportModels: arr({ type: 'object' }) })), 'the daemon\'s forecasts section'),
  },
  'GET /api/v1/universe': {
    tag: 'market',
    summary: 'The instruments of a focus with the daemon\'s latest data for each (null before the first)',
    query: [{ name: 'focus', schema: { enum: ['pm', 'broad'], default: 'pm' }, description: 'pm: the 20 precious-metals instruments; broad: 44 with the macro context' }],
    errors: [400],
    ok: envelope(obj({ focus: { enum: ['pm', 'broad'] }, count: int, instruments: arr(ref('Instrument')) }), 'the focus\'s instruments joined with the universe section'),
  },
  'GET /api/v1/positions': {
    tag: 'portfolio',
    summary: 'Positions at their last price, pending quantities, the account, and the last reconciliation',
    ok: envelope(
      section(
        obj({
          positions: arr(obj({ symbol: str, qty: described('shares (negative short)', num), avgPrice: usd('average entry price'), realizedPnl: usd('realised P&L'), lastPrice: nnum, marketValue: nusd('market value'), unrealizedPnl: nusd('unrealised P&L') })),
          pendingQty: map(num),
          ts: nEpochMs,
          account: nullable(ref('Account')),
          reconciliation: nullable(ref('Reconciliation')),
          startupReconciliation: nullable(ref('Reconciliation')),
        }),
      ),
      'the daemon\'s positions section',
    ),
  },
  'GET /api/v1/orders': {
    tag: 'portfolio',
    summary: 'Open orders and the last 50 order updates',
    ok: envelope(section(obj({ open: arr(ref('Order')), recent: arr(ref('Order')) })), 'the daemon\'s orders section'),
  },
  'GET /api/v1/fills': {
    tag: 'portfolio',
    summary: 'The most recent fills',
    ok: envelope(section(obj({ recent: arr(ref('Fill')) })), 'the daemon\'s fills section'),
  },
  'GET /api/v1/watchdog': {
    tag: 'status',
    summary: 'The supervision tree, each worker\'s heartbeat, and the recent supervisor reports',
    ok: envelope(
      section(
        obj({
          tree: nullable({ type: 'object' }),
          workers: arr({ type: 'object' }),
          reports: arr({ type: 'object' }),
          rootFailure: {},
          // Cluster mode (qgtm daemon --cluster): nodes, slots, owners, tokens and stream backlogs; null otherwise.
          cluster: nullable(
            obj({
              prefix: { type: 'string' },
              slots: arr(obj({ slot: { type: 'integer' }, owner: nullable({ type: 'string' }), token: { type: 'integer' }, leaseLeftMs: nullable({ type: 'integer' }), inPending: nullable({ type: 'integer' }), inLag: nullable({ type: 'integer' }), outPending: nullable({ type: 'integer' }), outLag: nullable({ type: 'integer' }) })),
              nodes: arr(obj({ id: { type: 'string' }, slots: arr({ type: 'integer' }) })),
              unowned: arr({ type: 'integer' }),
              readAt: nullable({ type: 'number' }),
              error: nullable({ type: 'string' }),
            }),
          ),
        }),
      ),
      'the daemon\'s watchdog section',
    ),
  },
  'GET /api/v1/config': {
    tag: 'status',
    summary: 'The daemon\'s effective configuration, each value with its source (secrets masked)',
    ok: envelope(section({ type: 'object' }), 'the daemon\'s config section'),
  },
  'GET /api/v1/dead-letters': {
    tag: 'status',
    summary: 'Messages the runtime could not deliver: counts per actor and reason, and the newest 100',
    ok: envelope(section(obj({ total: int, counts: arr(obj({ actor: str, reason: str, count: int })), recent: arr(ref('DeadLetter'), { maxItems: 100 }) })), 'the daemon\'s dead-letter section'),
  },
  'GET /api/v1/audit': {
    tag: 'status',
    summary: 'The audit trail, newest first: operator commands (who, what, why, the outcome) and the events read back after the fact (tier changes, restarts, broker link, failed reconciliations, lost messages); it persists across restarts',
    ok: envelope(
      section(
        obj({
          entries: arr(obj({ at: epochMs, kind: { enum: ['command', 'risk', 'supervisor', 'broker', 'reconciliation', 'dead_letter', 'daemon'] }, level: { enum: ['info', 'warn', 'error'] }, message: str, by: nstr, subject: nstr, detail: { type: 'object' } }, ['detail']), { maxItems: 200 }),
          kept: int,
          skippedAtLoad: int,
          writeErrors: int,
        }),
      ),
      'the daemon\'s audit section',
    ),
  },
  'GET /api/v1/performance': {
    tag: 'portfolio',
    summary: 'The book over time: equity and drawdown, exposure, P&L per UTC day, prices with the fills on them, closed trades (FIFO round trips) and their sums per instrument; kept across restarts',
    ok: envelope(
      section(
        obj({
          equity: nusd('equity at the last sample'),
          peak: nusd('the running peak of equity'),
          drawdown: described('below the peak at the last sample, a fraction', nnum),
          maxDrawdown: described('the deepest drawdown sampled, a fraction', nnum),
          sampleEveryMs: described('the spacing of the equity samples now (it doubles as the series coarsens)', num),
          points: arr(obj({ t: epochMs, equity: usd('equity'), drawdown: described('a fraction', num), grossRatio: described('gross exposure over equity (multiple)', nnum), netRatio: described('net exposure over equity (multiple)', nnum) })),
          days: arr(obj({ day: described('UTC date', { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), pnl: usd('the day\'s P&L'), endEquity: usd('equity at the day\'s last sample') })),
          trades: arr(obj({ symbol: str, side: { enum: ['long', 'short'] }, qty: described('shares', num), entryPrice: usd('entry price per share'), exitPrice: usd('exit price per share'), entryAt: epochMs, exitAt: epochMs, pnl: usd('P&L'), returnFrac: described('P&L over entry notional, a fraction', num), holdingMs: num })),
          closed: obj({ trades: int, wins: int, winRate: nnum, realizedPnl: usd('P&L of the closed trades') }),
          byInstrument: arr(obj({ symbol: str, trades: int, wins: int, winRate: nnum, realizedPnl: usd('P&L'), avgHoldingMs: nnum })),
          prices: map(arr(obj({ t: epochMs, price: usd('price') }))),
          marks: map(arr(obj({ t: epochMs, side: { enum: ['buy', 'sell'] }, qty: num, price: usd('fill price') }))),
          units: map(str),
        }),
      ),
      'the daemon\'s performance section',
    ),
  },
  'GET /api/v1/openapi.json': {
    tag: 'status',
    summary: 'This description (not in the read envelope)',
    ok: obj({ openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } }),
  },
  'POST /api/v1/risk/tier': {
    tag: 'risk',
    summary: 'Sets the operator floor tier (escalates at once if stricter)',
    body: obj({ tier, reason: { type: 'string', minLength: 1, maxLength: 500 }, by: str }, ['by']),
    errors: COMMAND_ERRORS,
    ok: ref('CommandAck'),
  },
  'POST /api/v1/risk/clear': { tag: 'risk', summary: 'Clears the operator floor (and a latched FLATTEN)', body: reason(true), errors: COMMAND_ERRORS, ok: ref('CommandAck') },
  'POST /api/v1/risk/flatten': { tag: 'risk', summary: 'The kill switch: cancel every order, liquidate every position, latch FLATTEN', body: reason(true), errors: COMMAND_ERRORS, ok: ref('CommandAck') },
  'POST /api/v1/strategies/{id}/enable': { tag: 'strategies', summary: 'Enables a strategy (and clears its error state)', body: reason(false), errors: COMMAND_ERRORS, ok: ref('CommandAck') },
  'POST /api/v1/strategies/{id}/disable': { tag: 'strategies', summary: 'Disables a strategy (it keeps its state and stops voting)', body: reason(true), errors: COMMAND_ERRORS, ok: ref('CommandAck') },
  'POST /api/v1/strategies/learning': {
    tag: 'strategies',
    summary: 'Freezes or unfreezes the allocator\'s self-learned weights',
    body: obj({ frozen: bool, reason: { type: 'string', minLength: 1 }, by: str }, ['by']),
    errors: COMMAND_ERRORS,
    ok: ref('CommandAck'),
  },
  'POST /api/v1/strategies/runtime': {
    tag: 'strategies',
    summary: 'Adds a runtime entry: a catalog strategy under a new id with its own parameters and instruments (checked by the daemon, kept across restarts)',
    body: obj({ id: str, base: str, params: { type: 'object' }, instruments: arr(str), note: str, by: str }, ['params', 'instruments', 'note', 'by']),
    errors: [...COMMAND_ERRORS, 404],
    ok: ref('CommandAck'),
  },
  'POST /api/v1/strategies/runtime/{id}': {
    tag: 'strategies',
    summary: 'Changes a runtime entry (the fields given replace the old ones)',
    body: obj({ params: { type: 'object' }, instruments: arr(str), note: str, by: str }, ['params', 'instruments', 'note', 'by']),
    errors: [...COMMAND_ERRORS, 404],
    ok: ref('CommandAck'),
  },
  'POST /api/v1/strategies/runtime/{id}/remove': { tag: 'strategies', summary: 'Removes a runtime entry', body: reason(true), errors: [...COMMAND_ERRORS, 404], ok: ref('CommandAck') },
  'POST /api/v1/strategies/reload': { tag: 'strategies', summary: 'Reloads the strategies file (as SIGHUP does)', body: reason(true), errors: COMMAND_ERRORS, ok: ref('CommandAck') },
  'GET /api/v1/research/runs': {
    tag: 'research',
    summary: 'Every back-test and sweep run, newest first (headlines with summaries)',
    errors: [503],
    ok: envelope(obj({ count: int, runs: arr(ref('RunHeadline')) }), 'the research service\'s runs'),
  },
  'GET /api/v1/research/runs/{id}': {
    tag: 'research',
    summary: 'One run whole: equity and drawdown series, attribution, sweep rows',
    errors: [404, 503],
    ok: envelope(obj({ run: ref('RunHeadline') }), 'one research run'),
  },
  'POST /api/v1/research/backtests': {
    tag: 'research',
    summary: 'Starts a back-test of the live strategy code on history (202 with the run\'s headline and its Location)',
    body: obj({ name: str, history: { type: 'object' }, set: map({ type: ['number', 'string', 'boolean'] }), cost: { type: 'object' } }, ['name', 'set', 'cost']),
    errors: [400, 401, 403, 429, 503],
    ok: obj({ run: ref('RunHeadline') }),
  },
  'POST /api/v1/research/sweeps': {
    tag: 'research',
    summary: 'Starts a parameter sweep (grid or random, optionally walk-forward)',
    body: obj({ history: { type: 'object' }, params: arr({ type: 'object' }, { minItems: 1, maxItems: 8 }), objective: str }, ['objective']),
    errors: [400, 401, 403, 429, 503],
    ok: obj({ run: ref('RunHeadline') }),
  },
  'POST /api/v1/research/runs/{id}/cancel': {
    tag: 'research',
    summary: 'Cancels a queued or running run',
    body: { type: 'object' },
    errors: [401, 403, 404, 409, 503],
    ok: obj({ cancelled: { const: true }, run: ref('RunHeadline') }),
  },
};

/** A route as the router holds it. */
export interface RouteKey {
  readonly method: string;
  readonly pattern: string;
}

/** `/api/v1/strategies/:id/enable` in OpenAPI's spelling: `/api/v1/strategies/{id}/enable`. */
export const openApiPath = (pattern: string): string => pattern.replace(/:([A-Za-z_]+)/g, '{$1}');

/** Routes without a description, and descriptions without a route (both must be empty). */
export function undocumented(routes: readonly RouteKey[]): { missing: string[]; extra: string[] } {
  const keys = new Set(routes.map((r) => `${r.method} ${openApiPath(r.pattern)}`));
  return { missing: [...keys].filter((k) => !(k in ROUTES)), extra: Object.keys(ROUTES).filter((k) => !keys.has(k)) };
}

/** The schema a route's 200 (or 202) answer must match, for tests: `{schema, components}`. */
export function responseSchema(method: string, path: string): Schema | null {
  return ROUTES[`${method} ${path}`]?.ok ?? null;
}

/** The document for the router's routes; throws when they and the descriptions above disagree. */
export function openApiDocument(routes: readonly RouteKey[]): Schema {
  const { missing, extra } = undocumented(routes);
  if (missing.length + extra.length > 0) throw new Error(`OpenAPI out of step with the router: ${[...missing.map((m) => `undescribed route ${m}`), ...extra.map((e) => `described route ${e} does not exist`)].join('; ')}`);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = openApiPath(r.pattern);
    const doc = ROUTES[`${r.method} ${path}`];
    const params = [...path.matchAll(/\{([A-Za-z_]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: str }));
    const query = (doc.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema }));
    const created = r.method === 'POST' && path.startsWith('/api/v1/research/') && !path.endsWith('/cancel');
    const responses: Record<string, unknown> = {
      [created ? '202' : '200']: { description: created ? 'accepted: the run is queued' : 'ok', content: { 'application/json': { schema: doc.ok } } },
    };
    for (const status of [...(doc.errors ?? []), 500]) responses[String(status)] = { description: ERROR_TEXT[status] ?? 'error', content: { 'application/json': { schema: ref('Error') } } };
    const op: Record<string, unknown> = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: doc.summary,
      tags: [doc.tag],
      ...(params.length + query.length > 0 ? { parameters: [...params, ...query] } : {}),
      ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: doc.body } } } } : {}),
      ...(r.method === 'POST' ? { security: [{ bearer: [] }] } : {}),
      responses,
    };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'qgtm control plane',
      version: VERSION,
      description:
        'REST under /api/v1. Every GET but /health and this document answers {data, updatedAt, ageMs, stale, cached, daemon}. Commands (POST) need the operator token as a bearer token, take an optional Idempotency-Key header, and answer the daemon\'s acknowledgement. Live telemetry is on the WebSocket /ws (see gateway/README.md); metrics on /metrics.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    tags: ['status', 'risk', 'strategies', 'market', 'portfolio', 'research'].map((name) => ({ name })),
    paths,
    components: { schemas: SCHEMAS, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the operator token (QGTM_API_TOKEN, or printed at start)' } } },
  };
}

const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: 'the request is malformed: the message says what was wrong (every problem listed in details)',
  401: 'no bearer token',
  403: 'wrong token',
  404: 'no such entry or run',
  409: 'the daemon refused the command in its current state',
  413: 'body too large',
  415: 'not application/json',
  429: 'the research queue is full (Retry-After)',
  500: 'internal error (counted in qgtm_gateway_http_errors_total)',
  503: 'the daemon, the bus or the research service is not available',
  504: 'the command was delivered but not acknowledged in time: outcome unknown',
};
