export { DEFAULT_CONFIG, FIELDS } from './schema.js';
export type { QgtmConfig, HttpConfig, GatewayConfig, RedisConfig, AuthConfig, VenueConfig, DaemonConfig, FieldSpec, FieldKind } from './schema.js';
export { loadConfig, redactConfig, unknownOption } from './load.js';
export type { ConfigMode, LoadConfigOptions, LoadedConfig } from './load.js';
export { CONFIG_FLAGS, parseFlags, flagOverrides, flagsHelp, flagsFor, refusedFlags } from './flags.js';
export type { FlagCommand, FlagSpec, ParsedFlags } from './flags.js';
export { DEFAULT_TRADING, TRADING_FIELDS, MOVED, allocatorArgs, riskArgs, strategyOverrides } from './trading.js';
export type { RiskSettings, AllocatorSettings, StrategiesSettings, LadderSettings } from './trading.js';
export { configJsonSchema, exampleConfig } from './json-schema.js';
