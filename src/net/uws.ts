/**
 * Loads uWebSockets.js's native binary, and refuses to run on its fallback.
 *
 * The package (`@trufflesuite/uws-js-unofficial`) silently falls back to a slow
 * pure-JS shim without pub/sub when its native binary does not load for this
 * Node.js build. qgtm's gateway and venue depend on native pub/sub and
 * backpressure, so we load the binary ourselves and fail loudly instead.
 */
import { createRequire } from 'node:module';
import { NativeBinaryError } from '../errors.js';
import type * as UwsTypes from 'uWebSockets.js';

export type Uws = typeof UwsTypes;

const require = createRequire(import.meta.url);
let cached: Uws | undefined;

/** The native uWebSockets.js module; throws NativeBinaryError when it cannot be loaded. */
export function loadUws(): Uws {
  if (cached) return cached;
  const fallbackFlag = process.env.UWS_USE_FALLBACK;
  if (fallbackFlag && /^(1|true)$/i.test(fallbackFlag)) {
    throw new NativeBinaryError(
      'UWS_USE_FALLBACK is set, which selects uWebSockets.js\'s slow JS shim without pub/sub; qgtm needs the native binary. Unset UWS_USE_FALLBACK.',
    );
  }
  const binary = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  let packageDir: string;
  try {
    packageDir = require.resolve('uWebSockets.js/package.json').replace(/package\.json$/, '');
  } catch (err) {
    throw new NativeBinaryError('uWebSockets.js is not installed: run `npm install`', { cause: err });
  }
  try {
    cached = require(`${packageDir}binaries/${binary}`) as Uws;
  } catch (err) {
    throw new NativeBinaryError(
      `uWebSockets.js native binary ${binary} did not load for Node.js ${process.version} ` +
        `(${process.platform}/${process.arch}, ABI ${process.versions.modules}): ${(err as Error).message}. ` +
        'qgtm needs Node.js 20 on linux, darwin or win32 (x64/arm64); the JS fallback is not supported.',
      { cause: err },
    );
  }
  if (typeof cached.App !== 'function' || typeof cached.us_listen_socket_close !== 'function') {
    cached = undefined;
    throw new NativeBinaryError(`uWebSockets.js binary ${binary} loaded but does not export the native API`);
  }
  return cached;
}
