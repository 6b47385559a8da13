export { SupervisionTree, SUPERVISOR_TOPIC } from './tree.js';
export type { TreeOptions, SupervisorReportMsg } from './tree.js';
export { Supervisor } from './supervisor.js';
export type { SupervisorView, ChildView, ChildEnd, SupervisorState } from './supervisor.js';
export { Backoff, Intensity } from './backoff.js';
export { validateSupervisorSpec, childId, DEFAULT_BACKOFF, DEFAULT_SHUTDOWN_MS } from './types.js';
export type {
  SupervisorSpec,
  ChildSpec,
  WorkerChildSpec,
  SupervisorChildSpec,
  RestartType,
  Strategy,
  Shutdown,
  BackoffSpec,
  SupervisorReport,
  ReportContext,
  Offender,
} from './types.js';
export { exitOnRootFailure, ROOT_FAILURE_EXIT_CODE } from './exit.js';
