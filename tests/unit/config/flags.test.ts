import { describe, expect, it } from 'vitest';
import { CONFIG_FLAGS, flagOverrides, parseFlags } from '../../../src/config/flags.js';

describe('parseFlags', () => {
  it('both flag forms then values and overrides by option path', () => {
    const p = parseFlags(['--http-port', '9000', '--redis=redis://h:1', '--help'], CONFIG_FLAGS);
    expect(p.errors).toEqual([]);
    expect(p.values).toEqual({ 'http-port': '9000', redis: 'redis://h:1', help: true });
    expect(flagOverrides(p, CONFIG_FLAGS)).toEqual({
      overrides: { 'http.port': '9000', 'redis.url': 'redis://h:1' },
      overrideNames: { 'http.port': '--http-port', 'redis.url': '--redis' },
    });
  });

  it('unknown flags and missing values then all reported', () => {
    const p = parseFlags(['--nope', '--http-port', '--help=1', 'extra', '--web-root'], CONFIG_FLAGS);
    expect(p.errors).toEqual(['unknown option --nope', '--http-port needs a value (N)', '--help takes no value', '--web-root needs a value (DIR)']);
    expect(p.positionals).toEqual(['extra']);
  });
});
