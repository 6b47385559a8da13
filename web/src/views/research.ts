/**
 * Research: the back-test and sweep runs with their headline figures and
 * live progress (WebSocket topic `research`), a form to start a back-test,
 * cancel for queued and running runs (operator token), and the selected
 * run: its figures with units, equity and drawdown charts, P&L attribution
 * per strategy and per instrument, orders and fills; a sweep's rows as a
 * sortable table and a heatmap over two parameters.
 */
import { commands, fetchJson, normaliseResearchEvent, normaliseRunDetail, normaliseRuns, ROUTES, type RunDetailVM, type RunStatus, type RunVM } from '../api/index.js';
import { confirmDialog, runCommand } from '../ui/dialog.js';
import { h, KeyedTable, panel, scroller, setData, setText } from '../ui/dom.js';
import { ago, DASH, duration, fixed, int, money, pct, signClass } from '../ui/format.js';
import { SeriesChart } from '../ui/series-chart.js';
import type { Store } from '../store.js';
import { cell, chip, type View } from './common.js';
import { createBacktestForm } from './research-form.js';
import { SweepPanel } from './research-sweep.js';

/** How often the run list is fetched while the view is on screen (events move it in between). */
const LIST_POLL_MS = 3000;
const DISABLED_POLL_MS = 30_000;

const STATUS_KIND: Record<RunStatus, string> = { queued: 'muted', running: 'warn', done: 'ok', failed: 'bad', cancelled: 'off' };
const active = (s: RunStatus): boolean => s === 'queued' || s === 'running';
const dollars = (x: number | null | undefined): string => money(x, 2);

export function createResearchView(store: Store): View {
  const statusLabel = h('span.status-label');
  const statusDetail = h('span.status-detail');
  const status = h('div.view-status', { 'data-state': 'nodata' }, statusLabel, statusDetail);
  const runs = new Map<string, RunVM>();
  const progressDetail = new Map<string, string>();
  let listAt: number | null = null;
  let listError: string | null = null;
  let fetchingList = false;
  let nextFetchAt = 0;
  let selected: string | null = null;
  let detail: RunDetailVM | null = null;
  let detailKey = '';

  // ---- the run list ---------------------------------------------------------------
  const table = new KeyedTable<RunVM>(
    [
      { title: 'Run', cell: (td, r) => cell(td, r.name) },
      { title: 'Kind', wide: true, cell: (td, r) => cell(td, r.kind === 'sweep' ? 'sweep' : 'back-test') },
      { title: 'Status', cell: (td, r) => chip(td, r.status, STATUS_KIND[r.status]) },
      {
        title: 'Progress',
        kind: 'num',
        cell: (td, r) => {
          let bar = td.querySelector<HTMLElement>('.bar-fill');
          let text = td.querySelector<HTMLElement>('.progress-text');
          if (!bar || !text) {
            td.textContent = '';
            bar = h('span.bar-fill');
            text = h('span.progress-text');
            td.append(h('span.bar', {}, bar), text);
          }
          const w = `${Math.round(r.progress * 100)}%`;
          if (bar.style.width !== w) bar.style.width = w;
          setText(text, pct(r.progress, 0));
          td.title = progressDetail.get(r.id) ?? '';
          setData(td, 'progress', String(r.progress));
        },
      },
      { title: 'Total return', kind: 'num', tip: 'end equity over start equity, minus one', cell: (td, r) => cell(td, pct(r.summary?.totalReturn, 2), signClass(r.summary?.totalReturn)) },
      { title: 'Sharpe', kind: 'num', tip: 'annualised', cell: (td, r) => cell(td, fixed(r.summary?.sharpe, 2)) },
      { title: 'Max drawdown', kind: 'num', tip: 'largest fall below a previous peak of equity', cell: (td, r) => cell(td, pct(r.summary?.maxDrawdown, 2)) },
      { title: 'Trades', kind: 'num', tip: 'round trips closed', cell: (td, r) => cell(td, int(r.summary?.trades)) },
      { title: 'Data', wide: true, cell: (td, r) => cell(td, r.data ?? DASH) },
      {
        title: '',
        kind: 'ctl',
        cell: (td, r) => {
          let b = td.querySelector<HTMLButtonElement>('button');
          if (!b) {
            b = h('button', { type: 'button', 'data-cancel': r.id }, 'Cancel');
            b.addEventListener('click', (ev) => {
              ev.stopPropagation();
              void cancel(r.id);
            });
            td.append(b);
          }
          b.hidden = !active(r.status);
        },
      },
    ],
    (r) => r.id,
    'no research runs yet: start a back-test above, or `qgtm backtest` on the command line',
    'research-runs',
  );
  table.el.addEventListener('click', (ev) => {
    const tr = (ev.target as HTMLElement).closest<HTMLElement>('tr[data-key]');
    if (tr?.dataset.key) select(tr.dataset.key);
  });
  const listPanel = panel('Runs', scroller(table.el));

  // ---- the selected run ---------------------------------------------------------
  const title = h('h2', {}, 'Select a run');
  const meta = h('p.muted.small', { 'data-testid': 'run-meta' });
  const kpis = h('div.kpis', { 'data-testid': 'run-kpis' });
  const kpiEls = new Map<string, HTMLElement>();
  const kpi = (label: string, tip = ''): void => {
    const v = h('span.kpi-value', { 'data-kpi': label });
    kpiEls.set(label, v);
    kpis.append(h('div.kpi', { title: tip || null }, h('span.kpi-label', {}, label), v));
  };
  for (const [k, tip] of [
    ['total return', ''],
    ['annual return', ''],
    ['volatility', 'annualised'],
    ['Sharpe', ''],
    ['Sortino', ''],
    ['Calmar', ''],
    ['max drawdown', ''],
    ['max drawdown duration', 'longest time below a previous peak'],
    ['start equity', ''],
    ['end equity', ''],
    ['fees', ''],
    ['slippage', 'cost against the bar close: spread and slippage'],
    ['turnover', 'traded notional over average equity'],
    ['avg gross', 'average gross exposure, of equity'],
    ['hit rate', 'round trips that made money'],
    ['avg win', ''],
    ['avg loss', ''],
    ['trades', 'round trips closed'],
  ] as const)
    kpi(k, tip);
  const counts = h('p', { 'data-testid': 'order-fill-count' });
  const cost = h('p.muted.small', { 'data-testid': 'cost-model' });
  const equityChart = new SeriesChart('Equity', 'equity', (v) => money(v, 0), '#4fc3f7');
  // Drawn below zero (a fall), labelled as the API's fraction is read: 5.67% below the peak.
  const ddChart = new SeriesChart('Drawdown', 'below peak', (v) => pct(v || 0, 1), '#e57373', 160, 'rgba(229,115,115,0.25)');
  const attribution = (what: string): KeyedTable<readonly [string, number]> =>
    new KeyedTable<readonly [string, number]>(
      [
        { title: what, cell: (td, e) => cell(td, e[0]) },
        { title: 'P&L', kind: 'num', cell: (td, e) => cell(td, dollars(e[1]), signClass(e[1])) },
      ],
      (e) => e[0],
      'no attribution',
    );
  const byStrategy = attribution('Strategy');
  const byInstrument = attribution('Instrument');
  byStrategy.el.dataset.testid = 'attribution-strategy';
  byInstrument.el.dataset.testid = 'attribution-instrument';
  const backtestPart = h(
    'div.stack',
    { 'data-testid': 'backtest-detail' },
    h('div.charts', {}, equityChart.el, ddChart.el),
    h('div.row2', {}, panel('P&L by strategy', scroller(byStrategy.el)), panel('P&L by instrument', scroller(byInstrument.el))),
  );
  const sweep = new SweepPanel();
  const detailError = h('p.bad', { role: 'alert', hidden: true });
  const detailPanel = h('section.panel', { 'data-testid': 'run-detail', hidden: true }, title, meta, detailError, kpis, counts, cost, backtestPart, sweep.el);

  const form = createBacktestForm((id) => {
    void refreshList();
    if (id) select(id);
  });
  const el = h('div.view', { 'data-view': 'research' }, h('h1', {}, 'Research'), status, form, listPanel, detailPanel);

  // ---- data -----------------------------------------------------------------------
  async function refreshList(): Promise<void> {
    if (fetchingList) return;
    fetchingList = true;
    try {
      const r = await fetchJson(ROUTES.researchRuns);
      if (r.ok) {
        const list = normaliseRuns(r.body);
        const seen = new Set(list.map((x) => x.id));
        for (const id of [...runs.keys()]) if (!seen.has(id)) runs.delete(id);
        for (const x of list) runs.set(x.id, x);
        listError = null;
        listAt = Date.now();
      } else {
        listError = r.error;
        // A process without research answers 503: ask again rarely rather than fill the console.
        if (r.status === 503) nextFetchAt = Date.now() + DISABLED_POLL_MS;
      }
    } finally {
      fetchingList = false;
      render(Date.now());
    }
  }

  async function loadDetail(id: string): Promise<void> {
    const r = await fetchJson(ROUTES.researchRun(id));
    if (selected !== id) return;
    if (r.ok) {
      detail = normaliseRunDetail(r.body);
      detailError.hidden = true;
    } else {
      detail = null;
      detailError.hidden = false;
      setText(detailError, `could not read run ${id}: ${r.error}`);
    }
    showDetail();
    render(Date.now());
  }

  function select(id: string): void {
    if (selected === id) return;
    selected = id;
    detail = null;
    detailKey = '';
    showDetail();
    void loadDetail(id);
    render(Date.now());
  }

  async function cancel(id: string): Promise<void> {
    const r = runs.get(id);
    const ok = await confirmDialog({ title: `Cancel ${r?.name ?? id}?`, body: 'The run stops where it is; the figures cover what ran.', confirmLabel: 'Cancel run', danger: true });
    if (!ok) return;
    if (await runCommand(`cancel ${r?.name ?? id}`, (token) => commands.cancelRun(id, token))) void refreshList();
  }

  store.onResearch((raw) => {
    const e = normaliseResearchEvent(raw);
    if (!e) return;
    if (e.type === 'progress') {
      const r = runs.get(e.id);
      progressDetail.set(e.id, e.detail);
      if (r) runs.set(e.id, { ...r, progress: e.progress, status: r.status === 'queued' ? 'running' : r.status });
      else void refreshList();
    } else {
      runs.set(e.run.id, e.run);
      // A finished run has its series now.
      if (e.run.id === selected && !active(e.run.status)) void loadDetail(e.run.id);
    }
  });

  // ---- rendering ------------------------------------------------------------------
  function showDetail(): void {
    detailPanel.hidden = selected === null;
    const d = detail;
    const key = d ? `${d.id}:${d.status}:${d.finishedAt}` : '';
    if (key === detailKey) return;
    detailKey = key;
    setText(title, d ? `${d.kind === 'sweep' ? 'Sweep' : 'Back-test'}: ${d.name}` : selected ? `Loading ${selected}…` : 'Select a run');
    const best = d?.sweep ? `figures of the best row by ${d.sweep.objective}` : null;
    setText(meta, d ? [d.id, d.data, best, d.error ? `error: ${d.error}` : null].filter(Boolean).join(' · ') : '');
    const s = d?.summary ?? null;
    const put = (k: string, text: string): void => setText(kpiEls.get(k)!, text);
    put('total return', pct(s?.totalReturn, 2));
    put('annual return', pct(s?.annualReturn, 2));
    put('volatility', pct(s?.volatility, 2));
    put('Sharpe', fixed(s?.sharpe, 2));
    put('Sortino', fixed(s?.sortino, 2));
    put('Calmar', fixed(s?.calmar, 2));
    put('max drawdown', pct(s?.maxDrawdown, 2));
    put('max drawdown duration', duration(s?.maxDrawdownDurationMs));
    put('start equity', dollars(s?.startEquity));
    put('end equity', dollars(s?.endEquity));
    put('fees', dollars(s?.fees));
    put('slippage', dollars(s?.slippage));
    put('turnover', s?.turnover == null ? DASH : `${fixed(s.turnover, 2)}×`);
    put('avg gross', pct(s?.avgGross, 1));
    put('hit rate', pct(s?.hitRate, 1));
    put('avg win', dollars(s?.avgWin));
    put('avg loss', dollars(s?.avgLoss));
    put('trades', int(s?.trades));
    setText(counts, d ? `${int(d.orders)} orders · ${int(d.fills)} fills` : '');
    setText(cost, d?.cost ? `fill model: ${d.cost}` : '');
    const isSweep = d?.kind === 'sweep';
    backtestPart.hidden = !d || isSweep;
    sweep.el.hidden = !d || !isSweep;
    if (d && !isSweep) {
      equityChart.show(d.t, d.equity);
      ddChart.show(d.t, d.drawdown.map((x) => -x));
      byStrategy.render(d.byStrategy);
      byInstrument.render(d.byInstrument);
    }
    if (d?.sweep) sweep.show(d.sweep);
  }

  function render(now: number): void {
    if (el.isConnected && !fetchingList && now >= nextFetchAt) {
      nextFetchAt = now + LIST_POLL_MS;
      void refreshList();
    }
    const state = listError !== null ? 'error' : listAt === null ? 'nodata' : 'live';
    setData(status, 'state', state);
    setText(statusLabel, state === 'error' ? 'ERROR' : state === 'nodata' ? 'NO DATA YET' : 'FRESH');
    setText(statusDetail, listError ?? (listAt === null ? 'loading runs…' : `${runs.size} run${runs.size === 1 ? '' : 's'} · list updated ${ago(listAt, now)}${store.connected ? ' · progress streaming' : ' · progress stream down'}`));
    const list = [...runs.values()].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || a.id.localeCompare(b.id));
    table.render(list, (r) => (r.id === selected ? 'selected' : ''));
  }

  return { id: 'research', title: 'Research', sections: [], el, render };
}
