/**
 * Headless Chromium for the terminal's browser tests: Debian's `chromium`
 * driven by playwright-core (never a downloaded browser), a fresh temporary
 * profile per run, console errors collected per page, screenshots into
 * test-artifacts/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.QGTM_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = resolve('test-artifacts', 'screenshots');
export const WEB_ROOT = resolve('dist', 'web');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Whether the browser tests can run. Without chromium they fail in CI
 * (CI=true) with the reason, and are skipped with a logged reason locally.
 */
export function browserAvailability(): { readonly run: boolean; readonly reason: string | null } {
  if (!existsSync(CHROMIUM_PATH)) {
    return { run: false, reason: `chromium not found at ${CHROMIUM_PATH}: install the Debian package 'chromium' (.ci/run does), or set QGTM_CHROMIUM` };
  }
  if (!existsSync(join(WEB_ROOT, 'index.html'))) {
    return { run: false, reason: `${WEB_ROOT}/index.html is missing: build the terminal first (node web/build.mjs; npm test does it)` };
  }
  return { run: true, reason: null };
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'qgtm-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
    colorScheme: 'dark',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  readonly errors: string[];
}

export async function openPage(b: Browser, viewport = { width: 1280, height: 800 }): Promise<WatchedPage> {
  const page = await b.context.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    // An aborted fetch on navigation is not an error of the page.
    if (!r.failure()?.errorText.includes('ERR_ABORTED')) errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`);
  });
  return { page, errors };
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/**
 * What a person could not read in full: the page scrolling sideways, a tab
 * outside the window, or a figure, header or chip cut by its own box.
 */
export async function clipped(page: Page, view: string): Promise<string[]> {
  return page.evaluate(`(() => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) out.push('the page scrolls sideways by ' + (doc.scrollWidth - doc.clientWidth) + ' px');
    for (const a of document.querySelectorAll('nav.tabs a')) {
      const r = a.getBoundingClientRect();
      if (r.right > window.innerWidth + 0.5 || r.width === 0) out.push('tab ' + a.textContent + ' outside the window');
    }
    for (const el of document.querySelectorAll('.view[data-view="${view}"] :is(.kpi-value, .kpi-label, .card-value, th, .chip, h1, h2)')) {
      if (el.offsetParent === null) continue;
      if (el.scrollWidth > el.clientWidth + 1) out.push((el.className || el.tagName) + ' "' + el.textContent.trim().slice(0, 40) + '" cut (' + el.scrollWidth + ' > ' + el.clientWidth + ' px)');
    }
    return out;
  })()`);
}
