/**
 * Risk: the current tier large and coloured, active triggers, every trigger
 * reading, exposure and drawdown, the tier history, and the kill switch:
 * set a floor tier, clear it, flatten. Every control asks for confirmation
 * and is sent with the operator token; FLATTEN must be typed out.
 */
import { commands, TIERS, tierRank, type TierChangeVM, type TriggerUnit, type TriggerVM } from '../api/index.js';
import { confirmDialog, runCommand } from '../ui/dialog.js';
import { h, KeyedTable, panel, scroller, setData, setText } from '../ui/dom.js';
import { ago, clock, DASH, dropPrefix, duration, fixed, money, pct, times } from '../ui/format.js';
import type { Store } from '../store.js';
import { riskOf } from '../derive.js';
import { cell, chip, markPanel, StatusLine, tierClass, type View } from './common.js';

/** A trigger's unit: the daemon's, else a guess from its name (older daemons send none). */
export function unitOf(t: TriggerVM): TriggerUnit {
  if (t.unit) return t.unit;
  if (['drawdown', 'daily_loss', 'reconciliation_drift'].includes(t.trigger)) return 'pct';
  if (['stale_data', 'heartbeat'].includes(t.trigger)) return 'ms';
  if (['gross_exposure', 'concentration'].includes(t.trigger)) return 'ratio';
  if (t.trigger === 'broker_disconnected') return 'flag';
  return 'count';
}

/** One value of a trigger in its unit: 3% as "3.00%", 0.9 of equity as "0.90×", 5000 ms as "5.0 s". */
export function inUnit(x: number | null, unit: TriggerUnit, trigger = ''): string {
  if (x === null) return DASH;
  switch (unit) {
    case 'pct':
      return pct(x, 2);
    case 'ratio':
      return times(x, 2);
    case 'ms':
      return duration(x);
    case 'flag':
      return trigger === 'broker_disconnected' ? (x >= 1 ? 'disconnected' : 'connected') : x >= 1 ? 'yes' : 'no';
    case 'count':
      return fixed(x, 0);
  }
}

function metricText(t: TriggerVM): string {
  if (t.trigger === 'operator') return t.tier === 'NORMAL' ? 'no floor' : `floor ${t.tier}`;
  return inUnit(t.metric, unitOf(t), t.trigger);
}

/** Every rung of the trigger's ladder in its unit, "WARN 3.00% · NO_NEW 8.00%"; the rung in force marked. */
export function thresholdText(t: TriggerVM): string {
  const unit = unitOf(t);
  if (t.ladder.length > 0) {
    return t.ladder.map((r) => (unit === 'flag' ? `${r.tier} if ${inUnit(r.value, unit, t.trigger)}` : `${r.tier} ${inUnit(r.value, unit, t.trigger)}`)).join(' · ');
  }
  return t.threshold === null ? DASH : `${t.tier} ${inUnit(t.threshold, unit, t.trigger)}`;
}

export function createRiskView(store: Store): View {
  const status = new StatusLine(store, ['risk']);
  const tierBig = h('div.tier-big', { 'data-testid': 'tier', 'data-tier': '' }, DASH);
  const tierSince = h('div.tier-sub');
  const tierFloor = h('div.tier-sub');
  const active = h('div.chips', { 'data-testid': 'active-triggers' });
  const triggers = new KeyedTable<TriggerVM>(
    [
      { title: 'Trigger', cell: (td, t) => cell(td, t.trigger.replace(/_/g, ' ')) },
      { title: 'Demands', cell: (td, t) => chip(td, t.tier, `tier-${t.tier}`) },
      { title: 'Metric', kind: 'num', cell: (td, t) => cell(td, metricText(t)) },
      { title: 'Thresholds', wide: true, cell: (td, t) => cell(td, thresholdText(t)) },
      { title: 'Reason', cell: (td, t) => cell(td, t.reason, 'wrap') },
    ],
    (t) => t.trigger,
    'no trigger readings yet',
  );
  const history = new KeyedTable<TierChangeVM>(
    [
      { title: 'Time', kind: 'num', cell: (td, c) => cell(td, clock(c.at)) },
      { title: 'From', cell: (td, c) => chip(td, c.from, c.from ? `tier-${c.from}` : null) },
      { title: 'To', cell: (td, c) => chip(td, c.to, `tier-${c.to}`) },
      { title: 'Cause', cell: (td, c) => cell(td, c.cause?.replace(/_/g, ' ') ?? DASH) },
      { title: 'Reason', cell: (td, c) => cell(td, c.reason, 'wrap') },
    ],
    (c) => `${c.at}|${c.from}|${c.to}`,
    'no tier changes yet',
  );
  const kpis = h('div.kpis');
  const kpi = (label: string): HTMLElement => {
    const v = h('span.kpi-value', { 'data-kpi': label });
    kpis.append(h('div.kpi', {}, h('span.kpi-label', {}, label), v));
    return v;
  };
  const kEquity = kpi('equity');
  const kGross = kpi('gross exposure');
  const kGrossRatio = kpi('gross / equity');
  const kNet = kpi('net exposure');
  const kNetRatio = kpi('net / equity');
  const kTarget = kpi('target gross / net');
  const kDd = kpi('drawdown');
  const kDaily = kpi('daily loss');

  const select = h('select', { 'aria-label': 'floor tier', 'data-testid': 'tier-select' }, ...TIERS.filter((t) => t !== 'NORMAL').map((t) => h('option', { value: t }, t)));
  const setBtn = h('button.primary', { type: 'button', 'data-action': 'set-tier' }, 'Set floor');
  const clearBtn = h('button', { type: 'button', 'data-action': 'clear-tier' }, 'Clear floor');
  const flattenBtn = h('button.danger.big', { type: 'button', 'data-action': 'flatten' }, 'FLATTEN ALL');
  setBtn.addEventListener('click', async () => {
    const tier = select.value as (typeof TIERS)[number];
    const v = await confirmDialog({
      title: `Set risk floor ${tier}?`,
      body: `The governor will not go below ${tier} until the floor is cleared.${tier === 'FLATTEN' ? ' FLATTEN cancels open orders and liquidates every position.' : ''}`,
      confirmLabel: `Set ${tier}`,
      danger: true,
      fields: [{ name: 'reason', label: 'Reason', required: true }, ...(tier === 'FLATTEN' ? [{ name: 'confirm', label: 'Type FLATTEN', mustEqual: 'FLATTEN' }] : [])],
    });
    if (!v) return;
    await runCommand(`set floor ${tier}`, (token) => commands.setTier(tier, v.reason!, token));
    await store.refresh(['risk']);
  });
  clearBtn.addEventListener('click', async () => {
    const v = await confirmDialog({ title: 'Clear the operator floor?', body: 'Triggers alone decide the tier again; a latched FLATTEN is released and steps down one tier at a time.', confirmLabel: 'Clear floor', fields: [{ name: 'reason', label: 'Reason', required: true }] });
    if (!v) return;
    await runCommand('clear floor', (token) => commands.clearTier(v.reason!, token));
    await store.refresh(['risk']);
  });
  flattenBtn.addEventListener('click', async () => {
    const v = await confirmDialog({
      title: 'FLATTEN everything?',
      body: 'Cancels every open order and liquidates every position now. The tier stays FLATTEN until an operator clears it.',
      confirmLabel: 'FLATTEN',
      danger: true,
      fields: [
        { name: 'reason', label: 'Reason', required: true },
        { name: 'confirm', label: 'Type FLATTEN', mustEqual: 'FLATTEN' },
      ],
    });
    if (!v) return;
    await runCommand('flatten', (token) => commands.flatten(v.reason!, token));
    await store.refresh(['risk']);
  });

  const tierPanel = h('section.panel.tier-panel', {}, h('h2', {}, 'Current tier'), tierBig, tierSince, tierFloor, h('h3', {}, 'Active triggers'), active);
  const expPanel = panel('Exposure and drawdown', kpis);
  const ctlPanel = panel('Kill switch', h('div.controls', {}, h('label.inline', {}, h('span', {}, 'Floor'), select), setBtn, clearBtn), h('div.controls', {}, flattenBtn), h('p.muted.small', {}, 'Commands need the operator token and a confirmation.'));
  const trigPanel = panel('Triggers', scroller(triggers.el));
  const histPanel = panel('Tier history', scroller(history.el));
  const el = h(
    'div.view',
    { 'data-view': 'risk' },
    h('h1', {}, 'Risk'),
    status.el,
    h('div.risk-top', {}, tierPanel, h('div.stack', {}, expPanel, ctlPanel)),
    trigPanel,
    histPanel,
  );

  function render(now: number): void {
    const l = status.render(now);
    for (const p of [tierPanel, expPanel, trigPanel, histPanel]) markPanel(p, l);
    const r = riskOf(store);
    setText(tierBig, r?.tier ?? DASH);
    tierBig.className = `tier-big ${tierClass(r?.tier ?? null)}`;
    setData(tierBig, 'tier', r?.tier ?? '');
    setText(tierSince, r?.since ? `since ${clock(r.since)} (${ago(r.since, now)})${r.coolDownRemainingMs !== null ? ` · next step down in ${duration(r.coolDownRemainingMs)}` : ''}` : '');
    setText(tierFloor, r?.floor ? `operator floor ${r.floor}${r.floorReason ? ': ' + dropPrefix(r.floorReason, 'operator:') : ''}${r.latched ? ' · LATCHED' : ''}` : r ? 'no operator floor' : '');
    const act = (r?.triggers ?? []).filter((t) => t.tier !== 'NORMAL');
    const key = act.map((t) => `${t.trigger}:${t.tier}`).join('|') + (r ? '' : '?');
    if (active.dataset.items !== key) {
      active.dataset.items = key;
      active.textContent = '';
      if (!r) active.append(h('span.muted', {}, 'no data yet'));
      else if (act.length === 0) active.append(h('span.chip.chip-ok', {}, 'none'));
      for (const t of act) active.append(h('span', { class: `chip chip-tier-${t.tier}`, title: t.reason }, `${t.trigger.replace(/_/g, ' ')} → ${t.tier}`));
    }
    triggers.render([...(r?.triggers ?? [])].sort((a, b) => tierRank(b.tier) - tierRank(a.tier)), (t) => (t.tier !== 'NORMAL' ? 'active' : ''));
    history.render((r?.history ?? []).slice(0, 50));
    setText(kEquity, money(r?.equity));
    setText(kGross, money(r?.grossExposure));
    setText(kGrossRatio, times(r?.grossExposureRatio, 2));
    setText(kNet, money(r?.netExposure));
    setText(kNetRatio, times(r?.netExposureRatio, 2, true));
    setText(kTarget, r?.targetGrossRatio == null ? DASH : `${times(r.targetGrossRatio, 2)} / ${times(r.targetNetRatio, 2, true)}`);
    setText(kDd, pct(r?.drawdown, 2));
    setText(kDaily, pct(r?.dailyLoss, 2));
    const off = !store.connected;
    for (const b of [setBtn, clearBtn, flattenBtn]) b.disabled = off;
  }

  return { id: 'risk', title: 'Risk', sections: ['risk'], el, render };
}
