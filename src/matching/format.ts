/**
 * Wire formatting helpers: Alpaca sends quantities and money as decimal
 * strings, timestamps as RFC 3339, and ids as UUIDs.
 */
import { Prng } from '../prng.js';

/** A decimal string with at most `decimals` places and no trailing zeros. */
export function dec(x: number, decimals = 9): string {
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? '0' : String(r);
}

/** Money: at most 2 decimal places. */
export function money(x: number): string {
  return dec(x, 2);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Generates RFC 4122-shaped (version 4) UUIDs from a seeded PRNG, so ids repeat per seed. */
export class IdSource {
  private readonly rng: Prng;
  private count = 0;

  constructor(seed: number) {
    this.rng = new Prng(seed);
  }

  /** Ids handed out so far: a restored venue skips as many, so no id is ever handed out twice. */
  get drawn(): number {
    return this.count;
  }

  skip(n: number): void {
    for (let k = 0; k < n; k++) this.uuid();
  }

  uuid(): string {
    this.count++;
    const h = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
    const a = h(this.rng.nextU32());
    const b = h(this.rng.nextU32());
    const c = h(this.rng.nextU32());
    const d = h(this.rng.nextU32());
    const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
}

/** A stable UUID for an asset symbol (the same on every run). */
export function assetId(symbol: string): string {
  return new IdSource(hashSymbol(symbol)).uuid();
}

function hashSymbol(symbol: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < symbol.length; k++) h = Math.imul(h ^ symbol.charCodeAt(k), 0x01000193) >>> 0;
  return h;
}
