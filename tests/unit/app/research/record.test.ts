import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeVersion, gitCommit, isRunId, newRunId, RunStore } from '../../../../app/research/record.js';
import type { RunRecord } from '../../../../app/research/types.js';
import { VERSION } from '../../../../src/version.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qgtm-runs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function record(id: string, createdAt: number, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    kind: 'backtest',
    name: `run ${id}`,
    status: 'done',
    createdAt,
    finishedAt: createdAt + 1000,
    progress: 1,
    summary: null,
    data: null,
    error: null,
    codeVersion: '0.1.0',
    spec: {} as RunRecord['spec'],
    history: { kind: 'synthetic', symbols: ['GLD'], start: 0, bars: 10, intervalMs: 60_000, seed: 1 },
    result: null,
    sweep: null,
    ...extra,
  };
}

describe('newRunId', () => {
  it('creation times and sequences then ids sorting as they were created, safe as file names', () => {
    const ids = [newRunId(0, 0), newRunId(1_733_355_384_123, 2), newRunId(1_733_355_384_123, 10), newRunId(1_733_355_384_124, 0), newRunId(253_402_300_799_999, 99_999_999)];
    expect(ids[1]).toBe('20241204T233624123Z-00000002');
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(isRunId(id)).toBe(true);
  });

  it('a bad time or sequence then a RangeError naming it', () => {
    expect(() => newRunId(-1, 0)).toThrow(/createdAt/);
    expect(() => newRunId(1.5, 0)).toThrow(/createdAt/);
    expect(() => newRunId(0, 100_000_000)).toThrow(/sequence/);
  });
});

describe('RunStore', () => {
  it('saved runs then read back whole and listed newest first', () => {
    const store = new RunStore(join(dir, 'runs'));
    expect(store.list()).toEqual([]);
    const a = record(newRunId(1000, 0), 1000);
    const b = record(newRunId(2000, 0), 2000, { kind: 'sweep', status: 'running', progress: 0.5 });
    store.save(a);
    store.save(b);
    expect(store.read(a.id)).toEqual(a);
    expect(store.list().map((h) => h.id)).toEqual([b.id, a.id]);
    expect(store.list()[0]).toEqual({ id: b.id, kind: 'sweep', name: b.name, status: 'running', createdAt: 2000, finishedAt: 3000, progress: 0.5, summary: null, data: null, error: null });
  });

  it('a run saved again then the new version read and listed, no temporary file left', () => {
    const store = new RunStore(dir);
    const id = newRunId(5000, 1);
    store.save(record(id, 5000, { status: 'running' }));
    store.save(record(id, 5000, { status: 'done' }));
    expect(store.read(id)?.status).toBe('done');
    expect(store.list().map((h) => h.status)).toEqual(['done']);
    expect(readdirSync(dir).sort()).toEqual([`${id}.head.json`, `${id}.json`]);
  });

  it('ids that could name another path then null on read and refused on save', () => {
    const store = new RunStore(join(dir, 'runs'));
    writeFileSync(join(dir, 'secret.json'), JSON.stringify(record('secret', 1)));
    for (const id of ['../secret', '..', '', '.', 'a/b', 'a\\b', '/etc/passwd', 'x.json', 'a\0b', 'é']) {
      expect(store.read(id)).toBeNull();
      expect(() => store.save(record(id, 1))).toThrow(/invalid run id/);
    }
    expect(store.read('unknown-run')).toBeNull();
  });

  it('a corrupt record or headline then reported and skipped, every other run still listed', () => {
    const problems: string[] = [];
    const store = new RunStore(dir, { onProblem: (m) => problems.push(m) });
    const good = record(newRunId(1000, 0), 1000);
    store.save(good);
    const torn = newRunId(2000, 0);
    writeFileSync(join(dir, `${torn}.json`), '{"id": "20');
    const wrong = newRunId(3000, 0);
    writeFileSync(join(dir, `${wrong}.json`), JSON.stringify(record('someone-else', 3000)));
    // A corrupt headline falls back to its (good) record.
    const headBad = record(newRunId(4000, 0), 4000);
    store.save(headBad);
    writeFileSync(join(dir, `${headBad.id}.head.json`), 'garbage');
    writeFileSync(join(dir, 'notes.txt'), 'not a run');

    const { runs, problems: found } = store.scan();
    expect(runs.map((r) => r.id)).toEqual([headBad.id, good.id]);
    expect(found).toHaveLength(3);
    expect(found.join('\n')).toContain(`${torn}.json is unreadable or not JSON`);
    expect(found.join('\n')).toContain(`${wrong}.json is not a run record: its id "someone-else" does not match the file name`);
    expect(found.join('\n')).toContain(`${headBad.id}.head.json is unreadable or not JSON`);
    expect(problems).toEqual(found);
    expect(store.read(torn)).toBeNull();
    expect(store.read(headBad.id)).toEqual(headBad);
  });

  it('a headline older than its record (a crash between the renames) then the record wins', () => {
    const store = new RunStore(dir);
    const id = newRunId(1000, 0);
    store.save(record(id, 1000, { status: 'running' }));
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(record(id, 1000, { status: 'done' })));
    utimesSync(join(dir, `${id}.head.json`), new Date(1000), new Date(1000));
    expect(store.list()[0].status).toBe('done');
  });

  it('a record with API credentials then saved with them starred out', () => {
    const store = new RunStore(dir);
    const id = newRunId(1000, 0);
    store.save(record(id, 1000, { history: { kind: 'alpaca', dataUrl: 'https://data.example', keyId: 'AKID', secretKey: 'SHH', symbols: ['GLD'], start: 0, end: 1, intervalMs: 60_000, cacheDir: '/c' } }));
    const text = readFileSync(join(dir, `${id}.json`), 'utf8');
    expect(text).not.toContain('SHH');
    expect(text).not.toContain('AKID');
    expect(store.read(id)?.history).toMatchObject({ keyId: '***', secretKey: '***' });
  });
});

describe('codeVersion', () => {
  function fakeRepo(head: string, files: Record<string, string>): string {
    const root = join(dir, 'repo');
    for (const [p, text] of Object.entries({ '.git/HEAD': head, ...files })) {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), text);
    }
    return root;
  }
  const SHA = '0123456789abcdef0123456789abcdef01234567';

  it('a branch ref file then the version plus the commit', () => {
    const root = fakeRepo('ref: refs/heads/main\n', { '.git/refs/heads/main': `${SHA}\n` });
    expect(gitCommit(root)).toBe(SHA);
    expect(codeVersion(root)).toBe(`${VERSION}+0123456789ab`);
  });

  it('a packed ref, a detached HEAD and a worktree file then each commit found', () => {
    const root = fakeRepo('ref: refs/heads/x\n', { '.git/packed-refs': `# pack-refs with: peeled\n${SHA} refs/heads/x\n` });
    expect(gitCommit(root)).toBe(SHA);
    const detached = fakeRepo(`${SHA}\n`, {});
    expect(gitCommit(detached)).toBe(SHA);
    const wt = join(dir, 'wt');
    mkdirSync(wt);
    const common = join(dir, 'common');
    mkdirSync(join(common, 'worktrees', 'w', ''), { recursive: true });
    mkdirSync(join(common, 'refs', 'heads'), { recursive: true });
    writeFileSync(join(wt, '.git'), `gitdir: ${join(common, 'worktrees', 'w')}\n`);
    writeFileSync(join(common, 'worktrees', 'w', 'HEAD'), 'ref: refs/heads/feature\n');
    writeFileSync(join(common, 'worktrees', 'w', 'commondir'), '../..\n');
    writeFileSync(join(common, 'refs', 'heads', 'feature'), `${SHA}\n`);
    expect(gitCommit(wt)).toBe(SHA);
  });

  it('no or a broken .git then the package version alone', () => {
    expect(codeVersion(join(dir, 'nowhere'))).toBe(VERSION);
    expect(codeVersion(fakeRepo('ref: refs/heads/gone\n', {}))).toBe(VERSION);
    expect(codeVersion(fakeRepo('ref: ../../etc/passwd\n', {}))).toBe(VERSION);
  });

  it('this checkout then the version with its commit when .git is readable', () => {
    expect(codeVersion()).toMatch(new RegExp(`^${VERSION.replace(/\./g, '\\.')}(\\+[0-9a-f]{12})?$`));
  });
});
