/**
 * A child process running one back-test task, so its peak RSS and heap are
 * its own (nothing else in the process). The task comes as JSON in argv[2];
 * the result goes back as one JSON line on stdout.
 */
import { runTask, type BacktestTask } from './backtest-task.js';

const task = JSON.parse(process.argv[2] ?? '') as BacktestTask;
const result = await runTask(task);
process.stdout.write(`${JSON.stringify(result)}\n`);
