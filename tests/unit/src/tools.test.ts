import { afterEach, describe, expect, it } from 'vitest';
import { inCi, missingToolMessage, toolMissing } from '../../helpers/tools.js';

describe('tests that need a missing tool', () => {
  const saved = process.env.CI;
  afterEach(() => {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  });

  it('CI values then true for true/1/yes and false for unset, empty, 0 and false', () => {
    for (const v of ['true', '1', 'yes', 'TRUE']) expect(inCi({ CI: v }), v).toBe(true);
    for (const v of [undefined, '', '0', 'false', 'False']) expect(inCi({ CI: v }), String(v)).toBe(false);
  });

  it('under CI=true a missing tool then fails with the reason; locally then only a warning', () => {
    process.env.CI = 'true';
    expect(() => toolMissing('redis-server is not installed', 'skipped')).toThrow(missingToolMessage('redis-server is not installed'));
    process.env.CI = 'false';
    expect(() => toolMissing('redis-server is not installed', 'skipped')).not.toThrow();
  });
});
