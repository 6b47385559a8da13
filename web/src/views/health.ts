/**
 * Health: API, daemon and stream up or down, heartbeat ages, bus (Redis),
 * venue/broker/market-data links, degraded states, uptimes, and per-worker
 * heartbeats.
 */
import type { WorkerVM } from '../api/index.js';
import { h, KeyedTable, panel, scroller, setData, setText } from '../ui/dom.js';
import { ago, bytes, DASH, duration, fixed, int } from '../ui/format.js';
import type { Store } from '../store.js';
import { cell, markPanel, StatusLine, type View } from './common.js';

type CardState = 'up' | 'down' | 'warn' | 'unknown';

class Card {
  readonly el: HTMLDivElement;
  private readonly value: HTMLDivElement;
  private readonly sub: HTMLDivElement;
  constructor(title: string, key: string) {
    this.value = h('div.card-value');
    this.sub = h('div.card-sub');
    this.el = h('div.card', { 'data-card': key, 'data-state': 'unknown' }, h('div.card-title', {}, title), this.value, this.sub);
  }
  set(state: CardState, value: string, sub: string): void {
    setData(this.el, 'state', state);
    setText(this.value, value);
    setText(this.sub, sub);
  }
}

const upDown = (up: boolean | null): CardState => (up === null ? 'unknown' : up ? 'up' : 'down');
const upText = (up: boolean | null, yes = 'UP', no = 'DOWN'): string => (up === null ? DASH : up ? yes : no);

export function createHealthView(store: Store): View {
  const status = new StatusLine(store, ['health']);
  const api = new Card('Gateway API', 'api');
  const daemon = new Card('Daemon', 'daemon');
  const stream = new Card('Telemetry stream', 'stream');
  const bus = new Card('State bus', 'bus');
  const linkGrid = h('div.cards');
  const links = new Map<string, Card>();
  const degraded = h('div.chips', { 'data-testid': 'degraded' });
  const workers = new KeyedTable<WorkerVM>(
    [
      { title: 'Worker', cell: (td, w) => cell(td, w.id) },
      { title: 'Placement', wide: true, cell: (td, w) => cell(td, w.placement ?? DASH) },
      { title: 'Heartbeat age', kind: 'num', cell: (td, w) => cell(td, w.heartbeatAgeMs === null ? DASH : `${int(w.heartbeatAgeMs)} ms`, w.heartbeatAgeMs !== null && w.heartbeatAgeMs > 1000 ? 'bad' : '') },
      { title: 'Loop delay', kind: 'num', tip: 'event-loop delay', cell: (td, w) => cell(td, w.eventLoopDelayMs === null ? DASH : `${fixed(w.eventLoopDelayMs, 1)} ms`, w.eventLoopDelayMs !== null && w.eventLoopDelayMs > 50 ? 'warn' : '') },
      { title: 'Heap', wide: true, kind: 'num', cell: (td, w) => cell(td, bytes(w.heapUsedBytes)) },
      { title: 'Actors', wide: true, cell: (td, w) => cell(td, w.actors.length ? w.actors.join(', ') : DASH, 'wrap') },
    ],
    (w) => w.id,
    'no worker heartbeats reported yet',
  );
  const services = panel('Services', h('div.cards', {}, api.el, daemon.el, stream.el, bus.el));
  const linkPanel = panel('Connectivity', linkGrid);
  const degradedPanel = panel('Degraded states', degraded);
  const workerPanel = panel('Worker heartbeats', scroller(workers.el));
  const el = h('div.view', { 'data-view': 'health' }, h('h1', {}, 'Health'), status.el, services, h('div.row2', {}, linkPanel, degradedPanel), workerPanel);

  function render(now: number): void {
    const l = status.render(now);
    for (const p of [services, linkPanel, degradedPanel, workerPanel]) markPanel(p, l);
    const vm = store.health();
    const s = store.socket;
    const streamUp = s.state === 'open';
    stream.set(
      streamUp ? 'up' : s.state === 'connecting' ? 'warn' : 'down',
      streamUp ? 'CONNECTED' : s.state === 'connecting' ? 'CONNECTING' : 'DISCONNECTED',
      streamUp ? `last message ${ago(s.lastMessageAt, now)}` : `down ${duration(now - (s.downSince ?? now))}${s.nextRetryAt ? ` · retry in ${duration(s.nextRetryAt - now)}` : ''}`,
    );
    if (!vm) {
      api.set(store.slots.health.error ? 'down' : 'unknown', store.slots.health.error ? 'UNREACHABLE' : DASH, store.slots.health.error ?? 'no data yet');
      daemon.set('unknown', DASH, 'no data yet');
      bus.set('unknown', DASH, 'no data yet');
      workers.render([]);
      return;
    }
    const apiReachable = store.slots.health.error === null && store.slots.health.value !== null;
    api.set(apiReachable ? 'up' : 'down', apiReachable ? 'UP' : 'UNREACHABLE', [vm.api.version ? `v${vm.api.version}` : null, vm.api.uptimeMs !== null ? `up ${duration(vm.api.uptimeMs)}` : null].filter(Boolean).join(' · ') || DASH);
    const d = vm.daemon;
    const degradedNow = d.up === true && d.degraded.length > 0;
    daemon.set(
      degradedNow ? 'warn' : upDown(d.up),
      degradedNow ? 'DEGRADED' : upText(d.up),
      [
        d.heartbeatAgeMs !== null ? `heartbeat ${duration(d.heartbeatAgeMs)} ago` : null,
        d.up === false && d.reason ? d.reason.replace(/_/g, ' ') : null,
        d.startedAt !== null && d.up !== false ? `up ${duration(now - d.startedAt)}` : null,
        d.pid !== null ? `pid ${d.pid}` : null,
        d.version ? `v${d.version}` : null,
      ]
        .filter(Boolean)
        .join(' · ') || DASH,
    );
    const b = vm.bus;
    bus.set(
      b.kind === null ? 'unknown' : upDown(b.connected ?? (b.kind === 'memory' ? true : null)),
      b.kind === null ? DASH : b.kind === 'redis' ? `REDIS ${upText(b.connected, 'UP', 'DOWN')}` : 'IN-MEMORY',
      [b.outages !== null ? `${b.outages} outages` : null, b.telemetryDropped !== null ? `${int(b.telemetryDropped)} telemetry dropped` : null].filter(Boolean).join(' · ') || DASH,
    );
    const seen = new Set<string>();
    for (const ln of vm.links) {
      seen.add(ln.name);
      let c = links.get(ln.name);
      if (!c) {
        c = new Card(ln.name, `link-${ln.name}`);
        links.set(ln.name, c);
        linkGrid.append(c.el);
      }
      c.set(upDown(ln.up), upText(ln.up, 'CONNECTED', 'DISCONNECTED'), ln.detail ?? '');
    }
    for (const [name, c] of links) {
      if (!seen.has(name)) {
        c.el.remove();
        links.delete(name);
      }
    }
    if (vm.links.length === 0 && linkGrid.childElementCount === 0) linkGrid.append(h('p.muted', {}, 'the daemon reports no connectivity yet'));
    else if (vm.links.length > 0) linkGrid.querySelector('p.muted')?.remove();
    const deg = d.degraded.join('\u0000');
    if (degraded.dataset.items !== deg) {
      degraded.dataset.items = deg;
      degraded.textContent = '';
      if (d.degraded.length === 0) degraded.append(h('span.chip.chip-ok', {}, 'none'));
      for (const x of d.degraded) degraded.append(h('span.chip.chip-warn', {}, x));
    }
    workers.render([...vm.workers].sort((a, b) => a.id.localeCompare(b.id)));
  }

  return { id: 'health', title: 'Health', sections: ['health'], el, render };
}
