/**
 * The venue's rejections, shaped like Alpaca's: an HTTP status plus a JSON
 * body `{code, message}` (extra fields, such as buying power, ride along).
 */
import { QgtmError } from '../errors.js';

/** Alpaca's numeric error codes used by the venue. */
export const ALPACA_CODES = {
  badRequest: 40010000,
  invalid: 40010001,
  unauthorized: 40110000,
  forbidden: 40310000,
  notFound: 40410000,
  tooLarge: 41310000,
  unprocessable: 42210000,
  rateLimited: 42910000,
  internal: 50010000,
} as const;

export class VenueRejection extends QgtmError {
  readonly status: number;
  readonly alpacaCode: number;
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(status: number, alpacaCode: number, message: string, extra: Record<string, unknown> = {}) {
    super('QGTM_ERR_VENUE_REJECT', message);
    this.status = status;
    this.alpacaCode = alpacaCode;
    this.extra = extra;
  }

  /** The JSON body Alpaca would send. */
  body(): Record<string, unknown> {
    return { code: this.alpacaCode, message: this.message, ...this.extra };
  }
}

/** 422 with Alpaca's validation code: the request was understood but is invalid. */
export function invalid(message: string, extra?: Record<string, unknown>): VenueRejection {
  return new VenueRejection(422, ALPACA_CODES.invalid, message, extra);
}

export function notFound(message: string): VenueRejection {
  return new VenueRejection(404, ALPACA_CODES.notFound, message);
}

export function forbidden(message: string, extra?: Record<string, unknown>): VenueRejection {
  return new VenueRejection(403, ALPACA_CODES.forbidden, message, extra);
}

export function badRequest(message: string): VenueRejection {
  return new VenueRejection(400, ALPACA_CODES.badRequest, message);
}
