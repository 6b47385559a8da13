/**
 * The Strategies view's learning parts: the attribution and learning
 * columns (P&L in dollars, hit rate in percent, learned weight), and the
 * support-models panel: what each model does, the learning state with a
 * Freeze/Unfreeze control (confirmed, sent with the operator token), and
 * the weight history of one strategy as a chart.
 */
import { commands, type StrategiesVM, type StrategyVM, type SupportModelVM } from '../api/index.js';
import { confirmDialog, runCommand } from '../ui/dialog.js';
import { h, panel, setText, type Column } from '../ui/dom.js';
import { DASH, duration, fixed, money, pct, signClass } from '../ui/format.js';
import { SeriesChart } from '../ui/series-chart.js';
import type { Store } from '../store.js';
import { cell } from './common.js';

/** Columns for the strategies table: attributed P&L, hit rate, learned weight. */
export function learningColumns(): Column<StrategyVM>[] {
  return [
    { title: 'P&L', kind: 'num', tip: 'P&L attributed by the allocator, dollars', cell: (td, s) => cell(td, money(s.pnl, 2), signClass(s.pnl)) },
    { title: 'Hit rate', wide: true, kind: 'num', tip: 'share of learning periods with positive attributed P&L', cell: (td, s) => cell(td, pct(s.hitRate, 0)) },
    { title: 'Learned', kind: 'num', tip: 'self-learned weight on its votes (1 neutral)', cell: (td, s) => cell(td, fixed(s.learnedWeight, 2)) },
  ];
}

interface LearningState {
  readonly enabled?: unknown;
  readonly frozen?: unknown;
  readonly settings?: { readonly rate?: number; readonly share?: number; readonly floor?: number; readonly cap?: number; readonly periodMs?: number };
  readonly updates?: unknown;
  readonly history?: readonly { readonly ts: number; readonly weights: Readonly<Record<string, number>> }[];
}

export interface LearningPanel {
  readonly el: HTMLElement;
  render(vm: StrategiesVM | null): void;
}

export function createLearningPanel(store: Store): LearningPanel {
  const list = h('dl.support-models');
  const stateLine = h('span', { 'data-learning': 'state' });
  const button = h('button.small', { type: 'button', 'data-action': 'learning' });
  const pick = h('select', { 'aria-label': 'strategy for the weight history' });
  const chart = new SeriesChart('Learned weight', 'weight', (v) => fixed(v, 2), '#e0b341', 180);
  let frozen: boolean | null = null;
  let pending = false;
  let shown = '';

  button.addEventListener('click', () => void toggle());
  pick.addEventListener('change', () => (shown = ''));

  async function toggle(): Promise<void> {
    if (frozen === null) return;
    const want = !frozen;
    const v = await confirmDialog({
      title: want ? 'Freeze learning?' : 'Unfreeze learning?',
      body: want ? 'The learned weights stop updating; the weights in force stay applied.' : 'The learned weights update again at the end of each learning period.',
      confirmLabel: want ? 'Freeze' : 'Unfreeze',
      danger: false,
      fields: [{ name: 'reason', label: 'Reason', value: '', required: true }],
    });
    if (!v) return;
    pending = true;
    store.changed();
    await runCommand(want ? 'freeze learning' : 'unfreeze learning', (token) => commands.learning(want, v.reason ?? '', token));
    pending = false;
    await store.refresh(['strategies']);
  }

  function renderModels(models: readonly SupportModelVM[]): void {
    const key = models.map((m) => `${m.id}:${m.description}`).join('|');
    if (list.dataset.key === key) return;
    list.dataset.key = key;
    list.replaceChildren(...models.flatMap((m) => [h('dt', {}, m.id), h('dd', { 'data-model': m.id }, m.description)]));
  }

  function renderHistory(l: LearningState | null): void {
    const history = l?.history ?? [];
    const ids = [...new Set(history.flatMap((p) => Object.keys(p.weights)))].sort();
    if (pick.dataset.ids !== ids.join(',')) {
      const was = pick.value;
      pick.dataset.ids = ids.join(',');
      pick.replaceChildren(...ids.map((id) => h('option', { value: id }, id)));
      if (ids.includes(was)) pick.value = was;
    }
    const id = pick.value;
    const key = `${id}|${history.length}|${history.at(-1)?.ts ?? 0}`;
    if (key === shown) return;
    shown = key;
    const pts = history.filter((p) => typeof p.weights[id] === 'number');
    chart.show(
      pts.map((p) => p.ts / 1000),
      pts.map((p) => p.weights[id]!),
    );
  }

  function render(vm: StrategiesVM | null): void {
    const models = vm?.supportModels ?? [];
    renderModels(models);
    const l = (models.find((m) => m.id === 'learning')?.state ?? null) as LearningState | null;
    frozen = l && l.enabled === true ? l.frozen === true : null;
    const s = l?.settings;
    setText(
      stateLine,
      l === null
        ? 'learning: no state from the allocator yet'
        : l.enabled !== true
          ? 'learning: disabled by configuration'
          : `learning: ${frozen ? 'FROZEN' : 'active'} · ${String(l.updates ?? 0)} periods · every ${duration(s?.periodMs)} · rate ${fixed(s?.rate, 2)} · share ${fixed(s?.share, 2)} · bounds ${fixed(s?.floor, 2)}–${fixed(s?.cap, 2)}`,
    );
    stateLine.className = frozen ? 'warn' : '';
    setText(button, pending ? (frozen ? 'Unfreezing…' : 'Freezing…') : frozen ? 'Unfreeze' : 'Freeze');
    button.disabled = pending || frozen === null || !store.connected;
    button.dataset.frozen = frozen === null ? DASH : String(frozen);
    renderHistory(l);
  }

  const el = panel('Support models', list, h('div.learning-state', {}, stateLine, ' ', button), h('label', {}, 'weight history ', pick), chart.el);
  return { el, render };
}
