/**
 * The slice of Socrata's SoQL the COT clients use: `$where` with comparisons
 * (`= != <> > >= < <=`) and `in(...)` joined by AND, `$order` (comma list,
 * ASC/DESC), `$limit`, `$offset`, `$select` (a column list) and plain
 * `column=value` filters. Values compare as strings, which orders Socrata's
 * floating timestamps and zero-padded codes correctly; numeric literals
 * compare numerically.
 */

export class SocrataQueryError extends Error {}

type Row = Record<string, string>;
type Predicate = (row: Row) => boolean;

const OPS = ['>=', '<=', '!=', '<>', '=', '>', '<'] as const;

export function applySoql(rows: readonly Row[], query: URLSearchParams): Row[] {
  const preds: Predicate[] = [];
  const where = query.get('$where');
  if (where) preds.push(...parseWhere(where));
  for (const [key, value] of query) {
    if (key.startsWith('$')) {
      if (!['$where', '$order', '$limit', '$offset', '$select'].includes(key)) throw new SocrataQueryError(`unsupported parameter ${key}`);
      continue;
    }
    preds.push((row) => row[key] === value);
  }
  let out = rows.filter((r) => preds.every((p) => p(r)));
  const order = query.get('$order');
  if (order) out = sortRows(out, order);
  const offset = intParam(query, '$offset', 0);
  const limit = intParam(query, '$limit', 1000);
  out = out.slice(offset, offset + limit);
  const select = query.get('$select');
  if (select && select.trim() !== '*') {
    const cols = select.split(',').map((c) => c.trim());
    for (const c of cols) if (!/^[a-z_][a-z0-9_]*$/i.test(c)) throw new SocrataQueryError(`unsupported $select column ${c}`);
    out = out.map((r) => Object.fromEntries(cols.filter((c) => c in r).map((c) => [c, r[c]])));
  }
  return out;
}

function intParam(query: URLSearchParams, name: string, dflt: number): number {
  const raw = query.get(name);
  if (raw === null) return dflt;
  if (!/^\d+$/.test(raw)) throw new SocrataQueryError(`${name} must be a non-negative integer`);
  return Number(raw);
}

function parseWhere(where: string): Predicate[] {
  let text = where.trim();
  while (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();
  return splitAnd(text).map(parseClause);
}

/** Splits on AND outside quotes and parentheses. */
function splitAnd(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && /\s/.test(ch) && /^\s+and\s+/i.test(text.slice(k))) {
      parts.push(text.slice(start, k));
      const m = /^\s+and\s+/i.exec(text.slice(k))!;
      k += m[0].length - 1;
      start = k + 1;
    }
  }
  parts.push(text.slice(start));
  if (quoted || depth !== 0) throw new SocrataQueryError('unbalanced quotes or parentheses in $where');
  return parts.map((p) => p.trim());
}

function parseLiteral(raw: string): string | number {
  const t = raw.trim();
  if (/^'.*'$/.test(t)) return t.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw new SocrataQueryError(`cannot parse literal ${t}`);
}

function compare(a: string | undefined, b: string | number): number {
  if (a === undefined) return NaN;
  if (typeof b === 'number') return Number(a) - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseClause(clause: string): Predicate {
  const inMatch = /^([a-z_][a-z0-9_]*)\s+in\s*\((.*)\)$/i.exec(clause);
  if (inMatch) {
    const col = inMatch[1];
    const values = inMatch[2].split(',').map(parseLiteral);
    return (row) => values.some((v) => compare(row[col], v) === 0);
  }
  const m = /^([a-z_][a-z0-9_]*)\s*(>=|<=|!=|<>|=|>|<)\s*(.+)$/i.exec(clause);
  if (!m) throw new SocrataQueryError(`could not parse $where clause: ${clause}`);
  const [, col, op, lit] = m;
  if (!(OPS as readonly string[]).includes(op)) throw new SocrataQueryError(`unsupported operator ${op}`);
  const value = parseLiteral(lit);
  return (row) => {
    const c = compare(row[col], value);
    if (Number.isNaN(c)) return false;
    switch (op) {
      case '=':
        return c === 0;
      case '!=':
      case '<>':
        return c !== 0;
      case '>':
        return c > 0;
      case '>=':
        return c >= 0;
      case '<':
        return c < 0;
      default:
        return c <= 0;
    }
  };
}

function sortRows(rows: Row[], order: string): Row[] {
  const keys = order.split(',').map((part) => {
    const m = /^\s*([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?\s*$/i.exec(part);
    if (!m) throw new SocrataQueryError(`could not parse $order: ${part}`);
    return { col: m[1], dir: (m[2] ?? 'asc').toLowerCase() === 'desc' ? -1 : 1 };
  });
  return rows.slice().sort((a, b) => {
    for (const { col, dir } of keys) {
      const x = a[col] ?? '';
      const y = b[col] ?? '';
      if (x !== y) return (x < y ? -1 : 1) * dir;
    }
    return 0;
  });
}
