/**
 * A few DOM helpers instead of a framework. Text always goes in through
 * textContent (never innerHTML), so daemon strings cannot inject markup.
 */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;

/** Creates an element: `h('td.num', {title: 'x'}, 'text')`; `tag.class1.class2` sets classes. */
export function h<K extends keyof HTMLElementTagNameMap>(spec: K | `${K}.${string}`, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const [tag, ...classes] = spec.split('.') as [K, ...string[]];
  const el = document.createElement(tag);
  if (classes.length > 0) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Sets text only when it changed (cheap at 4 Hz, and keeps selection stable). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Sets a data-* attribute only when it changed. */
export function setData(el: HTMLElement, key: string, value: string | null): void {
  if (value === null) {
    if (key in el.dataset) delete el.dataset[key];
  } else if (el.dataset[key] !== value) el.dataset[key] = value;
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}

export interface Column<R> {
  readonly title: string;
  /** 'num' right-aligns with tabular figures. */
  readonly kind?: 'num' | 'text' | 'ctl';
  readonly tip?: string;
  /** Hidden on narrow windows (below 700 px) so the essentials fit. */
  readonly wide?: boolean;
  /** Fills the cell for a row: set text, classes, children. Called on every render. */
  readonly cell: (td: HTMLTableCellElement, row: R) => void;
}

/**
 * A table whose rows are keyed, so re-rendering updates cells in place:
 * buttons in rows survive updates (a click is never lost to a redraw),
 * and the row order follows the data.
 */
export class KeyedTable<R> {
  readonly el: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly rows = new Map<string, HTMLTableRowElement>();
  private readonly empty: HTMLTableRowElement;

  constructor(
    private readonly columns: readonly Column<R>[],
    private readonly key: (row: R) => string,
    emptyText = 'no data yet',
    className = '',
  ) {
    const head = h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { class: `${c.kind ?? 'text'}${c.wide ? ' wide' : ''}`, title: c.tip ?? null }, c.title))));
    this.body = h('tbody');
    this.empty = h('tr.empty', {}, h('td', { colspan: columns.length }, emptyText));
    this.el = h('table', { class: `grid ${className}`.trim() }, head, this.body);
    this.body.append(this.empty);
  }

  setEmptyText(text: string): void {
    setText(this.empty.firstElementChild!, text);
  }

  render(rows: readonly R[], rowClass?: (row: R) => string): void {
    const seen = new Set<string>();
    let prev: Element | null = null;
    for (const r of rows) {
      const k = this.key(r);
      if (seen.has(k)) continue;
      seen.add(k);
      let tr = this.rows.get(k);
      if (!tr) {
        tr = h('tr', { 'data-key': k }, ...this.columns.map((c) => h('td', { class: `${c.kind ?? 'text'}${c.wide ? ' wide' : ''}` })));
        this.rows.set(k, tr);
      }
      this.columns.forEach((c, i) => c.cell(tr!.children[i] as HTMLTableCellElement, r));
      const cls = rowClass ? rowClass(r) : '';
      if (tr.className !== cls) tr.className = cls;
      const want: Element | null = prev ? prev.nextElementSibling : this.body.firstElementChild;
      if (want !== tr) {
        if (prev) prev.after(tr);
        else this.body.prepend(tr);
      }
      prev = tr;
    }
    for (const [k, tr] of this.rows) {
      if (!seen.has(k)) {
        tr.remove();
        this.rows.delete(k);
      }
    }
    if (rows.length === 0) {
      if (!this.empty.isConnected) this.body.append(this.empty);
    } else if (this.empty.isConnected) this.empty.remove();
  }
}

/** Wraps a wide table so it scrolls sideways on a narrow window instead of breaking the page. */
export function scroller(table: HTMLElement): HTMLDivElement {
  return h('div.scroll', {}, table);
}

/** A titled panel. */
export function panel(title: string, ...children: Child[]): HTMLElement {
  return h('section.panel', {}, h('h2', {}, title), ...children);
}
