import { ConfigError } from '../../src/errors.js';

/** The ConfigError `fn` throws (any other error is rethrown; no error fails the test). */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected ConfigError');
}
