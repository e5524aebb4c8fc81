/**
 * The report says per service where demand comes from: "modeled", or "calibrated from <source>" with the fit's RMSE
 * and MAPE, in report.md and report.html alike, and the HTML shows the residuals per DC. The traffic is computed with
 * a services record passed straight to computeTraffic (the way a service catalog will feed it), not through a flag.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeTraffic } from '../../../cli/commands/traffic.ts';
import { loadData } from '../../../cli/data.ts';
import { UsageSchema } from '../../../models/population/settings.ts';
import { meanPhotosPerDay } from '../../../models/population/usage.ts';
import { modeledDemands } from '../../../models/traffic/service-demand.ts';
import { ServicesDemandSchema } from '../../../models/traffic/settings.ts';
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
  const base = modeledDemands(loadData('services.json', ServicesDemandSchema).demand, meanPhotosPerDay(loadData('usage.json', UsageSchema)));
  const services = {
    ...base,
    ota_check: {
      perDevicePerDay: 2.5, source: 'calibrated from http://127.0.0.1:9090 sum by (dc, route) (rate(x[5m]))',
      fit: { rmseRps: 0.4, mapePct: 3.25, curve: 'modeled' as const, note: 'telemetry does not cover every UTC hour (singapore: 1 of 24)', dcs: {
        singapore: { observedMeanRps: 40.1, fittedMeanRps: 40.1, rmseRps: 0.4, mapePct: 3.25, samples: 20 },
      } },
    },
  };
  traffic = (await computeTraffic({ from: '2015Q1', to: '2015Q1' }, 1, services)).traffic;
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
    expect(md).toContain('Demand per service: modeled (requests per device per day from data/services.json');
    expect(md).not.toContain('calibrated');
  });
});
