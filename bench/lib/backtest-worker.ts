/** The piscina worker of the sweep benchmark: one back-test task per call (see `backtest-task.ts`). */
import { runTask, type BacktestTask, type TaskResult } from './backtest-task.js';

export default function task(t: BacktestTask): Promise<TaskResult> {
  return runTask(t);
}
