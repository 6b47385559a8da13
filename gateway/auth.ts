/**
 * Bearer-token check for operator commands. Both sides are hashed to a fixed
 * length before `timingSafeEqual`, so neither the content nor the length of
 * the configured token leaks through response timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class TokenAuth {
  private readonly expected: Buffer | null;

  /** `token` null disables commands (every command answers 403). */
  constructor(token: string | null) {
    this.expected = token ? digest(token) : null;
  }

  get enabled(): boolean {
    return this.expected !== null;
  }

  /** Throws 401 (no or malformed credentials) or 403 (wrong token, or commands disabled). */
  check(authorization: string): void {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!m) {
      throw new HttpError(
        401,
        'QGTM_ERR_UNAUTHORIZED',
        authorization === '' ? 'operator commands need an Authorization: Bearer <token> header' : 'the Authorization header must be `Bearer <token>`',
        [],
        { 'www-authenticate': 'Bearer realm="qgtm"' },
      );
    }
    if (!this.expected) {
      throw new HttpError(403, 'QGTM_ERR_FORBIDDEN', 'operator commands are disabled: no auth.token is configured (set QGTM_API_TOKEN)');
    }
    if (!timingSafeEqual(digest(m[1]), this.expected)) {
      throw new HttpError(403, 'QGTM_ERR_FORBIDDEN', 'the bearer token is not valid');
    }
  }
}
