/**
 * Browser test of report.html: Debian's chromium (found on PATH; .ci/run installs it when missing) driven by
 * playwright-core opens the report written by the real `caplab report` from file:// with every non-file request
 * aborted and counted. No console errors, no failed requests, every chart canvas has drawn pixels, the
 * recommendation table shows each DC. The fan chart of past forecasts plots the chosen model's one-period-ahead
 * backtest forecasts (`bass+analogues` for Bass fitted with the analogue prior). Screenshots go to test-artifacts/
 * (gitignored). Fails, never skips, when chromium is missing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCampaignManifest } from '../../cli/campaign/manifest.ts';
import { computeForecast } from '../../cli/chain.ts';
import type { Forecast } from '../../models/types.ts';
import { canvasInk, chromiumPath, launchChromium, visit } from '../helpers/browser.ts';
import { REPO_ROOT, removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { loadData } from '../../cli/data.ts';
import { PlannerSettingsSchema } from '../../models/capacity/settings.ts';
import { sensitivity } from '../../models/capacity/sensitivity.ts';
import { campaignFixture, probeNdjson, summaryFixture } from '../reports/render/fixtures.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const dir = tempDir('caplab-browser-');
let browser: Browser;
let analogues: Forecast;

beforeAll(async () => {
  const executablePath = chromiumPath();
  const c = await campaignFixture();
  mkdirSync(join(dir, 'full', 'results', 'singapore'), { recursive: true });
  mkdirSync(join(dir, 'full', 'results', 'beijing'), { recursive: true });
  // The same forecast with its backtest (separate random streams: the bands are c.forecast's), for the fan chart.
  writeFileSync(join(dir, 'full', 'forecast.json'), JSON.stringify(await computeForecast({ draws: c.forecast.uncertainty.draws, backtest: true }, c.forecast.seed)));
  writeFileSync(join(dir, 'full', 'traffic.json'), JSON.stringify(c.traffic));
  // With the sensitivity analysis the chain attaches to a plan (models/capacity/sensitivity.ts), for the tornado chart.
  writeFileSync(join(dir, 'full', 'plan.json'), JSON.stringify({ ...c.plan, sensitivity: sensitivity(c.input, loadData('planner.json', PlannerSettingsSchema).sensitivity!) }));
  writeFileSync(join(dir, 'full', 'results', 'singapore', 'points.ndjson'), probeNdjson({ seed: 1, rates: [100, 200, 300] }));
  writeFileSync(join(dir, 'full', 'results', 'singapore', 'summary.json'), JSON.stringify(summaryFixture({ p95: 350, errorRate: 0.002, rps: 120 })));
  writeFileSync(join(dir, 'full', 'results', 'beijing', 'points.ndjson.gz'), gzipSync(probeNdjson({ seed: 2 })));
  mkdirSync(join(dir, 'bare'), { recursive: true });
  writeFileSync(join(dir, 'bare', 'plan.json'), JSON.stringify(c.plan));
  // Bass fitted with the analogue prior, backtested: forecast.json names the model bass, the backtest bass+analogues.
  analogues = await computeForecast({ draws: c.forecast.uncertainty.draws, backtest: true, analogues: true, model: 'bass' }, c.forecast.seed);
  mkdirSync(join(dir, 'analogues'), { recursive: true });
  writeFileSync(join(dir, 'analogues', 'forecast.json'), JSON.stringify(analogues));
  writeFileSync(join(dir, 'analogues', 'plan.json'), JSON.stringify(c.plan));
  // A --quick campaign's folder: its manifest says so (written last, by the CLI's own writer, as the campaign does).
  mkdirSync(join(dir, 'quick'), { recursive: true });
  writeFileSync(join(dir, 'quick', 'plan.json'), JSON.stringify(c.plan));
  writeFileSync(join(dir, 'quick', 'budgets.json'), JSON.stringify({ schema: 'caplab.budgets/v1' }));
  await writeCampaignManifest(join(dir, 'quick'), { runId: 'quick-1', startedAt: '2026-12-05T10:00:00Z', finishedAt: '2026-12-05T10:01:00Z', quick: true, seed: 1, dcs: [], skipped: [], budgets: 'budgets.json' });
  for (const d of ['full', 'bare', 'analogues', 'quick']) {
    const r = await runCli(['report', join(dir, d)]);
    expect(r.code, r.stderr).toBe(0);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium(executablePath);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  removeDir(dir);
});

describe('report.html in chromium, offline, from file://', () => {
  it('draws every chart with no console error and no network request, and shows each DC first', async () => {
    const v = await visit(browser, join(dir, 'full', 'report.html'));
    expect(v.consoleErrors).toEqual([]);
    expect(v.failed).toEqual([]);
    expect(v.blocked).toEqual([]);
    const ink = await canvasInk(v.page);
    const drawn = Number(await v.page.getAttribute('html', 'data-charts-drawn'));
    expect(drawn).toBe(ink.length);
    // nodes, tornado, forecast, backtest, regions, demand, diurnal, services, rtt + per DC: usl, steps, rps, latency (+ sweep for singapore)
    expect(ink.length).toBe(9 + 4 + 5);
    expect(ink.map((k) => k.key)).toContain('tornado');
    for (const c of ink) {
      expect(c.w * c.h, c.key).toBeGreaterThan(0);
      expect(c.ink, `canvas ${c.key} is blank`).toBeGreaterThan(500);
    }
    const dcs = await v.page.$$eval('#recommendation-table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    expect(dcs).toEqual(['beijing', 'singapore', 'us-west-1', 'us-west-2']);
    // The recommendation is on the first screen.
    const box = await v.page.locator('#recommendation-table').boundingBox();
    expect(box!.y).toBeLessThan(900);
    await v.page.screenshot({ path: join(ARTIFACTS, 'report-first-screen.png') });
    await v.page.screenshot({ path: join(ARTIFACTS, 'report-full.png'), fullPage: true });
    await v.page.context().close();
  });

  it('plots bass+analogues in the fan chart when Bass was fitted with the analogue prior, and shows the priors', async () => {
    const v = await visit(browser, join(dir, 'analogues', 'report.html'));
    expect(v.consoleErrors).toEqual([]);
    const chart = await v.page.evaluate(`(function () {
      var c = Chart.getChart(document.querySelector('canvas[data-chart="backtest"]'));
      return { labels: c.data.labels, p50: c.data.datasets.filter(function (d) { return d.label === 'forecast p50'; })[0].data };
    })()`) as { labels: string[]; p50: number[] };
    const want = analogues.backtest!.evaluations.filter((e) => e.ahead === 1 && e.model === 'bass+analogues');
    const plain = analogues.backtest!.evaluations.filter((e) => e.ahead === 1 && e.model === 'bass');
    expect(want.length).toBeGreaterThan(0);
    expect(chart.labels).toEqual(want.map((e) => `${e.target} (from ${e.fittedThrough})`));
    expect(chart.p50).toEqual(want.map((e) => e.p50));
    expect(chart.p50).not.toEqual(plain.map((e) => e.p50));
    const priors = await v.page.$$eval('#priors tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    expect(priors).toEqual(['market potential m (phones)', 'Bass p (analogues)', 'Bass q (analogues)']);
    expect(await v.page.locator('#prior-analogues tbody tr').count()).toBe(analogues.priors!.bassAnalogues!.analogues.length);
    await v.page.context().close();
  });

  it('draws in dark mode too', async () => {
    const v = await visit(browser, join(dir, 'full', 'report.html'), 'dark');
    expect(v.consoleErrors).toEqual([]);
    const bg = await v.page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(bg).toBe('rgb(13, 17, 23)');
    expect((await canvasInk(v.page)).every((c) => c.ink > 500)).toBe(true);
    await v.page.screenshot({ path: join(ARTIFACTS, 'report-first-screen-dark.png') });
    await v.page.context().close();
  });

  it('prints: navigation hidden, charts kept, a PDF made', async () => {
    const v = await visit(browser, join(dir, 'full', 'report.html'));
    await v.page.emulateMedia({ media: 'print' });
    expect(await v.page.evaluate('getComputedStyle(document.querySelector("nav")).display')).toBe('none');
    await v.page.pdf({ path: join(ARTIFACTS, 'report.pdf'), format: 'A4', printBackground: true });
    expect(readFileSync(join(ARTIFACTS, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await canvasInk(v.page)).every((c) => c.ink > 500)).toBe(true);
    expect(v.consoleErrors).toEqual([]);
    await v.page.context().close();
  });

  it('says which sections are absent when only plan.json exists, without errors', async () => {
    const v = await visit(browser, join(dir, 'bare', 'report.html'));
    expect(v.consoleErrors).toEqual([]);
    expect(v.failed).toEqual([]);
    const ink = await canvasInk(v.page);
    expect(ink.map((c) => c.key)).toEqual(['nodes']);
    expect(ink[0]!.ink).toBeGreaterThan(500);
    const absent = await v.page.$$eval('p.absent', (ps) => ps.map((p) => p.textContent));
    expect(absent).toEqual(expect.arrayContaining(['Not available: no forecast.json.', 'Not available: no traffic.json.']));
    await v.page.context().close();
  });

  it('says a --quick campaign is quick on the first screen', async () => {
    const v = await visit(browser, join(dir, 'quick', 'report.html'));
    expect(v.consoleErrors).toEqual([]);
    const label = v.page.locator('header p.note', { hasText: 'Quick run' });
    expect(await label.count()).toBe(1);
    expect(await label.isVisible()).toBe(true);
    const box = await label.boundingBox();
    const viewport = v.page.viewportSize();
    expect(box!.y + box!.height).toBeLessThan(viewport!.height);
    expect(await label.textContent()).toMatch(/^Quick run \(caplab campaign --quick; campaign\.json says quick: true\): a smoke run/);
    // A full run has no such label.
    const full = await visit(browser, join(dir, 'full', 'report.html'));
    expect(await full.page.locator('header p.note', { hasText: 'Quick run' }).count()).toBe(0);
    await full.page.context().close();
    await v.page.context().close();
  });

  it('writes a junit.xml that a browser XML parser reads with the expected counts', async () => {
    const context = await browser.newContext({ offline: true });
    const page = await context.newPage();
    const xml = readFileSync(join(dir, 'full', 'junit.xml'), 'utf8');
    const r = await page.evaluate(`(function (x) {
      var d = new DOMParser().parseFromString(x, 'application/xml');
      if (d.getElementsByTagName('parsererror').length) return { error: d.documentElement.textContent };
      var root = d.documentElement;
      return { root: root.nodeName, tests: root.getAttribute('tests'), failures: root.getAttribute('failures'), cases: d.getElementsByTagName('testcase').length };
    })(${JSON.stringify(xml)})`);
    expect(r).toEqual({ root: 'testsuites', tests: '3', failures: '1', cases: 3 });
    await context.close();
  });
});
