/**
 * The history layer's one error: bad input (a CSV row, a missing cache
 * entry, an unusable spec) named precisely, never a crash.
 */
import { QgtmError } from '../../../src/errors.js';

/** Problems kept in one error before reading stops (the rest would only repeat the cause). */
export const MAX_PROBLEMS = 20;

export class HistoryError extends QgtmError {
  /** Every problem found, each naming where (file:line, cache key, spec field) and what. */
  readonly problems: readonly string[];

  constructor(summary: string, problems: readonly string[] = [], options?: { cause?: unknown }) {
    super('QGTM_ERR_HISTORY', problems.length > 0 ? `${summary}:\n  - ${problems.join('\n  - ')}` : summary, options);
    this.problems = problems;
  }
}
