/**
 * Nothing from the future reaches a strategy.
 *
 * Two checks:
 * - What the engine hands over: a probe strategy records, at every
 *   evaluation, the newest bar and macro value it can see; a bar must have
 *   closed and a macro value been released by the evaluation's time.
 * - The truncation test (the method of freqtrade's lookahead analysis): a run
 *   over the whole history and a run over the history cut at T must give the
 *   same signals up to T. Whatever the source of a peek, signals before T
 *   that change when only data after T is removed used data after T. The
 *   catalog passes; a strategy that reads ahead in the data set it was built
 *   over fails.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRADING } from '../../../../../app/config/trading.js';
import { DEFAULT_COST_MODEL, runBacktest } from '../../../../../app/research/engine/index.js';
import type { BacktestSpec, HistBar, HistorySource, MacroEvent } from '../../../../../app/research/types.js';
import { CATALOG } from '../../../../../actors/strategy/registry.js';
import { makeSignal, type StrategyDef } from '../../../../../actors/strategy/strategy.js';
import type { MacroSeriesMsg } from '../../../../../actors/macro/messages.js';
import { arraySource, walkBars } from './source.js';

const INTERVAL = 60_000;
const SYMBOLS = ['GDX', 'GLD', 'SLV'];
const START = Date.UTC(2026, 2, 2, 14, 30);
const DAY = 86_400_000;
const SPEC: BacktestSpec = { settings: { ...DEFAULT_TRADING, strategies: { ...DEFAULT_TRADING.strategies, shards: 1 } }, cost: DEFAULT_COST_MODEL, startingCash: 100_000, accountMode: 'margin', seed: 2 };

/** A daily series released at 16:30 the next day: each release carries every observation out by then. */
function releases(days: number): MacroEvent[] {
  const out: MacroEvent[] = [];
  const obs: { date: string; value: number }[] = [];
  for (let d = -days; d < 1; d++) {
    const date = new Date(START + d * DAY).toISOString().slice(0, 10);
    obs.push({ date, value: 1 + 0.01 * d });
    const at = Date.parse(`${date}T21:30:00Z`) + DAY;
    const msg: MacroSeriesMsg = { type: 'macro.series', seriesId: 'DFII10', observations: obs.slice(), fetchedAt: at };
    out.push({ at, msg });
  }
  return out;
}

/** The history up to (not including) bars that close after `cut`, and macro released by then. */
function cutAt(bars: readonly HistBar[], macro: readonly MacroEvent[], cut: number): HistorySource {
  return arraySource(bars.filter((b) => b.ts + INTERVAL <= cut), INTERVAL, macro.filter((m) => m.at <= cut));
}

/** Signals (as JSON, latency trace aside) published at or before `until`. */
async function signalsUntil(source: HistorySource, until: number, catalog: readonly StrategyDef[]): Promise<string[]> {
  const out: string[] = [];
  await runBacktest(source, SPEC, {}, { catalog, observer: { signal: (s, now) => void (now <= until && out.push(JSON.stringify({ ...s, now }))) } });
  return out;
}

/** The first signal that differs when the data after `cut` is removed, or null. */
async function lookAheadAt(bars: readonly HistBar[], macro: readonly MacroEvent[], cut: number, catalog: readonly StrategyDef[]): Promise<string | null> {
  const full = await signalsUntil(arraySource(bars, INTERVAL, macro), cut, catalog);
  const cutOff = await signalsUntil(cutAt(bars, macro, cut), cut, catalog);
  expect(full.length).toBeGreaterThan(0);
  for (let k = 0; k < Math.max(full.length, cutOff.length); k++) if (full[k] !== cutOff[k]) return `signal ${k}: ${full[k] ?? '(none)'} with all the data, ${cutOff[k] ?? '(none)'} without the data after the cut`;
  return null;
}

/** A strategy that reads ahead: it was built over the data set and looks up the bar after the one the engine gave it. */
function peeking(data: readonly HistBar[]): StrategyDef {
  return {
    id: 'peek_next_close',
    family: 'trend',
    thesis: 'knows the next close',
    params: {},
    instruments: ['GLD'],
    macro: [],
    trigger: 'bar',
    evaluate(view, _p, now) {
      const bars = view.bars('GLD');
      if (bars.length === 0) return [];
      const last = bars.close(bars.length - 1);
      const next = data.find((b) => b.symbol === 'GLD' && b.ts === now);
      if (!next) return [makeSignal('peek_next_close', 'GLD', 0, 0, 0.5, INTERVAL, now, 'no next bar')];
      const dir = next.close > last ? 1 : next.close < last ? -1 : 0;
      return [makeSignal('peek_next_close', 'GLD', dir, 1, 0.9, INTERVAL, now, 'the next close')];
    },
  };
}

describe('no look-ahead', () => {
  it('every evaluation then the newest bar has closed and the newest macro value is released', async () => {
    const bars = walkBars(SYMBOLS, 240, { seed: 5, start: START, price: 50 });
    const macro = releases(30);
    const problems: string[] = [];
    let evaluations = 0;
    let sawMacro = 0;
    const probe: StrategyDef = {
      id: 'probe',
      family: 'real_yield',
      thesis: 'records what it sees',
      params: {},
      instruments: SYMBOLS,
      macro: ['DFII10'],
      trigger: 'bar',
      evaluate(view, _p, now) {
        evaluations++;
        for (const s of SYMBOLS) {
          const b = view.bars(s);
          if (b.length > 0 && b.ts(b.length - 1) + INTERVAL > now) problems.push(`${s} bar of ${b.ts(b.length - 1)} seen at ${now}`);
          const f = view.features(s);
          if (f && f.ts + INTERVAL > now) problems.push(`${s} features of ${f.ts} seen at ${now}`);
        }
        const m = view.series('DFII10');
        if (m) {
          sawMacro++;
          const newest = m.dates[m.dates.length - 1]!;
          const released = Date.parse(`${newest}T21:30:00Z`) + DAY;
          if (released > now) problems.push(`DFII10 of ${newest} (released ${released}) seen at ${now}`);
        }
        return [];
      },
    };
    await runBacktest(arraySource(bars, INTERVAL, macro), SPEC, {}, {
      catalog: [probe],
      observer: {
        shardInput(msg, now) {
          if (msg.type === 'md.bar' && msg.ts + INTERVAL > now) problems.push(`md.bar of ${msg.ts} handed over at ${now}`);
          if (msg.type === 'macro.series' && msg.fetchedAt > now) problems.push(`macro released ${msg.fetchedAt} handed over at ${now}`);
        },
      },
    });
    expect(evaluations).toBeGreaterThan(200);
    expect(sawMacro).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('the catalog over all the data and over the data cut at T then the same signals up to T', async () => {
    const bars = walkBars(SYMBOLS, 260, { seed: 8, start: START, price: 50 });
    const macro = releases(30);
    for (const cut of [START + 150 * INTERVAL, START + 200 * INTERVAL + 30_000]) {
      expect(await lookAheadAt(bars, macro, cut, CATALOG)).toBeNull();
    }
  });

  it('a strategy that reads the next close then the truncation test catches it', async () => {
    const bars = walkBars(SYMBOLS, 200, { seed: 8, start: START, price: 50 });
    const cut = START + 150 * INTERVAL;
    // Each run builds the strategy over the data set it runs on, as a strategy that loaded the file itself would be.
    const full = await signalsUntil(arraySource(bars, INTERVAL), cut, [peeking(bars)]);
    const kept = bars.filter((b) => b.ts + INTERVAL <= cut);
    const cutOff = await signalsUntil(cutAt(bars, [], cut), cut, [peeking(kept)]);
    expect(full.length).toBeGreaterThan(100);
    expect(cutOff).not.toEqual(full);
    // And the check names where: the last bar before the cut is the first whose next close is missing.
    const k = full.findIndex((s, i) => s !== cutOff[i]);
    expect(JSON.parse(full[k]!).reason).toBe('the next close');
    expect(JSON.parse(cutOff[k]!).reason).toBe('no next bar');
  });
});
