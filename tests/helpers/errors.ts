/**
 * Checks that something is refused with one error class. Any other error is
 * rethrown, and no error at all fails the test: a check that something is
 * refused must not pass because nothing happened.
 */
import { ConfigError } from '../../src/errors.js';

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** The error of class `type` that `fn` throws. */
export function thrownBy<E extends Error>(fn: () => unknown, type: ErrorClass<E>): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected a ${type.name}`);
}

/** The error of class `type` that `p` rejects with. */
export async function rejectionOf<E extends Error>(p: Promise<unknown>, type: ErrorClass<E>): Promise<E> {
  try {
    await p;
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected a ${type.name}`);
}

/** The ConfigError `fn` throws. */
export function configError(fn: () => unknown): ConfigError {
  return thrownBy(fn, ConfigError);
}
