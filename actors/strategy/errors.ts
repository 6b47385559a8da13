import { QgtmError } from '../../src/errors.js';

/** A strategy threw or produced an invalid signal; the shard marks it `error` and carries on. */
export class StrategyError extends QgtmError {
  readonly strategyId: string;
  constructor(strategyId: string, detail: string, options?: { cause?: unknown }) {
    super('QGTM_ERR_STRATEGY', `strategy ${strategyId} failed: ${detail}`, options);
    this.strategyId = strategyId;
  }
}

/** A command named a strategy this catalog or shard does not hold. */
export class UnknownStrategyError extends QgtmError {
  constructor(strategyId: string) {
    super('QGTM_ERR_UNKNOWN_STRATEGY', `no strategy ${strategyId}`);
  }
}
