/**
 * Daemon telemetry: ticks, signals and orders per second, event-loop delay
 * per worker and mailbox depths as live charts over the last five minutes,
 * plus every actor's mailbox now.
 */
import type { ActorLoadVM } from '../api/index.js';
import { StreamChart } from '../ui/chart.js';
import { h, KeyedTable, panel, scroller, setText } from '../ui/dom.js';
import { DASH, fixed, int, rate } from '../ui/format.js';
import type { Store } from '../store.js';
import { cell, markPanel, StatusLine, type View } from './common.js';

const SOURCE_TEXT = {
  daemon: 'rates computed by the daemon',
  counters: "rates from the daemon's counters",
  stream: 'rates counted on the telemetry stream (the daemon sends no counters)',
} as const;

export function createTelemetryView(store: Store): View {
  const status = new StatusLine(store, ['health']);
  const rates = new StreamChart('Throughput', 'per second');
  const eld = new StreamChart('Event-loop delay per worker', 'ms');
  const mailbox = new StreamChart('Mailbox depth', 'messages');
  const source = h('p.muted.small');
  const summary = h('div.kpis');
  const kpi = (label: string): HTMLElement => {
    const v = h('span.kpi-value', { 'data-kpi': label });
    summary.append(h('div.kpi', {}, h('span.kpi-label', {}, label), v));
    return v;
  };
  const kTicks = kpi('ticks');
  const kSignals = kpi('signals');
  const kOrders = kpi('orders');
  const kMailbox = kpi('queued msgs');
  const kEld = kpi('worst loop delay');
  const table = new KeyedTable<ActorLoadVM & { eld: number | null }>(
    [
      { title: 'Actor', cell: (td, a) => cell(td, a.id) },
      { title: 'Worker', wide: true, cell: (td, a) => cell(td, a.worker ?? DASH) },
      { title: 'State', wide: true, cell: (td, a) => cell(td, a.state ?? DASH) },
      { title: 'Loop delay', kind: 'num', tip: "event-loop delay of the actor's worker", cell: (td, a) => cell(td, a.eld === null ? DASH : `${fixed(a.eld, 1)} ms`, a.eld !== null && a.eld > 50 ? 'warn' : '') },
      { title: 'Depth', kind: 'num', cell: (td, a) => cell(td, int(a.mailboxDepth)) },
      { title: 'Capacity', wide: true, kind: 'num', cell: (td, a) => cell(td, int(a.mailboxCapacity)) },
      {
        title: 'Fill',
        kind: 'num',
        cell: (td, a) => {
          const f = a.mailboxDepth !== null && a.mailboxCapacity ? a.mailboxDepth / a.mailboxCapacity : null;
          let bar = td.querySelector<HTMLElement>('.bar-fill');
          if (!bar) {
            td.textContent = '';
            bar = h('span.bar-fill');
            td.append(h('span.bar', {}, bar));
          }
          const w = `${Math.min(100, Math.round((f ?? 0) * 100))}%`;
          if (bar.style.width !== w) bar.style.width = w;
          td.title = f === null ? 'unknown' : `${fixed(f * 100, 1)}%`;
          td.classList.toggle('bad', f !== null && f > 0.8);
        },
      },
    ],
    (a) => a.id,
    'the daemon reports no mailboxes yet',
  );
  const charts = panel('Live charts (5 min)', summary, source, h('div.charts', {}, rates.el, eld.el, mailbox.el));
  const mailboxes = panel('Actors: mailboxes and worker loop delay', scroller(table.el));
  const el = h('div.view', { 'data-view': 'telemetry' }, h('h1', {}, 'Daemon telemetry'), status.el, charts, mailboxes);
  let drawn = -1;

  function last(xs: readonly (number | null)[]): number | null {
    for (let i = xs.length - 1; i >= 0; i--) if (xs[i] !== null) return xs[i]!;
    return null;
  }

  function render(now: number): void {
    const l = status.render(now);
    markPanel(charts, l);
    markPanel(mailboxes, l);
    const t = store.telemetry;
    const live = l === 'live';
    // A number that is not live is not shown as one.
    // Each rate in the unit that reads best: a few orders a minute as "8.0/min", not "0.13/s".
    const show = (x: number | null): string => (live && x !== null ? rate(x) : DASH);
    setText(kTicks, show(last(t.ticks)));
    setText(kSignals, show(last(t.signals)));
    setText(kOrders, show(last(t.orders)));
    setText(kMailbox, live ? int(last(t.mailboxTotal)) : DASH);
    const worstEld = Math.max(...[...t.eld.values()].map((s) => last(s) ?? -1), -1);
    setText(kEld, live && worstEld >= 0 ? `${fixed(worstEld, 1)} ms` : DASH);
    setText(source, t.rateSource ? SOURCE_TEXT[t.rateSource] : 'waiting for health telemetry…');
    if (t.version !== drawn && el.isConnected) {
      drawn = t.version;
      rates.update(
        [{ label: 'ticks' }, { label: 'signals' }, { label: 'orders' }],
        [t.t, t.ticks, t.signals, t.orders],
      );
      const workers = [...t.eld.keys()].sort();
      eld.update(
        workers.map((w) => ({ label: w })),
        [t.t, ...workers.map((w) => t.eld.get(w)!)],
      );
      mailbox.update([{ label: 'total queued' }, { label: 'deepest mailbox' }], [t.t, t.mailboxTotal, t.mailboxMax]);
    }
    const hv = store.health();
    const eldBy = new Map((hv?.workers ?? []).map((w) => [w.id, w.eventLoopDelayMs]));
    const actors = (hv?.actors ?? []).map((a) => ({ ...a, eld: a.worker === null ? null : (eldBy.get(a.worker) ?? null) }));
    table.render(actors.sort((a, b) => (b.mailboxDepth ?? -1) - (a.mailboxDepth ?? -1) || a.id.localeCompare(b.id)));
  }

  return { id: 'telemetry', title: 'Telemetry', sections: ['health'], el, render };
}
