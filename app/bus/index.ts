export { SECTIONS, TOPICS, isSection, isTopic } from './sections.js';
export type { Section, Topic } from './sections.js';
export { startHeartbeat } from './bus.js';
export type {
  StateBus,
  DaemonSide,
  ApiSide,
  HeartbeatInfo,
  HeartbeatRecord,
  BusHealth,
  BusStats,
  DaemonStatus,
  StateEntry,
  SendCommandOptions,
  TelemetryListener,
} from './bus.js';
export { COMMAND_TYPES, validateCommand, isCommandAck, errorAck, toRiskCommandMsg, toStrategyCommandMsg } from './commands.js';
export type {
  OperatorCommand,
  CommandType,
  CommandAck,
  CommandHandler,
  CommandCheck,
  RiskSetTierCommand,
  RiskClearTierCommand,
  RiskFlattenCommand,
  StrategyEnableCommand,
  StrategyDisableCommand,
} from './commands.js';
export { DaemonDownError, CommandTimeoutError, BusUnavailableError, InvalidCommandError } from './errors.js';
export { InMemoryBus } from './memory.js';
export type { InMemoryBusOptions } from './memory.js';
export { RedisBus } from './redis.js';
export type { RedisBusOptions } from './redis.js';
export { busMetricsJson } from './metrics.js';
