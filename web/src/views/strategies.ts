/**
 * Strategy status: the catalog joined with the live surface, each
 * strategy's latest signal, its state, and a control to enable or disable
 * it (confirmed, sent with the operator token). After a command the button
 * stays pending until the daemon's status shows the new state.
 */
import { commands, type StrategyVM } from '../api/index.js';
import { confirmDialog, runCommand } from '../ui/dialog.js';
import { h, KeyedTable, panel, scroller, setText } from '../ui/dom.js';
import { ago, DASH, dirText, fixed, int } from '../ui/format.js';
import type { Store } from '../store.js';
import { strategiesOf } from '../derive.js';
import { cell, chip, markPanel, StatusLine, type View } from './common.js';
import { createLearningPanel, learningColumns } from './strategies-learning.js';
import { createRuntimeBar, runtimeColumns } from './strategies-runtime.js';

const PENDING_MS = 15_000;

export function createStrategiesView(store: Store): View {
  const status = new StatusLine(store, ['strategies']);
  /** Strategy id -> the state we asked for and when. */
  const pending = new Map<string, { want: 'enabled' | 'disabled'; at: number }>();
  let now = Date.now();

  async function toggle(s: StrategyVM): Promise<void> {
    const action = s.state === 'enabled' ? 'disable' : 'enable';
    const v = await confirmDialog({
      title: `${action === 'enable' ? 'Enable' : 'Disable'} ${s.id}?`,
      body: action === 'disable' ? 'The strategy stops producing signals; its weight in the posture goes to zero on the next rebalance.' : 'The strategy is evaluated again from its next trigger (an error state is cleared).',
      confirmLabel: action === 'enable' ? 'Enable' : 'Disable',
      danger: action === 'disable',
      fields: [{ name: 'reason', label: 'Reason', value: action === 'disable' ? '' : 'operator re-enabled', required: action === 'disable' }],
    });
    if (!v) return;
    pending.set(s.id, { want: action === 'enable' ? 'enabled' : 'disabled', at: Date.now() });
    store.changed();
    const ok = await runCommand(`${action} ${s.id}`, (token) => commands.strategy(s.id, action, v.reason ?? '', token));
    if (!ok) pending.delete(s.id);
    await store.refresh(['strategies']);
  }

  const table = new KeyedTable<StrategyVM>(
    [
      { title: 'Strategy', cell: (td, s) => cell(td, s.id, 'sym') },
      { title: 'Family', wide: true, cell: (td, s) => cell(td, s.family ?? DASH) },
      ...runtimeColumns(store),
      { title: 'State', cell: (td, s) => chip(td, s.state ?? 'not live', s.state === 'enabled' ? 'ok' : s.state === 'error' ? 'bad' : s.state === 'disabled' ? 'off' : 'muted') },
      {
        title: '',
        kind: 'ctl',
        cell: (td, s) => {
          let b = td.firstElementChild as HTMLButtonElement | null;
          if (!b) {
            b = h('button', { type: 'button', 'data-strategy': s.id });
            b.addEventListener('click', () => {
              const cur = strategiesOf(store)?.strategies.find((x) => x.id === b!.dataset.strategy);
              if (cur) void toggle(cur);
            });
            td.append(b);
          }
          const p = pending.get(s.id);
          const live = s.state !== null;
          const label = p ? (p.want === 'enabled' ? 'Enabling…' : 'Disabling…') : s.state === 'enabled' ? 'Disable' : 'Enable';
          setText(b, label);
          b.disabled = p !== undefined || !live || !store.connected;
          b.className = s.state === 'enabled' ? 'small danger-outline' : 'small primary-outline';
          b.dataset.action = s.state === 'enabled' ? 'disable' : 'enable';
        },
      },
      { title: 'Shard', wide: true, kind: 'num', cell: (td, s) => cell(td, s.shard === null ? DASH : String(s.shard)) },
      {
        title: 'Instruments',
        wide: true,
        tip: 'what it trades; "reads" names symbols it uses but does not trade',
        cell: (td, s) => {
          const traded = s.instruments.length > 4 ? `${s.instruments.slice(0, 4).join(' ')} +${s.instruments.length - 4}` : s.instruments.join(' ') || DASH;
          cell(td, s.inputs.length > 0 ? `${traded} · reads ${s.inputs.join(' ')}` : traded);
        },
      },
      { title: 'Evals', wide: true, kind: 'num', cell: (td, s) => cell(td, int(s.evaluations)) },
      { title: 'Signals', wide: true, kind: 'num', cell: (td, s) => cell(td, int(s.signals)) },
      { title: 'Errors', wide: true, kind: 'num', cell: (td, s) => cell(td, int(s.errors), (s.errors ?? 0) > 0 ? 'bad' : '') },
      {
        title: 'Latest signal',
        cell: (td, s) => {
          const g = s.lastSignal;
          td.title = g?.reason ?? '';
          cell(td, g ? `${dirText(g.direction)} ${g.symbol} s${fixed(g.strength, 2)} c${fixed(g.confidence, 2)}` : DASH, g ? (g.direction > 0 ? 'pos' : g.direction < 0 ? 'neg' : '') : '');
        },
      },
      { title: 'Signal age', kind: 'num', cell: (td, s) => cell(td, ago(s.lastSignal?.ts ?? s.lastSignalAt, now)) },
      { title: 'Weight', wide: true, kind: 'num', tip: 'meta-model weight', cell: (td, s) => cell(td, fixed(s.weight, 2)) },
      ...learningColumns(),
      { title: 'Note', wide: true, cell: (td, s) => cell(td, s.lastError ?? s.disabledReason ?? '', s.lastError ? 'bad wrap' : 'wrap') },
    ],
    (s) => s.id,
    'no strategies reported yet',
  );
  const summary = h('div.kpis');
  const kpi = (label: string): HTMLElement => {
    const v = h('span.kpi-value');
    summary.append(h('div.kpi', {}, h('span.kpi-label', {}, label), v));
    return v;
  };
  const kRegime = kpi('regime');
  const kEnabled = kpi('enabled');
  const kDisabled = kpi('disabled');
  const kError = kpi('error');
  const kCatalog = kpi('catalog');
  const kRuntime = kpi('runtime');
  const runtimeBar = createRuntimeBar(store);
  const tablePanel = panel('Catalog and live surface', summary, runtimeBar.el, scroller(table.el));
  const learning = createLearningPanel(store);
  const el = h('div.view', { 'data-view': 'strategies' }, h('h1', {}, 'Strategies'), status.el, tablePanel, learning.el);

  function render(t: number): void {
    now = t;
    const l = status.render(now);
    markPanel(tablePanel, l);
    const vm = strategiesOf(store);
    const list = vm?.strategies ?? [];
    for (const [id, p] of pending) {
      const s = list.find((x) => x.id === id);
      if ((s && s.state === p.want) || now - p.at > PENDING_MS) pending.delete(id);
    }
    table.render(list, (s) => (s.state === 'disabled' ? 'dim' : s.state === 'error' ? 'errored' : ''));
    const count = (st: string): string => (vm ? String(list.filter((s) => s.state === st).length) : DASH);
    setText(kRegime, vm?.regime ?? DASH);
    setText(kEnabled, count('enabled'));
    setText(kDisabled, count('disabled'));
    setText(kError, count('error'));
    setText(kCatalog, vm ? String(list.filter((s) => !s.origin).length) : DASH);
    setText(kRuntime, vm ? String(list.filter((s) => s.origin).length) : DASH);
    runtimeBar.render(list);
    learning.render(vm);
  }

  return { id: 'strategies', title: 'Strategies', sections: ['strategies'], el, render };
}
