import { QgtmError } from '../../src/errors.js';

/** An order status change Alpaca's lifecycle does not allow. */
export class InvalidOrderTransitionError extends QgtmError {
  constructor(clientOrderId: string, from: string, to: string) {
    super('QGTM_ERR_INVALID_ORDER_TRANSITION', `order ${clientOrderId}: status ${from} -> ${to} is not a valid transition`);
  }
}

/** A journal record in the middle of the file failed its checksum or did not parse. */
export class JournalCorruptError extends QgtmError {
  readonly path: string;
  readonly offset: number;
  readonly line: number;
  constructor(path: string, line: number, offset: number, detail: string) {
    super(
      'QGTM_ERR_JOURNAL_CORRUPT',
      `journal ${path} is corrupt at record ${line} (byte offset ${offset}): ${detail}; ` +
        'valid records follow it, so this is not a torn tail from a crash. Refusing to replay: ' +
        "inspect the file, or open it with onCorrupt: 'quarantine' to move bad records aside and reconcile against the broker",
    );
    this.path = path;
    this.offset = offset;
    this.line = line;
  }
}

/** The journal was used after close(). */
export class JournalClosedError extends QgtmError {
  constructor(path: string) {
    super('QGTM_ERR_JOURNAL_CLOSED', `journal ${path} is closed`);
  }
}
