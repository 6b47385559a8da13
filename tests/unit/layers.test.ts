/**
 * The layering rule README writes down (its `layers` block), enforced on the
 * real import graph: no upward import, no import circle, and the top-level
 * folders form a graph without cycles, so the architecture reads from `ls`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { circles, folderGraph, layerViolations, parseLayers, readGraph } from '../helpers/import-graph.js';

// Tests run from dist/tests/unit/; the sources are three folders up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FOLDERS = ['src', 'supervisor', 'actors', 'app', 'gateway', 'web/src', 'bin', 'venue', 'bench', 'tests'];

describe('layers', () => {
  const layers = parseLayers(readFileSync(ROOT + 'README.md', 'utf8'));
  const graph = readGraph(ROOT, FOLDERS);

  it('the source tree read then has files in every folder and references between them', () => {
    for (const folder of FOLDERS) expect([...graph.keys()].some((f) => f.startsWith(folder + '/')), folder).toBe(true);
    expect([...graph.values()].reduce((n, refs) => n + refs.length, 0)).toBeGreaterThan(1000);
  });

  it('every import then points to the same layer or one README lets it import', () => {
    expect(layerViolations(graph, layers)).toEqual([]);
  });

  it('the files then import each other without a circle', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('the top-level folders then import each other without a cycle', () => {
    const folders = folderGraph(graph);
    expect(circles(folders).map((c) => c.join(' <-> '))).toEqual([]);
  });

  it('nothing then imports bench/ or tests/', () => {
    const into = [...graph].flatMap(([file, refs]) =>
      refs.filter((r) => (r.startsWith('bench/') || r.startsWith('tests/')) && r.split('/')[0] !== file.split('/')[0]).map((r) => `${file} -> ${r}`),
    );
    expect(into).toEqual([]);
  });
});

describe('the layer check itself', () => {
  const layers = parseLayers('```layers\nhigh: a/ -> low\nlow: b/ -> \nlowest: b/core/ ->\n```\n');

  it('an upward import then is a violation naming both layers', () => {
    const graph = new Map([
      ['a/x.ts', ['b/y.ts']],
      ['b/y.ts', ['a/x.ts']],
    ]);
    expect(layerViolations(graph, layers)).toEqual(['b/y.ts -> a/x.ts (low may not import high)']);
  });

  it('the longest folder then decides the layer', () => {
    expect(layerViolations(new Map([['b/core/z.ts', ['b/y.ts']]]), layers)).toEqual(['b/core/z.ts -> b/y.ts (lowest may not import low)']);
  });

  it('a circle of three files then is found, and a chain is not', () => {
    const found = circles(new Map([
      ['p', ['q']],
      ['q', ['r']],
      ['r', ['p']],
      ['s', ['p']],
    ]));
    expect(found).toEqual([['p', 'q', 'r']]);
    expect(circles(new Map([['p', ['q']], ['q', []]]))).toEqual([]);
  });

  it('a README without the block then fails with the reason', () => {
    expect(() => parseLayers('# nothing')).toThrow(/no ```layers block/);
  });
});
