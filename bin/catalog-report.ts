/**
 * `qgtm catalog-report` (`npm run catalog:report`): every catalog entry
 * back-tested alone by the research engine on the embedded venue's history
 * (a venue of its own on manual time: the same seed and days give the same
 * market), then its figures and the correlation of the entries' returns
 * written to docs/catalog-report.md and docs/catalog-report.json. The figures
 * depend on the seed, the days and the code only; the header says when and
 * from which commit they were generated. Regenerated, never edited by hand.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFlags, type FlagSpec } from '../app/config/flags.js';
import { loadConfig } from '../app/config/load.js';
import { correlationMatrix, figuresTable, returnsOf, type CatalogEntryResult } from '../app/research/catalog-report.js';
import { createResearchService } from '../app/research/service.js';
import type { RunRecord } from '../app/research/types.js';
import { CATALOG } from '../actors/strategy/registry.js';
import { venueHistory } from './research.js';
import { universe } from '../src/universe/index.js';

const FLAGS: FlagSpec[] = [
  { name: 'days', type: 'string', arg: 'N', help: 'days of minute bars from the local venue (default 5)', usedBy: [] },
  { name: 'seed', type: 'string', arg: 'N', help: 'seed of the venue\'s market and of the runs (default venue.seed, 42)', usedBy: [] },
  { name: 'out', type: 'string', arg: 'DIR', help: 'where catalog-report.md and .json go (default docs)', usedBy: [] },
  { name: 'only', type: 'string', arg: 'A,B', help: 'these catalog ids only (default: the whole catalog)', usedBy: [] },
  { name: 'help', type: 'boolean', help: 'this text', usedBy: [] },
];

export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, FLAGS);
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    console.log('qgtm catalog-report: back-test every catalog entry alone on the local venue\'s history and write docs/catalog-report.{md,json}\n\n' + FLAGS.map((f) => `  --${f.name}${f.arg ? ' ' + f.arg : ''}  ${f.help ?? ''}`).join('\n'));
    return 0;
  }
  if (parsed.errors.length > 0 || parsed.positionals.length > 0) {
    console.error(`qgtm catalog-report: ${[...parsed.errors, ...parsed.positionals.map((p) => `unexpected argument ${p}`)].join('; ')}`);
    return 2;
  }
  const loaded = loadConfig({ mode: 'start' });
  const seed = typeof values.seed === 'string' ? Number(values.seed) : loaded.config.venue.seed;
  const days = typeof values.days === 'string' ? values.days : '5';
  const only = typeof values.only === 'string' ? values.only.split(',').filter((x) => x !== '') : null;
  const unknown = (only ?? []).filter((id) => !CATALOG.some((d) => d.id === id));
  if (!Number.isInteger(seed) || seed < 0 || unknown.length > 0 || !(Number(days) > 0)) {
    console.error(`qgtm catalog-report: ${unknown.length > 0 ? `not catalog ids: ${unknown.join(', ')}` : '--seed must be a whole number >= 0 and --days above 0'}`);
    return 2;
  }
  const entries = CATALOG.filter((d) => !only || only.includes(d.id));
  const out = resolve(typeof values.out === 'string' ? values.out : 'docs');
  const work = mkdtempSync(join(tmpdir(), 'qgtm-catalog-report-'));
  const t0 = Date.now();
  // The PM universe plus the symbols entries read but do not trade (copper and oil for the cross-asset
  // ratios come from the broad universe): a broad venue, its history cut to those symbols.
  const symbols = [...new Set([...universe('pm').map((i) => i.symbol), ...CATALOG.flatMap((d) => d.inputs ?? [])])];
  const v = await venueHistory({ days, symbols: symbols.join(',') }, { ...loaded, config: { ...loaded.config, universe: { focus: 'broad' } } }, seed, join(work, 'cache'));
  const venue = v.venue;
  const history = v.history as Extract<typeof v.history, { kind: 'venue' | 'alpaca' }>;
  const service = createResearchService({ dir: join(work, 'runs'), config: loaded.config, maxQueued: entries.length, concurrency: Math.max(1, loaded.config.research.workers ?? 1), onProblem: (m) => process.stderr.write(`warning: ${m}\n`) });
  try {
    const ids = new Map<string, string>();
    const finished = new Promise<void>((res) => {
      let n = 0;
      service.onEvent((e) => {
        if (e.type === 'research.status' && ids.has(e.run.id) && ['done', 'failed', 'cancelled'].includes(e.run.status)) {
          process.stderr.write(`  ${ids.get(e.run.id)}: ${e.run.status}\n`);
          if (++n === entries.length) res();
        }
      });
    });
    for (const d of entries) {
      // Alone: every other catalog entry disabled.
      const disabled = CATALOG.filter((x) => x.id !== d.id).map((x) => x.id).join(',');
      const head = service.startBacktest({ name: `catalog ${d.id}`, history, set: { 'strategies.disabled': disabled }, seed });
      ids.set(head.id, d.id);
    }
    await finished;
    const results: CatalogEntryResult[] = [];
    const failed: string[] = [];
    for (const [runId, id] of ids) {
      const rec = service.get(runId) as RunRecord;
      const def = entries.find((d) => d.id === id)!;
      const r = rec.result;
      if (rec.status !== 'done' || !r) {
        failed.push(`${id}: ${rec.status}${rec.error ? ` (${rec.error})` : ''}`);
        continue;
      }
      const s = r.summary;
      results.push({ id, family: def.family, instruments: def.instruments, totalReturn: s.totalReturn, sharpe: s.sharpe, maxDrawdown: s.maxDrawdown, turnover: s.turnover, hitRate: s.hitRate, trades: s.fills, returns: returnsOf(r.equity) });
    }
    if (failed.length > 0) {
      console.error(`qgtm catalog-report: runs failed, nothing written:\n  ${failed.join('\n  ')}`);
      return 1;
    }
    results.sort((a, b) => CATALOG.findIndex((d) => d.id === a.id) - CATALOG.findIndex((d) => d.id === b.id));
    const wallMs = Date.now() - t0;
    const about = {
      command: `npm run catalog:report -- --days ${days} --seed ${seed}${only ? ` --only ${only.join(',')}` : ''}`,
      venueSeed: seed,
      symbols: history.symbols.join(', '),
      barIntervalMs: history.intervalMs,
      from: new Date(history.start).toISOString(),
      to: new Date(history.end).toISOString(),
      fillModel: 'the venue\'s matching engine on each bar\'s close with the research cost model (defaults: research.cost.*), as every back-test states',
      profile: loaded.config.strategies.profile,
      commit: gitCommit(),
      generatedAt: new Date().toISOString(),
    };
    const matrix = correlationMatrix(results);
    mkdirSync(out, { recursive: true });
    const json = {
      about,
      entries: results.map(({ returns: _r, ...e }) => e),
      correlation: { ids: results.map((e) => e.id), matrix },
    };
    writeFileSync(join(out, 'catalog-report.json'), `${JSON.stringify(json, null, 2)}\n`);
    writeFileSync(join(out, 'catalog-report.md'), markdown(about, results, matrix));
    process.stderr.write(`wrote ${join(out, 'catalog-report.md')} and .json: ${results.length} entries in ${(wallMs / 1000).toFixed(1)} s\n`);
    return 0;
  } finally {
    await service.close();
    await venue.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function markdown(about: Record<string, unknown>, results: readonly CatalogEntryResult[], matrix: (number | null)[][]): string {
  const short = results.map((_, i) => `#${i + 1}`);
  const corr = [
    `| | ${short.join(' | ')} |`,
    `|---|${short.map(() => '---:').join('|')}|`,
    ...results.map((e, i) => `| #${i + 1} ${e.id} | ${matrix[i]!.map((c) => (c === null ? 'n/a' : c.toFixed(2))).join(' | ')} |`),
  ].join('\n');
  return `# The PM catalog, back-tested entry by entry

Generated by \`${String(about.command)}\`; do not edit (run it again).

- history: the local paper venue's market (broad universe), seed ${String(about.venueSeed)}, ${String(about.from)} to ${String(about.to)}, ${Number(about.barIntervalMs) / 60_000}-minute bars of ${String(about.symbols)}
- each entry alone (every other catalog entry disabled), parameter profile \`${String(about.profile)}\`, through the allocator and risk governor as they trade
- fills: ${String(about.fillModel)}
- commit ${String(about.commit)}, generated ${String(about.generatedAt)}
- return, Sharpe (annualised), max drawdown and turnover (traded notional / average equity) from the run's summary; hit rate: share of closed round trips that made money; trades: fills executed. An entry that made no trade says so: its inputs (macro series, a calendar window, a rare setup) did not speak on this history.

## Figures

${figuresTable(results)}

## Correlation of per-point equity returns

Pearson, over the equity points both runs share (n/a: one of the two never moved).

${corr}
`;
}
