/**
 * Static files of the web terminal. Paths are decoded once, `..` segments
 * are refused, and the resolved real path (symlinks followed) must stay
 * inside the root. Hashed build assets are cached for a year (immutable);
 * everything else, index.html included, must be revalidated (ETag).
 * An extension-less path that is not a file gets index.html (client-side
 * routing of a single-page app).
 */
import { realpathSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { HttpError, type Exchange, type Reply } from './http.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** `app-3f9a1c2e.js`, `index.D4f9XyZk.css`: a content hash of 8+ characters holding a digit. */
export function isHashedAsset(name: string): boolean {
  const m = /[.-]([A-Za-z0-9_]{8,})\.[A-Za-z0-9]+$/.exec(name);
  return m !== null && /\d/.test(m[1]);
}

export function contentTypeOf(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export class StaticFiles {
  readonly root: string;

  /** Throws when `root` is not an existing directory. */
  constructor(root: string) {
    this.root = realpathSync(root);
  }

  async serve(ex: Exchange): Promise<Reply> {
    let rel: string;
    try {
      rel = decodeURIComponent(ex.path);
    } catch {
      throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', 'the path is not valid percent-encoding');
    }
    if (rel.includes('\0')) throw new HttpError(400, 'QGTM_ERR_BAD_REQUEST', 'the path contains a NUL byte');
    const segments = rel.split(/[/\\]/);
    if (segments.some((s) => s === '..')) throw new HttpError(403, 'QGTM_ERR_FORBIDDEN', 'path traversal is not allowed');
    if (rel.endsWith('/')) rel += 'index.html';
    let file = await this.resolve(rel);
    if (!file && extname(rel) === '') file = await this.resolve('/index.html');
    if (!file) throw new HttpError(404, 'QGTM_ERR_NOT_FOUND', `no file ${ex.path}`);
    const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
    const name = file.path.slice(file.path.lastIndexOf(sep) + 1);
    const headers: Record<string, string> = {
      'content-type': contentTypeOf(file.path),
      'cache-control': name !== 'index.html' && isHashedAsset(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag,
      'x-content-type-options': 'nosniff',
    };
    if (ex.ifNoneMatch !== '' && ex.ifNoneMatch.split(',').some((t) => t.trim() === etag)) {
      return { status: 304, body: '', headers, noBody: true };
    }
    if (ex.method === 'HEAD') return { status: 200, body: '', headers: { ...headers, 'content-length': String(file.size) }, noBody: true };
    return { status: 200, body: await readFile(file.path), headers };
  }

  /** The file for a root-relative path, or null; refuses anything whose real path leaves the root. */
  private async resolve(rel: string): Promise<{ path: string; size: number; mtimeMs: number } | null> {
    let real: string;
    try {
      real = await realpath(join(this.root, rel));
    } catch {
      return null;
    }
    if (real !== this.root && !real.startsWith(this.root + sep)) throw new HttpError(403, 'QGTM_ERR_FORBIDDEN', 'the path leaves the web root');
    const st = await stat(real).catch(() => null);
    if (!st) return null;
    if (st.isDirectory()) return this.resolve(`${rel.replace(/\/$/, '')}/index.html`);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return null;
    return { path: real, size: st.size, mtimeMs: st.mtimeMs };
  }
}
