import { describe, expect, it } from 'vitest';
import { CONFIG_FLAGS, flagOverrides, flagsFor, flagsHelp, parseFlags, refusedFlags, type FlagCommand } from '../../../../app/config/flags.js';
import { FIELDS } from '../../../../app/config/schema.js';

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

  it('a flag another command uses then refused with the reason, its value not taken for an argument', () => {
    const p = parseFlags(['--redis', 'redis://h:1', '--http-port', '0'], flagsFor('start'), refusedFlags('start'));
    expect(p.errors).toEqual(['qgtm start does not use --redis (the all-in-one uses an in-memory bus; use qgtm daemon/api for Redis)']);
    expect(p.positionals).toEqual([]);
    expect(p.values).toEqual({ 'http-port': '0' });
    const d = parseFlags(['--http-port=9000', '--web-root', 'w'], flagsFor('daemon'), refusedFlags('daemon'));
    expect(d.errors).toHaveLength(2);
    expect(d.errors[0]).toMatch(/^qgtm daemon does not use --http-port \(the daemon serves no gateway/);
    expect(d.errors[1]).toMatch(/^qgtm daemon does not use --web-root /);
  });
});

describe('flags per command', () => {
  const commands: FlagCommand[] = ['start', 'daemon', 'api'];
  it('each command then its help lists exactly its flags and every other flag is refused with a reason', () => {
    for (const c of commands) {
      const help = flagsHelp(flagsFor(c));
      const refused = refusedFlags(c);
      for (const f of CONFIG_FLAGS) {
        const listed = new RegExp(`^  --${f.name}\\b`, 'm').test(help);
        expect(listed, `${c} --${f.name}`).toBe(f.usedBy.includes(c));
        if (!f.usedBy.includes(c)) expect(refused.get(f.name), `${c} --${f.name}`).toMatch(new RegExp(`^qgtm ${c} does not use --${f.name} \\(.+\\)$`));
      }
    }
  });

  it('every flag then sets an option that exists', () => {
    const paths = new Set(FIELDS.map((f) => f.path));
    for (const f of CONFIG_FLAGS) if (f.path) expect(paths.has(f.path), f.name).toBe(true);
  });
});
