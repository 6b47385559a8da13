/** Runs `fn` and returns the VenueRejection it threw (anything else is rethrown). */
import { VenueRejection } from '../../../../src/matching/errors.js';

export function rejection(fn: () => unknown): VenueRejection {
  try {
    fn();
  } catch (err) {
    if (err instanceof VenueRejection) return err;
    throw err;
  }
  throw new Error('expected a VenueRejection');
}
