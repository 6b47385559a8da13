/**
 * Failures of the state bus as the API side sees them. The daemon side never
 * throws (trading code must not stop because Redis did); it counts instead.
 */
import { QgtmError } from '../../src/errors.js';

/** The daemon's heartbeat has expired (or was never seen): a command was not sent. */
export class DaemonDownError extends QgtmError {
  readonly delivered = false;
  constructor(detail: string) {
    super('QGTM_ERR_DAEMON_DOWN', `daemon is down: ${detail}`);
  }
}

/**
 * No acknowledgement within the timeout. `delivered` says whether the daemon
 * had taken the command off the queue (outcome unknown) or it was withdrawn
 * unread (it will not run).
 */
export class CommandTimeoutError extends QgtmError {
  constructor(
    readonly commandId: string,
    readonly timeoutMs: number,
    readonly delivered: boolean,
  ) {
    super(
      'QGTM_ERR_COMMAND_TIMEOUT',
      delivered
        ? `command ${commandId} was taken by the daemon but not acknowledged within ${timeoutMs} ms; its outcome is unknown`
        : `command ${commandId} was not picked up within ${timeoutMs} ms and was withdrawn; it will not run`,
    );
  }
}

/** The bus backend (Redis) cannot be reached and nothing cached can answer. */
export class BusUnavailableError extends QgtmError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('QGTM_ERR_BUS_UNAVAILABLE', `state bus unavailable: ${detail}`, options);
  }
}

/** An operator command failed validation; every violation is listed. */
export class InvalidCommandError extends QgtmError {
  constructor(readonly violations: readonly string[]) {
    super('QGTM_ERR_INVALID_COMMAND', `invalid command: ${violations.join('; ')}`);
  }
}
