import { describe, expect, it } from 'vitest';
import { createLogger, formatText, resolveLogFormat } from '../../../../src/runtime/logger.js';

describe('logger formats', () => {
  it('json then one JSON record a line with every field', () => {
    const lines: string[] = [];
    createLogger('info', { proc: 'start' }, (l) => lines.push(l), 'json').warn('feed stale', { symbol: 'GLD', ageMs: 1200 });
    expect(JSON.parse(lines[0]!)).toEqual({ ts: expect.any(String), level: 'warn', msg: 'feed stale', proc: 'start', symbol: 'GLD', ageMs: 1200 });
  });

  it('text then time, level, message and the same fields as key=value, quoted where they need it', () => {
    const lines: string[] = [];
    const log = createLogger('info', { proc: 'start' }, (l) => lines.push(l), 'text');
    log.child({ worker: 'trading#1' }).info('closed gateway in 12 ms', { closed: 'gateway', ms: 12, note: 'two words', empty: '', nested: { a: [1, 2] }, err: new Error('boom'), skip: undefined });
    log.debug('not at info');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  closed gateway in 12 ms /);
    expect(lines[0]!.split(' closed gateway in 12 ms ')[1]).toBe('proc=start worker=trading#1 closed=gateway ms=12 note="two words" empty="" nested={"a":[1,2]} err={"name":"Error","message":"boom"}');
  });

  it('formatText on a record then the JSON record\'s fields, none lost', () => {
    const rec = { ts: '2026-12-05T12:00:00.000Z', level: 'error', msg: 'x', a: 1, b: 'y=z' };
    expect(formatText(rec)).toBe('2026-12-05T12:00:00.000Z ERROR x a=1 b="y=z"');
  });

  it('auto then text on a terminal and JSON when piped; explicit settings stand', () => {
    expect(resolveLogFormat('auto', true)).toBe('text');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('text', false)).toBe('text');
  });
});
