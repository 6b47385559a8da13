/** URLs of compiled test fixtures (tests run from dist/, so `.js`). */
export function fixture(name: string): string {
  return new URL(`../fixtures/${name}.js`, import.meta.url).href;
}

/**
 * Polls `check` until it returns a truthy value (bounded), for conditions observed across threads.
 * `explain`, when given, is called on timeout and its JSON goes into the error, so a failure
 * on a loaded CI machine says what the system looked like instead of only what was missing.
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition', explain?: () => unknown): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      let context = '';
      if (explain) {
        try {
          context = `\n${JSON.stringify(await explain(), null, 1)}`;
        } catch (err) {
          context = `\n(explain failed: ${(err as Error).message})`;
        }
      }
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}${context}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The risk triggers demanding more than NORMAL, from a risk state (`risk.state`, `risk.query` or `/api/v1/risk`). */
export function activeTriggers(state: object | undefined | null): unknown[] | undefined {
  return ((state as { triggers?: { tier?: string }[] } | undefined | null)?.triggers)?.filter((t) => t.tier !== 'NORMAL');
}
