/**
 * Watchdog: the supervision tree as a tree, each actor's state, restarts
 * and last report; a restart (a restart count going up, or a supervisor
 * report naming the actor) makes its line flash. Below it, the dead letters:
 * messages the runtime could not deliver, counted per actor and reason, the
 * newest listed with what they were. In cluster mode, between the two, the
 * Cluster panel (watchdog-cluster.ts).
 */
import type { DeadLetterVM, ReportVM, TreeNodeVM } from '../api/index.js';
import { h, KeyedTable, panel, scroller, setData, setText } from '../ui/dom.js';
import { ago, clock, DASH, duration } from '../ui/format.js';
import { isLostWork } from '../../../src/runtime/dead-letters.js';
import type { Store } from '../store.js';
import { deadLettersOf, watchdogOf } from '../derive.js';
import { cell, chip, markPanel, StatusLine, type View } from './common.js';
import { ClusterPanel } from './watchdog-cluster.js';

const FLASH_MS = 2500;
/** Dead-letter reasons that lost work (a message that should have been handled); the rest are by design (conflated, late replies). */

interface NodeEls {
  readonly li: HTMLLIElement;
  readonly state: HTMLSpanElement;
  readonly meta: HTMLSpanElement;
  readonly report: HTMLSpanElement;
  readonly kids: HTMLUListElement;
}

function stateKind(state: string): string {
  if (state === 'running') return 'ok';
  if (state === 'restarting' || state === 'starting' || state === 'pending' || state === 'stopping') return 'warn';
  if (state === 'failed') return 'bad';
  return 'muted';
}

export function createWatchdogView(store: Store): View {
  const status = new StatusLine(store, ['watchdog', 'dead-letters']);
  const treeRoot = h('ul.tree', { 'data-testid': 'tree' });
  const empty = h('p.muted', {}, 'no supervision tree reported yet');
  const nodes = new Map<string, NodeEls>();
  const lastRestarts = new Map<string, number>();
  const flashUntil = new Map<string, number>();
  const reports = new KeyedTable<ReportVM & { key: string }>(
    [
      { title: 'Time', kind: 'num', cell: (td, r) => cell(td, clock(r.at)) },
      { title: 'Supervisor', wide: true, cell: (td, r) => cell(td, r.supervisor) },
      { title: 'Context', cell: (td, r) => chip(td, r.context, r.context === 'started' ? 'ok' : r.context === 'child_terminated' ? 'warn' : 'bad') },
      { title: 'Offender', cell: (td, r) => cell(td, r.offenderId) },
      { title: 'Inc', wide: true, kind: 'num', cell: (td, r) => cell(td, r.incarnation === null ? DASH : String(r.incarnation)) },
      { title: 'Reason', cell: (td, r) => cell(td, r.reason, 'wrap') },
    ],
    (r) => r.key,
    'no supervisor reports yet',
  );
  const treePanel = panel('Supervision tree', empty, treeRoot);
  const cluster = new ClusterPanel();
  const reportPanel = panel('Recent supervisor reports', scroller(reports.el));
  const deadTotal = h('p', { 'data-testid': 'dead-letters-total' });
  const deadCounts = new KeyedTable<{ actor: string; reason: string; count: number; key: string }>(
    [
      { title: 'Actor', cell: (td, c) => cell(td, c.actor) },
      { title: 'Reason', cell: (td, c) => chip(td, c.reason.replace(/_/g, ' '), isLostWork(c.reason) ? 'bad' : 'warn') },
      { title: 'Messages', kind: 'num', cell: (td, c) => cell(td, c.count.toLocaleString('en-US')) },
    ],
    (c) => c.key,
    'no dead letters',
  );
  const deadRecent = new KeyedTable<DeadLetterVM & { key: string }>(
    [
      { title: 'Time', kind: 'num', cell: (td, d) => cell(td, clock(d.at)) },
      { title: 'Actor', cell: (td, d) => cell(td, d.actor) },
      { title: 'Reason', cell: (td, d) => chip(td, d.reason.replace(/_/g, ' '), isLostWork(d.reason) ? 'bad' : 'warn') },
      { title: 'Message', cell: (td, d) => cell(td, d.type) },
      { title: 'From', wide: true, cell: (td, d) => cell(td, d.from ?? DASH) },
      { title: 'Detail', cell: (td, d) => cell(td, d.detail ?? '', 'wrap') },
    ],
    (d) => d.key,
    'no dead letters',
  );
  const deadPanel = panel('Dead letters', deadTotal, h('div.row2', {}, scroller(deadCounts.el), scroller(deadRecent.el)));
  deadPanel.dataset.testid = 'dead-letters';
  const el = h('div.view', { 'data-view': 'watchdog' }, h('h1', {}, 'Watchdog'), status.el, treePanel, reportPanel, deadPanel);

  function flash(id: string, now: number): void {
    flashUntil.set(id, now + FLASH_MS);
    const n = nodes.get(id);
    if (!n) return;
    // Restart the CSS animation even if it is already running.
    n.li.classList.remove('flash');
    void n.li.offsetWidth;
    n.li.classList.add('flash');
  }

  store.onReport((r) => {
    if (r.context === 'child_terminated' || r.context === 'started' || r.context === 'escalated') flash(r.offenderId, Date.now());
  });

  function nodeEls(node: TreeNodeVM): NodeEls {
    let n = nodes.get(node.id);
    if (!n) {
      const state = h('span.chip');
      const meta = h('span.node-meta');
      const report = h('span.node-report');
      const kids = h('ul');
      const li = h('li', { 'data-node': node.id, 'data-kind': node.kind }, h('div.node', {}, h('span.node-id', {}, node.id), state, meta, report), kids);
      n = { li, state, meta, report, kids };
      nodes.set(node.id, n);
    }
    return n;
  }

  function renderNode(node: TreeNodeVM, parent: HTMLUListElement, index: number, seen: Set<string>, now: number): void {
    seen.add(node.id);
    const n = nodeEls(node);
    if (parent.children[index] !== n.li) parent.insertBefore(n.li, parent.children[index] ?? null);
    setText(n.state, node.state);
    n.state.className = `chip chip-${stateKind(node.state)}`;
    const meta =
      node.kind === 'supervisor'
        ? [node.strategy, node.intensity ? `intensity ${node.intensity.recent}/${node.intensity.max} per ${duration(node.intensity.periodMs)}` : null, node.restarts !== null ? `restarts ${node.restarts}` : null]
        : [node.restart, node.incarnation !== null ? `inc ${node.incarnation}` : null, node.restarts !== null ? `restarts ${node.restarts}` : null, node.worker];
    setText(n.meta, meta.filter(Boolean).join(' · '));
    setText(n.report, node.lastReport ? `last: ${node.lastReport.context} ${ago(node.lastReport.at, now)}${node.lastReport.reason ? ' — ' + node.lastReport.reason : ''}` : '');
    setData(n.li, 'restarts', node.restarts === null ? null : String(node.restarts));
    const prev = lastRestarts.get(node.id);
    if (node.restarts !== null) {
      if (prev !== undefined && node.restarts > prev) flash(node.id, now);
      lastRestarts.set(node.id, node.restarts);
    }
    const until = flashUntil.get(node.id);
    if (until !== undefined && until <= now) {
      flashUntil.delete(node.id);
      n.li.classList.remove('flash');
    } else if (until !== undefined && !n.li.classList.contains('flash')) n.li.classList.add('flash');
    node.children.forEach((c, i) => renderNode(c, n.kids, i, seen, now));
    while (n.kids.children.length > node.children.length) n.kids.lastElementChild!.remove();
  }

  function render(now: number): void {
    const l = status.render(now);
    markPanel(treePanel, l);
    markPanel(reportPanel, l);
    const raw = store.slots.watchdog.value;
    const vm = raw === null ? null : watchdogOf(store);
    // Only in cluster mode, right under the tree whose shards the nodes run.
    if (vm?.cluster) {
      if (!cluster.el.isConnected) treePanel.after(cluster.el);
      cluster.render(vm.cluster, now, l);
    } else cluster.el.remove();
    const seen = new Set<string>();
    if (vm?.root) {
      empty.remove();
      renderNode(vm.root, treeRoot, 0, seen, now);
      while (treeRoot.children.length > 1) treeRoot.lastElementChild!.remove();
    } else if (!empty.isConnected) treePanel.insertBefore(empty, treeRoot);
    for (const id of [...nodes.keys()]) {
      if (!seen.has(id)) {
        nodes.get(id)!.li.remove();
        nodes.delete(id);
      }
    }
    // Stream reports first (newest), then the snapshot's, without repeats.
    const all: (ReportVM & { key: string })[] = [];
    const keys = new Set<string>();
    for (const r of [...store.reports.map((x) => x.v), ...(vm?.reports ?? [])]) {
      const key = `${r.at}|${r.supervisor}|${r.context}|${r.offenderId}|${r.incarnation}`;
      if (keys.has(key)) continue;
      keys.add(key);
      all.push({ ...r, key });
    }
    all.sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
    reports.render(all.slice(0, 50));

    const dl = deadLettersOf(store);
    setText(deadTotal, dl === null ? 'no data yet' : dl.total === 0 ? 'No message has been dead-lettered.' : `${(dl.total ?? 0).toLocaleString('en-US')} message${dl.total === 1 ? '' : 's'} dead-lettered since the daemon started`);
    deadCounts.render([...(dl?.counts ?? [])].sort((a, b) => b.count - a.count).map((c) => ({ ...c, key: `${c.actor}|${c.reason}` })));
    deadRecent.render((dl?.recent ?? []).slice(0, 50).map((d, i) => ({ ...d, key: `${d.at}|${d.actor}|${d.reason}|${d.type}|${i}` })));
  }

  return { id: 'watchdog', title: 'Watchdog', sections: ['watchdog', 'dead-letters'], el, render };
}
