/**
 * What a process does when its root supervisor gives up: write the final
 * report as one JSON line, stop what can still be stopped (bounded), and
 * exit non-zero so that systemd (Restart=on-failure) starts it again.
 */
import type { ActorSystem } from '../src/runtime/index.js';
import type { SupervisionTree } from './tree.js';
import type { SupervisorReport } from './types.js';

export const ROOT_FAILURE_EXIT_CODE = 70; // EX_SOFTWARE

export function exitOnRootFailure(
  tree: SupervisionTree,
  system: ActorSystem,
  options: { shutdownTimeoutMs?: number; exit?: (code: number) => void; beforeExit?: (report: SupervisorReport) => Promise<void> | void } = {},
): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  tree.once('root_failed', (report: SupervisorReport) => {
    process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: 'root supervisor failed; exiting', final_report: report }) + '\n');
    const deadline = new Promise<void>((r) => setTimeout(r, options.shutdownTimeoutMs ?? 5000).unref());
    const shutdown = (async () => {
      await options.beforeExit?.(report);
      await system.shutdown({ timeoutMs: 1000 });
    })().catch(() => undefined);
    void Promise.race([shutdown, deadline]).then(() => exit(ROOT_FAILURE_EXIT_CODE));
  });
}
