/**
 * Self-learning support model: Hedge (exponentiated-gradient) weights per
 * strategy, learned from each strategy's attributed P&L.
 *
 * Once per learning period of market time, each strategy's P&L over the
 * period is normalised by the running RMS of period P&L across strategies
 * (so the learning rate does not depend on account size) and clipped to
 * [-clip, clip]; then
 *
 *   w_i <- w_i * exp(rate * gain_i)               (Hedge step)
 *   w_i <- (1 - share) * w_i + share * 1          (fixed share, Herbster-Warmuth)
 *   w   <- w / mean(w)                            (mean 1 over known strategies)
 *   w_i <- clamp(w_i, floor, cap)
 *
 * Fixed share pulls every weight toward neutral each period, so zero-mean
 * noise cannot walk a weight far, and a strategy pushed to the floor can
 * recover once it is right again. A weight of 1 is neutral: the allocator
 * multiplies the strategy's votes by it in the combine. Frozen: no updates
 * (the weights in force stay applied).
 *
 * Pure: time comes in as market time `now`; deterministic.
 */

export interface LearningConfig {
  /** Step size of the Hedge update per unit of normalised gain. */
  readonly rate: number;
  /** Fixed-share mixing toward 1 per period, in [0, 1). */
  readonly share: number;
  readonly floor: number;
  readonly cap: number;
  /** Length of a learning period, market-time ms. */
  readonly periodMs: number;
  /** History points kept (one per period). */
  readonly historyPoints: number;
}

export const DEFAULT_LEARNING_CONFIG: LearningConfig = Object.freeze({
  // Noise: the log weight is a random walk of step ~rate held back by share,
  // stationary spread ~ rate / sqrt(2 share) ~ 0.16; a strategy right period
  // after period (gain ~1.5) outgrows the pull and climbs to the cap.
  rate: 0.05,
  share: 0.05,
  floor: 0.2,
  cap: 3,
  periodMs: 15 * 60_000,
  historyPoints: 500,
});

/** |normalised gain| above this is clipped: one freak period must not decide a weight. */
const CLIP = 3;
/** Decay of the running mean square of period P&L (per period). */
const RMS_DECAY = 0.95;

export interface LearningPoint {
  readonly ts: number;
  readonly weights: Readonly<Record<string, number>>;
}

export interface LearningSnapshot {
  readonly weights: Record<string, number>;
  readonly frozen: boolean;
  readonly periodStart: number | null;
  readonly meanSquare: number;
  readonly updates: number;
  readonly history: LearningPoint[];
}

/** The settings as resolved, with a reason for the first bad one. */
export function resolveLearningConfig(input: Partial<LearningConfig> = {}): LearningConfig {
  const c = { ...DEFAULT_LEARNING_CONFIG, ...input };
  const bad = learningConfigError(c);
  if (bad) throw new Error(`learning config: ${bad}`);
  return c;
}

/** Null when `c` is usable, else what is wrong with it. */
export function learningConfigError(c: LearningConfig): string | null {
  const fin = (x: number): boolean => typeof x === 'number' && Number.isFinite(x);
  if (!fin(c.rate) || c.rate < 0 || c.rate > 10) return `rate ${c.rate} not in [0, 10]`;
  if (!fin(c.share) || c.share < 0 || c.share >= 1) return `share ${c.share} not in [0, 1)`;
  if (!fin(c.floor) || c.floor <= 0 || c.floor > 1) return `floor ${c.floor} not in (0, 1]`;
  if (!fin(c.cap) || c.cap < 1 || c.cap > 100) return `cap ${c.cap} not in [1, 100]`;
  if (!fin(c.periodMs) || c.periodMs < 1000) return `periodMs ${c.periodMs} below 1000`;
  if (!Number.isInteger(c.historyPoints) || c.historyPoints < 1 || c.historyPoints > 100_000) return `historyPoints ${c.historyPoints} not an integer in [1, 100000]`;
  return null;
}

export class HedgeLearner {
  readonly config: LearningConfig;
  private weights = new Map<string, number>();
  private frozenFlag = false;
  private periodStart: number | null = null;
  private meanSquare = 0;
  private history: LearningPoint[] = [];
  updates = 0;

  constructor(config: Partial<LearningConfig> = {}) {
    this.config = resolveLearningConfig(config);
  }

  get frozen(): boolean {
    return this.frozenFlag;
  }

  setFrozen(frozen: boolean): void {
    this.frozenFlag = frozen;
  }

  /** The learned weight of `id` (1 for a strategy never seen). */
  weight(id: string): number {
    return this.weights.get(id) ?? 1;
  }

  /** Learned weights, sorted by id. */
  weightMap(): Record<string, number> {
    return Object.fromEntries([...this.weights.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** The newest `n` history points (all when unset). */
  historyTail(n = this.config.historyPoints): LearningPoint[] {
    return this.history.slice(-n);
  }

  /** Whether a period has ended at market time `now` (starts the first period on first call). */
  due(now: number): boolean {
    if (this.periodStart === null) {
      this.periodStart = now;
      return false;
    }
    return now - this.periodStart >= this.config.periodMs;
  }

  /**
   * Close the period at `now` with each strategy's attributed P&L over it
   * (strategies with no entry earned 0). Every key is a strategy: the caller
   * leaves out P&L no strategy stands behind. Returns true when weights changed.
   */
  update(periodPnl: Readonly<Record<string, number>>, now: number): boolean {
    this.periodStart = now;
    const ids = Object.keys(periodPnl).filter((id) => Number.isFinite(periodPnl[id]));
    for (const id of ids) if (!this.weights.has(id)) this.weights.set(id, 1);
    if (this.frozenFlag || this.weights.size === 0) return false;
    let sq = 0;
    for (const id of this.weights.keys()) sq += (periodPnl[id] ?? 0) ** 2;
    sq /= this.weights.size;
    if (sq === 0) return false;
    this.meanSquare = this.updates === 0 && this.meanSquare === 0 ? sq : RMS_DECAY * this.meanSquare + (1 - RMS_DECAY) * sq;
    const scale = Math.sqrt(this.meanSquare);
    const { rate, share, floor, cap } = this.config;
    let sum = 0;
    for (const [id, w] of this.weights) {
      const gain = Math.max(-CLIP, Math.min(CLIP, (periodPnl[id] ?? 0) / scale));
      const next = (1 - share) * w * Math.exp(rate * gain) + share;
      this.weights.set(id, next);
      sum += next;
    }
    const mean = sum / this.weights.size;
    for (const [id, w] of this.weights) this.weights.set(id, Math.max(floor, Math.min(cap, w / mean)));
    this.updates++;
    this.history.push({ ts: now, weights: this.weightMap() });
    if (this.history.length > this.config.historyPoints) this.history.splice(0, this.history.length - this.config.historyPoints);
    return true;
  }

  snapshot(): LearningSnapshot {
    return {
      weights: this.weightMap(),
      frozen: this.frozenFlag,
      periodStart: this.periodStart,
      meanSquare: this.meanSquare,
      updates: this.updates,
      history: this.history.map((p) => ({ ts: p.ts, weights: { ...p.weights } })),
    };
  }

  /** Rebuild from a snapshot under `config`; throws naming what is wrong. */
  static restore(snap: LearningSnapshot, config: Partial<LearningConfig> = {}): HedgeLearner {
    const bad = learningSnapshotError(snap);
    if (bad) throw new Error(`learning snapshot: ${bad}`);
    const l = new HedgeLearner(config);
    const { floor, cap } = l.config;
    for (const [id, w] of Object.entries(snap.weights)) l.weights.set(id, Math.max(floor, Math.min(cap, w)));
    l.frozenFlag = snap.frozen;
    l.periodStart = snap.periodStart;
    l.meanSquare = snap.meanSquare;
    l.updates = snap.updates;
    l.history = snap.history.slice(-l.config.historyPoints).map((p) => ({ ts: p.ts, weights: { ...p.weights } }));
    return l;
  }
}

function learningSnapshotError(s: LearningSnapshot): string | null {
  const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (!s || typeof s !== 'object') return 'not an object';
  if (!s.weights || typeof s.weights !== 'object') return 'weights not an object';
  for (const [id, w] of Object.entries(s.weights)) if (!fin(w) || w <= 0) return `weights.${id} ${String(w)} not a positive number`;
  if (typeof s.frozen !== 'boolean') return 'frozen not a boolean';
  if (s.periodStart !== null && !fin(s.periodStart)) return 'periodStart not a number or null';
  if (!fin(s.meanSquare) || s.meanSquare < 0) return 'meanSquare not a non-negative number';
  if (!Number.isInteger(s.updates) || s.updates < 0) return 'updates not a non-negative integer';
  if (!Array.isArray(s.history)) return 'history not an array';
  for (const p of s.history) if (!p || !fin(p.ts) || !p.weights || typeof p.weights !== 'object') return 'history point malformed';
  return null;
}
