/** API key pairs the venue accepts. */
import { LOCAL_KEY_PAIR } from '../../src/alpaca/endpoints.js';

export interface KeyPair {
  readonly keyId: string;
  readonly secretKey: string;
}

/**
 * The fixed local key pair the venue accepts by default (qgtm-local-key /
 * qgtm-local-secret). It is not a secret: it exists so a new user with no
 * Alpaca account can run everything locally.
 */
export { LOCAL_KEY_PAIR };

export class KeyRing {
  private readonly pairs: Map<string, string>;

  constructor(pairs: readonly KeyPair[]) {
    this.pairs = new Map(pairs.map((p) => [p.keyId, p.secretKey]));
  }

  accepts(keyId: unknown, secret: unknown): boolean {
    return typeof keyId === 'string' && typeof secret === 'string' && this.pairs.get(keyId) === secret;
  }
}
