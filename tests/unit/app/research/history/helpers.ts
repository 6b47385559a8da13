/** Helpers the history tests share. */
import { HistoryError } from '../../../../../app/research/history/index.js';
import type { HistBar } from '../../../../../app/research/types.js';

/** Every bar of a stream, in order. */
export async function all(it: AsyncIterable<HistBar>): Promise<HistBar[]> {
  const out: HistBar[] = [];
  for await (const b of it) out.push(b);
  return out;
}

/** The HistoryError `p` rejects with (any other error is rethrown; none fails the test). */
export async function failure(p: Promise<unknown>): Promise<HistoryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HistoryError) return err;
    throw err;
  }
  throw new Error('expected a HistoryError');
}
