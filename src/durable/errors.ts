import { QgtmError } from '../errors.js';

/** A state record is on disk but cannot be trusted: its owner starts fail-safe. */
export class StateCorruptError extends QgtmError {
  constructor(
    readonly where: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super('QGTM_ERR_STATE_CORRUPT', `state record ${where} is unusable: ${detail}`, options);
  }
}

/** A state record could not be written durably. */
export class StateWriteError extends QgtmError {
  constructor(where: string, detail: string, options?: { cause?: unknown }) {
    super('QGTM_ERR_STATE_WRITE', `state record ${where} could not be written: ${detail}`, options);
  }
}
