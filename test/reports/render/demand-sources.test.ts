/**
 * The report says per service where demand comes from: "modeled", or "calibrated from <source>" with the fit's RMSE
 * and MAPE, in report.md and report.html alike, and the HTML shows the residuals per DC. The traffic is computed with
 * the built-in catalog and a `caplab.demand/v1` file (as `caplab traffic --demand` reads it) calibrating ota_check.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeTraffic } from '../../../cli/chain.ts';
import type { DemandFile } from '../../../models/traffic/demand-file.ts';
import { TrafficFileSchema } from '../../../models/traffic/traffic-file.ts';
import type { Traffic } from '../../../models/types.ts';
import { demandSourcesOf } from '../../../reports/render/demand-sources.ts';
import { TrafficFileSchema as ReportTrafficSchema } from '../../../reports/render/inputs.ts';
import { renderHtml } from '../../../reports/render/html.ts';
import { renderMarkdown } from '../../../reports/render/markdown.ts';
import { buildReportModel } from '../../../reports/render/model.ts';

const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');

let traffic: Traffic;
beforeAll(async () => {
  const file: DemandFile = {
    schema: 'caplab.demand/v1',
    source: { kind: 'prometheus', what: 'http://127.0.0.1:9090 sum by (dc, route) (rate(x[5m]))', from: '2015-02-01T10:00:00Z', to: '2015-02-01T11:35:00Z', stepSeconds: 300 },
    placement: 'seed-4dc',
    quarter: '2015Q1',
    devices: { singapore: { activeDevices: 1.4e6, from: 'forecast 2015Q1 p50' } },
    services: {
      ota_check: {
        perDevicePerDay: 2.5, localHourWeights: null,
        dcs: { singapore: { meanRps: 40.1, perDevicePerDay: 2.5, samples: 20, hoursCovered: 1, fittedMeanRps: 40.1, rmseRps: 0.4, mapePct: 3.25 } },
        fit: { rmseRps: 0.4, mapePct: 3.25, note: 'telemetry does not cover every UTC hour (singapore: 1 of 24)', residuals: {} },
      },
    },
  };
  const path = join(mkdtempSync(join(tmpdir(), 'caplab-demand-')), 'demand.json');
  writeFileSync(path, JSON.stringify(file));
  traffic = (await computeTraffic({ from: '2015Q1', to: '2015Q1', demand: path }, 1)).traffic;
});

describe('demand sources in the report', () => {
  it('reads back from traffic.json: the calibrated service and the modeled rest', () => {
    const file = JSON.parse(JSON.stringify(traffic));
    expect(ReportTrafficSchema.parse(file).demandSources).toEqual(traffic.demandSources);
    expect(() => ReportTrafficSchema.parse({ ...file, demandSources: { ota_check: { source: 'x', curve: 'wavy' } } })).toThrow(/curve/);
    const rows = demandSourcesOf(TrafficFileSchema.parse(file));
    expect(rows.find((r) => r.service === 'ota_check')).toMatchObject({ kind: 'calibrated', perDevicePerDay: 2.5, curve: 'shared', curveFit: 'modeled', rmseRps: 0.4, mapePct: 3.25 });
    expect(rows.find((r) => r.service === 'contacts_sync')).toMatchObject({ kind: 'modeled', rmseRps: null, dcs: [] });
  });

  it('says the same in report.md and report.html, and the HTML lists the residuals per DC', () => {
    const m = buildReportModel({ traffic });
    const md = renderMarkdown(m);
    const html = renderHtml(m, { chartJs });
    const words = 'calibrated from http://127.0.0.1:9090 sum by (dc, route) (rate(x[5m])) (RMSE 0.4 req/s, MAPE 3.25%; hourly curve modeled, not enough hours observed)';
    expect(md).toContain('## Demand per service');
    expect(md).toContain('Demand per service: ota_check calibrated from http://127.0.0.1:9090');
    expect(md).toContain('the other 7 modeled.');
    expect(md).toContain(`| ota_check | 2.5 | ${words} | shared |`);
    expect(md).toMatch(/\| contacts_sync \| 4 \| modeled \| shared \|/);
    expect(html).toContain(words.replace(/&/g, '&amp;'));
    expect(html).toMatch(/<table id="demand-residuals">[\s\S]*?<td>ota_check<\/td><td>singapore<\/td><td class="num">20<\/td><td class="num">40.100<\/td>/);
    expect(m.assumptions.find((a) => a.name === 'requests per device per day, calibrated from telemetry')).toEqual({ name: 'requests per device per day, calibrated from telemetry', value: 'ota_check 2.5', kind: 'measured' });
  });

  it('says "modeled" for a traffic.json without demandSources', async () => {
    const { traffic: modeled } = await computeTraffic({ from: '2015Q1', to: '2015Q1' }, 1);
    const md = renderMarkdown(buildReportModel({ traffic: modeled }));
    expect(md).toContain('Demand per service: modeled (requests per device per day from data/catalog.json');
    expect(md).not.toContain('calibrated');
  });
});
