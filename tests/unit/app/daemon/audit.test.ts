import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../../app/daemon/audit.js';

describe('the audit trail', () => {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'qgtm-audit-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('entries recorded then on disk as JSON lines and read back, newest first, by the next start', () => {
    const d = dir();
    const a = new AuditLog({ dir: d });
    a.record({ at: 1, kind: 'command', level: 'info', by: 'alice', subject: 'risk.set_tier', message: 'risk.set_tier WARN ("news"): done', detail: { ok: true } });
    a.record({ at: 2, kind: 'risk', level: 'warn', subject: 'risk', message: 'risk tier NORMAL → WARN (operator): operator floor' });
    expect(readFileSync(join(d, 'audit.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    const b = new AuditLog({ dir: d });
    expect(a.loadedAtStart).toBe(0);
    expect(b.loadedAtStart).toBe(2);
    expect(b.recent().map((e) => e.at)).toEqual([2, 1]);
    expect(b.recent()[1]).toEqual({ at: 1, kind: 'command', level: 'info', by: 'alice', subject: 'risk.set_tier', message: 'risk.set_tier WARN ("news"): done', detail: { ok: true } });
  });

  it('a torn or foreign line in the file then skipped and counted, the rest read', () => {
    const d = dir();
    new AuditLog({ dir: d }).record({ at: 1, kind: 'daemon', level: 'info', message: 'daemon started' });
    appendFileSync(join(d, 'audit.jsonl'), '{"at":2,"kind":"command","lev\n{"at":3,"kind":"nonsense","level":"info","message":"x"}\nnot json\n');
    const b = new AuditLog({ dir: d });
    expect(b.skippedAtLoad).toBe(3);
    expect(b.recent().map((e) => e.message)).toEqual(['daemon started']);
  });

  it('past maxBytes then the file rotates to audit.jsonl.1 and both are read back; only keep entries are held', () => {
    const d = dir();
    const a = new AuditLog({ dir: d, maxBytes: 2000, keep: 50 });
    for (let i = 0; i < 60; i++) a.record({ at: i, kind: 'command', level: 'info', message: `command ${i} ${'x'.repeat(40)}` });
    expect(statSync(join(d, 'audit.jsonl.1')).size).toBeGreaterThan(2000);
    expect(statSync(join(d, 'audit.jsonl')).size).toBeLessThan(2000);
    const b = new AuditLog({ dir: d, keep: 50 });
    expect(b.size).toBeLessThanOrEqual(50);
    expect(b.recent(1)[0].at).toBe(59);
  });

  it('a folder that cannot be written then the entry stays in memory and the error is reported', () => {
    const errors: unknown[] = [];
    const a = new AuditLog({ dir: join(dir(), 'no', 'such', 'folder'), onWriteError: (e) => errors.push(e) });
    a.record({ at: 1, kind: 'command', level: 'warn', message: 'refused' });
    expect(a.writeErrors).toBe(1);
    expect(errors).toHaveLength(1);
    expect(a.recent().map((e) => e.message)).toEqual(['refused']);
  });
});
