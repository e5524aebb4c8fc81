/**
 * Browser helpers for tests of report.html: find Debian's chromium on PATH, open a file:// page offline with every
 * non-file request aborted and counted, and measure how much each chart canvas drew.
 */
import { execSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Path of chromium on PATH.
 * @returns the executable path
 * @throws {Error} naming the package to install when chromium is missing (a test must fail, not skip)
 */
export function chromiumPath(): string {
  try {
    return execSync('command -v chromium', { shell: '/bin/sh', encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not on PATH: the browser test needs Debian\'s chromium package (apt-get update && apt-get install -y chromium; .ci/run installs it when missing)');
  }
}

/**
 * Launches Debian's chromium headless, as every browser test runs it (no sandbox in a container, no GPU).
 * @param executablePath chromium's path (default: found on PATH)
 * @returns the browser; the caller closes it
 * @throws {Error} when chromium is missing (see {@link chromiumPath})
 */
export function launchChromium(executablePath = chromiumPath()): Promise<Browser> {
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
}

/** What a page load observed. */
export interface Visit {
  page: Page;
  consoleErrors: string[];
  failed: string[];
  blocked: string[];
}

/**
 * Opens a report from file:// offline; resolves once its charts have drawn (`html[data-charts-drawn]`).
 * @param browser a launched chromium
 * @param file absolute path of the HTML file
 * @param colorScheme light or dark
 * @returns the page and what the load observed
 */
export async function visit(browser: Browser, file: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme, offline: true });
  const v: Visit = { page: await context.newPage(), consoleErrors: [], failed: [], blocked: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    v.blocked.push(url);
    return route.abort();
  });
  v.page.on('console', (m) => { if (m.type() === 'error') v.consoleErrors.push(m.text()); });
  v.page.on('pageerror', (e) => v.consoleErrors.push(`pageerror: ${e.message}`));
  v.page.on('requestfailed', (r) => { if (!v.blocked.includes(r.url())) v.failed.push(r.url()); });
  await v.page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await v.page.waitForSelector('html[data-charts-drawn]', { timeout: 20_000 });
  return v;
}

/** Per canvas: its key and how many pixels are not fully transparent. */
export async function canvasInk(page: Page): Promise<{ key: string; ink: number; w: number; h: number }[]> {
  return page.evaluate(`Array.from(document.querySelectorAll('canvas[data-chart]')).map(function (c) {
    var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, ink = 0;
    for (var i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
    return { key: c.getAttribute('data-chart'), ink: ink, w: c.width, h: c.height };
  })`);
}

