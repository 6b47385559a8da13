/**
 * The Watchdog's Cluster panel (`qgtm daemon --cluster`): how many nodes run
 * and how many strategy slots they own, with the unowned ones in the warning
 * colour (their shards' strategies run nowhere until a node takes them);
 * which node owns which slots; per slot its owner, fencing token, lease time
 * left and the backlog of its two streams; and how old the coordinator's
 * read of Redis is, or why it failed.
 *
 * A daemon that runs alone sends `cluster: null`: the panel is then not on
 * the page at all (most installs never run a cluster, and the view is about
 * what runs, not about what is switched off).
 */
import type { ClusterNodeVM, ClusterSlotVM, ClusterVM } from '../api/index.js';
import { h, KeyedTable, panel, scroller, setText } from '../ui/dom.js';
import { ago, DASH, duration, int } from '../ui/format.js';
import type { Liveness } from '../store.js';
import { cell, chip, markPanel } from './common.js';

/** A stream backlog with its unit: "1 entry", "1,204 entries"; "—" while the stream does not exist. */
function entries(n: number | null): string {
  return n === null ? DASH : `${int(n)} ${n === 1 ? 'entry' : 'entries'}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export class ClusterPanel {
  readonly el: HTMLElement;
  private readonly figure = h('span', { 'data-testid': 'cluster-figure' });
  private readonly unowned = h('span.warn', { 'data-testid': 'cluster-unowned' });
  private readonly read = h('span', { 'data-testid': 'cluster-read' });
  private readonly prefix = h('span.muted', { 'data-testid': 'cluster-prefix' });
  private readonly nodes = new KeyedTable<ClusterNodeVM>(
    [
      { title: 'Node', cell: (td, n) => cell(td, n.id, 'mono') },
      { title: 'Slots owned', tip: 'strategy slots whose lease the node holds', cell: (td, n) => cell(td, n.slots.length === 0 ? 'none' : n.slots.join(', '), 'mono') },
    ],
    (n) => n.id,
    'no live node',
    'cluster-nodes',
  );
  private readonly slots = new KeyedTable<ClusterSlotVM>(
    [
      { title: 'Slot', kind: 'num', cell: (td, s) => cell(td, String(s.slot)) },
      { title: 'Owner', tip: "the node holding the slot's lease", cell: (td, s) => (s.owner === null ? chip(td, 'unowned', 'warn') : cell(td, s.owner, 'mono')) },
      { title: 'Token', kind: 'num', tip: 'fencing token: goes up each time the slot changes hands; a message under an older one is refused', cell: (td, s) => cell(td, s.token === null ? DASH : String(s.token)) },
      { title: 'Lease left', kind: 'num', tip: "time before the owner's lease runs out unless it renews it", cell: (td, s) => cell(td, duration(s.leaseLeftMs)) },
      { title: 'In pending', kind: 'num', tip: 'inputs delivered to the owner, not acknowledged yet', cell: (td, s) => cell(td, entries(s.inPending)) },
      { title: 'In lag', kind: 'num', tip: 'inputs not delivered to the owner yet', cell: (td, s) => cell(td, entries(s.inLag)) },
      { title: 'Out pending', kind: 'num', tip: "the owner's messages delivered to the coordinator, not acknowledged yet", cell: (td, s) => cell(td, entries(s.outPending)) },
      { title: 'Out lag', kind: 'num', tip: "the owner's messages not delivered to the coordinator yet", cell: (td, s) => cell(td, entries(s.outLag)) },
    ],
    (s) => String(s.slot),
    'no slot read yet',
    'cluster-slots',
  );

  constructor() {
    this.el = panel(
      'Cluster',
      h('p.cluster-head', {}, this.figure, this.unowned),
      h('div.row2.cluster-tables', {}, scroller(this.nodes.el), scroller(this.slots.el)),
      h('p.cluster-read', {}, this.read, this.prefix),
    );
    this.el.dataset.testid = 'cluster';
  }

  render(c: ClusterVM, now: number, l: Liveness): void {
    markPanel(this.el, l);
    const total = new Set([...c.slots.map((s) => s.slot), ...c.unowned]).size;
    setText(this.figure, `${plural(c.nodes.length, 'node')} · ${total - c.unowned.length}/${total} slots owned`);
    setText(this.unowned, c.unowned.length === 0 ? '' : ` · ${c.unowned.length} unowned (${c.unowned.length === 1 ? 'slot' : 'slots'} ${c.unowned.join(', ')})`);
    this.nodes.render(c.nodes);
    this.slots.render(c.slots, (s) => (s.owner === null ? 'unowned' : ''));
    const age = c.readAt === null ? null : ago(c.readAt, now);
    if (c.error !== null) setText(this.read, age === null ? c.error : `${c.error} · last good read ${age}`);
    else setText(this.read, age === null ? 'not read yet' : `read ${age}`);
    this.read.className = c.error === null ? '' : 'bad';
    setText(this.prefix, c.prefix === null ? '' : ` · Redis prefix ${c.prefix}`);
  }
}
