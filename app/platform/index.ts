export { notify, notifyEnabled, notifyStats, watchdogIntervalMs, startWatchdog } from './systemd.js';
export type { NotifyAssignment, NotifyOptions, NotifyStats, WatchdogOptions } from './systemd.js';
