import { describe, expect, it } from 'vitest';
import { RiskGovernor } from '../../../../actors/risk/governor.js';
import type { RiskCommandMsg } from '../../../../actors/risk/messages.js';
import { calmInputs } from './fixtures.js';

const COOL = 60_000;
const gov = () => new RiskGovernor({ coolDownMs: COOL });
const dd = (pct: number) => calmInputs({ peakEquity: 100_000, equity: 100_000 * (1 - pct), dayStartEquity: 100_000 * (1 - pct) });
const set = (tier: 'WARN' | 'THROTTLE' | 'NO_NEW' | 'FLATTEN', at: number): RiskCommandMsg => ({ type: 'risk.command', action: 'set', tier, reason: 'manual', by: 'ops', at });
const clear = (at: number): RiskCommandMsg => ({ type: 'risk.command', action: 'clear', reason: 'done', by: 'ops', at });

describe('RiskGovernor', () => {
  it('trigger breaks then escalates immediately skipping tiers', () => {
    const g = gov();
    const r = g.evaluate(dd(0.09), 1_000);
    expect(g.tier).toBe('NO_NEW');
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]).toMatchObject({ type: 'risk.tier_changed', from: 'NORMAL', to: 'NO_NEW', kind: 'escalate', cause: 'trigger', at: 1_000 });
    expect(r.changes[0]!.reason).toMatch(/drawdown from peak 9.00%/);
    expect(r.changes[0]!.triggers.map((t) => t.trigger)).toEqual(['drawdown']);
  });

  it('conditions clear then de-escalates only after cool-down one step at a time', () => {
    const g = gov();
    g.evaluate(dd(0.06), 0); // THROTTLE
    expect(g.tier).toBe('THROTTLE');
    expect(g.evaluate(dd(0), 1_000).changes).toHaveLength(0);
    expect(g.evaluate(dd(0), 1_000 + COOL - 1).changes).toHaveLength(0);
    expect(g.tier).toBe('THROTTLE');
    const step = g.evaluate(dd(0), 1_000 + COOL);
    expect(step.changes[0]).toMatchObject({ from: 'THROTTLE', to: 'WARN', kind: 'de-escalate', cause: 'cool_down' });
    // The next step needs a fresh cool-down.
    expect(g.evaluate(dd(0), 1_000 + COOL + 1).changes).toHaveLength(0);
    expect(g.evaluate(dd(0), 1_000 + 2 * COOL).changes[0]).toMatchObject({ from: 'WARN', to: 'NORMAL' });
    expect(g.history().map((h) => `${h.from}>${h.to}`)).toEqual(['NORMAL>THROTTLE', 'THROTTLE>WARN', 'WARN>NORMAL']);
  });

  it('metric below threshold but inside hysteresis band then no de-escalation', () => {
    const g = gov();
    g.evaluate(dd(0.06), 0); // THROTTLE (5 %)
    // 4.7 %: below the 5 % THROTTLE rung but within its 0.5 % band.
    for (let t = 1_000; t <= 10 * COOL; t += COOL / 2) g.evaluate(dd(0.047), t);
    expect(g.tier).toBe('THROTTLE');
    // 4.4 %: clear of the band, so it steps down to WARN (3 %) after the cool-down.
    g.evaluate(dd(0.044), 11 * COOL);
    g.evaluate(dd(0.044), 12 * COOL);
    expect(g.tier).toBe('WARN');
  });

  it('calm interrupted then cool-down restarts', () => {
    const g = gov();
    g.evaluate(dd(0.06), 0);
    g.evaluate(dd(0), 1_000);
    g.evaluate(dd(0.06), 30_000); // back at THROTTLE level: not calm
    g.evaluate(dd(0), 40_000);
    expect(g.evaluate(dd(0), 1_000 + COOL).changes).toHaveLength(0);
    expect(g.evaluate(dd(0), 40_000 + COOL).changes).toHaveLength(1);
  });

  it('operator sets floor then escalates and holds until cleared', () => {
    const g = gov();
    const c = g.command(set('NO_NEW', 10), 10);
    expect(c.changes[0]).toMatchObject({ from: 'NORMAL', to: 'NO_NEW', cause: 'operator' });
    for (let t = 100; t < 5 * COOL; t += COOL / 3) g.evaluate(calmInputs(), t);
    expect(g.tier).toBe('NO_NEW');
    g.command(clear(5 * COOL), 5 * COOL);
    g.evaluate(calmInputs(), 5 * COOL + 1);
    g.evaluate(calmInputs(), 6 * COOL + 1);
    expect(g.tier).toBe('THROTTLE');
  });

  it('operator floor below current then trigger tier still rules', () => {
    const g = gov();
    g.evaluate(dd(0.09), 0); // NO_NEW
    g.command(set('WARN', 1), 1);
    for (let t = 2; t <= 10 * COOL; t += COOL) g.evaluate(calmInputs(), t);
    expect(g.tier).toBe('WARN');
  });

  it('FLATTEN reached then latched until operator clears', () => {
    const g = gov();
    g.evaluate(dd(0.13), 0);
    expect(g.tier).toBe('FLATTEN');
    expect(g.isLatched).toBe(true);
    for (let t = 1; t <= 10 * COOL; t += COOL) g.evaluate(calmInputs(), t);
    expect(g.tier).toBe('FLATTEN');
    g.command(clear(11 * COOL), 11 * COOL);
    g.evaluate(calmInputs(), 11 * COOL + 1);
    g.evaluate(calmInputs(), 12 * COOL + 1);
    expect(g.tier).toBe('NO_NEW');
  });

  it('bad inputs then rejected counted and tier unchanged', () => {
    const g = gov();
    const r = g.evaluate(calmInputs({ equity: Number.NaN }), 0);
    expect(r.error).toMatch(/equity/);
    expect(g.tier).toBe('NORMAL');
    expect(g.state(0).rejectedInputs).toBe(1);
  });

  it('snapshot restored then state and history resume', () => {
    const g = gov();
    g.evaluate(dd(0.06), 0);
    g.evaluate(dd(0), 100);
    const r = RiskGovernor.restore(g.snapshot(), { coolDownMs: COOL });
    expect(r.tier).toBe('THROTTLE');
    expect(r.history()).toEqual(g.history());
    expect(r.evaluate(dd(0), 100 + COOL).changes[0]).toMatchObject({ to: 'WARN' });
  });

  it('state then reports cool-down remaining', () => {
    const g = gov();
    g.evaluate(dd(0.06), 0);
    g.evaluate(dd(0), 1_000);
    const s = g.state(21_000);
    expect(s).toMatchObject({ type: 'risk.state', tier: 'THROTTLE', calmSince: 1_000, coolDownRemainingMs: COOL - 20_000 });
  });
});
