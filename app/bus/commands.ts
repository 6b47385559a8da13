/**
 * Operator commands (API -> daemon) and their acknowledgements (daemon -> API).
 *
 * Every command carries an `id`: the daemon executes a given id at most once
 * and answers a repeat with the acknowledgement it gave the first time, so a
 * client may retry safely with the same id (HTTP `Idempotency-Key`).
 */
import { TIERS, isTier, type Tier } from '../tiers.js';
import type { RiskCommandMsg } from '../../actors/risk/messages.js';
import type { StrategyCommandMsg } from '../../actors/strategy/messages.js';
import type { AllocatorLearningCommandMsg } from '../../actors/allocator/messages.js';

interface CommandBase {
  /** Unique per command; the idempotency key. */
  readonly id: string;
  /** Who asked (operator name, or 'operator' when the client did not say). */
  readonly by: string;
  /** When the gateway accepted it (epoch ms). */
  readonly at: number;
}

/** Sets the operator floor tier: the governor will not go below it. */
export interface RiskSetTierCommand extends CommandBase {
  readonly type: 'risk.set_tier';
  readonly tier: Tier;
  readonly reason: string;
}

/** Clears the operator floor (and a latched FLATTEN). */
export interface RiskClearTierCommand extends CommandBase {
  readonly type: 'risk.clear_tier';
  readonly reason: string;
}

/** The kill switch: sugar for `risk.set_tier` FLATTEN. */
export interface RiskFlattenCommand extends CommandBase {
  readonly type: 'risk.flatten';
  readonly reason: string;
}

export interface StrategyEnableCommand extends CommandBase {
  readonly type: 'strategy.enable';
  readonly strategyId: string;
  readonly reason?: string;
}

export interface StrategyDisableCommand extends CommandBase {
  readonly type: 'strategy.disable';
  readonly strategyId: string;
  readonly reason: string;
}

/** Freezes (or unfreezes) the allocator's self-learning weights: the weights in force stay applied. */
export interface StrategyLearningCommand extends CommandBase {
  readonly type: 'strategy.learning';
  readonly frozen: boolean;
  readonly reason: string;
}

/** Adds a runtime entry (a variant of a catalog entry, or a control); `spec` is validated by the daemon against the base's bounds. */
export interface StrategyAddRuntimeCommand extends CommandBase {
  readonly type: 'strategy.add_runtime';
  readonly spec: Readonly<Record<string, unknown>>;
}

/** Changes a runtime entry's params, instruments or note; the fields given replace the old ones. */
export interface StrategyChangeRuntimeCommand extends CommandBase {
  readonly type: 'strategy.change_runtime';
  readonly strategyId: string;
  readonly patch: Readonly<Record<string, unknown>>;
}

/** Removes a runtime entry; its signals are retracted at the allocator. */
export interface StrategyRemoveRuntimeCommand extends CommandBase {
  readonly type: 'strategy.remove_runtime';
  readonly strategyId: string;
  readonly reason: string;
}

/** Reads the strategies file again and applies it (file entries only). */
export interface StrategyReloadFileCommand extends CommandBase {
  readonly type: 'strategy.reload_file';
  readonly reason: string;
}

export type RuntimeStrategyCommand = StrategyAddRuntimeCommand | StrategyChangeRuntimeCommand | StrategyRemoveRuntimeCommand | StrategyReloadFileCommand;

export type OperatorCommand =
  | RiskSetTierCommand
  | RiskClearTierCommand
  | RiskFlattenCommand
  | StrategyEnableCommand
  | StrategyDisableCommand
  | StrategyLearningCommand
  | RuntimeStrategyCommand;
export type CommandType = OperatorCommand['type'];

export const COMMAND_TYPES: readonly CommandType[] = [
  'risk.set_tier',
  'risk.clear_tier',
  'risk.flatten',
  'strategy.enable',
  'strategy.disable',
  'strategy.learning',
  'strategy.add_runtime',
  'strategy.change_runtime',
  'strategy.remove_runtime',
  'strategy.reload_file',
];

/** The daemon's answer to one command. */
export interface CommandAck {
  readonly id: string;
  readonly ok: boolean;
  /** Whatever the daemon reports on success (e.g. the new tier). JSON-able. */
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

/** What the daemon registers with `onCommand`. It should not throw; if it does, the ack says so. */
export type CommandHandler = (cmd: OperatorCommand) => Promise<CommandAck>;

const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const STRATEGY_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_TEXT = 500;

export type CommandCheck = { readonly ok: true; readonly command: OperatorCommand } | { readonly ok: false; readonly violations: readonly string[] };

/**
 * Checks an untrusted value (decoded from Redis or built from an HTTP body)
 * against the command union; collects every violation.
 */
export function validateCommand(raw: unknown): CommandCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, violations: ['command must be an object'] };
  const c = raw as Record<string, unknown>;
  const v: string[] = [];
  if (typeof c.id !== 'string' || !ID.test(c.id)) v.push('id must be 1-128 characters of [A-Za-z0-9_.:-]');
  if (typeof c.by !== 'string' || c.by.length === 0 || c.by.length > 100) v.push('by must be a string of 1-100 characters');
  if (typeof c.at !== 'number' || !Number.isFinite(c.at) || c.at < 0) v.push('at must be epoch milliseconds');
  const text = (name: string, required: boolean): void => {
    const x = c[name];
    if (x === undefined && !required) return;
    if (typeof x !== 'string' || x.length > MAX_TEXT || (required && x.trim().length === 0)) {
      v.push(`${name} must be a ${required ? 'non-empty ' : ''}string of at most ${MAX_TEXT} characters`);
    }
  };
  switch (c.type) {
    case 'risk.set_tier':
      if (!isTier(c.tier)) v.push(`tier must be one of ${TIERS.join(', ')}`);
      text('reason', true);
      break;
    case 'risk.clear_tier':
    case 'risk.flatten':
      text('reason', true);
      break;
    case 'strategy.enable':
    case 'strategy.disable':
      if (typeof c.strategyId !== 'string' || !STRATEGY_ID.test(c.strategyId)) v.push('strategyId must be 1-64 characters of [A-Za-z0-9_.:-]');
      text('reason', c.type === 'strategy.disable');
      break;
    case 'strategy.learning':
      if (typeof c.frozen !== 'boolean') v.push('frozen must be true or false');
      text('reason', true);
      break;
    case 'strategy.add_runtime':
      if (!isPlainObject(c.spec)) v.push('spec must be an object');
      break;
    case 'strategy.change_runtime':
      if (typeof c.strategyId !== 'string' || !STRATEGY_ID.test(c.strategyId)) v.push('strategyId must be 1-64 characters of [A-Za-z0-9_.:-]');
      if (!isPlainObject(c.patch)) v.push('patch must be an object');
      break;
    case 'strategy.reload_file':
      text('reason', true);
      break;
    case 'strategy.remove_runtime':
      if (typeof c.strategyId !== 'string' || !STRATEGY_ID.test(c.strategyId)) v.push('strategyId must be 1-64 characters of [A-Za-z0-9_.:-]');
      text('reason', true);
      break;
    default:
      v.push(`type must be one of ${COMMAND_TYPES.join(', ')}`);
  }
  return v.length === 0 ? { ok: true, command: c as unknown as OperatorCommand } : { ok: false, violations: v };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The command as a runtime-strategy command, or null for other commands. */
export function asRuntimeCommand(cmd: OperatorCommand): RuntimeStrategyCommand | null {
  return cmd.type === 'strategy.add_runtime' || cmd.type === 'strategy.change_runtime' || cmd.type === 'strategy.remove_runtime' || cmd.type === 'strategy.reload_file' ? cmd : null;
}

export function isCommandAck(x: unknown): x is CommandAck {
  if (typeof x !== 'object' || x === null) return false;
  const a = x as Record<string, unknown>;
  return typeof a.id === 'string' && typeof a.ok === 'boolean';
}

/** An ack for a failed command. */
export function errorAck(id: string, code: string, message: string): CommandAck {
  return { id, ok: false, error: { code, message } };
}

/** The risk governor's message for a risk command, or null for other commands. */
export function toRiskCommandMsg(cmd: OperatorCommand): RiskCommandMsg | null {
  switch (cmd.type) {
    case 'risk.set_tier':
      return { type: 'risk.command', action: 'set', tier: cmd.tier, reason: cmd.reason, by: cmd.by, at: cmd.at };
    case 'risk.flatten':
      return { type: 'risk.command', action: 'set', tier: 'FLATTEN', reason: cmd.reason, by: cmd.by, at: cmd.at };
    case 'risk.clear_tier':
      return { type: 'risk.command', action: 'clear', reason: cmd.reason, by: cmd.by, at: cmd.at };
    default:
      return null;
  }
}

/** The strategy shards' message for a strategy command, or null for other commands. */
export function toStrategyCommandMsg(cmd: OperatorCommand): StrategyCommandMsg | null {
  switch (cmd.type) {
    case 'strategy.enable':
      return { type: 'strategy.enable', strategyId: cmd.strategyId, requestedBy: cmd.by, ts: cmd.at };
    case 'strategy.disable':
      return { type: 'strategy.disable', strategyId: cmd.strategyId, requestedBy: cmd.by, reason: cmd.reason, ts: cmd.at };
    default:
      return null;
  }
}

/** The allocator's message for the learning command, or null for other commands. */
export function toLearningCommandMsg(cmd: OperatorCommand): AllocatorLearningCommandMsg | null {
  return cmd.type === 'strategy.learning' ? { type: 'allocator.learning_command', frozen: cmd.frozen, reason: cmd.reason, by: cmd.by } : null;
}
