import { describe, expect, it } from 'vitest';
import { COT_CONTRACTS, FRED_SERIES, MacroModel } from '../../../../../venue/market/macro.js';
import { alignMacro, cotReleaseAt, fredReleaseAt, MAX_OBSERVATIONS_PER_EVENT } from '../../../../../app/research/history/index.js';
import { dateOf, dayOf, fedHolidays, nyTime } from '../../../../../app/research/history/calendar.js';
import type { MacroCotMsg, MacroSeriesMsg } from '../../../../../actors/macro/messages.js';

const at = (iso: string): number => Date.parse(iso);

describe('calendar', () => {
  it('2024 then the Federal Reserve holidays, a Sunday holiday kept on the Monday', () => {
    expect([...fedHolidays(2024)].map(dateOf).sort()).toEqual([
      '2024-01-01', '2024-01-15', '2024-02-19', '2024-05-27', '2024-06-19', '2024-07-04',
      '2024-09-02', '2024-10-14', '2024-11-11', '2024-11-28', '2024-12-25',
    ]);
    expect([...fedHolidays(2023)].map(dateOf)).toContain('2023-01-02'); // New Year on a Sunday
  });

  it('16:30 New York on every day of 2023-2025 then the zone database agrees (DST both ways)', () => {
    const fmt = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const wrong: string[] = [];
    for (let day = dayOf('2023-01-01')!; day <= dayOf('2025-12-31')!; day++) {
      const t = nyTime(day, 16, 30);
      if (fmt.format(t) !== '16:30' || dateOf(Math.floor((t - 5 * 3_600_000) / 86_400_000)) !== dateOf(day)) wrong.push(dateOf(day));
    }
    expect(wrong).toEqual([]);
  });
});

describe('release times', () => {
  it('a daily H.15 value on a Friday then visible Monday 16:30 New York (after the DST switch)', () => {
    expect(fredReleaseAt('DFII10', '2024-03-08')).toBe(at('2024-03-11T20:30:00Z'));
    expect(fredReleaseAt('T10YIE', '2024-01-10')).toBe(at('2024-01-11T21:30:00Z'));
  });

  it('a value the day before a holiday then visible the business day after it', () => {
    expect(fredReleaseAt('DFII10', '2024-07-03')).toBe(at('2024-07-05T20:30:00Z'));
  });

  it('a broad-dollar value mid-week then visible the Monday after its week', () => {
    expect(fredReleaseAt('DTWEXBGS', '2024-03-06')).toBe(at('2024-03-11T20:30:00Z'));
    expect(fredReleaseAt('DTWEXBGS', '2024-03-08')).toBe(at('2024-03-11T20:30:00Z'));
  });

  it('a COT report of a Tuesday then Friday 15:30 New York; a holiday week then the Monday after', () => {
    expect(cotReleaseAt('2024-03-05')).toBe(at('2024-03-08T20:30:00Z'));
    expect(cotReleaseAt('2024-11-26')).toBe(at('2024-12-02T20:30:00Z')); // Thanksgiving Thursday
    expect(cotReleaseAt('2024-09-03')).toBe(at('2024-09-09T19:30:00Z')); // Labor Day Monday
    expect(cotReleaseAt('2024-12-24')).toBe(at('2024-12-30T20:30:00Z')); // Christmas Wednesday
  });
});

function venueMacro(seed: number): { series: MacroSeriesMsg[]; cot: MacroCotMsg[] } {
  const m = new MacroModel({ seed, start: Date.UTC(2025, 0, 6), historyDays: 900 });
  return {
    series: FRED_SERIES.map((id) => ({ type: 'macro.series', seriesId: id, observations: [...m.series(id)!], fetchedAt: 0 })),
    cot: (Object.keys(COT_CONTRACTS) as (keyof typeof COT_CONTRACTS)[]).map((market) => ({ type: 'macro.cot', market, contractCode: COT_CONTRACTS[market], rows: [...m.cot(market)], fetchedAt: 0 })),
  };
}

describe('alignMacro', () => {
  const { series, cot } = venueMacro(11);
  const events = alignMacro(series, cot);

  it('three years of venue macro then no event holds an observation released after its at', () => {
    expect(events.length).toBeGreaterThan(1000);
    const late: string[] = [];
    for (const e of events) {
      if (e.msg.type === 'macro.series') {
        for (const o of e.msg.observations) if (fredReleaseAt(e.msg.seriesId, o.date) > e.at) late.push(`${e.msg.seriesId} ${o.date} in event at ${new Date(e.at).toISOString()}`);
      } else {
        for (const r of e.msg.rows) if (cotReleaseAt(r.reportDate) > e.at) late.push(`cot ${r.reportDate} in event at ${new Date(e.at).toISOString()}`);
      }
    }
    expect(late).toEqual([]);
  });

  it('each event then everything released by its at, newest capped, oldest first, fetchedAt = at, in at order', () => {
    for (let k = 0; k < events.length; k++) {
      const e = events[k]!;
      expect(e.msg.fetchedAt).toBe(e.at);
      if (k > 0) expect(e.at).toBeGreaterThanOrEqual(events[k - 1]!.at);
      const items = e.msg.type === 'macro.series' ? e.msg.observations.map((o) => o.date) : e.msg.rows.map((r) => r.reportDate);
      expect([...items].sort()).toEqual(items);
      expect(items.length).toBeLessThanOrEqual(MAX_OBSERVATIONS_PER_EVENT);
      const source = e.msg.type === 'macro.series' ? series.find((s) => s.seriesId === (e.msg as MacroSeriesMsg).seriesId)!.observations.map((o) => ({ date: o.date, rel: fredReleaseAt((e.msg as MacroSeriesMsg).seriesId, o.date) }))
        : cot.find((c) => c.market === (e.msg as MacroCotMsg).market)!.rows.map((r) => ({ date: r.reportDate, rel: cotReleaseAt(r.reportDate) }));
      const released = source.filter((s) => s.rel <= e.at).map((s) => s.date);
      expect(items).toEqual(released.slice(-MAX_OBSERVATIONS_PER_EVENT));
    }
  });

  it('a Tuesday COT report then absent from the event before its Friday release and present from it on', () => {
    const gold = events.filter((e) => e.msg.type === 'macro.cot' && e.msg.market === 'gold');
    const i = gold.findIndex((e) => (e.msg as MacroCotMsg).rows.at(-1)!.reportDate === '2024-03-05');
    expect(gold[i]!.at).toBe(at('2024-03-08T20:30:00Z'));
    expect((gold[i - 1]!.msg as MacroCotMsg).rows.at(-1)!.reportDate).toBe('2024-02-27');
  });

  it('a from/to window then earlier releases folded into one event per series and none at or after to', () => {
    const from = at('2024-06-03T00:00:00Z');
    const to = at('2024-07-01T00:00:00Z');
    const w = alignMacro(series, cot, { from, to });
    const before = w.filter((e) => e.at < from);
    expect(before).toHaveLength(5);
    expect(w.every((e) => e.at < to)).toBe(true);
    expect(w.slice(5)).toEqual(events.filter((e) => e.at >= from && e.at < to));
  });
});
