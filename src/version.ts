/**
 * qgtm's version, read once from package.json. The compiled file sits at
 * `dist/src/version.js`, two folders below the package root.
 */
import { readFileSync } from 'node:fs';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
