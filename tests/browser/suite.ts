/**
 * What a browser suite against the simulated daemon shares: one test
 * server and one Chromium for all its tests, started before them and closed
 * after, and a page opened on a view once that view says its data is live.
 */
import { afterAll, beforeAll } from 'vitest';
import { launch, openPage, WEB_ROOT, type Browser, type WatchedPage } from './browser.js';
import { startTestServer, type TestServer } from './servers.js';

/** How long a view may take to show live data. */
export const LIVE_MS = 8000;

export interface Terminal {
  /** Valid inside the suite's tests (set before the first). */
  readonly server: TestServer;
  readonly browser: Browser;
  /** A new page on `#/view`, returned once the view's status line says live. */
  open(view: string, viewport?: { width: number; height: number }): Promise<WatchedPage>;
}

/** Call in a `describe` body: registers the suite's beforeAll and afterAll. */
export function browserSuite(): Terminal {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startTestServer({ webRoot: WEB_ROOT });
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new Error(`the suite's ${what} is not started (used outside a test?)`);
    return x;
  };
  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    async open(view, viewport) {
      const w = await openPage(started(browser, 'browser'), viewport);
      await w.page.goto(`${started(server, 'server').httpUrl}/#/${view}`);
      await w.page.locator(`.view[data-view="${view}"] .view-status[data-state="live"]`).waitFor({ timeout: LIVE_MS });
      return w;
    },
  };
}
