/** URLs of compiled test fixtures (tests run from dist/, so `.js`). */
export function fixture(name: string): string {
  return new URL(`../fixtures/${name}.js`, import.meta.url).href;
}

/** Polls `check` until it returns a truthy value (bounded), for conditions observed across threads. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
