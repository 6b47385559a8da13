#!/usr/bin/env node
// Builds the operator web terminal into dist/web: type-checks web/src (the
// bundler strips types without checking them, so tsc runs first and a type
// error fails the build), bundles and minifies with esbuild into
// content-hashed files, and writes an index.html that references them. The
// gateway serves dist/web with long-lived caching for hashed assets and
// no-cache for index.html, so a new build is picked up on reload.
//
// Usage: node web/build.mjs [--no-check] [--out DIR]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const outDir = resolve(root, outIdx >= 0 ? args[outIdx + 1] : 'dist/web');
const check = !args.includes('--no-check');

function fail(message) {
  console.error(`web build failed: ${message}`);
  process.exit(1);
}

const t0 = Date.now();
if (check) {
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  const r = spawnSync(tsc, ['-p', join(here, 'tsconfig.json'), '--noEmit'], { stdio: 'inherit' });
  if (r.error) fail(`could not run tsc: ${r.error.message}`);
  if (r.status !== 0) fail('type errors in web/src (see above)');
}

// Old hashed files would pile up and could be served by mistake: start clean.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

let result;
try {
  result = await build({
    absWorkingDir: root,
    entryPoints: { app: join(here, 'src', 'main.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    outdir: join(outDir, 'assets'),
    entryNames: '[name]',
    write: false,
    metafile: true,
    legalComments: 'eof',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
if (result.errors.length > 0) fail(`${result.errors.length} esbuild error(s)`);

// Content-hashed names, made here rather than by esbuild so that the hash is
// all digits: the gateway recognises a hashed asset (cached for a year,
// immutable) by a hash of 8+ characters holding a digit, and esbuild's
// base32 hashes hold none about one build in five.
const byName = new Map(result.outputFiles.map((f) => [basename(f.path), f]));
const hashed = new Map();
for (const [name, ext] of [['app.js', 'js'], ['app.css', 'css']]) {
  const f = byName.get(name);
  if (!f) fail(`esbuild wrote no ${name}${ext === 'css' ? ': main.ts must import its stylesheets' : ''}`);
  const digest = createHash('sha256').update(f.contents).digest();
  const digits = digest.readBigUInt64BE(0).toString().padStart(20, '0').slice(0, 12);
  const finalName = `app-${digits}.${ext}`;
  const map = byName.get(`${name}.map`);
  let text = f.text;
  if (map) text = text.replace(`sourceMappingURL=${name}.map`, `sourceMappingURL=${finalName}.map`);
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  writeFileSync(join(outDir, 'assets', finalName), text);
  if (map) writeFileSync(join(outDir, 'assets', `${finalName}.map`), map.contents);
  hashed.set(ext, { name: finalName, bytes: Buffer.byteLength(text) });
}

const template = readFileSync(join(here, 'index.html'), 'utf8');
if (!template.includes('<!-- qgtm:css -->') || !template.includes('<!-- qgtm:js -->')) fail('web/index.html lacks the qgtm:css / qgtm:js markers');
const html = template
  .replace('<!-- qgtm:css -->', `<link rel="stylesheet" href="/assets/${hashed.get('css').name}">`)
  .replace('<!-- qgtm:js -->', `<script type="module" src="/assets/${hashed.get('js').name}"></script>`);
writeFileSync(join(outDir, 'index.html'), html);

const sizes = [...hashed.values()].map((h) => `${h.name} ${(h.bytes / 1024).toFixed(1)} KiB`);
console.error(`web: built ${relative(root, outDir)} in ${Date.now() - t0} ms (${sizes.join(', ')})`);
