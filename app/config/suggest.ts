/**
 * "did you mean": the closest known name to a mistyped one. An unknown
 * option, environment variable or flag is refused either way; the suggestion
 * only saves the operator the search. Distance is optimal string alignment
 * (Levenshtein plus adjacent transpositions, `Drawdwon` is one edit from
 * `Drawdown`), compared case-insensitively, so `QGTM_http_port` finds
 * `QGTM_HTTP_PORT`.
 */

/** Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows = x.length + 1;
  const cols = y.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2] + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1];
}

/**
 * The candidate nearest to `word`, when near enough to be a typo: at most a
 * third of the word's length in edits (and at least one allowed), so `port`
 * does not suggest `host`, while `maxDrawdwn` suggests `maxDrawdown`.
 */
export function closest(word: string, candidates: Iterable<string>): string | null {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD || (dist === bestD && best !== null && c < best)) {
      best = c;
      bestD = dist;
    }
  }
  return best !== null && bestD <= limit ? best : null;
}

/** ` (did you mean X?)` or ''. */
export function didYouMean(word: string, candidates: Iterable<string>, show: (c: string) => string = (c) => c): string {
  const c = closest(word, candidates);
  return c === null ? '' : ` (did you mean ${show(c)}?)`;
}
