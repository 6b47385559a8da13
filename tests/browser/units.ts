/**
 * Figures on screen against the API's values, with their units. The
 * expected text is built here from the API's JSON by rules written out
 * independently of the page's formatter (dollars "$12,345", multiples of
 * equity "0.23×", fractions as "1.23%", durations "5.0 s"), so a fraction
 * printed as money ("$0"), money printed as a bare number, or a threshold
 * missing from its trigger's row is reported as a mismatch.
 */
import type { Page } from 'playwright-core';

const TIERS = ['WARN', 'THROTTLE', 'NO_NEW', 'FLATTEN'] as const;
const DASH = '—';

export interface ApiTrigger {
  readonly trigger: string;
  readonly tier: string;
  readonly metric: number | null;
  readonly threshold: number | null;
  readonly ladder?: Record<string, number>;
  readonly unit?: string;
  readonly reason: string;
}

export interface ApiRisk {
  readonly state: { readonly tier: string; readonly triggers: readonly ApiTrigger[] } | null;
  readonly exposure: { equity: number | null; gross: number | null; net: number | null; grossRatio: number | null; netRatio: number | null } | null;
  readonly history: readonly { readonly reason: string }[];
}

export async function getJson<T>(url: string): Promise<T> {
  const body = (await (await fetch(url)).json()) as { data: T };
  return body.data;
}

/** "$12,345", "-$1,234", "$1.25M" -> dollars; anything else -> NaN. */
export function dollars(text: string): number {
  const m = /^(-?)\$([\d,]+(?:\.\d+)?)([MBK]?)$/.exec(text);
  if (!m) return NaN;
  const scale = m[3] === 'M' ? 1e6 : m[3] === 'B' ? 1e9 : m[3] === 'K' ? 1e3 : 1;
  return (m[1] ? -1 : 1) * Number(m[2]!.replace(/,/g, '')) * scale;
}

/** "0.23×", "+0.10×" -> the multiple; anything else -> NaN. */
export function multiple(text: string, signed = false): number {
  const m = (signed ? /^([+-−]?)(\d+\.\d{2})×$/ : /^()(\d+\.\d{2})×$/).exec(text);
  if (!m) return NaN;
  return (m[1] === '-' || m[1] === '−' ? -1 : 1) * Number(m[2]);
}

/** One trigger value in its unit, as the operator should read it. */
export function expectedInUnit(x: number, unit: string, trigger: string): string {
  switch (unit) {
    case 'pct':
      return `${(x * 100).toFixed(2)}%`;
    case 'ratio':
      return `${x.toFixed(2)}×`;
    case 'ms':
      return x < 1000 ? `${Math.round(x)} ms` : x < 60_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.floor(x / 60_000)}m ${String(Math.floor(x / 1000) % 60).padStart(2, '0')}s`;
    case 'flag':
      return trigger === 'broker_disconnected' ? (x >= 1 ? 'disconnected' : 'connected') : x >= 1 ? 'yes' : 'no';
    default:
      return Math.round(x).toLocaleString('en-US');
  }
}

/** The Thresholds cell of a trigger: every rung of its ladder, mildest first. */
export function expectedThresholds(t: ApiTrigger): string {
  const unit = t.unit ?? '';
  const rungs = TIERS.filter((k) => t.ladder?.[k] !== undefined).map((k) =>
    unit === 'flag' ? `${k} if ${expectedInUnit(t.ladder![k]!, unit, t.trigger)}` : `${k} ${expectedInUnit(t.ladder![k]!, unit, t.trigger)}`,
  );
  return rungs.length > 0 ? rungs.join(' · ') : DASH;
}

interface RiskScreen {
  kpis: Record<string, string>;
  rows: Record<string, string[]>;
  heads: string[];
  text: string;
}

/** Everything the risk view shows, read in one go. */
export async function readRiskScreen(page: Page): Promise<RiskScreen> {
  return page.locator('.view[data-view="risk"]').evaluate((root) => {
    type El = { textContent: string | null; dataset: Record<string, string>; querySelectorAll(s: string): ArrayLike<El> };
    const all = (e: El, sel: string): El[] => Array.from(e.querySelectorAll(sel));
    const el = root as unknown as El;
    const kpis: Record<string, string> = {};
    for (const k of all(el, '[data-kpi]')) kpis[k.dataset.kpi!] = (k.textContent ?? '').trim();
    const table = all(el, 'table')[0]!;
    const rows: Record<string, string[]> = {};
    for (const tr of all(table, 'tbody tr[data-key]')) rows[tr.dataset.key!] = all(tr, 'td').map((td) => (td.textContent ?? '').trim());
    const heads = all(table, 'thead th').map((th) => (th.textContent ?? '').trim());
    return { kpis, rows, heads, text: el.textContent ?? '' };
  });
}

function near(a: number, b: number, tol: number): boolean {
  return Number.isFinite(a) && Math.abs(a - b) <= tol;
}

/**
 * What differs between the risk view and /api/v1/risk (empty when they agree).
 * Exposure moves with prices between two reads, so dollar figures may differ
 * by 1 % and ratios by 0.011; the unit and the magnitude must be right.
 */
export function riskMismatches(api: ApiRisk, s: RiskScreen): string[] {
  const out: string[] = [];
  const e = api.exposure;
  const money = (kpi: string, v: number | null | undefined): void => {
    const got = s.kpis[kpi] ?? '(missing)';
    if (v === null || v === undefined) {
      if (got !== DASH) out.push(`${kpi}: API has none, page shows ${got}`);
    } else if (!near(dollars(got), v, Math.max(2, Math.abs(v) * 0.01))) out.push(`${kpi}: API $${v.toFixed(2)}, page shows ${got}`);
  };
  const ratio = (kpi: string, v: number | null | undefined, signed: boolean): void => {
    const got = s.kpis[kpi] ?? '(missing)';
    if (v === null || v === undefined) {
      if (got !== DASH) out.push(`${kpi}: API has none, page shows ${got}`);
    } else if (!near(multiple(got, signed), v, 0.011)) out.push(`${kpi}: API ${v.toFixed(4)}×, page shows ${got}`);
  };
  money('equity', e?.equity);
  money('gross exposure', e?.gross);
  money('net exposure', e?.net);
  ratio('gross / equity', e?.grossRatio, false);
  ratio('net / equity', e?.netRatio, true);
  if (s.heads[3] !== 'Thresholds') out.push(`triggers table 4th column is ${s.heads[3]}, not Thresholds`);
  for (const t of api.state?.triggers ?? []) {
    const row = s.rows[t.trigger];
    if (!row) {
      out.push(`trigger ${t.trigger} not on screen`);
      continue;
    }
    const [, , metric, thresholds] = row;
    if (t.trigger !== 'operator' && !t.ladder) out.push(`trigger ${t.trigger}: API sends no ladder`);
    if (t.trigger !== 'operator' && !t.unit) out.push(`trigger ${t.trigger}: API sends no unit`);
    const want = expectedThresholds(t);
    if (thresholds !== want) out.push(`trigger ${t.trigger} thresholds: want "${want}", page shows "${thresholds}"`);
    if (t.unit === 'pct' && t.metric !== null) {
      const m = /^(-?\d+\.\d{2})%$/.exec(metric ?? '');
      if (!m || !near(Number(m[1]) / 100, t.metric, 0.0002)) out.push(`trigger ${t.trigger} metric: API ${t.metric} (fraction), page shows ${metric}`);
    } else if (t.unit === 'ratio' && t.metric !== null) {
      if (!near(multiple(metric ?? ''), t.metric, 0.011)) out.push(`trigger ${t.trigger} metric: API ${t.metric}×, page shows ${metric}`);
    } else if (t.unit === 'ms') {
      if (t.metric === null ? metric !== DASH : !/^(\d+ ms|\d+\.\d s|\d+m \d\ds|\d+h \d\dm|\d+d \d\dh)$/.test(metric ?? '')) out.push(`trigger ${t.trigger} metric: API ${t.metric} ms, page shows ${metric}`);
    } else if (t.unit === 'flag' && t.metric !== null) {
      if (metric !== expectedInUnit(t.metric, 'flag', t.trigger)) out.push(`trigger ${t.trigger} metric: API ${t.metric}, page shows ${metric}`);
    } else if (t.unit === 'count' && t.metric !== null) {
      if (!/^[\d,]+$/.test(metric ?? '') || Math.abs(Number(metric!.replace(/,/g, '')) - t.metric) > 5) out.push(`trigger ${t.trigger} metric: API ${t.metric}, page shows ${metric}`);
    }
  }
  if (/\boperator\s+operator\b/i.test(s.text)) out.push('a reason on screen says "operator operator"');
  for (const h of api.history) if (/\boperator\s+operator\b/i.test(h.reason)) out.push(`API tier history reason doubles its prefix: ${h.reason}`);
  return out;
}

// ---- the other views ---------------------------------------------------------------

export interface Screen {
  kpis: Record<string, string>;
  /** Rows of the view's first table, by row key: cell texts by column title. */
  rows: Record<string, Record<string, string>>;
}

/** The KPIs and the first table of a view (or the first `table` matches), read in one go. */
export async function readScreen(page: Page, view: string, table = 'table'): Promise<Screen> {
  return page.locator(`.view[data-view="${view}"]`).evaluate((root, tableSel) => {
    type El = { textContent: string | null; dataset: Record<string, string>; querySelectorAll(s: string): ArrayLike<El> };
    const all = (e: El, sel: string): El[] => Array.from(e.querySelectorAll(sel));
    const el = root as unknown as El;
    const kpis: Record<string, string> = {};
    for (const k of all(el, '[data-kpi]')) kpis[k.dataset.kpi!] = (k.textContent ?? '').trim();
    const t = all(el, tableSel)[0];
    const rows: Record<string, Record<string, string>> = {};
    if (t) {
      const heads = all(t, 'thead th').map((th) => (th.textContent ?? '').trim());
      for (const tr of all(t, 'tbody tr[data-key]')) {
        const r: Record<string, string> = {};
        all(tr, 'td').forEach((td, i) => (r[heads[i]!] = (td.textContent ?? '').trim()));
        rows[tr.dataset.key!] = r;
      }
    }
    return { kpis, rows };
  }, table);
}

/** "+1.23%", "-0.40%", "12.0%" -> the fraction; anything else -> NaN. */
export function percent(text: string): number {
  const m = /^([+-]?)([\d,]+\.\d+)%$/.exec(text);
  return m ? (m[1] === '-' ? -1 : 1) * Number(m[2]!.replace(/,/g, '')) / 100 : NaN;
}

type Num = number | null | undefined;
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function check(out: string[], what: string, got: string | undefined, want: Num, parse: (s: string) => number, tol: number): void {
  if (got === undefined) return void out.push(`${what}: not on screen`);
  if (!isNum(want)) {
    if (got !== DASH) out.push(`${what}: API has none, page shows ${got}`);
    return;
  }
  if (!near(parse(got), want, tol)) out.push(`${what}: API ${want}, page shows ${got}`);
}

/** Forecasts: equity in $, target gross and net as multiples of equity, each target weight and vol as a %. */
export function forecastsMismatches(api: unknown, s: Screen): string[] {
  const out: string[] = [];
  const o = api as { posture?: unknown } | null;
  const p = ((o && 'posture' in o ? o.posture : o) ?? null) as { equity?: number; gross?: number; net?: number; entries?: { symbol: string; weight: number; vol: number | null }[] } | null;
  if (!p) return ['forecasts: API has no posture yet'];
  check(out, 'forecasts equity', s.kpis['equity'], p.equity, dollars, Math.max(2, Math.abs(p.equity ?? 0) * 0.01));
  check(out, 'forecasts target gross', s.kpis['target gross / equity'], p.gross, (t) => multiple(t), 0.0051);
  check(out, 'forecasts target net', s.kpis['target net / equity'], p.net, (t) => multiple(t, true), 0.0051);
  for (const e of p.entries ?? []) {
    const r = s.rows[e.symbol];
    if (!r) {
      out.push(`forecasts ${e.symbol}: not on screen`);
      continue;
    }
    check(out, `forecasts ${e.symbol} target weight`, r['Target weight'], e.weight, percent, 0.00006);
    check(out, `forecasts ${e.symbol} vol`, r['Vol'], e.vol, percent, 0.0006);
  }
  return out;
}

/** Universe: change since the open and annualised vol as %, spread in bp; prices plain with 2 (or 4) decimals. */
export function universeMismatches(api: unknown, s: Screen): string[] {
  const out: string[] = [];
  type Live = { price?: number | null; change?: number | null; vol?: number | null; spreadBps?: number | null };
  // The gateway answers `{focus, count, instruments}`, each instrument with the daemon's `live` data (or null).
  const list = ((api as { instruments?: unknown } | null)?.instruments ?? []) as { symbol: string; live: Live | null }[];
  const inst = Object.fromEntries(list.filter((x) => x.live).map((x) => [x.symbol, x.live!]));
  // The API is asked for the broad focus; the page shows the focus it runs with, so compare the symbols on both.
  const both = Object.keys(inst).filter((sym) => s.rows[sym]);
  if (both.length < 5) return [`universe: only ${both.length} instruments both in the API and on screen`];
  for (const sym of both) {
    const x = inst[sym]!;
    const r = s.rows[sym]!;
    // Prices tick between the two reads: a 1 % band, but the right magnitude and decimals.
    check(out, `universe ${sym} last`, r['Last'], x.price, (t) => (/^[\d,]+\.\d{2}(\d{2})?$/.test(t) ? Number(t.replace(/,/g, '')) : NaN), Math.abs(x.price ?? 0) * 0.01);
    check(out, `universe ${sym} vol`, r['Vol (ann.)'], x.vol, percent, 0.0006);
    if (isNum(x.change) && !/^[+-]?[\d,]+\.\d{2}%$/.test(r['Change'] ?? '')) out.push(`universe ${sym} change: API ${x.change} (fraction), page shows ${r['Change']}`);
    if (isNum(x.spreadBps) && !/^[\d,]+\.\d bp$/.test(r['Spread'] ?? '')) out.push(`universe ${sym} spread: API ${x.spreadBps} bp, page shows ${r['Spread']}`);
  }
  return out;
}

/** Positions: quantities exact (fractions kept), realized P&L in $ with cents. */
export function positionsMismatches(api: unknown, s: Screen): string[] {
  const out: string[] = [];
  const list = ((api as { positions?: unknown[] } | null)?.positions ?? []) as { symbol: string; qty: number; realizedPnl?: number }[];
  for (const p of list) {
    if (p.qty === 0) continue;
    const r = s.rows[p.symbol];
    if (!r) {
      out.push(`positions ${p.symbol}: not on screen`);
      continue;
    }
    check(out, `positions ${p.symbol} qty`, r['Qty'], p.qty, (t) => (/^-?[\d,]+(\.\d+)?$/.test(t) ? Number(t.replace(/,/g, '')) : NaN), 0.00005);
    if (isNum(p.realizedPnl)) check(out, `positions ${p.symbol} realized`, r['Realized'], p.realizedPnl, (t) => (/^-?\$[\d,]+\.\d{2}$/.test(t) ? dollars(t) : NaN), 0.006);
    if (!/^(-?\$[\d,]+|—)$/.test(r['Value'] ?? '')) out.push(`positions ${p.symbol} value: page shows ${r['Value']}, not whole dollars`);
  }
  return out;
}

/** Open orders: each one the API lists is on screen with its type (class, leg, replacement) and its defining price. */
export function openOrdersMismatches(api: unknown, s: Screen): string[] {
  const out: string[] = [];
  type O = { clientOrderId: string; orderType?: string; orderClass?: string | null; limitPrice?: number | null; stopPrice?: number | null; trailPercent?: number | null; parentClientOrderId?: string | null; replaces?: string | null; qty: number };
  const list = ((api as { open?: unknown[] } | null)?.open ?? []) as O[];
  if (list.length === 0) return ['orders: API has no open orders'];
  for (const o of list) {
    const r = s.rows[o.clientOrderId];
    if (!r) {
      out.push(`open order ${o.clientOrderId}: not on screen`);
      continue;
    }
    const type = [o.orderClass ?? null, o.orderType?.replace('_', ' ') ?? null, o.parentClientOrderId ? 'leg' : null, o.replaces ? 'repl.' : null].filter((p) => p !== null).join(' ');
    if (r['Type'] !== (type || DASH)) out.push(`open order ${o.clientOrderId} type: API ${type}, page shows ${r['Type']}`);
    const cents = (t: string): number => (/^[\d,]+\.\d{2,4}$/.test(t) ? Number(t.replace(/,/g, '')) : NaN);
    const p = r['Price'] ?? '';
    if (o.orderType === 'limit') check(out, `open order ${o.clientOrderId} limit`, p, o.limitPrice, cents, 0.005);
    else if (o.orderType === 'stop') check(out, `open order ${o.clientOrderId} stop`, p, o.stopPrice, cents, 0.005);
    else if (o.orderType === 'trailing_stop') check(out, `open order ${o.clientOrderId} trail`, p, o.trailPercent, (t) => (/^\d+\.\d{2}%$/.test(t) ? Number(t.slice(0, -1)) : NaN), 0.005);
    else if (p !== DASH) out.push(`open order ${o.clientOrderId} price: a ${o.orderType} order has none, page shows ${p}`);
  }
  return out;
}

/** "12.4 MiB", "980 KiB", "512 B" -> bytes; anything else -> NaN. */
export function byteCount(text: string): number {
  const m = /^([\d,]+(?:\.\d+)?) (B|KiB|MiB|GiB)$/.exec(text);
  if (!m) return NaN;
  return Number(m[1]!.replace(/,/g, '')) * { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[m[2] as 'B']!;
}

/** Health workers: heap in binary units near the API's bytes, heartbeat age and loop delay in ms. */
export function healthMismatches(api: unknown, s: Screen): string[] {
  const out: string[] = [];
  const d = (api as { daemon?: { detail?: { data?: { workers?: unknown[] } } } } | null)?.daemon?.detail?.data;
  const workers = (d?.workers ?? []) as { worker: string; heartbeatAgeMs?: number | null; eventLoopDelayMs?: number | null; heapUsedBytes?: number | null }[];
  if (workers.length === 0) return ['health: API has no workers'];
  for (const w of workers) {
    const r = s.rows[w.worker];
    if (!r) {
      out.push(`health worker ${w.worker}: not on screen`);
      continue;
    }
    // The heap moves between reads (and the page may show the newer telemetry): same unit, within 25 %.
    if (isNum(w.heapUsedBytes)) check(out, `health ${w.worker} heap`, r['Heap'], w.heapUsedBytes, byteCount, w.heapUsedBytes * 0.25);
    if (isNum(w.heartbeatAgeMs) && !/^[\d,]+ ms$/.test(r['Heartbeat age'] ?? '')) out.push(`health ${w.worker} heartbeat age: API ${w.heartbeatAgeMs} ms, page shows ${r['Heartbeat age']}`);
    if (isNum(w.eventLoopDelayMs) && !/^[\d,]+\.\d ms$/.test(r['Loop delay'] ?? '')) out.push(`health ${w.worker} loop delay: API ${w.eventLoopDelayMs} ms, page shows ${r['Loop delay']}`);
  }
  return out;
}
