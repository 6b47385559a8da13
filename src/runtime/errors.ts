/**
 * One base error with a stable `code`, and one subclass per failure. Across a
 * thread boundary a class does not survive, so errors travel as
 * `{code, name, message}` (see `serializeError`) and are revived by code.
 */

export class QgtmError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class AskTimeoutError extends QgtmError {
  constructor(target: string, type: string, timeoutMs: number) {
    super('QGTM_ERR_ASK_TIMEOUT', `ask ${type} to ${target} timed out after ${timeoutMs} ms`);
  }
}

export class MailboxFullError extends QgtmError {
  constructor(target: string) {
    super('QGTM_ERR_MAILBOX_FULL', `mailbox of ${target} is full`);
  }
}

export class NoSuchActorError extends QgtmError {
  constructor(target: string) {
    super('QGTM_ERR_NO_SUCH_ACTOR', `no actor ${target}`);
  }
}

export class UndeliverableError extends QgtmError {
  constructor(target: string, reason: string) {
    super('QGTM_ERR_UNDELIVERABLE', `message to ${target} undeliverable: ${reason}`);
  }
}

export class ControlTimeoutError extends QgtmError {
  constructor(worker: string, method: string, timeoutMs: number) {
    super('QGTM_ERR_CONTROL_TIMEOUT', `control call ${method} on worker ${worker} timed out after ${timeoutMs} ms`);
  }
}

export class WorkerDiedError extends QgtmError {
  constructor(worker: string, detail: string) {
    super('QGTM_ERR_WORKER_DIED', `worker ${worker} died: ${detail}`);
  }
}

export class DecodeError extends QgtmError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('QGTM_ERR_DECODE', `message failed to decode: ${detail}`, options);
  }
}

export class ConfigError extends QgtmError {
  readonly violations: readonly string[];
  constructor(violations: readonly string[]) {
    super('QGTM_ERR_CONFIG', `invalid configuration:\n  - ${violations.join('\n  - ')}`);
    this.violations = violations;
  }
}

export class NativeBinaryError extends QgtmError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('QGTM_ERR_NATIVE_BINARY', detail, options);
  }
}

/** The wire form of an error. */
export interface ErrorInfo {
  readonly code: string;
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export function serializeError(err: unknown): ErrorInfo {
  if (err instanceof Error) {
    const raw = (err as { code?: unknown }).code;
    const code = typeof raw === 'string' ? raw : 'QGTM_ERR_UNCAUGHT';
    return { code, name: err.name, message: err.message, stack: err.stack };
  }
  return { code: 'QGTM_ERR_UNCAUGHT', name: 'Error', message: String(err) };
}

/** A QgtmError carrying a remote error's code, name and message. */
export function reviveError(info: ErrorInfo): QgtmError {
  const err = new QgtmError(info.code, info.message);
  err.name = info.name;
  if (info.stack) err.stack = info.stack;
  return err;
}
