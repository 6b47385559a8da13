/**
 * Tests that need an outside tool (redis-server, promtool, systemd-notify,
 * a browser): under CI (`CI` set and not 0/false) a missing tool FAILS the
 * test that needs it, never skips; locally the test is skipped and the
 * reason printed, so a developer without the tool still gets a green run
 * and knows what did not run.
 */
import { describe, it } from 'vitest';

/** Whether this run is CI (`CI=true`, `CI=1`, ...). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

/** The message a missing tool fails with under CI. */
export function missingToolMessage(why: string): string {
  return `${why} (CI: a test that needs a missing tool fails, it is never skipped)`;
}

/**
 * `describe` for a suite that needs a tool; `why` says why it is missing, or
 * null when it is there. Missing: under CI one failing test stands for the
 * suite, locally the suite is skipped with the reason printed.
 */
export function describeWithTool(name: string, why: string | null, body: () => void): void {
  if (why === null) {
    describe(name, body);
  } else if (inCi()) {
    describe(name, () => {
      it(`needs a tool that is missing: ${why}`, () => {
        throw new Error(missingToolMessage(why));
      });
    });
  } else {
    console.warn(`skipped "${name}": ${why}`);
    describe.skip(name, body);
  }
}

/**
 * Inside a test, for a check that needs a tool the rest of the test does not:
 * under CI throws, locally prints what did not run.
 */
export function toolMissing(why: string, consequence: string): void {
  if (inCi()) throw new Error(missingToolMessage(why));
  console.warn(`${why}: ${consequence}`);
}
