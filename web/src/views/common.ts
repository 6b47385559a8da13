/**
 * What every view shares: the View contract, the liveness line at the top of
 * each view ("FRESH · updated 0.8 s ago" or "STALE · 14 s old"), and a few
 * cell writers.
 */
import type { Section, Tier } from '../api/index.js';
import { h, setData, setText } from '../ui/dom.js';
import { ago, DASH } from '../ui/format.js';
import type { Liveness, Store } from '../store.js';

export interface View {
  readonly id: string;
  readonly title: string;
  /** REST sections to poll while this view is on screen. */
  readonly sections: readonly Section[];
  readonly el: HTMLElement;
  /** Called on data changes and twice a second (ages move). Must be cheap. */
  render(now: number): void;
}

const RANK: Record<Liveness, number> = { live: 0, nodata: 1, stale: 2, error: 3 };

/** The worst liveness of several sections. */
export function worst(store: Store, sections: readonly Section[], now: number): Liveness {
  let w: Liveness = 'live';
  for (const s of sections) {
    const l = store.liveness(s, now);
    if (RANK[l] > RANK[w]) w = l;
  }
  return w;
}

/** The line under a view's title saying whether what is below is live. */
export class StatusLine {
  readonly el: HTMLDivElement;
  private readonly label: HTMLSpanElement;
  private readonly detail: HTMLSpanElement;

  constructor(
    private readonly store: Store,
    private readonly sections: readonly Section[],
  ) {
    this.label = h('span.status-label');
    this.detail = h('span.status-detail');
    this.el = h('div.view-status', { 'data-state': 'nodata' }, this.label, this.detail);
  }

  /** Updates the line and returns the liveness (views grey their panels with it). */
  render(now: number): Liveness {
    const l = worst(this.store, this.sections, now);
    setData(this.el, 'state', l);
    // The oldest of the sections shown: the view is as old as its oldest part.
    const received = Math.min(...this.sections.map((s) => this.store.slots[s].receivedAt ?? -Infinity));
    // For stale data, the daemon's own stamp says how old the data is (a cached answer may arrive fresh).
    const stamped = Math.min(...this.sections.map((s) => this.store.slots[s].updatedAt ?? this.store.slots[s].receivedAt ?? -Infinity));
    const newest = Number.isFinite(received) ? received : null;
    const dataAt = Number.isFinite(stamped) && stamped <= now ? stamped : newest;
    const errors = this.sections.map((s) => this.store.slots[s].error).filter((e): e is string => e !== null);
    let detail: string;
    if (!this.store.connected) detail = `disconnected · last update ${ago(newest, now)}`;
    else if (l === 'error' || (errors.length > 0 && l !== 'live')) detail = errors[0] ?? 'request failed';
    else if (l === 'nodata') detail = 'waiting for data…';
    else if (l === 'stale' && this.store.daemonUp() === false) detail = `daemon down · data from ${ago(dataAt, now)}`;
    else if (l === 'stale') detail = `data from ${ago(dataAt, now)}`;
    else detail = `updated ${ago(newest, now)}`;
    setText(this.label, l === 'live' ? 'FRESH' : l === 'nodata' ? 'NO DATA YET' : l === 'error' ? 'ERROR' : 'STALE');
    setText(this.detail, detail);
    return l;
  }
}

/** Sets a cell's text and class in one go. */
export function cell(td: HTMLElement, text: string, cls = ''): void {
  setText(td, text);
  const full: string[] = td.className.split(' ').filter((c) => c === 'num' || c === 'text' || c === 'ctl' || c === 'wide');
  if (cls) full.push(cls);
  const next = full.join(' ');
  if (td.className !== next) td.className = next;
}

/** A coloured state chip inside a cell. */
export function chip(td: HTMLElement, text: string | null, kind: string | null = text): void {
  let c = td.firstElementChild as HTMLElement | null;
  if (!c || !c.classList.contains('chip')) {
    td.textContent = '';
    c = h('span.chip');
    td.append(c);
  }
  setText(c, text ?? DASH);
  const cls = `chip ${kind ? 'chip-' + kind.replace(/[^a-z0-9_-]/gi, '_') : ''}`.trim();
  if (c.className !== cls) c.className = cls;
}

export function tierClass(t: Tier | null): string {
  return t ? `tier-${t}` : 'tier-unknown';
}

/** Marks a panel live or stale (CSS greys stale numbers). */
export function markPanel(el: HTMLElement, l: Liveness): void {
  setData(el, 'state', l);
}
