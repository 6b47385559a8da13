/**
 * The risk governor: turns trigger readings into tier changes.
 *
 * - Escalation is immediate: the strictest tier any trigger demands is taken
 *   at once (skipping tiers if need be).
 * - De-escalation is one step at a time, and only once every trigger has been
 *   clear of the current tier *with hysteresis* (its `holdTier` below the
 *   current tier) continuously for `coolDownMs`. Each step restarts the
 *   cool-down, so FLATTEN -> NORMAL takes four calm periods.
 * - An operator `set` makes a floor tier: escalates at once if stricter, and
 *   nothing steps below it until `clear`.
 * - FLATTEN latches (config `flattenLatch`): an operator must `clear` before
 *   the governor steps down from it, because a flattened book stops the
 *   drawdown trigger from being meaningful.
 * - Every change is returned as a `risk.tier_changed` message and kept in
 *   the history with its reason and time.
 */

import { resolveRiskConfig, type RiskConfig, type RiskConfigInput } from './config.js';
import type { RiskCommandMsg, RiskStateMsg, RiskTierChangedMsg } from './messages.js';
import { assertTransition, isTier, maxTier, stepDown, tierRank, type Tier } from './tiers.js';
import { evaluateTriggers, validateRiskInputs, type RiskInputs, type TriggerResult } from './triggers.js';
import { floorReasonOf, operatorLabel } from './reason.js';

export interface EvaluateResult {
  /** Zero or one change (escalation or a one-step de-escalation). */
  readonly changes: readonly RiskTierChangedMsg[];
  readonly triggers: readonly TriggerResult[];
  /** Set when the inputs were rejected; no change was made. */
  readonly error?: string;
}

export interface CommandResult {
  readonly ok: boolean;
  readonly changes: readonly RiskTierChangedMsg[];
  readonly error?: string;
}

export interface GovernorSnapshot {
  readonly tier: Tier;
  readonly since: number;
  readonly calmSince: number | null;
  readonly floor: Tier | null;
  readonly floorReason: string | null;
  readonly latched: boolean;
  readonly history: readonly RiskTierChangedMsg[];
}

export class RiskGovernor {
  readonly config: RiskConfig;
  private current: Tier;
  private since: number;
  private calmSince: number | null = null;
  private floorTier: Tier | null = null;
  private floorReason: string | null = null;
  private latched = false;
  private readonly log: RiskTierChangedMsg[] = [];
  private dropped = 0;
  private last: readonly TriggerResult[] = [];
  private rejected = 0;

  /**
   * @param initialTier where to start. A daemon that has not reconciled yet
   *   should start at NO_NEW and let the governor step down once inputs are clean.
   */
  constructor(config: RiskConfigInput = {}, initialTier: Tier = 'NORMAL', now = 0) {
    this.config = resolveRiskConfig(config);
    this.current = initialTier;
    this.since = now;
  }

  get tier(): Tier {
    return this.current;
  }

  get floor(): Tier | null {
    return this.floorTier;
  }

  get isLatched(): boolean {
    return this.latched;
  }

  /** Evaluate a snapshot of inputs at `now`; returns the change made, if any. */
  evaluate(inputs: RiskInputs, now: number): EvaluateResult {
    const bad = validateRiskInputs(inputs);
    if (bad) {
      this.rejected++;
      return { changes: [], triggers: this.last, error: `risk inputs rejected: ${bad}` };
    }
    const results = evaluateTriggers({ ...inputs, operatorOverride: this.floorTier }, this.config, now);
    this.last = results;

    let demand: Tier = 'NORMAL';
    for (const r of results) demand = maxTier(demand, r.tier);
    if (tierRank(demand) > tierRank(this.current)) {
      const demanding = results.filter((r) => r.tier === demand);
      const cause = demanding.every((r) => r.trigger === 'operator') ? 'operator' : 'trigger';
      const reason = demanding.map((r) => r.reason).join('; ');
      return { changes: [this.change(demand, cause, reason, demanding, now)], triggers: results };
    }

    let hold: Tier = this.latched ? 'FLATTEN' : 'NORMAL';
    for (const r of results) hold = maxTier(hold, r.holdTier);
    if (tierRank(hold) >= tierRank(this.current)) {
      this.calmSince = null;
      return { changes: [], triggers: results };
    }
    if (this.calmSince === null) this.calmSince = now;
    if (now - this.calmSince < this.config.coolDownMs) return { changes: [], triggers: results };
    const to = stepDown(this.current)!;
    const reason = `all triggers clear of ${this.current} with hysteresis for ${now - this.calmSince} ms (cool-down ${this.config.coolDownMs} ms)`;
    const change = this.change(to, 'cool_down', reason, results, now);
    // The next step needs its own full calm period.
    this.calmSince = now;
    return { changes: [change], triggers: results };
  }

  /** Apply an operator command: `set` a floor tier (escalating at once if stricter) or `clear` it. */
  command(cmd: RiskCommandMsg, now: number): CommandResult {
    if (cmd.action === 'clear') {
      this.floorTier = null;
      this.floorReason = null;
      this.latched = false;
      this.calmSince = null;
      return { ok: true, changes: [] };
    }
    if (cmd.action !== 'set' || !isTier(cmd.tier)) {
      this.rejected++;
      return { ok: false, changes: [], error: `risk command rejected: unknown action or tier` };
    }
    this.floorTier = cmd.tier;
    this.floorReason = floorReasonOf(cmd.by, cmd.reason);
    if (tierRank(cmd.tier) <= tierRank(this.current)) {
      if (cmd.tier === 'FLATTEN' && this.config.flattenLatch) this.latched = true;
      return { ok: true, changes: [] };
    }
    const reading: TriggerResult = {
      trigger: 'operator',
      tier: cmd.tier,
      holdTier: cmd.tier,
      metric: tierRank(cmd.tier),
      threshold: null,
      reason: `${operatorLabel(cmd.by)} set floor ${cmd.tier}: ${cmd.reason}`,
    };
    return { ok: true, changes: [this.change(cmd.tier, 'operator', reading.reason, [reading], now)] };
  }

  /** Tier changes so far, oldest first (bounded by `historyLimit`). */
  history(): readonly RiskTierChangedMsg[] {
    return this.log;
  }

  /** Telemetry view at `now`. */
  state(now: number): RiskStateMsg {
    return {
      type: 'risk.state',
      tier: this.current,
      since: this.since,
      floor: this.floorTier,
      floorReason: this.floorReason,
      latched: this.latched,
      calmSince: this.calmSince,
      coolDownRemainingMs: this.calmSince === null ? null : Math.max(0, this.config.coolDownMs - (now - this.calmSince)),
      triggers: this.last,
      changes: this.log.length + this.dropped,
      rejectedInputs: this.rejected,
      at: now,
    };
  }

  snapshot(): GovernorSnapshot {
    return {
      tier: this.current,
      since: this.since,
      calmSince: this.calmSince,
      floor: this.floorTier,
      floorReason: this.floorReason,
      latched: this.latched,
      history: [...this.log],
    };
  }

  static restore(snap: GovernorSnapshot, config: RiskConfigInput = {}): RiskGovernor {
    const g = new RiskGovernor(config, snap.tier, snap.since);
    g.calmSince = snap.calmSince;
    g.floorTier = snap.floor;
    g.floorReason = snap.floorReason;
    g.latched = snap.latched;
    g.log.push(...snap.history);
    return g;
  }

  private change(to: Tier, cause: RiskTierChangedMsg['cause'], reason: string, triggers: readonly TriggerResult[], now: number): RiskTierChangedMsg {
    const kind = assertTransition(this.current, to);
    const msg: RiskTierChangedMsg = { type: 'risk.tier_changed', from: this.current, to, kind, cause, reason, triggers, at: now };
    this.current = to;
    this.since = now;
    this.calmSince = null;
    if (to === 'FLATTEN' && this.config.flattenLatch) this.latched = true;
    this.log.push(msg);
    if (this.log.length > this.config.historyLimit) {
      this.log.shift();
      this.dropped++;
    }
    return msg;
  }
}
