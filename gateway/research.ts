/**
 * Research under `/api/v1/research`: the runs (headlines, and one run whole
 * with its series), starting a back-test or a sweep, cancelling a run. The
 * gateway only checks and forwards: the runs live in the injected
 * `ResearchService` (a bounded queue on a capped piscina pool), which may be
 * absent (503 on every route).
 *
 * Starting and cancelling are operator commands: they need the bearer token
 * like the kill switch, are counted in `qgtm_gateway_commands_total` by type
 * and outcome, and a bad body is a 400 naming each wrong field (counted,
 * like every error reply, in `qgtm_gateway_http_errors_total`). Bodies are
 * checked before the service's presence, so a client learns its mistakes
 * from any process.
 */
import type { ResearchService, RunHeadline } from '../app/research/types.js';
import { describe } from '../src/runtime/untrusted.js';
import type { TokenAuth } from './auth.js';
import { HttpError, jsonReply, parseJsonObject, type Exchange, type Reply } from './http.js';
import { backtestRequest, sweepRequest, type ResearchHistoryAccess } from './research-body.js';
import type { GatewayMetrics } from './metrics.js';
import type { Params, Router } from './router.js';

/** What the research routes need from the gateway's context (the API context has it all). */
export interface ResearchContext {
  readonly auth: TokenAuth;
  readonly metrics: GatewayMetrics;
  readonly limits: { readonly maxBodyBytes: number };
  readonly now: () => number;
  /** The research service, or null when this process runs none (every route answers 503). */
  readonly research: ResearchService | null;
  readonly researchHistory: ResearchHistoryAccess;
}

const RUN_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const DISABLED = 'research is not enabled in this process';

function service(ctx: ResearchContext): ResearchService {
  if (!ctx.research) throw new HttpError(503, 'QGTM_ERR_RESEARCH_DISABLED', DISABLED);
  return ctx.research;
}

function runId(p: Params): string {
  const id = p.id ?? '';
  if (!RUN_ID.test(id)) throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', `run id must be 1-128 characters of [A-Za-z0-9_.:-], got ${describe(id)}`);
  return id;
}

/**
 * The service's refusals as HTTP: a full queue is 429 (retry later), a
 * closed service 503, any other research refusal (a request the service
 * found wrong, e.g. a CSV file that does not exist) 400, each with the
 * service's own message. Anything else is unexpected (500, logged).
 */
export function serviceError(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const m = (err as { message?: unknown } | null)?.message;
  const message = typeof m === 'string' ? m : String(err);
  if (typeof code !== 'string' || !code.startsWith('QGTM_ERR_RESEARCH')) return err;
  if (/FULL|BUSY|QUEUE/.test(code)) return new HttpError(429, code, message, [], { 'retry-after': '5' });
  if (/CLOSED|STOPPED|SHUTDOWN|DISABLED/.test(code)) return new HttpError(503, code, message);
  return new HttpError(400, code, message);
}

function outcomeOf(err: unknown): string {
  if (!(err instanceof HttpError)) return 'error';
  if (err.status === 401 || err.status === 403) return 'unauthorized';
  if (err.status === 429) return 'busy';
  if (err.status === 503) return 'disabled';
  if (err.status === 404) return 'not_found';
  if (err.status === 409) return 'finished';
  return 'invalid';
}

/** An operator command: token first, then the body, then the service. Counted by type and outcome. */
const command =
  (type: string, work: (body: Record<string, unknown>, p: Params, ctx: ResearchContext) => Reply) =>
  async (ex: Exchange, p: Params, ctx: ResearchContext): Promise<Reply> => {
    const bodyPromise = ex.readBody(ctx.limits.maxBodyBytes);
    try {
      ctx.auth.check(ex.authorization);
      const body = parseJsonObject(ex, await bodyPromise);
      const reply = work(body, p, ctx);
      ctx.metrics.commands.inc({ type, outcome: 'ok' });
      return reply;
    } catch (err) {
      const e = serviceError(err);
      ctx.metrics.commands.inc({ type, outcome: outcomeOf(e) });
      throw e;
    }
  };

const started = (run: RunHeadline): Reply => jsonReply(202, { run }, { location: `/api/v1/research/runs/${encodeURIComponent(run.id)}` });

async function listRuns(_ex: Exchange, _p: Params, ctx: ResearchContext): Promise<Reply> {
  const runs = service(ctx).list();
  return jsonReply(200, localEnvelope(ctx, { count: runs.length, runs }));
}

async function getRun(_ex: Exchange, p: Params, ctx: ResearchContext): Promise<Reply> {
  const id = runId(p);
  const run = service(ctx).get(id);
  if (!run) throw new HttpError(404, 'QGTM_ERR_RESEARCH_UNKNOWN_RUN', `no research run "${id}"; GET /api/v1/research/runs lists them`);
  return jsonReply(200, localEnvelope(ctx, { run }));
}

/** The read envelope of every GET, for what this process answers itself (fresh, not from the daemon). */
function localEnvelope(ctx: ResearchContext, data: unknown): Record<string, unknown> {
  return { data, updatedAt: ctx.now(), ageMs: 0, stale: false, cached: false, daemon: null };
}

/** Adds the research routes to the API router. */
export function addResearchRoutes<C extends ResearchContext>(r: Router<C>): void {
  r.add({ method: 'GET', pattern: '/api/v1/research/runs', handler: listRuns });
  r.add({ method: 'GET', pattern: '/api/v1/research/runs/:id', handler: getRun });
  r.add({
    method: 'POST',
    pattern: '/api/v1/research/backtests',
    body: true,
    handler: command('research.backtest', (body, _p, ctx) => {
      const req = backtestRequest(body, ctx.researchHistory, ctx.now());
      return started(service(ctx).startBacktest(req));
    }),
  });
  r.add({
    method: 'POST',
    pattern: '/api/v1/research/sweeps',
    body: true,
    handler: command('research.sweep', (body, _p, ctx) => {
      const req = sweepRequest(body, ctx.researchHistory, ctx.now());
      return started(service(ctx).startSweep(req));
    }),
  });
  r.add({
    method: 'POST',
    pattern: '/api/v1/research/runs/:id/cancel',
    body: true,
    handler: command('research.cancel', (body, p, ctx) => {
      const id = runId(p);
      const problems = Object.keys(body)
        .filter((k) => k !== 'by' && k !== 'reason')
        .map((k) => `unknown field ${/^[A-Za-z0-9_.-]{1,40}$/.test(k) ? k : describe(k)}`);
      if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > 500)) problems.push('reason must be a string of at most 500 characters');
      if (body.by !== undefined && (typeof body.by !== 'string' || !/^[\w .@:-]{1,100}$/.test(body.by))) problems.push('by must be 1-100 characters of letters, digits, space and _.@:-');
      if (problems.length > 0) throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', `invalid request body: ${problems.join('; ')}`, problems);
      const svc = service(ctx);
      const before = svc.get(id);
      if (!before) throw new HttpError(404, 'QGTM_ERR_RESEARCH_UNKNOWN_RUN', `no research run "${id}"; GET /api/v1/research/runs lists them`);
      if (!svc.cancel(id)) throw new HttpError(409, 'QGTM_ERR_RESEARCH_FINISHED', `research run ${id} is already ${svc.get(id)?.status ?? before.status}: nothing to cancel`);
      const run = svc.list().find((x) => x.id === id) ?? null;
      return jsonReply(200, { cancelled: true, run });
    }),
  });
}
