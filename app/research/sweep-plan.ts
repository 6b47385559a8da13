/**
 * What a sweep runs and how its results are ordered, as pure functions:
 * the points of a grid or of a seeded random draw, the score of a result
 * under an objective, the ranking of rows, and the bar windows of a
 * walk-forward. Every refusal is a ResearchPlanError naming the parameter
 * or size that was wrong, before any task starts.
 */
import { QgtmError } from '../../src/errors.js';
import { mulberry32 } from '../../src/random.js';
import type { Objective, Summary, SweepParam, SweepRow } from './types.js';

/** A sweep request that cannot be planned (bad parameter, too many points, impossible windows). */
export class ResearchPlanError extends QgtmError {
  constructor(message: string) {
    super('QGTM_ERR_RESEARCH_PLAN', message);
  }
}

export type ParamValue = number | string | boolean;
export type ParamPoint = Record<string, ParamValue>;

/** Most points a grid or random sweep may have unless the caller says otherwise. */
export const MAX_SWEEP_POINTS = 10_000;
/** Most walk-forward windows unless the caller says otherwise. */
export const MAX_WALK_FORWARD_WINDOWS = 1_000;

export const OBJECTIVES: readonly Objective[] = ['sharpe', 'sortino', 'calmar', 'total_return', 'annual_return', 'max_drawdown'];

/** True for the objectives where smaller is better (drawdown). */
export function lowerIsBetter(objective: Objective): boolean {
  return objective === 'max_drawdown';
}

function checkParams(params: readonly SweepParam[]): void {
  if (params.length === 0) throw new ResearchPlanError('a sweep needs at least one parameter');
  const seen = new Set<string>();
  for (const p of params) {
    if (typeof p.path !== 'string' || p.path === '') throw new ResearchPlanError('a sweep parameter needs a path');
    if (seen.has(p.path)) throw new ResearchPlanError(`sweep parameter ${p.path} is given twice`);
    seen.add(p.path);
  }
}

function checkValues(p: SweepParam): readonly ParamValue[] {
  const vs = p.values;
  if (vs === undefined || vs.length === 0) throw new ResearchPlanError(`sweep parameter ${p.path} needs a non-empty list of values${p.min !== undefined || p.max !== undefined ? ' (min and max are for random sweeps)' : ''}`);
  const seen = new Set<ParamValue>();
  for (const v of vs) {
    const ok = typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    if (!ok) throw new ResearchPlanError(`sweep parameter ${p.path}: value ${JSON.stringify(v)} is not a finite number, a string or a boolean`);
    if (seen.has(v)) throw new ResearchPlanError(`sweep parameter ${p.path}: value ${JSON.stringify(v)} is listed twice`);
    seen.add(v);
  }
  return vs;
}

function checkLimit(maxPoints: number): void {
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError(`maxPoints must be a positive integer; got ${maxPoints}`);
}

/**
 * Every combination of the parameters' values, the first parameter varying
 * slowest. Refuses a grid larger than `maxPoints` (default 10,000) before
 * building it.
 */
export function gridPoints(params: readonly SweepParam[], opts: { readonly maxPoints?: number } = {}): ParamPoint[] {
  const maxPoints = opts.maxPoints ?? MAX_SWEEP_POINTS;
  checkLimit(maxPoints);
  checkParams(params);
  const lists = params.map(checkValues);
  let size = 1;
  for (const l of lists) size *= l.length;
  if (size > maxPoints) {
    throw new ResearchPlanError(`a grid of ${size.toLocaleString('en-US')} points (${lists.map((l, i) => `${params[i].path}: ${l.length}`).join(' x ')}) exceeds the limit of ${maxPoints.toLocaleString('en-US')}; use fewer values or a random sweep`);
  }
  let points: ParamPoint[] = [{}];
  for (let i = 0; i < params.length; i++) {
    const next: ParamPoint[] = [];
    for (const pt of points) for (const v of lists[i]) next.push({ ...pt, [params[i].path]: v });
    points = next;
  }
  return points;
}

type Draw = (rnd: () => number) => ParamValue;

function drawOf(p: SweepParam): Draw {
  if (p.values !== undefined) {
    const vs = checkValues(p);
    return (rnd) => vs[Math.min(vs.length - 1, Math.floor(rnd() * vs.length))];
  }
  const { min, max } = p;
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max)) {
    throw new ResearchPlanError(`sweep parameter ${p.path} needs finite min and max (or a list of values) for a random sweep; got min ${JSON.stringify(min)}, max ${JSON.stringify(max)}`);
  }
  if (min > max) throw new ResearchPlanError(`sweep parameter ${p.path}: min ${min} is above max ${max}`);
  if (p.int) {
    const lo = Math.ceil(min);
    const hi = Math.floor(max);
    if (lo > hi) throw new ResearchPlanError(`sweep parameter ${p.path}: no integer between min ${min} and max ${max}`);
    return (rnd) => lo + Math.min(hi - lo, Math.floor(rnd() * (hi - lo + 1)));
  }
  return (rnd) => min + rnd() * (max - min);
}

/**
 * `samples` points drawn uniformly: from `values` when given, else in
 * [min, max] (integers when `int`). The same parameters, samples and seed
 * give the same points.
 */
export function randomPoints(params: readonly SweepParam[], samples: number, seed: number, opts: { readonly maxPoints?: number } = {}): ParamPoint[] {
  const maxPoints = opts.maxPoints ?? MAX_SWEEP_POINTS;
  checkLimit(maxPoints);
  checkParams(params);
  if (!Number.isInteger(samples) || samples < 1) throw new ResearchPlanError(`a random sweep needs a positive whole number of samples; got ${samples}`);
  if (samples > maxPoints) throw new ResearchPlanError(`${samples.toLocaleString('en-US')} samples exceed the limit of ${maxPoints.toLocaleString('en-US')}`);
  if (!Number.isInteger(seed)) throw new ResearchPlanError(`a random sweep needs an integer seed; got ${seed}`);
  const draws = params.map(drawOf);
  const rnd = mulberry32(seed);
  const out: ParamPoint[] = [];
  for (let i = 0; i < samples; i++) {
    const pt: ParamPoint = {};
    params.forEach((p, j) => {
      pt[p.path] = draws[j](rnd);
    });
    out.push(pt);
  }
  return out;
}

/** The objective's figure of a summary; null when there is none or it is undefined. */
export function scoreOf(summary: Summary | null, objective: Objective): number | null {
  if (summary === null) return null;
  const v = {
    sharpe: summary.sharpe,
    sortino: summary.sortino,
    calmar: summary.calmar,
    total_return: summary.totalReturn,
    annual_return: summary.annualReturn,
    max_drawdown: summary.maxDrawdown,
  }[objective];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Rows best first by their score under `objective` (max_drawdown: smaller
 * is better); rows without a score follow, then failed rows; ties keep
 * index order.
 */
export function rankRows<R extends SweepRow>(rows: readonly R[], objective: Objective): R[] {
  const tier = (r: R): number => (r.error !== null ? 2 : r.score === null || !Number.isFinite(r.score) ? 1 : 0);
  const sign = lowerIsBetter(objective) ? 1 : -1;
  return [...rows].sort((a, b) => {
    const ta = tier(a);
    const tb = tier(b);
    if (ta !== tb) return ta - tb;
    if (ta === 0 && a.score !== b.score) return sign * (a.score! - b.score!);
    return a.index - b.index;
  });
}

/** One walk-forward step in bar indices: train on [trainFrom, trainTo), test on [testFrom, testTo). */
export interface BarWindow {
  readonly trainFrom: number;
  readonly trainTo: number;
  readonly testFrom: number;
  readonly testTo: number;
}

/**
 * Walk-forward windows over `totalBars` bars: train on `trainBars`, test on
 * the next `testBars`, then roll forward by `testBars`, so the test windows
 * tile the history after the first training window without overlap. Bars
 * past the last whole test window are left out (a shorter test would weigh
 * differently in the out-of-sample figures).
 */
export function walkForwardWindows(totalBars: number, trainBars: number, testBars: number, opts: { readonly maxWindows?: number } = {}): BarWindow[] {
  const maxWindows = opts.maxWindows ?? MAX_WALK_FORWARD_WINDOWS;
  for (const [name, v] of [['totalBars', totalBars], ['trainBars', trainBars], ['testBars', testBars]] as const) {
    if (!Number.isInteger(v) || v < (name === 'totalBars' ? 0 : 1)) throw new ResearchPlanError(`walk-forward ${name} must be a positive whole number of bars; got ${v}`);
  }
  if (trainBars + testBars > totalBars) {
    throw new ResearchPlanError(`walk-forward needs at least trainBars + testBars = ${trainBars + testBars} bars; the history has ${totalBars}`);
  }
  const count = Math.floor((totalBars - trainBars) / testBars);
  if (count > maxWindows) {
    throw new ResearchPlanError(`walk-forward with testBars ${testBars} over ${totalBars} bars makes ${count} windows, above the limit of ${maxWindows}; use a longer test window`);
  }
  const out: BarWindow[] = [];
  for (let k = 0; k < count; k++) {
    const trainFrom = k * testBars;
    out.push({ trainFrom, trainTo: trainFrom + trainBars, testFrom: trainFrom + trainBars, testTo: trainFrom + trainBars + testBars });
  }
  return out;
}
