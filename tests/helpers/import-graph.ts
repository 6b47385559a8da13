/**
 * The project's import graph, read from the TypeScript sources, and the
 * layering rule README states in its `layers` block, checked against it.
 *
 * An edge is every relative module reference a file makes: static
 * `import`/`export ... from` (type-only ones too: a type import still ties the
 * design together), dynamic `import()`, and `new URL('x.js', import.meta.url)`
 * (how actor modules and worker entries are named). A template URL counts as
 * a reference to the folder before its first `${`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

export type Graph = ReadonlyMap<string, readonly string[]>;

const REF = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)(['"`])(\.{1,2}\/[^'"`]*?)\1/g;
const SKIP = new Set(['node_modules', 'dist', '.git']);

function sources(root: string, dir: string, out: string[]): string[] {
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const p = dir === '' ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) sources(root, p, out);
    else if (/\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Resolves a reference to a repository path: a `.js` spec names its `.ts` source. */
function resolveRef(root: string, from: string, spec: string): string {
  const cut = spec.indexOf('${');
  const raw = normalize(join(dirname(from), cut >= 0 ? spec.slice(0, spec.lastIndexOf('/', cut) + 1) : spec));
  const ts = raw.replace(/\.js$/, '.ts');
  if (ts !== raw) {
    try {
      if (statSync(join(root, ts)).isFile()) return ts;
    } catch {
      /* not a source file: keep the reference as written */
    }
  }
  return raw.replace(/\/$/, '');
}

/** Every source file under `folders` and what it references. */
export function readGraph(root: string, folders: readonly string[]): Graph {
  const graph = new Map<string, string[]>();
  for (const folder of folders) {
    for (const file of sources(root, folder, [])) {
      const text = readFileSync(join(root, file), 'utf8');
      const refs: string[] = [];
      for (const m of text.matchAll(REF)) refs.push(resolveRef(root, file, m[2]!));
      graph.set(file, refs);
    }
  }
  return graph;
}

export interface Layer {
  readonly name: string;
  /** Path prefixes (folders) that belong to the layer; the longest match wins. */
  readonly paths: readonly string[];
  /** Names of the layers it may import, besides itself. */
  readonly mayImport: readonly string[];
}

/**
 * Parses README's fenced `layers` block: one line per layer,
 * `name: path/ path/ -> other other`.
 */
export function parseLayers(readme: string): Layer[] {
  const block = /```layers\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README has no ```layers block');
  const layers: Layer[] = [];
  for (const line of block[1]!.split('\n')) {
    const text = line.replace(/#.*$/, '').trim();
    if (text === '') continue;
    const m = /^([a-z-]+):\s*(.*?)\s*->\s*(.*)$/.exec(text);
    if (!m) throw new Error(`README layers: cannot read "${line}" (want "name: path/ ... -> layer ...")`);
    layers.push({
      name: m[1]!,
      paths: m[2]!.split(/\s+/).filter(Boolean).map((p) => p.replace(/\/$/, '')),
      mayImport: m[3]!.split(/\s+/).filter(Boolean),
    });
  }
  return layers;
}

export function layerOf(layers: readonly Layer[], file: string): Layer | undefined {
  let best: Layer | undefined;
  let bestLen = -1;
  for (const layer of layers) {
    for (const p of layer.paths) {
      if ((file === p || file.startsWith(p + '/')) && p.length > bestLen) {
        best = layer;
        bestLen = p.length;
      }
    }
  }
  return best;
}

/** Every reference that leaves its layer for one it may not import, as `from -> to (a -> b)`. */
export function layerViolations(graph: Graph, layers: readonly Layer[]): string[] {
  const out: string[] = [];
  for (const [file, refs] of graph) {
    const from = layerOf(layers, file);
    if (!from) {
      out.push(`${file} is in no layer`);
      continue;
    }
    for (const ref of refs) {
      const to = layerOf(layers, ref);
      if (!to) {
        if (!ref.startsWith('..') && ref !== 'package.json') out.push(`${file} -> ${ref} (a path in no layer)`);
        continue;
      }
      if (to !== from && !from.mayImport.includes(to.name)) out.push(`${file} -> ${ref} (${from.name} may not import ${to.name})`);
    }
  }
  return out;
}

/** Strongly connected components of more than one node (or a self-loop): the import circles. */
export function circles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  // Iterative Tarjan: the graph has about a thousand files and deep chains.
  for (const start of edges.keys()) {
    if (idx.has(start)) continue;
    const work: Array<[string, number]> = [[start, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, i] = frame;
      if (i === 0) {
        idx.set(v, index);
        low.set(v, index);
        index++;
        stack.push(v);
        on.add(v);
      }
      const next = (edges.get(v) ?? []).filter((w) => edges.has(w));
      if (i < next.length) {
        frame[1] = i + 1;
        const w = next[i]!;
        if (!idx.has(w)) work.push([w, 0]);
        else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1 || next.includes(v)) out.push(scc.sort());
      }
    }
  }
  return out;
}

/** The graph between top-level folders (a file's first path segment). */
export function folderGraph(graph: Graph): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [file, refs] of graph) {
    const a = file.split('/')[0]!;
    const set = out.get(a) ?? new Set<string>();
    out.set(a, set);
    for (const ref of refs) {
      const b = ref.split('/')[0]!;
      if (b !== a && !b.startsWith('..') && b !== 'package.json') set.add(b);
    }
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}
