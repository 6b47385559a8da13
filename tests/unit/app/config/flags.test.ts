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
      errors: [],
    });
  });

  it('--set PATH=VALUE repeated then every option set, a named flag winning, a bad path told the nearest', () => {
    const p = parseFlags(['--set', 'risk.coolDownMs=1000', '--set=http.port=1', '--http-port', '9000', '--set', 'risk.drawdwn.ladder.WARN=1', '--set', 'venue.live=true', '--set', 'nope'], CONFIG_FLAGS);
    expect(p.errors).toEqual([]);
    const o = flagOverrides(p, CONFIG_FLAGS);
    expect(o.overrides).toEqual({ 'risk.coolDownMs': '1000', 'http.port': '9000' });
    expect(o.overrideNames).toEqual({ 'risk.coolDownMs': '--set risk.coolDownMs', 'http.port': '--http-port' });
    expect(o.errors).toEqual([
      '--set: unknown option risk.drawdwn.ladder.WARN (did you mean risk.drawdown.ladder.WARN?)',
      '--set: venue.live is set only by the --live flag',
      '--set nope: expected PATH=VALUE',
    ]);
  });

  it('a mistyped flag then refused with the nearest flag, a far one without', () => {
    expect(parseFlags(['--shard', '3', '--profil=daily', '--zzzzzz'], flagsFor('start'), refusedFlags('start')).errors).toEqual([
      'unknown option --shard (did you mean --shards?)',
      'unknown option --profil (did you mean --profile?)',
      'unknown option --zzzzzz',
    ]);
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
  const commands: FlagCommand[] = ['start', 'daemon', 'api', 'node'];
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
