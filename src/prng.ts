/**
 * A small seeded PRNG for the simulated market: xoshiro128** seeded through
 * splitmix32. Deterministic across platforms (32-bit integer math only), fast
 * enough to draw millions of numbers a second, and independent streams are
 * made by forking with a label so adding a draw in one place does not shift
 * every other sequence.
 */

/** splitmix32: turns any 32-bit seed into a well-mixed sequence (used to seed xoshiro). */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over a string, so forks can be labelled by name. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < text.length; k++) {
    h ^= text.charCodeAt(k);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Second normal from the last Box-Muller draw. */
  private spare = NaN;

  /** @param seed any integer; the same seed always gives the same sequence. */
  constructor(seed: number) {
    const mix = splitmix32(Math.trunc(seed) ^ 0x5bd1e995);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in (0, 1): safe for logarithms. */
  nextOpen(): number {
    return (this.nextU32() + 0.5) / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller, both halves used). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    const u = this.nextOpen();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(this.nextOpen()) * mean;
  }

  /** An independent generator derived from this one's seed material and a label. */
  fork(label: string): Prng {
    return new Prng((this.a ^ hashString(label) ^ Math.imul(this.d, 0x27d4eb2d)) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Derives an independent seed from a base seed and a label (for separate, stable streams). */
export function deriveSeed(seed: number, label: string): number {
  return (Math.trunc(seed) ^ hashString(label) ^ 0x9e3779b9) >>> 0;
}
