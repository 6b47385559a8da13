/**
 * The qgtm operator terminal: a header (connection, daemon, risk tier,
 * token, clock), a tab per view (routed by the URL hash), and a banner while
 * the telemetry stream is down. One store feeds every view; only the view on
 * screen renders.
 */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { riskOf } from './derive.js';
import { Store } from './store.js';
import { getToken, onToken, setToken } from './ui/dialog.js';
import { h, setData, setText } from './ui/dom.js';
import { clock, DASH, duration } from './ui/format.js';
import { tierClass, type View } from './views/common.js';
import { createForecastsView } from './views/forecasts.js';
import { createHealthView } from './views/health.js';
import { createLogView } from './views/log.js';
import { createPerformanceView } from './views/performance.js';
import { createOrdersView } from './views/orders.js';
import { createResearchView } from './views/research.js';
import { createRiskView } from './views/risk.js';
import { createStrategiesView } from './views/strategies.js';
import { createTelemetryView } from './views/telemetry.js';
import { createUniverseView } from './views/universe.js';
import { createWatchdogView } from './views/watchdog.js';

const store = new Store();
const views: View[] = [
  createHealthView(store),
  createTelemetryView(store),
  createWatchdogView(store),
  createUniverseView(store),
  createStrategiesView(store),
  createForecastsView(store),
  createRiskView(store),
  createOrdersView(store),
  createPerformanceView(store),
  createResearchView(store),
  createLogView(store),
];

// ---- header ---------------------------------------------------------------------

const conn = h('div.conn', { 'data-testid': 'conn', 'data-state': 'connecting', role: 'status' }, h('span.dot'), h('span.conn-text', {}, 'CONNECTING'));
const daemon = h('a.badge', { href: '#/health', 'data-testid': 'daemon', 'data-state': 'unknown' }, 'DAEMON —');
const tier = h('a.badge.tier-badge', { href: '#/risk', 'data-testid': 'tier-badge' }, 'RISK —');
// PAPER or LIVE: whether this desk trades real money, always in view.
const money = h('a.badge.money-badge', { href: '#/health', 'data-testid': 'trading-mode', 'data-mode': 'unknown' }, '—');
const tokenInput = h('input', { id: 'token', type: 'password', placeholder: 'token', autocomplete: 'off', spellcheck: 'false', 'aria-label': 'operator token', value: getToken() });
const tokenState = h('span.token-state', { 'data-testid': 'token-state' });
const now0 = h('span.clock');
tokenInput.addEventListener('change', () => setToken(tokenInput.value.trim()));
onToken((t) => {
  if (tokenInput.value !== t) tokenInput.value = t;
  renderHeader(Date.now());
});
const tabs = views.map((v) => h('a', { href: `#/${v.id}`, 'data-tab': v.id }, v.title));
const header = h(
  'header.top',
  {},
  h('div.brand', {}, h('strong', {}, 'qgtm'), h('span', {}, 'terminal')),
  h('nav.tabs', { 'aria-label': 'views' }, ...tabs),
  h('div.status', {}, money, conn, daemon, tier, h('form.token', { onsubmit: (ev: Event) => (ev.preventDefault(), setToken(tokenInput.value.trim())) }, tokenInput, tokenState), now0),
);
const banner = h('div.banner', { role: 'alert', hidden: true, 'data-testid': 'disconnected-banner' });
const main = h('main', {});
document.getElementById('app')!.append(header, banner, main);

// ---- routing ---------------------------------------------------------------------

let current: View = views[0]!;

function route(): void {
  const id = location.hash.replace(/^#\/?/, '') || 'health';
  const v = views.find((x) => x.id === id) ?? views[0]!;
  if (v !== current || !v.el.isConnected) {
    current = v;
    main.replaceChildren(v.el);
    store.setActive(v.sections);
    document.title = `${v.title} · qgtm terminal`;
  }
  for (const t of tabs) t.classList.toggle('on', t.dataset.tab === current.id);
  render();
}

// ---- rendering -------------------------------------------------------------------

function renderHeader(now: number): void {
  const s = store.socket;
  setData(conn, 'state', s.state);
  setData(document.body, 'conn', s.state);
  const text = conn.lastElementChild!;
  // Never "LIVE" for freshness (here or in the views): beside the PAPER/LIVE badge that word means real money.
  if (s.state === 'open') setText(text, 'STREAMING');
  else if (s.state === 'connecting') setText(text, s.attempts > 0 ? `RECONNECTING (${s.attempts})` : 'CONNECTING');
  else setText(text, 'DISCONNECTED');
  banner.hidden = s.state === 'open';
  if (!banner.hidden) {
    const retry = s.nextRetryAt !== null ? `next attempt in ${duration(Math.max(0, s.nextRetryAt - now))}` : 'connecting…';
    const down = s.downSince ?? now;
    setText(banner, `Disconnected from the telemetry stream since ${clock(down)} (${duration(now - down)}). Everything below is the last data received and is not live. Reconnecting: ${retry}.`);
  }
  const up = store.daemonUp();
  const h0 = store.health();
  const degraded = up === true && (h0?.daemon.degraded.length ?? 0) > 0;
  setData(daemon, 'state', up === null ? 'unknown' : degraded ? 'warn' : up ? 'up' : 'down');
  daemon.classList.toggle('stale', !store.connected);
  setText(daemon, `DAEMON ${up === null ? DASH : degraded ? 'DEGRADED' : up ? 'UP' : 'DOWN'}`);
  const mode = h0?.trading.mode ?? null;
  setData(money, 'mode', mode === null ? 'unknown' : mode.toLowerCase());
  setText(money, mode ?? DASH);
  money.title = mode === null ? 'trading mode not reported yet' : `${mode === 'LIVE' ? 'real money' : 'paper: no real money'}${h0?.trading.venue ? ` · ${h0.trading.venue}` : ''}`;
  const r = riskOf(store);
  setText(tier, `RISK ${r?.tier ?? DASH}`);
  const stale = store.liveness('risk', now) !== 'live';
  const cls = `badge tier-badge ${tierClass(r?.tier ?? null)}${stale ? ' stale' : ''}`;
  if (tier.className !== cls) tier.className = cls;
  setText(tokenState, getToken() ? 'token set' : 'no token');
  setData(tokenState, 'set', getToken() ? 'yes' : 'no');
  setText(now0, clock(now));
}

function render(): void {
  const now = Date.now();
  renderHeader(now);
  current.render(now);
}

store.onChange(render);
window.addEventListener('hashchange', route);
// Ages and staleness move with time, not only with data.
setInterval(render, 500);
route();
store.start();
