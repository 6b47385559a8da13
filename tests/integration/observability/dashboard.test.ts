/**
 * The Grafana dashboard against the real thing: the committed JSON is what
 * the code builds, and every panel query, run by a real Prometheus scraping
 * a live all-in-one, returns data.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAllInOne, type AllInOne } from '../../../bin/all-in-one.js';
import { loadConfig } from '../../../app/config/load.js';
import { DASHBOARD_FILE, buildDashboard, dashboardJson, panelQueries, type PanelQuery } from '../../../observability/grafana/dashboard.js';
import { eventually } from '../../helpers/fixtures.js';
import { LOST_WORK } from '../../../observability/grafana/panels.js';
import { LOST_WORK_REASONS } from '../../../src/runtime/index.js';
import { describeWithTool } from '../../helpers/tools.js';
import { prometheusUnavailable, startPrometheus, type PromQueryResult, type PrometheusServer } from '../../helpers/prometheus.js';

/** Grafana's variables as a one-minute window would give them (at least two 1 s scrapes fit). */
function concrete(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '1m').replace(/\$\{?datasource\}?/g, 'qgtm-prometheus');
}

describe('grafana dashboard file', () => {
  it('committed qgtm-dashboard.json then equal to what buildDashboard() builds (npm run grafana:dashboard)', () => {
    const committed = readFileSync(DASHBOARD_FILE, 'utf8');
    expect(JSON.parse(committed)).toEqual(JSON.parse(JSON.stringify(buildDashboard())));
    expect(committed).toBe(dashboardJson());
  });

  it('the dead-letter panel\'s lost-work reasons then the runtime\'s, exactly', () => {
    expect([...LOST_WORK].sort()).toEqual([...LOST_WORK_REASONS].sort());
    const stat = panelQueries().find((q) => q.title === 'Dead letters');
    expect(stat?.expr).toContain(`reason=~"${LOST_WORK.join('|')}"`);
  });

  it('every panel then at least one query, and every query names a qgtm metric', () => {
    const queries = panelQueries();
    const panels = buildDashboard().panels ?? [];
    const titles = panels.filter((p) => p.type !== 'row').map((p) => (p as { title?: string }).title);
    expect(new Set(queries.map((q) => q.title))).toEqual(new Set(titles));
    for (const q of queries) expect(q.expr, q.title).toMatch(/qgtm_/);
    expect(new Set(queries.map((q) => q.row))).toEqual(new Set(['Health', 'Risk', 'Execution', 'Reconciliation', 'Portfolio', 'Data', 'Runtime']));
  });
});

describeWithTool('grafana dashboard: every panel query against Prometheus scraping the all-in-one', prometheusUnavailable(), () => {
  let app: AllInOne | undefined;
  let prom: PrometheusServer | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qgtm-grafana-'));
    const loaded = loadConfig({
      mode: 'start',
      env: {},
      // The allocator publishes its attribution and learned weights on each of its ticks (60 s by default): every second here, so the strategy panels have data within the test.
      overrides: { 'http.port': 0, 'daemon.journalDir': join(dir, 'journal'), 'log.level': 'warn', 'allocator.rebalanceEveryMs': 1000 },
    });
    app = await startAllInOne({ loaded, print: () => undefined });
    prom = await startPrometheus(new URL(app.httpUrl).host);
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('each panel query then Prometheus answers success with at least one series', async () => {
    const p = prom!;
    const withOutput = (what: string): string => `${what}\nprometheus output:\n${p.output() || '(none)'}`;
    await eventually(async () => (await p.targets()).some((t) => t.health === 'up'), 20_000, 'the qgtm scrape target up', () => p.targets());
    // Rates need two scrapes of the trading metrics, which appear after the broker's first account report.
    await eventually(
      async () => ((await p.query('count_over_time(qgtm_account_equity_dollars[1m]) >= 2')).data?.result.length ?? 0) > 0,
      20_000,
      'two scrapes of qgtm_account_equity_dollars',
      () => p.output(),
    );

    // Orders while Prometheus watches, so the latency quantiles have observations in their window: a
    // runtime entry holding platinum makes the allocator send new intents (the book keeps its positions).
    const command = (path: string, body: unknown): Promise<Response> =>
      fetch(`${app!.httpUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${app!.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const added = await command('/api/v1/strategies/runtime', { id: 'dashboard_pm', base: 'buy_and_hold', instruments: ['PPLT'], params: { strength: 1 }, note: 'dashboard test: orders for the latency panels' });
    expect(added.status, await added.clone().text()).toBe(200);
    // On a loaded machine the first orders can fall outside the quantiles' window: while a panel still has
    // no data, the entry moves between platinum and palladium every few seconds, and each move is new intents.
    let nudgedAt = Date.now();
    let metal = 'PPLT';
    const nudge = async (): Promise<void> => {
      if (Date.now() - nudgedAt < 4000) return;
      nudgedAt = Date.now();
      metal = metal === 'PPLT' ? 'PALL' : 'PPLT';
      await command('/api/v1/strategies/runtime/dashboard_pm', { instruments: [metal] });
    };

    const queries = panelQueries();
    const run = async (): Promise<{ q: PanelQuery; r: PromQueryResult }[]> => Promise.all(queries.map(async (q) => ({ q, r: await p.query(concrete(q.expr)) })));
    // No series, or only NaN (a quantile over a window without observations), is no data.
    const empty = (x: { r: PromQueryResult }): boolean => x.r.status !== 'success' || (x.r.data?.result ?? []).every((s) => s.value[1] === 'NaN');
    // Series published on a timer (the allocator's attribution) may lag the account by a tick: bounded, then report what is still empty.
    let results = await run();
    try {
      results = (await eventually(async () => {
        const r = await run();
        if (!r.some(empty)) return r;
        await nudge();
        return null;
      }, 40_000, 'every panel query to return data'))!;
    } catch {
      results = await run();
    }

    const failures = results.filter(empty).map(({ q, r }) => `[${q.row}] ${q.title}: ${q.expr} -> ${r.status}${r.error ? ` (${r.error})` : ''}, ${r.data?.result.length ?? 0} series`);
    const rows = results.map(({ q, r }) => {
      // The first series with a number (a quantile over an operation without calls in the window is NaN).
      const first = r.data?.result.find((x) => x.value[1] !== 'NaN') ?? r.data?.result[0];
      const labels = first ? Object.entries(first.metric).filter(([k]) => k !== 'job' && k !== 'instance').map(([k, v]) => `${k}=${v}`).join(',') : '';
      return [q.row, q.title, first ? `${first.value[1]}${labels ? ` {${labels}}` : ''}` : '(no data)', String(r.data?.result.length ?? 0)];
    });
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['row', 'panel', 'first value'][i].length));
    const line = (r: string[]): string => `${r[0].padEnd(widths[0])} | ${r[1].padEnd(widths[1])} | ${r[2].padEnd(widths[2])} | ${r[3]}`;
    console.log([line(['row', 'panel', 'first value', 'series']), ...rows.map(line)].join('\n'));

    expect(failures, withOutput(`panel queries with no data:\n${failures.join('\n')}`)).toEqual([]);
  }, 100_000);
});
