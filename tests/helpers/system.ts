/**
 * One actor system per test, shut down after it whatever the outcome.
 */
import { afterEach } from 'vitest';
import { ActorSystem, type SystemOptions } from '../../src/runtime/index.js';

export function useSystem(defaults: SystemOptions = {}): (opts?: SystemOptions) => Promise<ActorSystem> {
  let current: ActorSystem | undefined;
  afterEach(async () => {
    await current?.shutdown();
    current = undefined;
  });
  return async (opts = {}) => {
    current = await ActorSystem.start({ logLevel: 'silent', ...defaults, ...opts });
    return current;
  };
}
