/** Failures of the macro data sources (FRED, CFTC). */
import { QgtmError } from '../../src/errors.js';

export type MacroErrorCode =
  | 'QGTM_ERR_MACRO_HTTP'
  | 'QGTM_ERR_MACRO_PAYLOAD'
  | 'QGTM_ERR_MACRO_RATE_LIMITED'
  | 'QGTM_ERR_MACRO_TIMEOUT'
  | 'QGTM_ERR_MACRO_NETWORK'
  | 'QGTM_ERR_MACRO_CONFIG';

export class MacroSourceError extends QgtmError {
  /** HTTP status when the source answered. */
  readonly status?: number;

  constructor(code: MacroErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status;
  }
}
