import { afterEach, describe, expect, it, vi } from 'vitest';
import { performance } from 'node:perf_hooks';
import { closeInOrder } from '../../../app/shutdown.js';
import { createLogger } from '../../../src/runtime/logger.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('closeInOrder', () => {
  it('a clock that moves on every reading then each line\'s text and its ms field still agree', async () => {
    // Each reading 0.4 ms later: two readings of one step's time (0.4 and 0.8 ms) round to different whole milliseconds.
    let t = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (t += 0.4));
    const lines: Record<string, unknown>[] = [];
    const log = createLogger('info', {}, (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
    const r = await closeInOrder(log, [
      { name: 'gateway', close: () => undefined },
      { name: 'venue', close: () => Promise.reject(new Error('stuck')) },
    ]);
    expect(r).toMatchObject({ order: ['gateway'], failed: ['venue'] });
    const steps = lines.filter((l) => typeof l.closed === 'string');
    expect(steps).toHaveLength(2);
    expect(steps[0]!.msg).toBe(`closed gateway in ${String(steps[0]!.ms)} ms`);
    expect(steps[1]!.msg).toBe(`venue failed to close after ${String(steps[1]!.ms)} ms`);
    expect(lines.at(-1)!.msg).toBe(`stopped in ${String(lines.at(-1)!.ms)} ms`);
  });
});
