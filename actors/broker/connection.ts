/**
 * `ConnectionMonitor`: whether the broker session counts as connected to the
 * venue, from what its shell observes (the trade_updates stream listening or
 * down, REST calls succeeding or failing).
 *
 * Asymmetric on purpose: the link is declared down only once the stream has
 * been down, or REST has failed `restFailureLimit` times in a row, for
 * `disconnectAfterMs` (a reconnect blip must not push the risk governor to
 * NO_NEW and then cost it a cool-down per tier); it is declared up as soon as
 * the stream listens again and REST answers.
 *
 * Pure: time comes in as `now`.
 */
import type { BrokerConnectionMsg } from './messages.js';

export type StreamState = 'connecting' | 'listening' | 'down';

export interface ConnectionOptions {
  /** How long the stream may be down (or REST failing) before the link is declared down, ms. */
  readonly disconnectAfterMs: number;
  /** Consecutive REST failures that count as REST failing. */
  readonly restFailureLimit: number;
}

export class ConnectionMonitor {
  private stream: StreamState = 'connecting';
  /** Since when the stream has not been listening (the start counts), or null while it listens. */
  private streamDownSince: number | null;
  private streamReason: string | null = 'not connected yet';
  private restFailures = 0;
  private restFailingSince: number | null = null;
  private restReason: string | null = null;
  private up = false;
  private changedAt: number;
  private ready = false;

  constructor(
    private readonly opts: ConnectionOptions,
    now: number,
  ) {
    this.streamDownSince = now;
    this.changedAt = now;
  }

  get connected(): boolean {
    return this.up;
  }

  get streamState(): StreamState {
    return this.stream;
  }

  streamConnecting(): void {
    if (this.stream !== 'listening') this.stream = 'connecting';
  }

  streamListening(): void {
    this.stream = 'listening';
    this.streamDownSince = null;
    this.streamReason = null;
  }

  streamDown(now: number, reason: string): void {
    if (this.stream === 'listening' || this.streamDownSince === null) this.streamDownSince = now;
    this.stream = 'down';
    this.streamReason = reason;
  }

  restOk(): void {
    this.restFailures = 0;
    this.restFailingSince = null;
    this.restReason = null;
  }

  restFailed(now: number, reason: string): void {
    if (this.restFailures === 0) this.restFailingSince = now;
    this.restFailures++;
    this.restReason = reason;
  }

  setReady(ready: boolean): void {
    this.ready = ready;
  }

  /** Applies the thresholds at `now`; true when `connected` changed. */
  evaluate(now: number): boolean {
    const healthy = this.stream === 'listening' && this.restFailures < this.opts.restFailureLimit;
    let next = this.up;
    if (healthy) next = true;
    else if (this.up) {
      const streamBad = this.stream !== 'listening' && this.streamDownSince !== null && now - this.streamDownSince >= this.opts.disconnectAfterMs;
      const restBad = this.restFailures >= this.opts.restFailureLimit && this.restFailingSince !== null && now - this.restFailingSince >= this.opts.disconnectAfterMs;
      if (streamBad || restBad) next = false;
    }
    if (next === this.up) return false;
    this.up = next;
    this.changedAt = now;
    return true;
  }

  reason(): string | null {
    if (this.stream !== 'listening') return `trade_updates stream ${this.stream}: ${this.streamReason ?? 'no detail'}`;
    if (this.restFailures >= this.opts.restFailureLimit) return `REST failing (${this.restFailures} in a row): ${this.restReason ?? 'no detail'}`;
    if (!this.ready) return 'start-up reconciliation has not passed';
    return null;
  }

  message(now: number): BrokerConnectionMsg {
    return {
      type: 'broker.connection',
      connected: this.up,
      ready: this.ready,
      stream: this.stream,
      restFailures: this.restFailures,
      reason: this.reason(),
      since: this.changedAt,
      ts: now,
    };
  }
}
