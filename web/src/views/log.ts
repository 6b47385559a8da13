/**
 * Log: the daemon's audit trail, newest first. Every operator command (who,
 * what, why, and whether the daemon did it) and the events an operator reads
 * back after the fact: risk tier changes, supervisor restarts, the broker
 * link, failed reconciliations, lost messages. The daemon keeps it on disk,
 * so it survives restarts.
 */
import { normaliseAudit, type AuditEntryVM } from '../api/index.js';
import { h, KeyedTable, panel, scroller, setText } from '../ui/dom.js';
import { clock, DASH } from '../ui/format.js';
import type { Store } from '../store.js';
import { cell, chip, markPanel, StatusLine, type View } from './common.js';

const KINDS: readonly [string, string][] = [
  ['', 'everything'],
  ['command', 'operator commands'],
  ['risk', 'risk tier'],
  ['supervisor', 'restarts'],
  ['broker', 'broker link'],
  ['reconciliation', 'reconciliation'],
  ['dead_letter', 'lost messages'],
  ['daemon', 'daemon'],
];

/** A time of day, with the date when it is not today: an audit trail reaches back across restarts. */
function when(at: number | null, now: number): string {
  if (at === null) return DASH;
  const d = new Date(at);
  const today = new Date(now).toDateString() === d.toDateString();
  return today ? clock(at) : `${d.toISOString().slice(0, 10)} ${clock(at)}`;
}

export function createLogView(store: Store): View {
  const status = new StatusLine(store, ['audit']);
  const select = h('select', { 'data-testid': 'log-kind', 'aria-label': 'show' }, ...KINDS.map(([v, label]) => h('option', { value: v }, label)));
  const count = h('span.muted.small', { 'data-testid': 'log-count' });
  let now = Date.now();
  const table = new KeyedTable<AuditEntryVM & { key: string }>(
    [
      { title: 'Time', kind: 'num', cell: (td, e) => cell(td, when(e.at, now)) },
      { title: 'Kind', cell: (td, e) => chip(td, e.kind.replace(/_/g, ' '), e.level === 'error' ? 'bad' : e.level === 'warn' ? 'warn' : 'ok') },
      { title: 'Who', wide: true, cell: (td, e) => cell(td, e.by ?? DASH) },
      { title: 'What happened', cell: (td, e) => cell(td, e.message, 'wrap') },
    ],
    (e) => e.key,
    'no entries yet',
  );
  select.addEventListener('change', () => render(Date.now()));
  const body = panel('Audit trail (kept by the daemon across restarts)', h('div.controls', {}, h('label.inline', {}, h('span', {}, 'Show'), select), count), scroller(table.el));
  const el = h('div.view', { 'data-view': 'log' }, h('h1', {}, 'Log'), status.el, body);

  function render(at: number): void {
    now = at;
    markPanel(body, status.render(at));
    const all = store.slots.audit.value === null ? [] : normaliseAudit(store.slots.audit.value);
    const kind = select.value;
    const shown = kind === '' ? all : all.filter((e) => e.kind === kind);
    setText(count, store.slots.audit.value === null ? '' : `${shown.length} of the newest ${all.length}`);
    table.render(shown.map((e, i) => ({ ...e, key: `${e.at}|${e.kind}|${e.message}|${i}` })));
  }

  return { id: 'log', title: 'Log', sections: ['audit'], el, render };
}
