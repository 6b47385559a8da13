/** Helpers the history tests share. */
import { HistoryError } from '../../../../../app/research/history/index.js';
import type { HistBar } from '../../../../../app/research/types.js';
import { rejectionOf } from '../../../../helpers/errors.js';

/** Every bar of a stream, in order. */
export async function all(it: AsyncIterable<HistBar>): Promise<HistBar[]> {
  const out: HistBar[] = [];
  for await (const b of it) out.push(b);
  return out;
}

/** The HistoryError `p` rejects with (any other error is rethrown; none fails the test). */
export function failure(p: Promise<unknown>): Promise<HistoryError> {
  return rejectionOf(p, HistoryError);
}
