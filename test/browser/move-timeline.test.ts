/**
 * Browser test of the resources and move sections of report.html: the real `caplab report` on a folder holding only
 * a hand-written plan.json with `resources` and `move` (test/reports/render/move-plan.ts: a wave that converges, one
 * that never does), opened in Debian's chromium (playwright-core) from file:// with every non-file request aborted.
 * No page errors; the move's timeline canvas drew, its chart.js instance has one row per wave and the bulk copy /
 * catch-up / cut-over segments as floating bars in one row (the Gantt layout), the never-converging wave as a bulk
 * bar only under its own label, dates on the axis; the per-site resources tables are there. A screenshot of the
 * section goes to test-artifacts/ (gitignored). Fails, never skips, when chromium is missing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasInk, chromiumPath, launchChromium, visit } from '../helpers/browser.ts';
import { REPO_ROOT, removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { movePlan, WAVE1, WAVE2_BULK } from '../reports/render/move-plan.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const dir = tempDir('caplab-browser-move-');
let browser: Browser;

beforeAll(async () => {
  const executablePath = chromiumPath();
  mkdirSync(join(dir, 'move'), { recursive: true });
  writeFileSync(join(dir, 'move', 'plan.json'), JSON.stringify(movePlan()));
  const r = await runCli(['report', join(dir, 'move')]);
  expect(r.code, r.stderr).toBe(0);
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium(executablePath);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  removeDir(dir);
});

interface Drawn {
  labels: string[];
  datasets: { label: string; data: ([number, number] | null)[]; rows: (number | null)[] }[];
  ticks: string[];
  indexAxis: string;
}

describe('the move timeline in report.html, chromium, offline', () => {
  it('draws the Gantt chart of the waves with no page error, the never-converging wave as a bulk bar only', async () => {
    const v = await visit(browser, join(dir, 'move', 'report.html'));
    expect(v.consoleErrors).toEqual([]);
    expect(v.failed).toEqual([]);
    expect(v.blocked).toEqual([]);
    const ink = await canvasInk(v.page);
    expect(ink.map((c) => c.key)).toEqual(['move', 'nodes']);
    expect(Number(await v.page.getAttribute('html', 'data-charts-drawn'))).toBe(2);
    const move = ink.find((c) => c.key === 'move')!;
    expect(move.w * move.h).toBeGreaterThan(0);
    expect(move.ink, 'the move timeline is blank').toBeGreaterThan(500);

    const chart = await v.page.evaluate(`(function () {
      var c = Chart.getChart(document.querySelector('canvas[data-chart="move"]'));
      return {
        labels: c.data.labels, indexAxis: c.options.indexAxis,
        ticks: c.scales.x.ticks.map(function (t) { return t.label; }),
        datasets: c.data.datasets.map(function (d, i) {
          var meta = c.getDatasetMeta(i);
          return { label: d.label, data: d.data, rows: meta.data.map(function (el, j) { return d.data[j] === null ? null : Math.round(el.y); }) };
        })
      };
    })()`) as Drawn;
    expect(chart.indexAxis).toBe('y');
    expect(chart.labels).toEqual(['wave 1 → frankfurt (2027Q1)', 'wave 2 → frankfurt (2027Q2): never converges']);
    expect(chart.datasets.map((d) => d.label)).toEqual(['bulk copy', 'catch-up', 'cut-over', 'bulk copy, then catch-up never converges']);
    const [bulk, catchUp, cutover, never] = chart.datasets;
    // Wave 1: bulk from day 0, catch-up after it, cut-over last, in days from 2027-01-01.
    expect(bulk!.data[0]![0]).toBe(0);
    expect(bulk!.data[0]![1]).toBeCloseTo(WAVE1.bulk / 24, 6);
    expect(catchUp!.data[0]).toEqual([bulk!.data[0]![1], expect.closeTo((WAVE1.bulk + WAVE1.catchUp) / 24, 6)]);
    expect(cutover!.data[0]![1]).toBeCloseTo(WAVE1.total / 24, 6);
    // Wave 2 never converges: no catch-up, no cut-over, its bulk copy in the labelled dataset from day 90 (2027-04-01).
    expect([bulk!.data[1], catchUp!.data[1], cutover!.data[1]]).toEqual([null, null, null]);
    expect(never!.data[0]).toBeNull();
    expect(never!.data[1]![0]).toBe(90);
    expect(never!.data[1]![1]).toBeCloseTo(90 + WAVE2_BULK / 24, 6);
    // One row per wave: a wave's segments share its row (floating bars, not grouped side by side).
    expect(bulk!.rows[0]).toBe(catchUp!.rows[0]);
    expect(catchUp!.rows[0]).toBe(cutover!.rows[0]);
    expect(never!.rows[1]).not.toBe(bulk!.rows[0]);
    // The axis says dates.
    expect(chart.ticks.length).toBeGreaterThan(1);
    for (const t of chart.ticks) expect(t).toMatch(/^2027-\d{2}-\d{2}$/);

    // The tables: one per site, the waves, the latency.
    expect(await v.page.locator('#resources table').count()).toBe(2);
    const app = await v.page.$$eval('#resources-table-beijing tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
    expect(app).toEqual(['c7i.2xlarge × 24 (cpu)', 'c7i.2xlarge × 26 (cpu)']);
    const catchUps = await v.page.$$eval('#move-table tbody tr td:nth-child(7)', (tds) => tds.map((td) => td.textContent));
    expect(catchUps).toEqual(['2.3 d (2 rounds)', 'never converges']);
    expect(await v.page.locator('#move-latency tbody tr').count()).toBe(3);
    expect(await v.page.locator('nav a[href="#move"]').count()).toBe(1);
    await v.page.locator('#move').screenshot({ path: join(ARTIFACTS, 'report-move.png') });
    await v.page.locator('#resources').screenshot({ path: join(ARTIFACTS, 'report-resources.png') });
    await v.page.context().close();
  });

  it('draws the timeline in dark mode too', async () => {
    const v = await visit(browser, join(dir, 'move', 'report.html'), 'dark');
    expect(v.consoleErrors).toEqual([]);
    expect((await canvasInk(v.page)).every((c) => c.ink > 500)).toBe(true);
    await v.page.context().close();
  });
});
