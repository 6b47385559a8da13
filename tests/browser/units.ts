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
