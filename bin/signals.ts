/**
 * The stop signal of a process command. Installed before the command starts
 * anything, so a SIGTERM that arrives during start-up (or the instant the
 * command says it is running) is not the default action, killing the process
 * without a shutdown: the command finishes starting, then closes in order.
 * A second signal of the same kind is not caught, so a stuck start-up still
 * yields to Ctrl-C twice or to systemd's SIGKILL.
 */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = (): void => on('SIGINT');
    const onTerm = (): void => on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}
